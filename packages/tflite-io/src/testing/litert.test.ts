import { readFixture } from "@mcu/testing";
import { runLiteRt } from "./litert.js";
import { withStaticBatch } from "./patch.js";

describe("LiteRT in Node", () => {
  it("runs hello_world_float once its dynamic batch is fixed to 1", async () => {
    const model = withStaticBatch(readFixture("tflite-micro", "hello_world_float.tflite"));
    const [y] = await runLiteRt(model, [{ data: Float32Array.from([1]), shape: [1, 1] }]);
    // TFLM's hello_world_test: within 0.05 of sin(x).
    expect(Math.abs(y![0]! - Math.sin(1))).toBeLessThanOrEqual(0.05);
  });

  it("patches only the −1 entries of shape_signature", () => {
    const original = readFixture("tflite-micro", "hello_world_float.tflite");
    const patched = withStaticBatch(original);
    const changed = [...patched].flatMap((b, i) => (b !== original[i] ? [i] : []));
    // hello_world_float has four signatures [-1, n]: four int32s of 4 bytes each.
    expect(changed.length).toBe(16);
  });
});
