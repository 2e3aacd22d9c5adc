/**
 * The default pipeline of `mcu compile`, on real model files: a float ONNX CNN, TFLite Micro's
 * int8 and float hello_world models.
 */
import { boardById } from "@mcu/hw-model";
import type { Graph, Registry } from "@mcu/tensor";
import { readFixture } from "@mcu/testing";
import { loadRegistry } from "../plugins.js";
import { choosePipeline, FLOAT_PIPELINE, hasFloatCompute, INT8_PIPELINE } from "./pipeline-choice.js";

let registry: Registry;
const read = (file: string, ...path: string[]): Graph =>
  registry.formatFor(file).read!(readFixture(...path, file), { registry });

beforeAll(async () => {
  registry = await loadRegistry([], process.cwd());
});

describe("choosePipeline", () => {
  const m4 = boardById("nucleo-l4r5zi");

  it("quantizes a float model to int8 when calibration samples are given", () => {
    const g = read("mnist_cnn.onnx", "pytorch-mnist");
    expect(hasFloatCompute(g)).toBe(true);
    const c = choosePipeline(g, m4, { hasCalibration: true });
    expect(c).toMatchObject({ pipeline: INT8_PIPELINE, source: "default", notes: [] });
    expect(c.reason).toContain("int8 post-training quantization");
    expect(c.reason).toContain("SMLAD");
  });

  it("keeps a float model float without calibration samples, and says how to get int8", () => {
    const c = choosePipeline(read("mnist_cnn.onnx", "pytorch-mnist"), m4, { hasCalibration: false });
    expect(c.pipeline).toBe(FLOAT_PIPELINE);
    expect(c.notes).toHaveLength(1);
    expect(c.notes[0]).toContain("--calib");
    // A core without an FPU gets a second note.
    const m0 = choosePipeline(read("mnist_cnn.onnx", "pytorch-mnist"), boardById("rp2040"), {
      hasCalibration: false,
    });
    expect(m0.notes[1]).toBe("rp2040 (cortex-m0plus) has no FPU: float32 runs in software emulation");
  });

  it("leaves an integer model as it is", () => {
    const int8 = read("hello_world_int8.tflite", "tflite-micro");
    expect(hasFloatCompute(int8)).toBe(false);
    const c = choosePipeline(int8, m4, { hasCalibration: true });
    expect(c.pipeline).toBe("");
    expect(c.notes).toEqual(["the calibration samples serve as verification inputs only"]);
    expect(hasFloatCompute(read("hello_world_float.tflite", "tflite-micro"))).toBe(true);
  });

  it("runs the user's pipeline as given", () => {
    const c = choosePipeline(read("mnist_cnn.onnx", "pytorch-mnist"), m4, {
      pipeline: " quant/int16x8 ",
      hasCalibration: true,
    });
    expect(c).toEqual({ pipeline: "quant/int16x8", source: "user", reason: "given with -p", notes: [] });
  });
});
