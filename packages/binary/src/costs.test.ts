/**
 * The storage/cost contributions through @mcu/hw-model's estimate of mnist_bnn after the binary
 * passes, against what the generated C measures: constants in the object file (arm-none-eabi-size)
 * and instructions per inference (QEMU, Cortex-M4, -icount shift=0).
 */
import { cTarget, prepareC } from "@mcu/codegen-c";
import hwModelPlugin, { estimateModel } from "@mcu/hw-model";
import onnxPlugin from "@mcu/onnx-io";
import codegenPlugin from "@mcu/codegen-c";
import { corePlugin, createRegistry } from "@mcu/tensor";
import { binaryPlugin } from "./plugin.js";
import { binarizeBnn, importBnn } from "./testing/bnn.js";
import { cortexMFootprint } from "./testing/footprint.js";
import { mnistTestSet } from "./testing/mnist.js";

const registry = createRegistry([corePlugin, onnxPlugin, codegenPlugin, hwModelPlugin, binaryPlugin]);

it("sizes and times mnist_bnn as the generated C measures it", async () => {
  const { graph } = await binarizeBnn(registry, importBnn(registry));
  const report = estimateModel(graph, { registry, board: "nucleo-l4r5zi" });
  const binaryLayers = report.layers.filter((l) => l.op.startsWith("binary."));
  expect(binaryLayers.map((l) => l.kernel)).toEqual([
    "binary.input_conv2d:binary/float32",
    "binary.conv2d:binary/popcount",
    "binary.conv2d:binary/popcount",
    "binary.fully_connected:binary/popcount",
  ]);
  // Weights as stored: 288 floats + 32 float thresholds + a flip word; 64·9·32 and 64·9·64 bits with
  // 64 int32 thresholds and two flip words each; 10·3136 bits, 10 scales, 10 biases.
  const expected = [288 * 4 + 32 * 4 + 4, 2304 + 256 + 8, 4608 + 256 + 8, 3920 + 80];
  expect(binaryLayers.map((l) => l.weightBytes)).toEqual(expected);
  const fp = await cortexMFootprint(graph, registry, "cortex-m4");
  const weights = expected.reduce((a, b) => a + b, 0);
  // The object's constants are those arrays plus descriptors (layer parameters, I/O shapes).
  expect(fp.constantBytes).toBeGreaterThanOrEqual(weights);
  expect(fp.constantBytes - weights).toBeLessThan(400);
  expect(report.latencyMs.tflmCmsisNn).toBeNull(); // TFLM runs no binary op

  const m4 = await prepareC(graph, registry, cTarget("cortex-m4"));
  await m4.invoke([mnistTestSet().inputs[0]!]);
  const measured = m4.stats().instructions!;
  const predicted = report.layers.reduce((s, l) => s + (l.instructions.generated ?? 0), 0);
  expect(Math.abs(predicted / measured - 1)).toBeLessThan(0.1);
});
