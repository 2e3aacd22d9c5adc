/**
 * Whole models on their published test data (the expectations TFLite Micro's and MLPerf Tiny's
 * own tests use):
 * - person_detect on person.bmp / no_person.bmp (TFLM person_detection_test.cc),
 * - hello_world_int8 on the four documented inputs (TFLM hello_world_test.cc),
 * - model_ToyCar_quant_fullint on the shipped DCASE features: the anomaly score TFLite computed
 *   in the MLPerf Tiny repository (10.260287884484411).
 */
import { readFixture } from "@mcu/testing";
import { interpreterOf, loadModel } from "../../test/models.js";

/** The pixel bytes of an 8-bit BMP in top-to-bottom row order (BMP stores rows bottom-up). */
function bmpPixels(bytes: Uint8Array): { width: number; height: number; pixels: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offset = view.getUint32(10, true);
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  expect(view.getUint16(28, true)).toBe(8);
  const height = Math.abs(rawHeight);
  const stride = Math.ceil(width / 4) * 4;
  const pixels = new Uint8Array(width * height);
  for (let row = 0; row < height; row++) {
    const src = rawHeight > 0 ? height - 1 - row : row;
    pixels.set(bytes.subarray(offset + src * stride, offset + src * stride + width), row * width);
  }
  return { width, height, pixels };
}

describe("person_detect on the TFLM test images", () => {
  const graph = loadModel("tflite-micro", "person_detect.tflite");
  const interp = interpreterOf(graph);
  const classify = (file: string) => {
    const { width, height, pixels } = bmpPixels(
      readFixture("tflite-micro", "testdata", "person_detection", file),
    );
    expect([width, height]).toEqual([96, 96]);
    // As person_detection_test.cc: the pixel bytes reinterpreted as int8, no offset.
    const [out] = interp.invoke([new Int8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength)]);
    return Array.from(out!.data as Int8Array);
  };

  it("scores person above no-person on person.bmp", () => {
    const [noPerson, person] = classify("person.bmp") as [number, number];
    expect(person).toBeGreaterThan(noPerson);
  });

  it("scores no-person above person on no_person.bmp", () => {
    const [noPerson, person] = classify("no_person.bmp") as [number, number];
    expect(noPerson).toBeGreaterThan(person);
  });

  it("the decoded BMP is exactly the input TFLM was given", () => {
    const { pixels } = bmpPixels(readFixture("tflite-micro", "testdata", "person_detection", "person.bmp"));
    expect(Array.from(pixels)).toEqual(
      Array.from(readFixture("tflm-golden", "person_detect", "person.input.bin")),
    );
  });
});

describe("hello_world_int8", () => {
  it("inputs −96, −63, −34, 0 dequantize to within 0.05 of sin(0.77), sin(1.57), sin(2.3), sin(3.14)", () => {
    const graph = loadModel("tflite-micro", "hello_world_int8.tflite");
    const interp = interpreterOf(graph);
    const out = graph.tensors.get(graph.outputs[0]!)!;
    const [scale, zp] = [out.quant!.scale[0]!, out.quant!.zeroPoint[0]!];
    const cases: [number, number][] = [
      [-96, 0.77],
      [-63, 1.57],
      [-34, 2.3],
      [0, 3.14],
    ];
    for (const [q, x] of cases) {
      const [y] = interp.invoke([Int8Array.of(q)]);
      const value = scale * ((y!.data as Int8Array)[0]! - zp);
      expect(Math.abs(value - Math.sin(x))).toBeLessThan(0.05);
    }
  });
});

describe("model_ToyCar_quant_fullint (MLPerf Tiny anomaly detection)", () => {
  it("scores normal_id_01_00000000 within 0.005 of TFLite's 10.260288", () => {
    const graph = loadModel("mlcommons-tiny", "model_ToyCar_quant_fullint.tflite");
    const interp = interpreterOf(graph);
    const bytes = readFixture("mlcommons-tiny", "testdata", "normal_id_01_00000000_hist_librosa.bin");
    const features = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    );
    expect(features.length).toBe(200 * 128);
    let total = 0;
    for (let t = 0; t < 196; t++) {
      const window = features.slice(t * 128, t * 128 + 640);
      const [y] = interp.invoke([window]);
      const out = y!.data as Float32Array;
      let se = 0;
      for (let i = 0; i < 640; i++) se += (window[i]! - out[i]!) ** 2;
      total += se / 640;
    }
    const score = total / 196;
    expect(Math.abs(score - 10.260287884484411)).toBeLessThan(0.005);
    expect(interp.kernelNames.filter((k) => k === "quant/int8").length).toBe(10);
  });
});
