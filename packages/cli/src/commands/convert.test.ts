import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { corePlugin, createRegistry, graphBuilder, quantParams, writeMcuir } from "@mcu/tensor";
import { captureIo } from "../internal/capture-io.js";
import { main } from "../main.js";

const registry = createRegistry([corePlugin]);
let dir: string;
const path = (name: string): string => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mcu-convert-"));
  const b = graphBuilder(registry);
  const x = b.input("x", [1, 6, 6, 2]);
  const w = b.constant(
    "w",
    Float32Array.from({ length: 36 }, (_, i) => (i % 7) - 3),
    [2, 3, 3, 2],
  );
  const bias = b.constant("b", new Float32Array([0.5, -0.5]), [2]);
  let h = b.op(
    "core.conv2d",
    [x, w, bias],
    { strides: [2, 2], padding: "SAME" },
    { name: "conv", sourceOp: "CONV_2D" },
  );
  h = b.op("core.max_pool2d", [h], { filter: [3, 3] }, { name: "pool" });
  const q = b.op(
    "core.quantize",
    [h],
    {},
    { name: "q", outputs: [{ dtype: "int8", quant: quantParams(0.25, 3) }] },
  );
  writeFileSync(path("a.mcuir"), writeMcuir(b.output(h, q).meta("source", "convert test").build()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function inspectJson(file: string): Promise<unknown> {
  const io = captureIo();
  expect(await main(["inspect", file, "--json"], io)).toBe(0);
  return JSON.parse(io.out());
}

describe("mcu convert", () => {
  it("prints the schema-1 --json summary instead of text", async () => {
    const io = captureIo();
    expect(await main(["convert", path("a.mcuir"), path("j.mcuir"), "--json"], io)).toBe(0);
    expect(JSON.parse(io.out())).toEqual({
      schema: 1,
      input: path("a.mcuir"),
      inputFormat: "mcuir",
      output: path("j.mcuir"),
      outputFormat: "mcuir",
      bytes: readFileSync(path("j.mcuir")).length,
    });
  });

  it("round-trips .mcuir → .mcuir: same bytes, same report, same outputs", async () => {
    const io = captureIo();
    expect(await main(["convert", path("a.mcuir"), path("b.mcuir")], io)).toBe(0);
    expect(io.out()).toMatch(/^wrote .*b\.mcuir \(mcuir, [\d,]+ bytes\) from .*a\.mcuir \(mcuir\)\n$/);
    expect(readFileSync(path("b.mcuir"))).toEqual(readFileSync(path("a.mcuir")));
    expect(await inspectJson(path("b.mcuir"))).toEqual(await inspectJson(path("a.mcuir")));

    writeFileSync(path("x.csv"), Array.from({ length: 72 }, (_, i) => ((i * 37) % 11) - 5).join(","));
    for (const m of ["a", "b"]) {
      const args = [
        "run",
        path(`${m}.mcuir`),
        "--input",
        path("x.csv"),
        "--output",
        path(`${m}.y.csv`),
        "--output",
        path(`${m}.q.csv`),
      ];
      expect(await main(args, captureIo())).toBe(0);
    }
    expect(readFileSync(path("b.y.csv"), "utf8")).toBe(readFileSync(path("a.y.csv"), "utf8"));
    expect(readFileSync(path("b.q.csv"), "utf8")).toBe(readFileSync(path("a.q.csv"), "utf8"));
  });

  it("refuses an output extension no plugin writes", async () => {
    const io = captureIo();
    expect(await main(["convert", path("a.mcuir"), path("a.xyz")], io)).toBe(1);
    expect(io.err()).toMatch(/^error MCU_E_UNKNOWN_FORMAT: no installed plugin reads or writes ".*a\.xyz"/);
  });

  it("reports a corrupt input model as a user error", async () => {
    writeFileSync(path("bad.mcuir"), "this is not protobuf");
    const io = captureIo();
    expect(await main(["convert", path("bad.mcuir"), path("c.mcuir")], io)).toBe(1);
    expect(io.err()).toMatch(/^error MCU_E_[A-Z_]+: .*\n$/);
  });
});
