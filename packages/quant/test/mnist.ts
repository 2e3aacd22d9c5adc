/**
 * The MNIST fixtures for the post-training quantization tests: the pytorch-mnist ONNX models,
 * 200 calibration digits from the train split, the 1996 test digits, their labels,
 * onnxruntime's logits and the manifest's accuracies. Test-only.
 */
import { readOnnx } from "@mcu/onnx-io";
import {
  corePlugin,
  createInterpreter,
  createRegistry,
  type Diagnostic,
  type Graph,
  readNpy,
  type Registry,
  resolvePipeline,
  runPipeline,
} from "@mcu/tensor";
import { readFixture } from "@mcu/testing";
import { quantPlugin } from "../src/plugin.js";

/** Core + @mcu/quant. */
export const registry: Registry = createRegistry([corePlugin, quantPlugin]);

/** A float pytorch-mnist model, imported from its ONNX file. */
export function onnxModel(name: string): Graph {
  return readOnnx(readFixture("pytorch-mnist", `${name}.onnx`), { registry });
}

function digits(file: string, count: number): Uint8Array {
  const v = readNpy(readFixture("mnist", file));
  if (v.dtype !== "uint8" || v.shape.join() !== `${count},28,28`) throw new Error(`unexpected ${file}`);
  return v.data as Uint8Array;
}

/** Model input of digit i: pixel / 255, float32 NCHW [1,1,28,28] (how the models were trained). */
export function digitInput(all: Uint8Array, i: number): Float32Array {
  return Float32Array.from(all.subarray(i * 784, (i + 1) * 784), (v) => v / 255);
}

/** The 200 calibration digits (the first 20 of each class in the train split), as samples. */
export function calibrationSamples(): Float32Array[][] {
  const d = digits("calib-digits.npy", 200);
  return Array.from({ length: 200 }, (_, i) => [digitInput(d, i)]);
}

/** The 1996 test digits as model inputs, and their labels. */
export function testSet(): { readonly inputs: Float32Array[]; readonly labels: Uint8Array } {
  const d = digits("test-digits.npy", 1996);
  const labels = readNpy(readFixture("mnist", "test-labels.npy")).data as Uint8Array;
  return { inputs: Array.from({ length: 1996 }, (_, i) => digitInput(d, i)), labels };
}

/** onnxruntime's logits of a model on every test digit, float32 [1996 × 10]. */
export function ortLogits(model: string): Float32Array {
  const v = readNpy(readFixture("pytorch-mnist", `${model}.test_logits_all.npy`));
  if (v.dtype !== "float32" || v.shape.join() !== "1996,1,10")
    throw new Error(`unexpected logits of ${model}`);
  return v.data as Float32Array;
}

/** A model's entry of fixtures/pytorch-mnist/manifest.json. */
export function manifest(model: string): Record<string, number> {
  const text = new TextDecoder().decode(readFixture("pytorch-mnist", "manifest.json"));
  return (JSON.parse(text) as { models: Record<string, Record<string, number>> }).models[model]!;
}

/** Index of the largest value (the first on ties). */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < row.length; k++) if (row[k]! > row[best]!) best = k;
  return best;
}

/** Runs a pipeline on a graph with the calibration digits. */
export async function compress(
  graph: Graph,
  pipeline: string,
  samples = calibrationSamples(),
): Promise<{ readonly graph: Graph; readonly diagnostics: readonly Diagnostic[] }> {
  return runPipeline(graph, resolvePipeline(registry, pipeline), {
    registry,
    resources: { calibration: samples },
  });
}

/** Top-1 results of a graph on the test set, with one prepared interpreter. */
export interface Evaluation {
  /** Test digits classified correctly. */
  readonly correct: number;
  /** Digits whose top-1 class equals that of `reference` logits (when given). */
  readonly agree: number;
  /** The kernel of each node. */
  readonly kernels: readonly string[];
}

/** Evaluates a graph on the 1996 test digits (or the first `count`). */
export function evaluate(graph: Graph, reference?: Float32Array, count = 1996): Evaluation {
  const { inputs, labels } = testSet();
  const interpreter = createInterpreter(graph, { registry });
  let correct = 0;
  let agree = 0;
  for (let i = 0; i < count; i++) {
    const y = interpreter.invoke([inputs[i]!])[0]!.data as Float32Array;
    const top = argmax(y);
    if (top === labels[i]) correct++;
    if (reference !== undefined && top === argmax(reference.subarray(i * 10, i * 10 + 10))) agree++;
  }
  return { correct, agree, kernels: interpreter.kernelNames };
}
