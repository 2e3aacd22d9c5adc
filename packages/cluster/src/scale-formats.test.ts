import fc from "fast-check";
import {
  encodeFloat16,
  encodeLog8,
  float16Bits,
  float16Value,
  log8Code,
  log8Max,
  log8Value,
  roundToFloat16,
} from "./scale-formats.js";

describe("binary16", () => {
  it("encodes IEEE 754 binary16 reference values", () => {
    // Values from the IEEE 754 half-precision format (1 sign, 5 exponent, 10 fraction bits).
    expect(float16Bits(1)).toBe(0x3c00);
    expect(float16Bits(-2)).toBe(0xc000);
    expect(float16Bits(65504)).toBe(0x7bff);
    expect(float16Bits(2 ** -14)).toBe(0x0400);
    expect(float16Bits(2 ** -24)).toBe(0x0001);
    expect(float16Bits(0.333251953125)).toBe(0x3555);
    expect(float16Bits(1 / 3)).toBe(0x3555);
    expect(float16Bits(70000)).toBe(0x7c00);
    expect(float16Bits(-0)).toBe(0x8000);
  });

  it("rounds halfway cases to even", () => {
    // Between 2048 and 2050 (step 2) the tie 2049 goes to 2048, 2051 to 2052.
    expect(roundToFloat16(2049)).toBe(2048);
    expect(roundToFloat16(2051)).toBe(2052);
    expect(roundToFloat16(65519.99)).toBe(65504);
    expect(roundToFloat16(2 ** -25)).toBe(0);
    expect(roundToFloat16(3 * 2 ** -25)).toBe(2 ** -23);
  });

  it("decodes every finite bit pattern to a value that encodes back to it", () => {
    for (let b = 0; b < 0x10000; b++) {
      const e = (b >> 10) & 0x1f;
      if (e === 31) continue;
      const v = float16Value(b);
      expect(float16Bits(v)).toBe(b === 0x8000 ? 0x8000 : b);
    }
  });

  it("picks the nearest binary16 value (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: -60000, max: 60000, noNaN: true }), (x) => {
        const r = roundToFloat16(x);
        const b = float16Bits(r);
        // No representable neighbour is strictly closer.
        for (const nb of [b - 1, b + 1]) {
          if (nb < 0 || nb > 0xffff || ((nb >> 10) & 0x1f) === 31 || (nb ^ b) & 0x8000) continue;
          expect(Math.abs(float16Value(nb) - x)).toBeGreaterThanOrEqual(Math.abs(r - x));
        }
      }),
      { seed: 16, numRuns: 2000 },
    );
  });

  it("encodeFloat16 refuses values that are not binary16 numbers", () => {
    expect(Array.from(encodeFloat16([1, -0.5]))).toEqual([0x3c00, 0xb800]);
    expect(() => encodeFloat16([0.1])).toThrow();
  });
});

describe("log8", () => {
  it("has 2^(−1/16) steps below the layer maximum", () => {
    const smax = Math.fround(0.75);
    expect(log8Value(127, smax)).toBe(smax);
    expect(log8Value(-127, smax)).toBe(-smax);
    expect(log8Value(111, smax)).toBe(Math.fround(smax / 2));
    expect(log8Value(0, smax)).toBe(0);
    expect(log8Value(126, smax)).toBeCloseTo(0.75 * 2 ** (-1 / 16), 6);
    expect(log8Value(1, smax)).toBeCloseTo(0.75 * 2 ** (-126 / 16), 9);
  });

  it("round-trips every code", () => {
    const smax = Math.fround(3.7);
    for (let c = -127; c <= 127; c++) expect(log8Code(log8Value(c, smax), smax)).toBe(c);
    const values = Array.from({ length: 255 }, (_, i) => log8Value(i - 127, smax));
    expect(log8Max(values)).toBe(smax);
    expect(Array.from(encodeLog8(values))).toEqual(values.map((_, i) => i - 127));
  });

  it("keeps every in-range scale within 2.2 % (half a step)", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1, noNaN: true }), fc.boolean(), (x, neg) => {
        const s = neg ? -x : x;
        const v = log8Value(log8Code(s, 1), 1);
        expect(Math.sign(v)).toBe(Math.sign(s));
        expect(Math.abs(Math.log2(v / s))).toBeLessThanOrEqual(1 / 32 + 1e-6);
      }),
      { seed: 8, numRuns: 1000 },
    );
  });
});
