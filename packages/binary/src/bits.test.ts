import { bitRowWords } from "@mcu/tensor";
import fc from "fast-check";
import { isPlusMinusOne, packSigns, popcount32, unpackSigns } from "./bits.js";

describe("bit packing", () => {
  it("follows the IR layout: per row, LSB first, set = −1, rows padded to whole words", () => {
    // [2, 3]: row 0 = (−1, +1, −1) → bits 0 and 2 → 5; row 1 = (+1, −1, −1) → bits 1, 2 → 6.
    expect(Array.from(packSigns([-1, 1, -1, 1, -1, -1], [2, 3]))).toEqual([5, 6]);
    // 33 elements in one row take two words; element 32 is bit 0 of word 1.
    const v = new Array<number>(33).fill(1);
    v[31] = -1;
    v[32] = -1;
    expect(Array.from(packSigns(v, [1, 33]))).toEqual([0x80000000, 1]);
    expect(bitRowWords([1, 33])).toBe(2);
  });

  it("packs by sign: zero and positive values are +1", () => {
    expect(Array.from(packSigns([0, -0, 2.5, -1e-9], [4]))).toEqual([8]);
  });

  it("round-trips", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (rows, last, seed) => {
          let s = seed | 1;
          const values = Array.from({ length: rows * last }, () => {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            return s & 0x100 ? -1 : 1;
          });
          const packed = packSigns(values, [rows, last]);
          expect(packed.length).toBe(rows * Math.ceil(last / 32));
          expect(Array.from(unpackSigns(packed, [rows, last]))).toEqual(values);
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });

  it("counts bits like a loop over the 32 bits", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => {
        let n = 0;
        for (let i = 0; i < 32; i++) n += (v >>> i) & 1;
        expect(popcount32(v)).toBe(n);
        expect(popcount32(v | 0)).toBe(n);
      }),
      { seed: 3, numRuns: 2000 },
    );
    expect(popcount32(0xffffffff)).toBe(32);
    expect(popcount32(0)).toBe(0);
  });

  it("recognizes ±1 weights", () => {
    expect(isPlusMinusOne(Float32Array.of(1, -1, 1))).toBe(true);
    expect(isPlusMinusOne(Float32Array.of(1, -1, 0))).toBe(false);
    expect(isPlusMinusOne(Float32Array.of(1, 0.5))).toBe(false);
    expect(isPlusMinusOne(new Float32Array(0))).toBe(false);
  });
});
