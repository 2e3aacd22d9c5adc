/**
 * More int8 models as generated C: mnist_cnn and mnist_dscnn quantized by @mcu/quant's own PTQ
 * (host and Cortex-M4 byte-identical with the TS interpreter), person_detect on Cortex-M7 and
 * Cortex-M33, and — independently of our TS kernels — TFLite Micro's golden outputs reproduced
 * on a Cortex-M4.
 */
import { readFileSync } from "node:fs";
import { codegenPlugin } from "@mcu/codegen-c";
import onnxPlugin from "@mcu/onnx-io";
import {
  corePlugin,
  createRegistry,
  type Graph,
  numElements,
  resolvePipeline,
  runPipeline,
  type TensorData,
} from "@mcu/tensor";
import { fixturePath, readFixture } from "@mcu/testing";
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

describe.each(["mnist_cnn", "mnist_dscnn"])("%s quantized by quant/int8 (PTQ) as C", (model) => {
  it("host and Cortex-M4: identical bytes to the TS interpreter on 10 random inputs", async () => {
    const float = load(fixturePath("pytorch-mnist", `${model}.onnx`));
    const r = lcg(model.length);
    const calibration = Array.from({ length: 16 }, () =>
      float.inputs.map((id) =>
        Float32Array.from({ length: numElements(float.tensors.get(id)!.shape) }, () => r()),
      ),
    );
    const { graph } = await runPipeline(float, resolvePipeline(registry, "quant/int8"), {
      registry,
      resources: { calibration },
    });
    expect(
      graph.nodes.some((n) => n.op === "core.conv2d" && graph.tensors.get(n.inputs[0]!)!.dtype === "int8"),
    ).toBe(true);
    const inputs = samples(graph, 3);
    const expected = interpretAll(graph, registry, inputs);
    for (const target of ["host", "cortex-m4"]) {
      const m = await prepareOn(graph, registry, target);
      expect(byteMismatches(await m.invokeBatch(inputs), expected)).toEqual([]);
    }
  }, 120_000);
});

describe("person_detect on Cortex-M7 and Cortex-M33", () => {
  const graph = load(fixturePath("tflite-micro", "person_detect.tflite"));
  const inputs = samples(graph, 7);
  const expected = interpretAll(graph, registry, inputs);
  it.each(["cortex-m7", "cortex-m33"])(
    "%s: identical bytes to the TS interpreter on 10 random inputs",
    async (target) => {
      const m = await prepareOn(graph, registry, target);
      expect(byteMismatches(await m.invokeBatch(inputs), expected)).toEqual([]);
    },
    120_000,
  );
});

interface GoldenModel {
  readonly model_file: string;
  readonly cases: Readonly<Record<string, { readonly input: string; readonly output: string }>>;
}

describe("TFLite Micro's golden outputs", () => {
  const index = JSON.parse(new TextDecoder().decode(readFixture("tflm-golden", "index.json"))) as {
    models: Record<string, GoldenModel>;
  };
  const supported = Object.entries(index.models).filter(([name]) => name !== "keyword_scrambled_8bit");
  it.each(supported)(
    "%s on Cortex-M4: every output byte equals TFLM's",
    async (_name, model) => {
      const graph = load(fixturePath(...model.model_file.split("/")));
      const input = graph.tensors.get(graph.inputs[0]!)!;
      const cases = Object.values(model.cases);
      const batch = cases.map((c) => {
        const bytes = readFixture("tflm-golden", ...c.input.split("/"));
        const data = new Int8Array(numElements(input.shape));
        new Uint8Array(data.buffer).set(bytes);
        return [data as TensorData];
      });
      const m = await prepareOn(graph, registry, "cortex-m4");
      const outputs = await m.invokeBatch(batch);
      cases.forEach((c, i) => {
        const out = outputs[i]![0]!;
        expect(Array.from(new Uint8Array(out.buffer, out.byteOffset, out.byteLength))).toEqual(
          Array.from(readFixture("tflm-golden", ...c.output.split("/"))),
        );
      });
    },
    120_000,
  );
});
