/**
 * Post-training quantization of mnist_vgg (22 MMACs per digit) to int8, evaluated on all 1996
 * test digits on the int8 kernels. Oracle: onnxruntime's quantize_static result for mnist_vgg,
 * 0.987976 (per-channel int8 QDQ, fixtures/pytorch-mnist/README.md; the manifest has no entry
 * for it), and onnxruntime's float logits. The int16x8 and int4-weight accuracies of mnist_vgg
 * are measured in bench/quant-ptq.bench.ts (int16x8 alone would take minutes here).
 */
import { readFixture } from "@mcu/testing";
import { compress, evaluate, onnxModel, ortLogits } from "../../test/mnist.js";

const N = 1996;

it("mnist_vgg quant/int8: at least onnxruntime's quantize_static accuracy − 0.1 pt", async () => {
  const readme = new TextDecoder().decode(readFixture("pytorch-mnist", "README.md"));
  const ort = Number(/quantize_static` result for mnist_vgg was ([0-9.]+)/.exec(readme)?.[1]);
  expect(ort).toBeCloseTo(0.987976, 6);
  const { graph } = await compress(onnxModel("mnist_vgg"), "quant/int8");
  const r = evaluate(graph, ortLogits("mnist_vgg"));
  expect(r.kernels.filter((k) => k === "quant/int8")).toHaveLength(
    graph.nodes.filter((n) => n.op !== "core.flatten" && n.op !== "core.reshape").length - 2,
  );
  // Measured: 1972 of 1996 (0.987976, the same as onnxruntime's QDQ model).
  expect(r.correct / N).toBeGreaterThanOrEqual(ort - 0.001);
  expect(r.agree / N).toBeGreaterThanOrEqual(0.99);
}, 240_000);
