/**
 * Whole int8 models as generated C: for every int8 fixture model the C kernels support, the host
 * build (gcc, ASan + UBSan, portable C), the Cortex-M4 build under QEMU (DSP path) and the TS
 * interpreter produce identical bytes on 10 random inputs (more models, other cores and TFLM's
 * goldens in c-models-more.test.ts).
 */
import { readFileSync } from "node:fs";
import { codegenPlugin } from "@mcu/codegen-c";
import onnxPlugin from "@mcu/onnx-io";
import { corePlugin, createRegistry, type Graph, numElements, type TensorData } from "@mcu/tensor";
import { fixturePath } from "@mcu/testing";
import tflitePlugin from "@mcu/tflite-io";
import { quantPlugin } from "../plugin.js";
import { byteMismatches, interpretAll, lcg, prepareOn, randomTensor } from "./test-graphs.js";

const registry = createRegistry([corePlugin, tflitePlugin, onnxPlugin, quantPlugin, codegenPlugin]);

function load(path: string): Graph {
  return registry.formatFor(path).read!(new Uint8Array(readFileSync(path)), { registry });
}

/** 10 random samples: integer inputs over their whole range, float inputs in [−1, 1). */
function samples(graph: Graph, seed: number, n = 10): TensorData[][] {
  const r = lcg(seed);
  return Array.from({ length: n }, () =>
    graph.inputs.map((id) => {
      const t = graph.tensors.get(id)!;
      return randomTensor(t.dtype, numElements(t.shape), r);
    }),
  );
}

const MODELS = [
  "tflite-micro/person_detect.tflite",
  "mlcommons-tiny/kws_ref_model.tflite",
  "mlcommons-tiny/pretrainedResnet_quant.tflite",
  "tflite-micro/micro_speech_quantized.tflite",
  "tflite-micro/hello_world_int8.tflite",
  "mlcommons-tiny/model_ToyCar_quant_fullint.tflite",
  "pytorch-mnist/mnist_cnn_qdq_ort.onnx",
];

describe.each(MODELS)("%s as C", (file) => {
  const graph = load(fixturePath(...file.split("/")));
  const inputs = samples(graph, file.length);
  const expected = interpretAll(graph, registry, inputs);

  it.each(["host", "cortex-m4"])(
    "%s: identical bytes to the TS interpreter on 10 random inputs",
    async (target) => {
      const m = await prepareOn(graph, registry, target);
      const actual = await m.invokeBatch(inputs);
      expect(byteMismatches(actual, expected)).toEqual([]);
      // Integer layers run on @mcu/quant's C kernels (the DSP path on the M4), nothing on a float kernel but I/O conversion.
      const variants = new Set(m.generated.layers.map((l) => l.variant));
      expect(
        [...variants].every((v) => v.startsWith("quant/") || v === "core/any" || v === "core/float32"),
      ).toBe(true);
      if (target === "cortex-m4") expect([...variants].some((v) => v.includes("dsp"))).toBe(true);
    },
    120_000,
  );
});
