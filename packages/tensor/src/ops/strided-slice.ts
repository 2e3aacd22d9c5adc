/**
 * Strided-slice semantics as TensorFlow defines them (tf.strided_slice; TFLite STRIDED_SLICE):
 * sparse begin/end/strides with begin/end/ellipsis/new-axis/shrink masks, resolved to one
 * dense (begin, end, stride) per input axis.
 */
import { McuError } from "../errors.js";

/** The attributes that define a strided slice. */
export interface StridedSliceAttrs {
  readonly begin: readonly number[];
  readonly end: readonly number[];
  readonly strides: readonly number[];
  readonly beginMask: number;
  readonly endMask: number;
  readonly ellipsisMask: number;
  readonly newAxisMask: number;
  readonly shrinkAxisMask: number;
  /** TFLite's `offset`: `end` is relative to `begin`. */
  readonly offset: boolean;
}

/** A strided slice resolved against an input shape. */
export interface ResolvedSlice {
  /** Per input axis: first index, exclusive end (may be −1 for negative strides), step. */
  readonly begin: readonly number[];
  readonly end: readonly number[];
  readonly strides: readonly number[];
  /** Elements taken along each input axis. */
  readonly sizes: readonly number[];
  /** The output shape, with new axes and without shrunk axes. */
  readonly outShape: readonly number[];
}

const bit = (mask: number, i: number): boolean => ((mask >>> i) & 1) === 1;

/** Resolves a strided slice against an input shape, or `MCU_E_ATTR`. */
export function resolveStridedSlice(shape: readonly number[], a: StridedSliceAttrs, node?: string): ResolvedSlice {
  const where = node !== undefined ? { node } : {};
  const n = a.begin.length;
  if (a.end.length !== n || a.strides.length !== n) {
    throw new McuError("MCU_E_ATTR", "strided_slice begin, end and strides must have the same length", where);
  }
  if ((a.ellipsisMask & (a.ellipsisMask - 1)) !== 0) {
    throw new McuError("MCU_E_ATTR", "strided_slice allows at most one ellipsis", where);
  }
  // Expand the sparse spec to one entry per input axis.
  let consumed = 0;
  for (let i = 0; i < n; i++) if (!bit(a.newAxisMask, i) && !bit(a.ellipsisMask, i)) consumed++;
  const hasEllipsis = a.ellipsisMask !== 0;
  if (consumed > shape.length) {
    throw new McuError("MCU_E_ATTR", `strided_slice indexes ${consumed} axes of a rank-${shape.length} tensor`, where);
  }
  // Each dense entry names the sparse index that drives it (−1: the whole axis).
  const dense: { sparse: number }[] = [];
  const finalShape: (1 | "axis")[] = [];
  for (let i = 0; i < n; i++) {
    if (bit(a.ellipsisMask, i)) {
      const full = shape.length - consumed;
      for (let k = 0; k < full; k++) {
        dense.push({ sparse: -1 });
        finalShape.push("axis");
      }
    } else if (bit(a.newAxisMask, i)) {
      finalShape.push(1);
    } else {
      dense.push({ sparse: i });
      finalShape.push("axis");
    }
  }
  // Without an ellipsis, unmentioned trailing axes are taken whole.
  if (!hasEllipsis) {
    while (dense.length < shape.length) {
      dense.push({ sparse: -1 });
      finalShape.push("axis");
    }
  }
  const begin: number[] = [];
  const end: number[] = [];
  const strides: number[] = [];
  const sizes: number[] = [];
  const shrunk: boolean[] = [];
  dense.forEach((d, axis) => {
    const dim = shape[axis]!;
    if (d.sparse === -1) {
      begin.push(0);
      end.push(dim);
      strides.push(1);
      sizes.push(dim);
      shrunk.push(false);
      return;
    }
    const i = d.sparse;
    const s = a.strides[i]!;
    if (s === 0) throw new McuError("MCU_E_ATTR", "strided_slice stride must not be 0", where);
    if (bit(a.shrinkAxisMask, i)) {
      let b = a.begin[i]!;
      if (b < 0) b += dim;
      if (b < 0 || b >= dim) {
        throw new McuError("MCU_E_ATTR", `strided_slice index ${a.begin[i]} is out of range for axis ${axis}`, where);
      }
      begin.push(b);
      end.push(b + 1);
      strides.push(1);
      sizes.push(1);
      shrunk.push(true);
      return;
    }
    const lo = s > 0 ? 0 : -1;
    const hi = s > 0 ? dim : dim - 1;
    const canon = (x: number): number => {
      const v = x < 0 ? x + dim : x;
      return Math.min(Math.max(v, lo), hi);
    };
    const b = bit(a.beginMask, i) ? (s > 0 ? 0 : dim - 1) : canon(a.begin[i]!);
    let e: number;
    if (bit(a.endMask, i)) e = s > 0 ? dim : -1;
    else if (a.offset) e = canon(a.begin[i]! + a.end[i]!);
    else e = canon(a.end[i]!);
    const size = s > 0 ? Math.max(0, Math.ceil((e - b) / s)) : Math.max(0, Math.ceil((b - e) / -s));
    begin.push(b);
    end.push(e);
    strides.push(s);
    sizes.push(size);
    shrunk.push(false);
  });
  const outShape: number[] = [];
  let axis = 0;
  for (const f of finalShape) {
    if (f === "axis") {
      if (!shrunk[axis]) outShape.push(sizes[axis]!);
      axis++;
    } else outShape.push(1);
  }
  return { begin, end, strides, sizes, outShape };
}
