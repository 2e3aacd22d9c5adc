/**
 * The integer LSTM on TFLite Micro's LSTM models and their published expectations:
 * - dtln_noise_suppression (TFLM examples/dtln/dtln_test.cc): one invocation from the initial
 *   state must equal dtln_golden_ref_int8.bin exactly (257 values);
 * - micro_speech_lstm (third_party/xtensa micro_speech_lstm_test.cc): "yes" scores highest on the
 *   yes features, "no" on the no features, run one after the other without a state reset;
 * - trained_lstm_int8 (examples/mnist_lstm/evaluate_test.py): sample0..9.png classified as their
 *   digit, input quantized as x/255 with scale 1/255 and zero point −128.
 */
import { readFixture } from "@mcu/testing";
import { decodeGrayPng } from "../../test/png.js";
import { interpreterOf, loadModel } from "../../test/models.js";

const argmax = (v: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
};

describe("dtln_noise_suppression (2 int8 LSTMs, FC, LOGISTIC)", () => {
  it("equals TFLM's golden output exactly, from the initial state", () => {
    const graph = loadModel("tflite-micro", "dtln_noise_suppression.tflite");
    const interp = interpreterOf(graph);
    expect(interp.kernelNames).toEqual(["quant/int8", "quant/int8", "quant/int8", "quant/int8"]);
    const input = readFixture("tflite-micro", "testdata", "dtln", "dtln_feature_data_int8.bin");
    const golden = readFixture("tflite-micro", "testdata", "dtln", "dtln_golden_ref_int8.bin");
    const [out] = interp.invoke([new Int8Array(input.buffer, input.byteOffset, input.byteLength)]);
    expect(Array.from(out!.data as Int8Array)).toEqual(
      Array.from(new Int8Array(golden.buffer, golden.byteOffset, golden.byteLength)),
    );
  });
});

describe("micro_speech_lstm", () => {
  it("classifies the yes and the no features, state carried from one to the next", () => {
    const graph = loadModel("tflite-micro", "micro_speech_lstm.tflite");
    const interp = interpreterOf(graph);
    const run = (file: string) => {
      const bytes = readFixture("tflite-micro", "testdata", "micro_speech_lstm", file);
      const [out] = interp.invoke([new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
      return Array.from(out!.data as Int8Array) as [number, number, number];
    };
    const [yesYes, yesNo, yesUnknown] = run("yes_micro_f2e59fea_nohash_1_int8.bin");
    expect(yesYes).toBeGreaterThan(Math.max(yesNo, yesUnknown));
    const [noYes, noNo, noUnknown] = run("no_micro_f9643d42_nohash_4_int8.bin");
    expect(noNo).toBeGreaterThan(Math.max(noYes, noUnknown));
  });
});

describe("trained_lstm_int8 (MNIST rows as time steps)", () => {
  it("classifies sample0..9.png as 0..9", () => {
    const graph = loadModel("tflite-micro", "trained_lstm_int8.tflite");
    const interp = interpreterOf(graph);
    for (let digit = 0; digit < 10; digit++) {
      const { width, height, pixels } = decodeGrayPng(
        readFixture("tflite-micro", "testdata", "mnist_lstm", `sample${digit}.png`),
      );
      expect([width, height]).toEqual([28, 28]);
      interp.resetState();
      const [out] = interp.invoke([Int8Array.from(pixels, (p) => p - 128)]);
      expect(argmax(out!.data as Int8Array)).toBe(digit);
    }
  });
});
