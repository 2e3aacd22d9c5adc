import fc from "fast-check";
import {
  activationParams,
  asymmetricParams,
  quantizeBias,
  quantizeWeights,
  symmetricParams,
  weightQmax,
} from "./params.js";

const f32 = Math.fround;

describe("asymmetricParams (int8, nudged zero point)", () => {
  it("gives the hand-derived parameters of simple ranges", () => {
    // [0, 1]: 255 steps of 1/255, real 0 at −128.
    expect(asymmetricParams({ min: 0, max: 1 }, -128, 127)).toEqual({ scale: f32(1 / 255), zeroPoint: -128 });
    // [2, 5] is widened to [0, 5] so that 0 is representable.
    expect(asymmetricParams({ min: 2, max: 5 }, -128, 127)).toEqual({ scale: f32(5 / 255), zeroPoint: -128 });
    // [−3, −1] → [−3, 0]: real 0 at the top.
    expect(asymmetricParams({ min: -3, max: -1 }, -128, 127)).toEqual({
      scale: f32(3 / 255),
      zeroPoint: 127,
    });
    // [−1, 1]: the real zero point is −0.5, rounded half away from zero (TfLiteRound) to −1.
    expect(asymmetricParams({ min: -1, max: 1 }, -128, 127)).toEqual({ scale: f32(2 / 255), zeroPoint: -1 });
    // An all-zero tensor gets [0, 1].
    expect(asymmetricParams({ min: 0, max: 0 }, -128, 127)).toEqual({ scale: f32(1 / 255), zeroPoint: -128 });
  });

  it("represents real 0 exactly and covers [min, max] to within half a step", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1000, max: 1000, noNaN: true }),
        fc.double({ min: -1000, max: 1000, noNaN: true }),
        (a, b) => {
          const lo = Math.min(a, b, 0);
          const hi = Math.max(a, b, 0);
          fc.pre(hi - lo > 1e-6);
          const { scale, zeroPoint } = asymmetricParams(
            { min: Math.min(a, b), max: Math.max(a, b) },
            -128,
            127,
          );
          expect(Number.isInteger(zeroPoint)).toBe(true);
          expect(zeroPoint).toBeGreaterThanOrEqual(-128);
          expect(zeroPoint).toBeLessThanOrEqual(127);
          expect(Math.abs(scale - (hi - lo) / 255)).toBeLessThanOrEqual(1e-6 * scale);
          // The grid's ends are the range's ends moved by at most half a step.
          expect(Math.abs(scale * (-128 - zeroPoint) - lo)).toBeLessThanOrEqual(
            scale * 0.5 + 1e-6 * (hi - lo),
          );
          expect(Math.abs(scale * (127 - zeroPoint) - hi)).toBeLessThanOrEqual(
            scale * 0.5 + 1e-6 * (hi - lo),
          );
        },
      ),
      { seed: 5, numRuns: 500 },
    );
  });
});

describe("symmetric parameters", () => {
  it("int16 activations: zero point 0, scale max|x| / 32767", () => {
    expect(activationParams({ min: -3.2767, max: 1 }, "int16")).toEqual({
      scale: f32(3.2767 / 32767),
      zeroPoint: 0,
    });
    expect(activationParams({ min: 0, max: 6 }, "int16")).toEqual({ scale: f32(6 / 32767), zeroPoint: 0 });
    expect(symmetricParams(0, 127)).toEqual({ scale: f32(1 / 127), zeroPoint: 0 });
  });

  it("weights use the narrow ranges [−127, 127] and [−7, 7]", () => {
    expect(weightQmax(8)).toBe(127);
    expect(weightQmax(4)).toBe(7);
  });
});

/** Naive per-channel symmetric quantization, written from the definition. */
function naivePerChannel(data: Float32Array, shape: number[], axis: number, qmax: number) {
  const channels = shape[axis]!;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, d) => p * d, 1));
  const channelOf = (i: number) => Math.floor(i / strides[axis]!) % channels;
  const absMax = new Array<number>(channels).fill(0);
  data.forEach((v, i) => {
    absMax[channelOf(i)] = Math.max(absMax[channelOf(i)]!, Math.abs(v));
  });
  const scales = absMax.map((a) => f32(a / qmax));
  const q = Array.from(data, (v, i) => {
    const r = v / scales[channelOf(i)]!;
    const rounded = r < 0 ? -Math.round(-r) : Math.round(r);
    return Math.max(-qmax, Math.min(qmax, rounded));
  });
  return { scales, q };
}

describe("quantizeWeights", () => {
  const random = (n: number, seed: number) => {
    let s = seed;
    return Float32Array.from({ length: n }, () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return (s / 2147483648 - 0.5) * (1 + (s % 7));
    });
  };

  it.each([
    ["conv OHWI, axis 0", [6, 3, 3, 4], 0],
    ["depthwise 1HWC, axis 3", [1, 3, 3, 5], 3],
    ["fully connected [out, in], axis 0", [10, 7], 0],
  ] as const)("%s: per-channel scales max|w_c|/127 and q = round(w / s_c)", (_name, shape, axis) => {
    const size = (shape as readonly number[]).reduce((p, d) => p * d, 1);
    const data = random(size, 42);
    const q = quantizeWeights({ name: "w", shape, dtype: "float32", data }, axis, 8, "w");
    const want = naivePerChannel(data, [...shape], axis, 127);
    expect(q.tensor.dtype).toBe("int8");
    expect(q.tensor.quant).toEqual({ scale: want.scales, zeroPoint: want.scales.map(() => 0), axis });
    expect(Array.from(q.tensor.data as Int8Array)).toEqual(want.q);
  });

  it("int4: the largest magnitude of each channel maps to ±7", () => {
    // Binary fractions, so that every ratio is exact and the ties are real ties.
    const data = Float32Array.from([0.875, -0.4375, 0.125, 0, -1.75, 0.875, 0.5, -0.3125]);
    const q = quantizeWeights({ name: "w", shape: [2, 4], dtype: "float32", data }, 0, 4, "w");
    expect(q.tensor.dtype).toBe("int4");
    expect(q.scales).toEqual([0.125, 0.25]);
    // 7, −3.5 → −4 (half away from zero), 1, 0; −7, 3.5 → 4, 2, −1.25 → −1.
    expect(Array.from(q.tensor.data as Int8Array)).toEqual([7, -4, 1, 0, -7, 4, 2, -1]);
  });

  it("per-tensor when no axis is given", () => {
    const data = Float32Array.from([1, -2, 0.5, 4]);
    const q = quantizeWeights({ name: "w", shape: [2, 2], dtype: "float32", data }, undefined, 8, "w");
    expect(q.tensor.quant).toEqual({ scale: [f32(4 / 127)], zeroPoint: [0] });
    expect(Array.from(q.tensor.data as Int8Array)).toEqual([32, -64, 16, 127]);
  });
});

describe("quantizeBias", () => {
  it("int32: round(b / (s_in · s_w[c])) with zero point 0 on axis 0", () => {
    const b = quantizeBias(
      { name: "b", shape: [3], dtype: "float32", data: Float32Array.from([1, -2.5, 0.0049]) },
      0.5,
      [0.01, 0.02, 0.001],
      "int32",
      "b",
    );
    expect(b.dtype).toBe("int32");
    // scales 0.005, 0.01, 0.0005 → 200, −250, 9.8 → 10
    expect(Array.from(b.data as Int32Array)).toEqual([200, -250, 10]);
    expect(b.quant).toEqual({
      scale: [f32(f32(0.5) * f32(0.01)), f32(f32(0.5) * f32(0.02)), f32(f32(0.5) * f32(0.001))],
      zeroPoint: [0, 0, 0],
      axis: 0,
    });
  });

  it("int64 for int16x8 layers", () => {
    const b = quantizeBias(
      { name: "b", shape: [2], dtype: "float32", data: Float32Array.from([3, -1]) },
      1 / 32768,
      [1 / 128],
      "int64",
      "b",
    );
    expect(b.dtype).toBe("int64");
    expect(Array.from(b.data as BigInt64Array)).toEqual([3n * 32768n * 128n, -32768n * 128n]);
    expect(b.quant).toEqual({ scale: [f32(1 / 32768 / 128)], zeroPoint: [0] });
  });
});
