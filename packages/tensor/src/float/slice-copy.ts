/** Dtype-agnostic copying of strided boxes, shared by the slice and pad kernels. */
import type { TensorData } from "../dtype.js";
import type { KernelPrepareContext } from "../kernel.js";
import type { Value } from "../tensor-info.js";
import { sameTypeMovement } from "./common.js";

/**
 * True if a movement kernel can copy this node's values as they are: one dtype and identical
 * quantization everywhere (requantizing slices belong to the integer kernels), and not the
 * bit-packed `bit` dtype whose rows are words, not elements.
 */
export function copiesValues(ctx: KernelPrepareContext): boolean {
  return sameTypeMovement(ctx) && ctx.outputs[0]!.dtype !== "bit";
}

/**
 * Element access common to every typed array the IR uses. Movement kernels copy values
 * between arrays of one class (sameTypeMovement), so a read from one and a write to the
 * other never converts (bigint stays bigint, integers stay exact).
 */
export interface Elements {
  [index: number]: number | bigint;
  readonly length: number;
}

/** The data of a value as plain indexable elements. */
export function elementsOf(v: Value | undefined): Elements {
  return v!.data as TensorData as Elements;
}

/**
 * Copies the box x[begin[a] + k·step[a] for k < sizes[a]] of a row-major tensor with element
 * strides `srcStrides` into `dst`, in row-major order of the box. `step` may be negative.
 */
export function copyStridedBox(
  src: Elements,
  srcStrides: readonly number[],
  begin: readonly number[],
  step: readonly number[],
  sizes: readonly number[],
  dst: Elements,
  index: Int32Array,
): void {
  const rank = sizes.length;
  let total = 1;
  for (const s of sizes) total *= s;
  if (total === 0) return;
  if (rank === 0) {
    dst[0] = src[0]!;
    return;
  }
  const last = sizes[rank - 1]!;
  const lastStep = step[rank - 1]! * srcStrides[rank - 1]!;
  const rows = total / last;
  let start = 0;
  for (let a = 0; a < rank; a++) start += begin[a]! * srcStrides[a]!;
  index.fill(0);
  let si = start;
  let o = 0;
  for (let r = 0; r < rows; r++) {
    let s = si;
    for (let j = 0; j < last; j++, s += lastStep) dst[o++] = src[s]!;
    // Advance the odometer over the leading axes, keeping `si` the source offset of the row.
    for (let a = rank - 2; a >= 0; a--) {
      const move = step[a]! * srcStrides[a]!;
      si += move;
      if (++index[a]! < sizes[a]!) break;
      si -= index[a]! * move;
      index[a] = 0;
    }
  }
}
