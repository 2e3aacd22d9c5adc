/** Small n-d array helpers for constant data (any typed array), used at import time only. */
import { stridesOf, type TensorData } from "@mcu/tensor";

/** Element access shared by every typed array (number or bigint elements). */
export interface Elements {
  [i: number]: number | bigint;
  readonly length: number;
}

/** A new typed array of the same class as `like`. */
export function sameKind(like: TensorData, length: number): TensorData {
  const Ctor = like.constructor as new (n: number) => TensorData;
  return new Ctor(length);
}

/** y = x transposed: y.shape[i] = shape[perm[i]]. */
export function transposeData(
  data: TensorData,
  shape: readonly number[],
  perm: readonly number[],
): TensorData {
  const rank = shape.length;
  const out = sameKind(data, data.length);
  const src = data as Elements;
  const dst = out as Elements;
  const inStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]!);
  const step = perm.map((p) => inStrides[p]!);
  const idx = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let o = 0; o < out.length; o++) {
    dst[o] = src[offset]!;
    // Odometer over the output index; the input offset follows the permuted strides.
    for (let a = rank - 1; a >= 0; a--) {
      idx[a]!++;
      offset += step[a]!;
      if (idx[a]! < outShape[a]!) break;
      offset -= step[a]! * outShape[a]!;
      idx[a] = 0;
    }
  }
  return out;
}

/** The shape with `perm` applied. */
export function permuteShape(shape: readonly number[], perm: readonly number[]): number[] {
  return perm.map((p) => shape[p]!);
}

/** True if permuting by `perm` keeps the element order (only size-1 axes move): a reshape. */
export function isReshapePermutation(shape: readonly number[], perm: readonly number[]): boolean {
  let last = -1;
  for (const p of perm) {
    if (shape[p] === 1) continue;
    if (p < last) return false;
    last = p;
  }
  return true;
}

/** True if `perm` is the identity. */
export function isIdentityPermutation(perm: readonly number[]): boolean {
  return perm.every((p, i) => p === i);
}

/** The inverse permutation. */
export function invertPermutation(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => {
    inv[p] = i;
  });
  return inv;
}

/** `shape` left-padded with 1s to `rank` (NumPy broadcasting alignment). */
export function padRank(shape: readonly number[], rank: number): number[] {
  return [...new Array<number>(Math.max(0, rank - shape.length)).fill(1), ...shape];
}
