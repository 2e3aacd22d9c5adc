/**
 * Real float TFLite models (tflite-micro hello_world, MLPerf Tiny kws / ToyCar / ResNet) as
 * generated C: the host build under AddressSanitizer + UndefinedBehaviorSanitizer and the
 * Cortex-M4 build under QEMU agree with the TS interpreter within 1e-5 relative on random inputs.
 */
import { fixturePath } from "@mcu/testing";
import { runFloatFixture } from "./testing/fixtures.js";

const MODELS = [
  "tflite-micro/hello_world_float.tflite",
  "mlcommons-tiny/kws_ref_model_float32.tflite",
  "mlcommons-tiny/model_ToyCar_quant.tflite",
  "mlcommons-tiny/pretrainedResnet.tflite",
  "mlcommons-tiny/pretrainedResnet_large_float.tflite",
];

describe("float TFLite fixtures as C agree with the TS interpreter within 1e-5", () => {
  it.each(MODELS)(
    "%s: host (ASan + UBSan) and Cortex-M4 (QEMU)",
    async (model) => {
      const r = await runFloatFixture(fixturePath(...model.split("/")), ["host", "cortex-m4"], 3);
      expect(r.errors.host).toBeLessThanOrEqual(1e-5);
      expect(r.errors["cortex-m4"]).toBeLessThanOrEqual(1e-5);
      expect(r.instructions).toBeGreaterThan(0);
    },
    120_000,
  );
});
