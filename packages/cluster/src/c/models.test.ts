/**
 * Whole models in generated C: mnist_cnn after cluster/kernels (transform-invariant, add-then-conv)
 * and after cluster/weights, on the host (ASan + UBSan) and on a Cortex-M4 under QEMU, against the
 * TS interpreter on 20 test digits (float32: within 1e-4 of each row's largest logit).
 */
import codegenPlugin, { cTarget, prepareC } from "@mcu/codegen-c";
import { readOnnx } from "@mcu/onnx-io";
import {
  corePlugin,
  createInterpreter,
  createRegistry,
  type Graph,
  resolvePipeline,
  runPipeline,
} from "@mcu/tensor";
import { readFixture } from "@mcu/testing";
import { clusterPlugin } from "../plugin.js";
import { digitInput, testDigits } from "../testing/mnist.js";

const registry = createRegistry([corePlugin, codegenPlugin, clusterPlugin]);
const digits = testDigits();
const samples = Array.from({ length: 20 }, (_, i) => [digitInput(digits, i * 99)]);

async function compressed(pipeline: string): Promise<Graph> {
  const g = readOnnx(readFixture("pytorch-mnist", "mnist_cnn.onnx"), { registry });
  return (await runPipeline(g, resolvePipeline(registry, pipeline), { registry })).graph;
}

function expectClose(actual: Float32Array[], expected: Float32Array[]): void {
  actual.forEach((y, s) => {
    const ref = expected[s]!;
    const scale = Math.max(...Array.from(ref, Math.abs));
    ref.forEach((v, i) => {
      expect(Math.abs(y[i]! - v)).toBeLessThanOrEqual(1e-4 * scale);
    });
  });
}

describe.each([
  ["cluster/kernels:k=32:tic=true", "cluster/float32-add-then-conv"],
  ["cluster/kernels:k=16:scales=log8:algorithm=decode-then-conv", "cluster/float32-decode-then-conv"],
  ["cluster/weights:bits=4", "cluster/lookup"],
])("mnist_cnn with %s in C", (pipeline, variant) => {
  let graph: Graph;
  let expected: Float32Array[];
  beforeAll(async () => {
    graph = await compressed(pipeline);
    const it = createInterpreter(graph, { registry });
    expected = samples.map((s) => it.invoke(s)[0]!.data as Float32Array);
  });

  it.each([
    ["host (ASan + UBSan)", "host"],
    ["Cortex-M4 under QEMU", "cortex-m4"],
  ])("%s agrees with the TS interpreter", async (_name, target) => {
    const m = await prepareC(graph, registry, cTarget(target), target === "host" ? { sanitize: true } : {});
    expect(m.generated.layers.some((l) => l.variant === variant)).toBe(true);
    const actual = (await m.invokeBatch(samples)).map((o) => o[0] as Float32Array);
    expectClose(actual, expected);
  });
});
