/**
 * The options of `cluster/kernels` on the float32 mnist models: fp16 against log8 scales (which
 * keeps accuracy), one codebook per layer against one shared codebook, the paper's plain k-means
 * over unit kernels with norm scales against this package's defaults (k-means weighted by squared
 * norms, least-squares scales), and what calibration data adds (kernels weighted by their input
 * channel's mean square on the 200 calibration digits; scales and bias refitted to each layer's
 * outputs). Top-1 on the 1996 test digits.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { clusterConvStorage, clusterPlugin } from "@mcu/cluster";
import { readOnnx } from "@mcu/onnx-io";
import {
  corePlugin,
  createInterpreter,
  createRegistry,
  type Graph,
  numElements,
  readNpy,
  resolvePipeline,
  runPipeline,
} from "@mcu/tensor";
import type { BenchResult } from "../tools/bench/types.js";

const fixtures = resolve(import.meta.dirname, "..", "fixtures");
const bytes = (...parts: string[]) => new Uint8Array(readFileSync(join(fixtures, ...parts)));

const VARIANTS: readonly [string, string, boolean][] = [
  ["no calibration data: defaults (log8 scales)", "", false],
  ["no calibration data: fp16 scales", ":scales=fp16", false],
  ["no calibration data: shared codebook", ":shared=true", false],
  ["no calibration data: paper (plain k-means, norm scales)", ":weighted=false:rescale=false", false],
  ["calibrated: energy-weighted k-means only", ":refit=false", true],
  ["calibrated: output refit only", ":calibrated=false", true],
  ["calibrated: defaults (both)", "", true],
  ["calibrated: defaults, shared codebook", ":shared=true", true],
];
function convWeightBytes(g: Graph): number {
  let total = 0;
  for (const n of g.nodes) {
    const inputs = n.inputs.map((id) => (id === "" ? undefined : g.tensors.get(id)));
    if (n.op === "core.conv2d") total += 4 * numElements(inputs[1]!.shape);
    if (n.op === "cluster.conv2d") total += clusterConvStorage({ inputs, attrs: n.attrs }).weights;
  }
  return total;
}

export default async function bench(): Promise<BenchResult> {
  const registry = createRegistry([corePlugin, clusterPlugin]);
  const toInputs = (d: Uint8Array, n: number) =>
    Array.from({ length: n }, (_, i) =>
      Float32Array.from(d.subarray(i * 784, (i + 1) * 784), (v) => v / 255),
    );
  const calib = toInputs(readNpy(bytes("mnist", "calib-digits.npy")).data as Uint8Array, 200).map((x) => [x]);
  const test = toInputs(readNpy(bytes("mnist", "test-digits.npy")).data as Uint8Array, 1996);
  const labels = readNpy(bytes("mnist", "test-labels.npy")).data as Uint8Array;
  const top1 = (g: Graph): number => {
    // decode-then-conv: the core float32 convolution on the decoded kernels (the fastest TS path).
    const it = createInterpreter(g, { registry });
    let ok = 0;
    test.forEach((x, i) => {
      const y = it.invoke([x])[0]!.data as Float32Array;
      let b = 0;
      for (let k = 1; k < 10; k++) if (y[k]! > y[b]!) b = k;
      if (b === labels[i]) ok++;
    });
    return (100 * ok) / test.length;
  };
  const rows: Record<string, string | number>[] = [];
  const models = (process.env.MCU_BENCH_CLUSTER_MODELS ?? "mnist_cnn,mnist_vgg").split(",");
  for (const model of models) {
    const float = readOnnx(bytes("pytorch-mnist", `${model}.onnx`), { registry });
    const base = top1(float);
    const floatBytes = convWeightBytes(float);
    for (const [k, tic] of [
      [32, true],
      [64, false],
    ] as const) {
      for (const [label, extra, calibrated] of VARIANTS) {
        const p = `cluster/kernels:k=${k}:tic=${tic}:algorithm=decode-then-conv${extra}`;
        const g = (
          await runPipeline(float, resolvePipeline(registry, p), {
            registry,
            ...(calibrated ? { resources: { calibration: calib } } : {}),
          })
        ).graph;
        const acc = top1(g);
        rows.push({
          model,
          k,
          TIC: tic ? "on" : "off",
          variant: label,
          "conv weight bytes": convWeightBytes(g),
          "× vs float32": (floatBytes / convWeightBytes(g)).toFixed(2),
          "top-1 %": acc.toFixed(2),
          "Δ pt": (acc - base).toFixed(2),
        });
      }
    }
  }
  return {
    title: "@mcu/cluster: options of cluster/kernels (float32 models)",
    description:
      "Each row is `cluster/kernels:k=<k>:tic=<…>` plus the variant's options on the float32 model; top-1 on the 1996 test digits, Δ against the float32 model (mnist_cnn 98.10 %, mnist_vgg 98.75 %). log8 scales: one signed byte per kernel on a 2^(1/16) grid below the layer's largest scale; fp16: IEEE half. The paper's normalization is `weighted=false:rescale=false`. Calibrated (the 200 `--calib` digits): energy weighting weighs each kernel in k-means by its input channel's mean square; the output refit solves each output channel's scales and bias by least squares so that the layer's outputs on 32 calibration digits match the uncompressed layer's (same storage).",
    columns: ["model", "k", "TIC", "variant", "conv weight bytes", "× vs float32", "top-1 %", "Δ pt"],
    rows,
  };
}
