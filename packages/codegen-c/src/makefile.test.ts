/**
 * The generated project builds and runs with its own Makefile: `make host` reads and writes raw
 * tensor files, `make host-asan` and `make host-debug` build, and `make run-cortex-m4` runs the
 * embedded sample under QEMU and prints the outputs in hex — all equal to the TS interpreter.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { graphBuilder, type TensorData } from "@mcu/tensor";
import { generateProject, tensorDataBytes, writeProject } from "./project.js";
import { interpret, randomFloats, relativeError, testRegistry } from "./testing/compare.js";
import { findTool, runProcess } from "./toolchain.js";

const registry = testRegistry();

function model() {
  const b = graphBuilder(registry);
  const x = b.input("x", [1, 5, 5, 2]);
  const c = b.op("core.depthwise_conv2d", [x, b.constant("w", randomFloats(18, 3), [1, 3, 3, 2])], {
    padding: "SAME",
    fusedActivation: "RELU6",
  });
  const m = b.op("core.mean", [c], { axes: [1, 2], keepDims: false });
  b.output(b.op("core.logistic", [m]), b.op("core.max_pool2d", [c], { filter: [2, 2], strides: [2, 2] }));
  return b.build();
}

describe("the generated Makefile", () => {
  let dir = "";
  const graph = model();
  const sample: TensorData[] = [randomFloats(50, 77, 3)];
  const [expected] = interpret(graph, registry, [sample]);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mcu-make-"));
    await writeProject(
      generateProject(graph, { registry, name: "demo", target: "cortex-m4", samples: [sample] }),
      dir,
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const make = async (...args: string[]) => {
    const r = await runProcess(findTool("make"), args, { cwd: dir });
    expect(r.stderr.replace(/^make.*\n/gm, "")).not.toMatch(/error|warning/i);
    expect(r.code).toBe(0);
    return r.stdout;
  };

  it("make host: raw files in, raw files out (two samples in one run)", async () => {
    await make("host");
    const second: TensorData[] = [randomFloats(50, 78, 3)];
    await writeFile(
      join(dir, "in.bin"),
      Buffer.concat([tensorDataBytes(sample[0]!), tensorDataBytes(second[0]!)]),
    );
    const r = await runProcess(join(dir, "build/host/demo"), ["in.bin", "o0.bin", "o1.bin"], { cwd: dir });
    expect(r.code).toBe(0);
    const [exp2] = interpret(graph, registry, [second]);
    const o0 = new Float32Array(Uint8Array.from(await readFile(join(dir, "o0.bin"))).buffer);
    const o1 = new Float32Array(Uint8Array.from(await readFile(join(dir, "o1.bin"))).buffer);
    expect(o0.length).toBe(4);
    expect(relativeError(o0.slice(0, 2), expected![0]!)).toBeLessThanOrEqual(1e-5);
    expect(relativeError(o0.slice(2), exp2![0]!)).toBeLessThanOrEqual(1e-5);
    expect(relativeError(o1.slice(0, 8), expected![1]!)).toBeLessThanOrEqual(1e-5);
  });

  it("make host-asan and make host-debug build", async () => {
    await make("host-asan", "host-debug");
  });

  it("make run-cortex-m4 prints the embedded sample's outputs in hex and its instruction count", async () => {
    const out = await make("run-cortex-m4");
    expect(out).toMatch(/^mcu: demo, 40 instructions per SysTick tick$/m);
    expect(out).toMatch(/^instructions \d+$/m);
    const hex = [...out.matchAll(/^output (\d) ([0-9a-f]+)$/gm)].map((m) => m[2]!);
    expect(hex.length).toBe(2);
    hex.forEach((h, i) => {
      const bytes = Uint8Array.from(h.match(/../g)!.map((b) => Number.parseInt(b, 16)));
      const values = new Float32Array(bytes.buffer);
      expect(relativeError(values, expected![i]!)).toBeLessThanOrEqual(1e-5);
    });
    const size = await make("size-cortex-m4");
    expect(size).toMatch(/build\/cortex-m4\/demo\.o/);
    expect(size).toMatch(/build\/cortex-m4\/demo\.elf/);
  });
});
