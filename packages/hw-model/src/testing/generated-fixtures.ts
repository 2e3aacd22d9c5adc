/**
 * Test and bench support (not exported, not built): the int8 fixture models that
 * @mcu/codegen-c generates, read with the registry that runs them (core, readers, @mcu/quant's
 * C kernels, codegen-c's engines, hw-model's costs), and two models quantized by @mcu/quant's
 * own PTQ from the PyTorch MNIST networks with real calibration digits.
 */
import { readFileSync } from "node:fs";
import { codegenPlugin } from "@mcu/codegen-c";
import onnxPlugin from "@mcu/onnx-io";
import { quantPlugin } from "@mcu/quant";
import {
  corePlugin,
  createRegistry,
  type Graph,
  readNpy,
  type Registry,
  resolvePipeline,
  runPipeline,
} from "@mcu/tensor";
import { fixturePath, readFixture } from "@mcu/testing";
import tflitePlugin from "@mcu/tflite-io";
import { hwModelPlugin } from "../plugin.js";

/** The registry the measurements and the estimates use. */
export function generatedRegistry(): Registry {
  return createRegistry([corePlugin, tflitePlugin, onnxPlugin, quantPlugin, codegenPlugin, hwModelPlugin]);
}

/** A fixture model: a file under fixtures/, or a float model quantized by quant/int8. */
export interface GeneratedFixture {
  readonly name: string;
  /** Where it comes from (for reports). */
  readonly source: string;
  load(registry: Registry): Promise<Graph>;
}

function file(path: string): GeneratedFixture {
  const name = path.replace(/^.*\//, "").replace(/\.[a-z]+$/, "");
  return {
    name,
    source: path,
    async load(registry) {
      const full = fixturePath(...path.split("/"));
      return registry.formatFor(full).read!(new Uint8Array(readFileSync(full)), { registry });
    },
  };
}

/** The first `n` MNIST calibration digits, scaled to [0, 1] as the PyTorch models were trained. */
function calibrationDigits(n: number): Float32Array[][] {
  const digits = readNpy(readFixture("mnist", "calib-digits.npy")).data as Uint8Array;
  return Array.from({ length: n }, (_, i) => [
    Float32Array.from(digits.subarray(i * 784, (i + 1) * 784), (v) => v / 255),
  ]);
}

function ptq(model: string): GeneratedFixture {
  return {
    name: `${model}_ptq_int8`,
    source: `pytorch-mnist/${model}.onnx, quant/int8 with 32 calibration digits`,
    async load(registry) {
      const full = fixturePath("pytorch-mnist", `${model}.onnx`);
      const float = registry.formatFor(full).read!(new Uint8Array(readFileSync(full)), { registry });
      const { graph } = await runPipeline(float, resolvePipeline(registry, "quant/int8"), {
        registry,
        resources: { calibration: calibrationDigits(32) },
      });
      return graph;
    },
  };
}

/**
 * Every int8 fixture model codegen-c generates. Not here: person_detect_vela (an Ethos-U custom
 * operator), trained_lstm_int8 and micro_speech_lstm (LSTM has no C kernel), keyword_scrambled_8bit
 * and audio_preprocessor_int8 (operators without C kernels), pretrainedResnet_large_int8 (an
 * int16x8 conv has no C kernel).
 */
export const GENERATED_FIXTURES: readonly GeneratedFixture[] = [
  file("tflite-micro/person_detect.tflite"),
  file("mlcommons-tiny/kws_ref_model.tflite"),
  file("mlcommons-tiny/pretrainedResnet_quant.tflite"),
  file("tflite-micro/micro_speech_quantized.tflite"),
  file("tflite-micro/hello_world_int8.tflite"),
  file("mlcommons-tiny/model_ToyCar_quant_fullint.tflite"),
  file("pytorch-mnist/mnist_cnn_qdq_ort.onnx"),
  ptq("mnist_cnn"),
  ptq("mnist_dscnn"),
];

/** Loads every fixture once. */
export async function loadGeneratedFixtures(
  registry: Registry,
  fixtures: readonly GeneratedFixture[] = GENERATED_FIXTURES,
): Promise<{ name: string; source: string; graph: Graph }[]> {
  const out: { name: string; source: string; graph: Graph }[] = [];
  for (const f of fixtures) out.push({ name: f.name, source: f.source, graph: await f.load(registry) });
  return out;
}
