/**
 * Fixed-width codes packed into bytes, least significant bit first: code n occupies bits
 * [n·bits, (n+1)·bits) of the stream, bit b of the stream being bit (b mod 8) of byte ⌊b/8⌋.
 * This is how clustered indices (and index+transform codes) are stored in flash.
 */
import { InternalError } from "@mcu/tensor";

/** Bits needed for values 0…count−1 (at least 1). */
export function bitsFor(count: number): number {
  let b = 1;
  while (2 ** b < count) b++;
  return b;
}

/** Bytes of `count` codes of `bits` bits each, packed. */
export function packedBytes(count: number, bits: number): number {
  return Math.ceil((count * bits) / 8);
}

/** Packs unsigned codes (each < 2^bits, bits ≤ 24) LSB first. */
export function packBits(codes: ArrayLike<number>, bits: number): Uint8Array {
  if (!(bits >= 1 && bits <= 24)) throw new InternalError(`cannot pack ${bits}-bit codes`);
  const out = new Uint8Array(packedBytes(codes.length, bits));
  let bit = 0;
  for (let n = 0; n < codes.length; n++) {
    const v = codes[n]!;
    if (!(Number.isInteger(v) && v >= 0 && v < 2 ** bits))
      throw new InternalError(`code ${v} does not fit ${bits} bits`);
    for (let b = 0; b < bits; b++, bit++)
      if ((v >>> b) & 1) out[bit >>> 3] = out[bit >>> 3]! | (1 << (bit & 7));
  }
  return out;
}

/** Reads code n of a packed stream. */
export function unpackBits(bytes: Uint8Array, bits: number, n: number): number {
  let v = 0;
  let bit = n * bits;
  for (let b = 0; b < bits; b++, bit++) v |= ((bytes[bit >>> 3]! >>> (bit & 7)) & 1) << b;
  return v;
}
