import fc from "fast-check";
import { bitsFor, packBits, packedBytes, unpackBits } from "./bit-packing.js";

describe("bit packing", () => {
  it("packs LSB first (hand example)", () => {
    // Codes 5 (101), 3 (011), 7 (111) at 3 bits: stream 101 110 111 (LSB first) = bits 0..8.
    // byte 0 = bits 0..7 = 1,0,1,1,1,0,1,1 -> 0b11011101 = 0xdd; byte 1 = bit 8 = 1.
    expect(Array.from(packBits([5, 3, 7], 3))).toEqual([0xdd, 0x01]);
    expect(packedBytes(3, 3)).toBe(2);
  });

  it("needs ceil(log2 k) bits", () => {
    expect([2, 3, 4, 5, 8, 9, 16, 17, 256, 257].map(bitsFor)).toEqual([1, 2, 2, 3, 3, 4, 4, 5, 8, 9]);
    expect(bitsFor(1)).toBe(1);
  });

  it("unpacks what it packed (property)", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 13 })
          .chain((bits) =>
            fc.tuple(
              fc.constant(bits),
              fc.array(fc.integer({ min: 0, max: 2 ** bits - 1 }), { maxLength: 60 }),
            ),
          ),
        ([bits, codes]) => {
          const packed = packBits(codes, bits);
          expect(packed.length).toBe(packedBytes(codes.length, bits));
          expect(codes.map((_, n) => unpackBits(packed, bits, n))).toEqual(codes);
        },
      ),
      { seed: 3, numRuns: 300 },
    );
  });

  it("refuses codes that do not fit", () => {
    expect(() => packBits([8], 3)).toThrow();
  });
});
