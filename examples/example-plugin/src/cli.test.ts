/**
 * The plugin from the `mcu` command, as a user runs it: a separate process, the plugin named
 * with `--plugin` (by package name, and by file path), nothing in packages/ aware of it. An ONNX
 * conv net with two HardSigmoids is fused with `mcu compress`, inspected, run through the
 * generated C (`--engine c`, host gcc) and estimated. Oracle: onnxruntime on the original model.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { readNpy, writeNpy } from "@mcu/tensor";
import { convHardSigmoidModel } from "./testing/onnx-model.js";
import { runOnnxRuntime } from "./testing/ort.js";
import { randomFloats } from "./testing/random.js";

// The workspace's `mcu`, from its sources: what `npm run mcu` runs when nothing is built.
const cliDir = dirname(require.resolve("@mcu/cli/package.json"));
const root = join(cliDir, "..", "..");
const pluginFile = `./${relative(root, join(__dirname, "index.ts"))}`;

function mcu(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(
    process.execPath,
    ["--conditions=source", "--import", "tsx", join(cliDir, "src", "bin.ts"), ...args],
    {
      cwd: root,
      encoding: "utf8",
      timeout: 120_000,
    },
  );
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

let dir: string;
const path = (name: string): string => join(dir, name);
const model = convHardSigmoidModel({
  cin: 2,
  cout: 4,
  h: 5,
  w: 5,
  w1: randomFloats(4 * 2 * 9, 41, -0.6, 0.6),
  b1: randomFloats(4, 42),
  w2: randomFloats(16, 43, -0.6, 0.6),
  b2: randomFloats(4, 44),
  attrs: { alpha: 0.25, beta: 0.4 },
});
// A batch of 3 inputs in the model's own layout (NCHW): `mcu run` runs once per slice.
const inputs = randomFloats(3 * 2 * 5 * 5, 45, -3, 3);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mcu-example-plugin-"));
  writeFileSync(path("net.onnx"), model);
  writeFileSync(path("x.npy"), writeNpy({ dtype: "float32", shape: [3, 1, 2, 5, 5], data: inputs }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("mcu --plugin @mcu-example/hard-sigmoid", () => {
  it("fuses, inspects, runs through host C and estimates a model", async () => {
    const plugin = ["--plugin", "@mcu-example/hard-sigmoid"];

    const compress = mcu(
      ...plugin,
      "compress",
      path("net.onnx"),
      "-p",
      "example/fuse-hard-sigmoid",
      "-o",
      path("fused.mcuir"),
    );
    expect([compress.code, compress.err]).toEqual([0, ""]);
    expect(compress.out).toContain("fused.mcuir");

    const inspect = mcu(...plugin, "inspect", path("fused.mcuir"), "--json");
    expect(inspect.code).toBe(0);
    const summary = JSON.parse(inspect.out) as { irOpCounts: Record<string, number> };
    expect(summary.irOpCounts["example.hard_sigmoid"]).toBe(2);
    expect(summary.irOpCounts["core.clip"]).toBeUndefined();

    // Without the plugin the file names an op nobody defines: a one-line user error.
    const without = mcu("inspect", path("fused.mcuir"));
    expect(without.code).toBe(1);
    expect(without.err).toMatch(/^error MCU_E_UNKNOWN_OP: .*example\.hard_sigmoid/);

    // The C engine, with the plugin given as a file path this time.
    const run = mcu(
      "--plugin",
      pluginFile,
      "run",
      path("fused.mcuir"),
      "--input",
      path("x.npy"),
      "--output",
      path("y.npy"),
      "--engine",
      "c",
    );
    expect([run.code, run.err]).toEqual([0, ""]);
    const y = readNpy(new Uint8Array(readFileSync(path("y.npy"))));
    expect(y.shape).toEqual([3, 1, 4, 5, 5]);

    const sample = 2 * 5 * 5;
    for (let s = 0; s < 3; s++) {
      const [expected] = await runOnnxRuntime(model, [
        { data: inputs.subarray(s * sample, (s + 1) * sample), dims: [1, 2, 5, 5] },
      ]);
      const got = (y.data as Float32Array).subarray(s * 100, (s + 1) * 100);
      let worst = 0;
      expected!.forEach((v, k) => {
        worst = Math.max(worst, Math.abs(got[k]! - v));
      });
      expect(worst).toBeLessThanOrEqual(1e-5);
    }

    const estimate = mcu(...plugin, "estimate", path("fused.mcuir"), "--board", "nucleo-l4r5zi", "--json");
    expect(estimate.code).toBe(0);
    const report = JSON.parse(estimate.out) as { layers: { op: string; kernel: string | null }[] };
    expect(report.layers.filter((l) => l.op === "example.hard_sigmoid").map((l) => l.kernel)).toEqual([
      "example.hard_sigmoid:float32",
      "example.hard_sigmoid:float32",
    ]);
  });
});
