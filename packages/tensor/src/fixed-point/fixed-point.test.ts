/**
 * The fixed-point primitives against exact BigInt definitions written here from the C++
 * semantics (int64 products, truncating division, arithmetic shifts), over random int32 inputs
 * and the saturating corners.
 */
import fc from "fast-check";
import {
  INT32_MAX,
  INT32_MIN,
  roundingDivideByPot,
  roundingDivideByPot16,
  roundingHalfSum,
  saturatingRoundingDoublingHighMul,
  saturatingRoundingDoublingHighMul16,
  saturatingRoundingMultiplyByPot,
} from "./fixed-point.js";

const SEED = { seed: 20240611, numRuns: 20000 };

/** int32 values biased towards the edges of the range. */
const int32 = fc.oneof(
  fc.integer({ min: INT32_MIN, max: INT32_MAX }),
  fc.constantFrom(INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX - 1, INT32_MAX, 1 << 30, -(1 << 30)),
  fc.integer({ min: -70000, max: 70000 }),
);

/** gemmlowp SaturatingRoundingDoublingHighMul, exactly: int64 product, nudge, C division. */
function srdhmExact(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates like C
}

/** x / 2^e rounded to the nearest integer, ties away from zero, from the rational value. */
function roundDivPow2Exact(x: number, e: number): number {
  const X = BigInt(x);
  const d = 1n << BigInt(e);
  const q = X >= 0n ? X / d : -((-X + d - 1n) / d); // floor
  const twiceRemainder = 2n * (X - q * d);
  if (twiceRemainder > d || (twiceRemainder === d && X >= 0n)) return Number(q + 1n);
  return Number(q);
}

describe("saturatingRoundingDoublingHighMul", () => {
  it("equals the int64 definition on random int32 pairs", () => {
    fc.assert(
      fc.property(int32, int32, (a, b) => saturatingRoundingDoublingHighMul(a, b) === srdhmExact(a, b)),
      SEED,
    );
  });

  it("saturates INT32_MIN·INT32_MIN and is exact at the other corners", () => {
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN)).toBe(INT32_MAX);
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MAX)).toBe(-INT32_MAX);
    expect(saturatingRoundingDoublingHighMul(INT32_MAX, INT32_MAX)).toBe(INT32_MAX - 1);
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, 1)).toBe(-1);
    // Exact .5 ties round up, like ARM VQRDMULH: 2^30 · 1 / 2^31 = 0.5 → 1, but −0.5 → 0
    // (the negative nudge is 1 − 2^30, and C division truncates).
    expect(saturatingRoundingDoublingHighMul(1 << 30, 1)).toBe(1);
    expect(saturatingRoundingDoublingHighMul(-(1 << 30), 1)).toBe(0);
    expect(saturatingRoundingDoublingHighMul(-(3 << 29), 1)).toBe(-1); // −0.75 → −1
    expect(saturatingRoundingDoublingHighMul(3 << 29, 1)).toBe(1); // 0.75 → 1
    expect(saturatingRoundingDoublingHighMul(1 << 29, 1)).toBe(0); // 0.25 → 0
  });
});

describe("roundingDivideByPot", () => {
  it("rounds x / 2^e to nearest with ties away from zero for every exponent 0..31", () => {
    fc.assert(
      fc.property(
        int32,
        fc.integer({ min: 0, max: 31 }),
        (x, e) => roundingDivideByPot(x, e) === roundDivPow2Exact(x, e),
      ),
      SEED,
    );
  });

  it("handles the ties and the limits", () => {
    expect(roundingDivideByPot(3, 1)).toBe(2);
    expect(roundingDivideByPot(-3, 1)).toBe(-2);
    expect(roundingDivideByPot(-5, 1)).toBe(-3);
    expect(roundingDivideByPot(INT32_MIN, 31)).toBe(-1);
    expect(roundingDivideByPot(INT32_MAX, 31)).toBe(1);
    expect(roundingDivideByPot(-(1 << 30), 31)).toBe(-1); // −0.5 → −1
    expect(roundingDivideByPot(1 << 30, 31)).toBe(1); // 0.5 → 1
    expect(roundingDivideByPot(12345, 0)).toBe(12345);
  });
});

describe("saturatingRoundingMultiplyByPot", () => {
  it("saturates left shifts and rounds right shifts", () => {
    fc.assert(
      fc.property(int32, fc.integer({ min: -31, max: 30 }), (x, e) => {
        const got = saturatingRoundingMultiplyByPot(x, e);
        if (e <= 0) return got === roundDivPow2Exact(x, -e);
        const exact = BigInt(x) << BigInt(e);
        const want =
          exact > BigInt(INT32_MAX) ? INT32_MAX : exact < BigInt(INT32_MIN) ? INT32_MIN : Number(exact);
        return got === want;
      }),
      SEED,
    );
  });
});

describe("roundingHalfSum", () => {
  it("is (a + b) / 2 rounded half away from zero, in int64", () => {
    fc.assert(
      fc.property(int32, int32, (a, b) => {
        const s = BigInt(a) + BigInt(b);
        const want = Number((s + (s >= 0n ? 1n : -1n)) / 2n);
        return roundingHalfSum(a, b) === want;
      }),
      SEED,
    );
  });
});

describe("16-bit primitives", () => {
  const int16 = fc.integer({ min: -32768, max: 32767 });
  it("saturatingRoundingDoublingHighMul16 equals the int32 definition", () => {
    fc.assert(
      fc.property(int16, int16, (a, b) => {
        if (a === -32768 && b === -32768) return saturatingRoundingDoublingHighMul16(a, b) === 32767;
        const ab = a * b;
        const nudge = ab >= 0 ? 1 << 14 : 1 - (1 << 14);
        return saturatingRoundingDoublingHighMul16(a, b) === Math.trunc((ab + nudge) / 32768);
      }),
      SEED,
    );
    expect(saturatingRoundingDoublingHighMul16(-32768, -32768)).toBe(32767);
  });

  it("roundingDivideByPot16 equals the rational rounding", () => {
    fc.assert(
      fc.property(
        int16,
        fc.integer({ min: 0, max: 15 }),
        (x, e) => roundingDivideByPot16(x, e) === roundDivPow2Exact(x, e),
      ),
      SEED,
    );
  });
});
