import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { corePlugin, createRegistry, graphBuilder, writeMcuir } from "@mcu/tensor";
import { captureIo } from "../internal/capture-io.js";
import { main } from "../main.js";

const registry = createRegistry([corePlugin]);
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mcu-inspect-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * input [1,4,4,1] → conv 3×3 (1→2, bias; "CONV_2D") → relu (no source op) →
 * fully connected 8→3 ("FULLY_CONNECTED") → softmax ("SOFTMAX").
 */
function writeModel(): string {
  const b = graphBuilder(registry);
  const x = b.input("x", [1, 4, 4, 1]);
  const w = b.constant("w", new Float32Array(18).fill(0.5), [2, 3, 3, 1]);
  const bias = b.constant("b", new Float32Array([1, -1]), [2]);
  let h = b.op("core.conv2d", [x, w, bias], {}, { name: "conv", sourceOp: "CONV_2D" });
  h = b.op("core.relu", [h], {}, { name: "relu" });
  const fw = b.constant("fw", new Float32Array(24).fill(0.25), [3, 8]);
  const fb = b.constant("fb", new Float32Array(3), [3]);
  h = b.op("core.fully_connected", [h, fw, fb], {}, { name: "fc", sourceOp: "FULLY_CONNECTED" });
  const y = b.op("core.softmax", [h], {}, { name: "probs", sourceOp: "SOFTMAX" });
  const path = join(dir, "tiny.mcuir");
  writeFileSync(path, writeMcuir(b.output(y).build()));
  return path;
}

describe("mcu inspect", () => {
  it("prints the schema-1 JSON document, with counts derived by hand", async () => {
    const io = captureIo();
    expect(await main(["inspect", writeModel(), "--json"], io)).toBe(0);
    expect(io.err()).toBe("");
    // conv: output [1,2,2,2] = 8 values × 3·3·1 MACs = 72; params 18 + 2 (80 bytes).
    // fc: [1,8] · [3,8]ᵀ = 24 MACs; params 24 + 3 (108 bytes).
    expect(JSON.parse(io.out())).toEqual({
      schema: 1,
      format: "mcuir",
      inputs: [{ name: "x", shape: [1, 4, 4, 1], dtype: "float32", quant: null }],
      outputs: [{ name: "probs", shape: [1, 3], dtype: "float32", quant: null }],
      nodes: 4,
      opCounts: { CONV_2D: 1, "core.relu": 1, FULLY_CONNECTED: 1, SOFTMAX: 1 },
      irOpCounts: { "core.conv2d": 1, "core.relu": 1, "core.fully_connected": 1, "core.softmax": 1 },
      params: 47,
      paramBytes: 188,
      macs: 96,
      layers: [
        {
          name: "conv",
          op: "core.conv2d",
          sourceOp: "CONV_2D",
          outputShape: [1, 2, 2, 2],
          dtype: "float32",
          macs: 72,
          params: 20,
          paramBytes: 80,
        },
        {
          name: "relu",
          op: "core.relu",
          sourceOp: null,
          outputShape: [1, 2, 2, 2],
          dtype: "float32",
          macs: 0,
          params: 0,
          paramBytes: 0,
        },
        {
          name: "fc",
          op: "core.fully_connected",
          sourceOp: "FULLY_CONNECTED",
          outputShape: [1, 3],
          dtype: "float32",
          macs: 24,
          params: 27,
          paramBytes: 108,
        },
        {
          name: "probs",
          op: "core.softmax",
          sourceOp: "SOFTMAX",
          outputShape: [1, 3],
          dtype: "float32",
          macs: 0,
          params: 0,
          paramBytes: 0,
        },
      ],
    });
  });

  it("prints a text report with a per-layer table", async () => {
    const io = captureIo();
    expect(await main(["inspect", writeModel()], io)).toBe(0);
    const text = io.out();
    expect(text).toContain("(mcuir)");
    expect(text).toContain("  x  float32[1,4,4,1]");
    expect(text).toContain("ops: CONV_2D ×1, core.relu ×1, FULLY_CONNECTED ×1, SOFTMAX ×1");
    expect(text).toContain("params: 47 (188 B)");
    expect(text).toContain("MACs: 96");
    expect(text).toMatch(/#\s+layer\s+op\s+output\s+MACs\s+params\s+param bytes/);
    expect(text).toMatch(/0\s+conv\s+CONV_2D\s+float32\[1,2,2,2\]\s+72\s+20\s+80/);
  });

  it("reports an unknown extension as one error line and exit code 1", async () => {
    const io = captureIo();
    expect(await main(["inspect", join(dir, "model.pb"), "--json"], io)).toBe(1);
    expect(io.out()).toBe("");
    expect(io.err()).toMatch(
      /^error MCU_E_UNKNOWN_FORMAT: no installed plugin reads or writes ".*model\.pb" \(known extensions: [^)]*\.mcuir[^)]*\)\n$/,
    );
  });

  it("reports a missing model file as MCU_E_FILE", async () => {
    const io = captureIo();
    expect(await main(["inspect", join(dir, "absent.mcuir")], io)).toBe(1);
    expect(io.err()).toMatch(
      /^error MCU_E_FILE: cannot read ".*absent\.mcuir": no such file or directory\n$/,
    );
  });
});
