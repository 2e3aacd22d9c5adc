/**
 * gemmlowp's fixed-point exp / logistic / tanh / reciprocal / log against the real functions
 * (Math.exp etc.) with the accuracy gemmlowp's own tests expect, plus their exact special values.
 * Bit-exactness with TFLite is proven end to end by the golden models (softmax, logistic).
 */
import fc from "fast-check";
import { INT32_MAX } from "./fixed-point.js";
import {
  expOnNegativeValues,
  fixedPointLogistic,
  fixedPointTanh,
  getReciprocal,
  logXForXGreaterThanOrEqualTo1,
  oneMinusXOverOnePlusXForXIn01,
  oneOverOnePlusXForXIn01,
} from "./fixed-point-math.js";

const Q31 = 2 ** 31;
const RUNS = { seed: 99, numRuns: 5000 };

describe("expOnNegativeValues", () => {
  it("approximates exp(x) for x ≤ 0 within 2^-21 absolute (gemmlowp: about 2.3e-7 near 0), for every input format used by TFLite", () => {
    for (const integerBits of [0, 4, 5, 12]) {
      const scale = 2 ** (31 - integerBits);
      fc.assert(
        fc.property(fc.integer({ min: -(2 ** 31), max: 0 }), (raw) => {
          const got = expOnNegativeValues(raw, integerBits) / Q31;
          return Math.abs(got - Math.exp(raw / scale)) < 2 ** -21;
        }),
        RUNS,
      );
    }
  });

  it("is exactly 1 at 0 and 0 below −32", () => {
    expect(expOnNegativeValues(0, 5)).toBe(INT32_MAX);
    expect(expOnNegativeValues(-(33 * 2 ** 19), 12)).toBe(0);
    expect(expOnNegativeValues(-(2 ** 31), 12)).toBe(0);
  });
});

describe("one_over_one_plus_x and one_minus_x_over_one_plus_x", () => {
  it("approximate 1/(1+x) and (1−x)/(1+x) on (0, 1)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: INT32_MAX }), (raw) => {
        const x = raw / Q31;
        const a = oneOverOnePlusXForXIn01(raw) / Q31;
        const b = oneMinusXOverOnePlusXForXIn01(raw) / Q31;
        return Math.abs(a - 1 / (1 + x)) < 2 ** -27 && Math.abs(b - (1 - x) / (1 + x)) < 2 ** -27;
      }),
      RUNS,
    );
  });
});

describe("fixedPointLogistic and fixedPointTanh", () => {
  it("approximate the real functions on Q4.27 and Q3.28 inputs", () => {
    for (const integerBits of [3, 4]) {
      const scale = 2 ** (31 - integerBits);
      fc.assert(
        fc.property(fc.integer({ min: -(2 ** 31) + 1, max: INT32_MAX }), (raw) => {
          const x = raw / scale;
          const s = fixedPointLogistic(raw, integerBits) / Q31;
          const t = fixedPointTanh(raw, integerBits) / Q31;
          return Math.abs(s - 1 / (1 + Math.exp(-x))) < 2 ** -22 && Math.abs(t - Math.tanh(x)) < 2 ** -21;
        }),
        RUNS,
      );
    }
  });

  it("has the exact special values: logistic(0) = 1/2, tanh(0) = 0, odd symmetry of tanh", () => {
    expect(fixedPointLogistic(0, 4)).toBe(2 ** 30);
    expect(fixedPointTanh(0, 4)).toBe(0);
    expect(fixedPointTanh(-12345678, 4)).toBe(-fixedPointTanh(12345678, 4));
    expect(fixedPointLogistic(-12345678, 4)).toBe(INT32_MAX - fixedPointLogistic(12345678, 4));
  });
});

describe("getReciprocal", () => {
  it("returns 1/x as scale · 2^−numBitsOverUnit for Q12 sums", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2 ** 19, max: INT32_MAX }), (raw) => {
        const x = raw / 2 ** 19;
        const { scale, numBitsOverUnit } = getReciprocal(raw, 12);
        return Math.abs((scale / Q31) * 2 ** -numBitsOverUnit - 1 / x) < 2 ** -26 / x;
      }),
      RUNS,
    );
  });
});

describe("logXForXGreaterThanOrEqualTo1", () => {
  it("approximates log(x) for x ≥ 1 from Q12 to Q5", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2 ** 19, max: INT32_MAX }), (raw) => {
        const got = logXForXGreaterThanOrEqualTo1(raw, 5, 12) / 2 ** 26;
        return Math.abs(got - Math.log(raw / 2 ** 19)) < 2 ** -20;
      }),
      RUNS,
    );
  });
});
