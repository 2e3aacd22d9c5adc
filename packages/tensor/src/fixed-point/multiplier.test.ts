/**
 * Quantized multipliers against exact definitions: the double's exact binary value (read from
 * its IEEE-754 bits with BigInt) for QuantizeMultiplier, and int64/BigInt arithmetic for the
 * three MultiplyByQuantizedMultiplier variants.
 */
import fc from "fast-check";
import { INT32_MAX, INT32_MIN } from "./fixed-point.js";
import {
  frexp,
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierInt64,
  multiplyByQuantizedMultiplierSingleRounding,
  quantizeMultiplier,
} from "./multiplier.js";

const RUNS = { seed: 7, numRuns: 20000 };

/** The exact value of a positive finite double: mantissa · 2^exponent with an integer mantissa. */
function exactDouble(x: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  if (biased === 0) return { mantissa: fraction, exponent: -1074 };
  return { mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}

/** QuantizeMultiplier from the definition: significand = round(m / 2^(e − 31)) where 2^(e−1) ≤ m < 2^e. */
function quantizeMultiplierExact(m: number, single: boolean): { multiplier: number; shift: number } {
  const { mantissa, exponent } = exactDouble(m);
  // e = bit length of the mantissa + exponent (so that m = 0.1xxx₂ · 2^e).
  let shift = mantissa.toString(2).length + exponent;
  // q = m · 2^(31 − shift) = mantissa · 2^(exponent + 31 − shift), rounded half away from zero.
  const k = exponent + 31 - shift;
  let q: bigint;
  if (k >= 0) q = mantissa << BigInt(k);
  else {
    const d = 1n << BigInt(-k);
    q = mantissa / d;
    if (2n * (mantissa % d) >= d) q += 1n;
  }
  if (q === 1n << 31n) {
    q /= 2n;
    shift += 1;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  if (single && shift > 30) return { multiplier: INT32_MAX, shift: 30 };
  return { multiplier: Number(q), shift };
}

describe("frexp", () => {
  it("splits doubles into a fraction in [0.5, 1) and a power of two", () => {
    for (const x of [1, 0.5, 0.75, 3, 1e-300, 5e-324, 1.7976931348623157e308, 0.1, 2 ** -1022, 2 ** -1023]) {
      const { fraction, exponent } = frexp(x);
      expect(fraction).toBeGreaterThanOrEqual(0.5);
      expect(fraction).toBeLessThan(1);
      const half = Math.trunc(exponent / 2); // two steps: 2^1024 overflows, 2^-1074 underflows
      expect(fraction * 2 ** half * 2 ** (exponent - half)).toBe(x);
    }
    expect(frexp(-3)).toEqual({ fraction: -0.75, exponent: 2 });
  });
});

describe("quantizeMultiplier", () => {
  const positive = fc.oneof(
    fc.double({ min: 2 ** -40, max: 2 ** 40, noNaN: true }),
    fc.double({ min: 1e-12, max: 1, noNaN: true }),
    fc.integer({ min: 1, max: 2 ** 31 }).map((k) => k / 2 ** 31),
  );

  it("matches the exact rounding of the double's binary value (double and single rounding)", () => {
    fc.assert(
      fc.property(positive, fc.boolean(), (m, single) => {
        const got = quantizeMultiplier(m, single ? "single" : "double");
        const want = quantizeMultiplierExact(m, single);
        return got.multiplier === want.multiplier && got.shift === want.shift;
      }),
      RUNS,
    );
  });

  it("handles the corners: 0, exact powers of two, rounding up to 2^31, tiny and huge multipliers", () => {
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    // q·2^31 = 2^31 − 2^−10 rounds to 2^31: halved, shift incremented.
    expect(quantizeMultiplier(1 - 2 ** -42)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    // The smallest kept multiplier is 2^−32 (shift −31); 2^−33 flushes to zero.
    expect(quantizeMultiplier(2 ** -32)).toEqual({ multiplier: 2 ** 30, shift: -31 });
    expect(quantizeMultiplier(2 ** -33)).toEqual({ multiplier: 0, shift: 0 });
    // Large multipliers keep their shift with double rounding, saturate with single rounding.
    expect(quantizeMultiplier(2 ** 40)).toEqual({ multiplier: 2 ** 30, shift: 41 });
    expect(quantizeMultiplier(2 ** 40, "single")).toEqual({ multiplier: INT32_MAX, shift: 30 });
    // A .5 tie in q·2^31 rounds away from zero: (2^30 + 0.5) / 2^31.
    expect(quantizeMultiplier((2 ** 30 + 0.5) / 2 ** 31)).toEqual({ multiplier: 2 ** 30 + 1, shift: 0 });
    // Negative multipliers keep their sign (leaky ReLU with a negative alpha).
    expect(quantizeMultiplier(-0.75)).toEqual({ multiplier: -(3 * 2 ** 29), shift: 0 });
  });
});

/** SRDHM then RoundingDivideByPOT, in BigInt: TFLite's double-rounding definition. */
function mbqmDoubleExact(x: number, q: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  const shifted = BigInt.asIntN(32, BigInt(x) << BigInt(left));
  let high: bigint;
  if (shifted === BigInt(INT32_MIN) && q === INT32_MIN) high = BigInt(INT32_MAX);
  else {
    const ab = shifted * BigInt(q);
    const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
    high = (ab + nudge) / (1n << 31n);
  }
  if (right === 0) return Number(high);
  const d = 1n << BigInt(right);
  const fl = high >= 0n ? high / d : -((-high + d - 1n) / d);
  const twice = 2n * (high - fl * d);
  return Number(twice > d || (twice === d && high >= 0n) ? fl + 1n : fl);
}

const int32 = fc.oneof(
  fc.integer({ min: INT32_MIN, max: INT32_MAX }),
  fc.integer({ min: -(2 ** 20), max: 2 ** 20 }),
  fc.constantFrom(INT32_MIN, INT32_MAX, 0, -1, 1),
);
const significand = fc.oneof(
  fc.integer({ min: 2 ** 30, max: INT32_MAX }),
  fc.constantFrom(2 ** 30, INT32_MAX, 0, 0x7fff0000, 0x7ffeffff),
);

describe("multiplyByQuantizedMultiplier (double rounding)", () => {
  it("equals SRDHM followed by RoundingDivideByPOT in int64 arithmetic", () => {
    fc.assert(
      fc.property(int32, significand, fc.integer({ min: -31, max: 8 }), (x, q, s) => {
        return multiplyByQuantizedMultiplier(x, q, s) === mbqmDoubleExact(x, q, s);
      }),
      RUNS,
    );
  });

  it("rounds twice: exact .5 ties in both steps", () => {
    // x·q/2^31 = 1.5 exactly → 2 (tie up), then /2 = 1 exactly.
    expect(multiplyByQuantizedMultiplier(3, 2 ** 30, -1)).toBe(1);
    // x = 5, q = 0.5: SRDHM(5, 2^30) = 2.5 → 3; 3 / 2 = 1.5 → 2 (single rounding would give 1).
    expect(multiplyByQuantizedMultiplier(5, 2 ** 30, -1)).toBe(2);
    expect(multiplyByQuantizedMultiplierSingleRounding(5, 2 ** 30, -1)).toBe(1);
  });
});

describe("multiplyByQuantizedMultiplierSingleRounding", () => {
  it("equals (x·q + 2^(30−shift)) >> (31−shift) in int64", () => {
    fc.assert(
      fc.property(int32, significand, fc.integer({ min: -31, max: 30 }), (x, q, s) => {
        const total = BigInt(31 - s);
        const want = Number(BigInt.asIntN(32, (BigInt(x) * BigInt(q) + (1n << (total - 1n))) >> total));
        return multiplyByQuantizedMultiplierSingleRounding(x, q, s) === want;
      }),
      RUNS,
    );
  });
});

describe("multiplyByQuantizedMultiplierInt64", () => {
  const int47 = fc.oneof(
    fc.integer({ min: -(2 ** 47), max: 2 ** 47 - 1 }),
    fc.integer({ min: -(2 ** 24), max: 2 ** 24 }),
    fc.constantFrom(-(2 ** 47), 2 ** 47 - 1, 0, -1),
  );
  it("equals the reduced-multiplier int64 definition", () => {
    fc.assert(
      fc.property(int47, significand, fc.integer({ min: -31, max: 7 }), (x, q, s) => {
        const reduced = q < 0x7fff0000 ? BigInt((q + 32768) >> 16) : 0x7fffn;
        const total = BigInt(15 - s);
        const want = Number(BigInt.asIntN(32, (BigInt(x) * reduced + (1n << (total - 1n))) >> total));
        return multiplyByQuantizedMultiplierInt64(x, q, s) === want;
      }),
      RUNS,
    );
  });

  it("reduces 0x7FFF0000 and above to 0x7FFF", () => {
    expect(multiplyByQuantizedMultiplierInt64(1 << 20, 0x7fff0000, 0)).toBe(
      Number((BigInt(1 << 20) * 0x7fffn + (1n << 14n)) >> 15n),
    );
    expect(multiplyByQuantizedMultiplierInt64(1 << 20, INT32_MAX, 0)).toBe(
      Number((BigInt(1 << 20) * 0x7fffn + (1n << 14n)) >> 15n),
    );
  });
});
