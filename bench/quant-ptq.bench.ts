/**
 * Post-training quantization time for mnist_vgg (150k parameters, 22 MMACs per digit) with
 * 200 calibration digits: the float model's preparation (batch-norm folding, activation
 * fusion), calibration (the float interpreter with an afterNode hook on every activation,
 * two passes for the histogram methods) and quantization, for each calibration method and
 * scheme. CPU time of this process, one run each after one warm-up PTQ.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { readOnnx } from "@mcu/onnx-io";
import quantPlugin, { CALIBRATION_METHODS, calibrate, quantizeGraph } from "@mcu/quant";
import {
  corePlugin,
  createRegistry,
  type Graph,
  normalizeAttrs,
  type PassContext,
  readNpy,
  resolvePipeline,
  runPipeline,
} from "@mcu/tensor";
import type { BenchResult } from "../tools/bench/types.js";

const fixtures = resolve(import.meta.dirname, "..", "fixtures");
const bytes = (...parts: string[]) => new Uint8Array(readFileSync(join(fixtures, ...parts)));

function cpuSeconds<T>(f: () => T): { value: T; s: number } {
  const c0 = process.cpuUsage();
  const value = f();
  const c = process.cpuUsage(c0);
  return { value, s: (c.user + c.system) / 1e6 };
}

export default async function bench(): Promise<BenchResult> {
  const registry = createRegistry([corePlugin, quantPlugin]);
  const float = readOnnx(bytes("pytorch-mnist", "mnist_vgg.onnx"), { registry });
  const digits = readNpy(bytes("mnist", "calib-digits.npy")).data as Uint8Array;
  const samples = Array.from({ length: 200 }, (_, i) => [
    Float32Array.from(digits.subarray(i * 784, (i + 1) * 784), (v) => v / 255),
  ]);

  // The float graph the passes calibrate: batch norms folded, activations fused.
  const ctx = {
    registry,
    resources: {},
    report: () => {},
    progress: () => ({ tick() {}, done() {} }),
  } as unknown as PassContext<never>;
  let prepared: Graph = float;
  for (const name of ["core/fold-batchnorm", "core/fuse-activation"]) {
    const pass = registry.pass(name);
    prepared = await pass.run(prepared, {
      ...ctx,
      pass: name,
      options: normalizeAttrs(name, pass.options, {}),
    } as never);
  }

  await runPipeline(float, resolvePipeline(registry, "quant/int8"), {
    registry,
    resources: { calibration: samples },
  });

  const rows: Record<string, string | number>[] = [];
  const cases = [
    ...CALIBRATION_METHODS.map((calib) => ({ scheme: "int8", calib, pipeline: `quant/int8:calib=${calib}` })),
    { scheme: "int16x8", calib: "minmax", pipeline: "quant/int16x8" },
    { scheme: "int4-weights", calib: "minmax", pipeline: "quant/int4-weights" },
  ];
  for (const c of cases) {
    const activations = c.scheme === "int16x8" ? "int16" : "int8";
    const cal = cpuSeconds(() =>
      calibrate(prepared, samples, {
        registry,
        method: c.calib as (typeof CALIBRATION_METHODS)[number],
        dtype: activations,
      }),
    );
    const q = cpuSeconds(() =>
      quantizeGraph(prepared, cal.value, {
        registry,
        scheme: { activations, weightBits: c.scheme === "int4-weights" ? 4 : 8 },
      }),
    );
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await runPipeline(float, resolvePipeline(registry, c.pipeline), {
      registry,
      resources: { calibration: samples },
    });
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    rows.push({
      pass: c.pipeline,
      "calibration CPU s": cal.s.toFixed(2),
      "quantization CPU s": q.s.toFixed(3),
      "whole pass CPU s": ((cpu.user + cpu.system) / 1e6).toFixed(2),
      "whole pass wall s": wall.toFixed(2),
    });
  }
  return {
    title: "Post-training quantization time (@mcu/quant, mnist_vgg)",
    description:
      "CPU time of post-training quantization of mnist_vgg.onnx (5 conv + 1 dense layers, 150,378 parameters, 21.9 MMACs per digit) with the 200 calibration digits of fixtures/mnist (train split): calibration alone (`calibrate`: the float interpreter over every sample with an afterNode hook on every float activation; percentile, mse and kl take a second pass for histograms of 2×2048 bins), quantization alone (`quantizeGraph`: weights, biases, parameters, graph rewrite, kernel check), and the whole pass through `runPipeline` (folding, fusion, calibration, quantization, verify). One run each after a warm-up, one thread.",
    rows,
  };
}
