/**
 * Real float ONNX models (PyTorch MNIST CNN, DS-CNN with and without batch norm, VGG, and a
 * binarized net with Sign and BatchNormalization) as generated C: the host build under
 * AddressSanitizer + UndefinedBehaviorSanitizer and the Cortex-M4 build under QEMU agree with the
 * TS interpreter within 1e-5 relative on random inputs. Inputs keep ONNX's NCHW layout.
 */
import { fixturePath } from "@mcu/testing";
import { runFloatFixture } from "./testing/fixtures.js";

const MODELS = ["mnist_cnn", "mnist_dscnn", "mnist_dscnn_bn", "mnist_vgg", "mnist_bnn"];

describe("float ONNX fixtures as C agree with the TS interpreter within 1e-5", () => {
  it.each(MODELS)(
    "%s: host (ASan + UBSan) and Cortex-M4 (QEMU)",
    async (model) => {
      const r = await runFloatFixture(
        fixturePath("pytorch-mnist", `${model}.onnx`),
        ["host", "cortex-m4"],
        3,
      );
      expect(r.errors.host).toBeLessThanOrEqual(1e-5);
      expect(r.errors["cortex-m4"]).toBeLessThanOrEqual(1e-5);
    },
    120_000,
  );
});
