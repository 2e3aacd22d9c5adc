/**
 * Bit packing in the IR's `bit` layout (see `bitRowWords` in @mcu/tensor): each row of the last
 * axis takes ceil(last / 32) uint32 words; element j is bit j % 32 of word floor(j / 32), least
 * significant first; a set bit is −1 and a clear bit +1. Unused bits of a row's last word are
 * always clear, so XOR and popcount over whole words count only real elements.
 */
import { bitRowWords, storageLength } from "@mcu/tensor";

/** Packs values by sign into the `bit` layout: negative → set bit (−1), zero or positive → clear (+1). */
export function packSigns(values: ArrayLike<number>, shape: readonly number[]): Uint32Array {
  const last = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  const words = bitRowWords(shape);
  const out = new Uint32Array(storageLength("bit", shape));
  if (last === 0) return out;
  for (let i = 0; i < values.length; i++) {
    if (!(values[i]! < 0)) continue;
    const row = Math.floor(i / last);
    const j = i - row * last;
    const w = row * words + (j >>> 5);
    out[w] = (out[w]! | (1 << (j & 31))) >>> 0;
  }
  return out;
}

/** Unpacks a `bit` tensor into one ±1 value per element, in C order. */
export function unpackSigns(data: Uint32Array, shape: readonly number[]): Int8Array {
  const last = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  const words = bitRowWords(shape);
  const rows = last === 0 || words === 0 ? 0 : data.length / words;
  const out = new Int8Array(rows * last);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < last; j++) {
      out[r * last + j] = ((data[r * words + (j >>> 5)]! >>> (j & 31)) & 1) === 1 ? -1 : 1;
    }
  }
  return out;
}

/** Number of set bits of a 32-bit word (SWAR: Hacker's Delight, fig. 5-2). */
export function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  v = (v + (v >>> 4)) & 0x0f0f0f0f;
  return Math.imul(v, 0x01010101) >>> 24;
}

/** True if every value is exactly −1 or +1 (weights a binary layer can hold). */
export function isPlusMinusOne(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== 1 && v !== -1) return false;
  }
  return values.length > 0;
}
