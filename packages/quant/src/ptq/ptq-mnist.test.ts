/**
 * Post-training quantization of the float pytorch-mnist models (ONNX) with 200 calibration
 * digits from the train split, evaluated on all 1996 test digits on the integer kernels.
 * Oracles: the test labels, onnxruntime's float logits, and the accuracy onnxruntime's own
 * quantize_static (per-channel int8 QDQ) reached (fixtures/pytorch-mnist/manifest.json).
 * mnist_vgg is in ptq-vgg.test.ts (its own worker: it is 40× the MACs of mnist_cnn).
 */
import type { Graph } from "@mcu/tensor";
import { compress, evaluate, manifest, onnxModel, ortLogits } from "../../test/mnist.js";

const N = 1996;

/** Every node but the float edges (quantize in, dequantize out) runs on an integer or copy kernel. */
function expectIntegerKernels(graph: Graph, kernels: readonly string[], variant: string): void {
  graph.nodes.forEach((n, i) => {
    if (n.op === "core.quantize" || n.op === "core.dequantize") {
      expect(graph.inputs.includes(n.inputs[0]!) || graph.outputs.includes(n.outputs[0]!)).toBe(true);
      return;
    }
    const movement = ["core.reshape", "core.flatten", "core.squeeze", "core.expand_dims", "core.transpose"];
    expect([n.op, kernels[i]]).toEqual([n.op, movement.includes(n.op) ? "core/any" : variant]);
  });
}

describe.each(["mnist_cnn", "mnist_dscnn"])("%s", (model) => {
  const facts = manifest(model);
  const floatCorrect = Math.round(facts.ort_test_acc! * N);
  const float = onnxModel(model);

  it("quant/int8: at least onnxruntime's quantize_static accuracy − 0.1 pt, on integer kernels", async () => {
    const { graph } = await compress(float, "quant/int8");
    const r = evaluate(graph, ortLogits(model));
    expectIntegerKernels(graph, r.kernels, "quant/int8");
    // onnxruntime's quantize_static accuracy is in the manifest for mnist_cnn only; for
    // mnist_dscnn (no such figure) the bar is the float model's accuracy − 0.2 pt.
    const ort = facts.ort_qdq_static_per_channel_int8_acc;
    const bar = ort !== undefined ? ort - 0.001 : facts.ort_test_acc! - 0.002;
    expect(r.correct / N).toBeGreaterThanOrEqual(bar);
    // Measured: mnist_cnn 1959 (onnxruntime's QDQ: 1959), mnist_dscnn 1952 (float: 1954).
    expect(r.agree / N).toBeGreaterThanOrEqual(0.99);
  }, 60_000);

  it("quant/int16x8: within 0.2 pt of the float model", async () => {
    const { graph } = await compress(float, "quant/int16x8");
    const r = evaluate(graph);
    expectIntegerKernels(graph, r.kernels, "quant/int16x8");
    // Measured: mnist_cnn 1958 (float 1958), mnist_dscnn 1953 (float 1954).
    expect(r.correct).toBeGreaterThanOrEqual(floatCorrect - 4);
  }, 60_000);

  it("quant/int4-weights: within 1.5 pt of the float model", async () => {
    const { graph } = await compress(float, "quant/int4-weights");
    const r = evaluate(graph);
    expectIntegerKernels(graph, r.kernels, "quant/int8");
    expect(
      graph.nodes.filter((n) => n.inputs.some((id) => graph.tensors.get(id)?.dtype === "int4")),
    ).not.toHaveLength(0);
    // Measured: mnist_cnn 1960 (float 1958), mnist_dscnn 1937 (float 1954).
    expect(r.correct).toBeGreaterThanOrEqual(floatCorrect - 30);
  }, 60_000);
});
