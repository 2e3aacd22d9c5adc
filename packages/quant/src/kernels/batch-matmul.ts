/**
 * Integer batched matrix product, bit-exact with TFLite's quantized reference_ops::BatchMatMul
 * (tensorflow/lite/kernels/internal/reference/batch_matmul.h) as TFLite's BATCH_MATMUL kernel
 * drives it (tensorflow/lite/kernels/batch_matmul.cc).
 *
 * Formula, per broadcast batch index and output (i, j):
 *   acc = Σ_k (a[i, k] − z_a) · (b[k, j] − z_b)        (op(a), op(b) when transposed)
 *   y[i, j] = clamp(MBQM(acc, M, S) + z_y, qmin, qmax)
 * with (M, S) = QuantizeMultiplier(double(s_a) · double(s_b) / double(s_y)); BATCH_MATMUL has no
 * fused activation. int8 accumulates in int32; int16 (zero points 0) in int64 with TFLite's int64
 * MBQM.
 */
import {
  type AttrsOf,
  batchMatmulOp,
  defineKernel,
  type KernelDef,
  type KernelPrepareContext,
  type KernelRun,
  type TensorInfo,
} from "@mcu/tensor";
import { quantizeMultiplier, type RoundingMode } from "../multiplier.js";
import { dtypeLimits, isPerTensor, isSymmetric, scaleOf, zeroPointOf } from "../quant-info.js";
import type { Accumulator, IntArray } from "./common.js";
import { requantizer } from "./common.js";
import { INT8_KERNEL, INT16X8_KERNEL, type QuantKernelOptions, roundingOf } from "./options.js";

/** Everything a quantized batch_matmul computes with. */
export interface BatchMatmulParams {
  readonly accumulator: Accumulator;
  readonly rounding: RoundingMode;
  readonly multiplier: Int32Array;
  readonly shift: Int32Array;
  readonly aOffset: number;
  readonly bOffset: number;
  readonly outputOffset: number;
  readonly actMin: number;
  readonly actMax: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** Start of each batch's matrix in a and b, in output batch order. */
  readonly aStarts: Int32Array;
  readonly bStarts: Int32Array;
  /** Element strides of op(a)[i, k] and op(b)[k, j]. */
  readonly aRow: number;
  readonly aCol: number;
  readonly bRow: number;
  readonly bCol: number;
}

/** Matrix start offsets of a broadcast operand for every batch of the output. */
function batchStarts(shape: readonly number[], outBatch: readonly number[], matrix: number): Int32Array {
  const batch = shape.slice(0, -2);
  const rank = outBatch.length;
  const count = outBatch.reduce((p, d) => p * d, 1);
  const starts = new Int32Array(count);
  for (let idx = 0; idx < count; idx++) {
    let rem = idx;
    let off = 0;
    let stride = matrix;
    for (let a = rank - 1; a >= 0; a--) {
      const i = rem % outBatch[a]!;
      rem = Math.floor(rem / outBatch[a]!);
      const src = a - (rank - batch.length);
      if (src >= 0) {
        const d = batch[src]!;
        if (d !== 1) off += i * stride;
        stride *= d;
      }
    }
    starts[idx] = off;
  }
  return starts;
}

/** Precomputes a quantized batch_matmul (TFLite BATCH_MATMUL) for one node. */
export function prepareBatchMatmulParams(
  a: TensorInfo,
  b: TensorInfo,
  output: TensorInfo,
  attrs: { readonly transposeA: boolean; readonly transposeB: boolean },
  options?: QuantKernelOptions,
): BatchMatmulParams {
  const rounding = roundingOf(options);
  const ra = a.shape.length;
  const rb = b.shape.length;
  const aRows = a.shape[ra - 2]!;
  const aCols = a.shape[ra - 1]!;
  const bRows = b.shape[rb - 2]!;
  const bCols = b.shape[rb - 1]!;
  const m = attrs.transposeA ? aCols : aRows;
  const k = attrs.transposeA ? aRows : aCols;
  const n = attrs.transposeB ? bRows : bCols;
  const outBatch = output.shape.slice(0, -2);
  const q = quantizeMultiplier((scaleOf(a) * scaleOf(b)) / scaleOf(output), rounding);
  const [actMin, actMax] = dtypeLimits(output.dtype);
  const int8 = a.dtype === "int8";
  return {
    accumulator: int8 ? "int32" : "int64",
    rounding,
    multiplier: Int32Array.of(q.multiplier),
    shift: Int32Array.of(q.shift),
    aOffset: -zeroPointOf(a),
    bOffset: -zeroPointOf(b),
    outputOffset: zeroPointOf(output),
    actMin,
    actMax,
    m,
    k,
    n,
    aStarts: batchStarts(a.shape, outBatch, aRows * aCols),
    bStarts: batchStarts(b.shape, outBatch, bRows * bCols),
    aRow: attrs.transposeA ? 1 : aCols,
    aCol: attrs.transposeA ? aCols : 1,
    bRow: attrs.transposeB ? 1 : bCols,
    bCol: attrs.transposeB ? bCols : 1,
  };
}

/** Runs a prepared quantized batch_matmul. */
export function runBatchMatmul(p: BatchMatmulParams, a: IntArray, b: IntArray, y: IntArray): void {
  const requant = requantizer(p, p.accumulator, p.rounding);
  const { m, k, n, aRow, aCol, bRow, bCol, aOffset, bOffset, outputOffset, actMin, actMax } = p;
  let o = 0;
  for (let batch = 0; batch < p.aStarts.length; batch++) {
    const as = p.aStarts[batch]!;
    const bs = p.bStarts[batch]!;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let t = 0; t < k; t++)
          acc += (a[as + i * aRow + t * aCol]! + aOffset) * (b[bs + t * bRow + j * bCol]! + bOffset);
        let v = requant(acc, 0) + outputOffset;
        v = v < actMin ? actMin : v > actMax ? actMax : v;
        y[o++] = v;
      }
    }
  }
}

/** The batch_matmul kernels (int8 and int16). */
export function batchMatmulKernels(options?: QuantKernelOptions): KernelDef[] {
  const prepare = ({
    inputs: [a, b],
    outputs: [y],
    attrs,
  }: KernelPrepareContext<AttrsOf<typeof batchMatmulOp.attrs>>): KernelRun => {
    const p = prepareBatchMatmulParams(a!, b!, y!, attrs, options);
    return ({ inputs: [av, bv], outputs: [yv] }) =>
      runBatchMatmul(p, av!.data as IntArray, bv!.data as IntArray, yv!.data as IntArray);
  };
  return [
    defineKernel(batchMatmulOp, {
      name: INT8_KERNEL,
      supports: ({ inputs: [a, b], outputs: [y] }) =>
        isPerTensor(a, ["int8"]) && isPerTensor(b, ["int8"]) && isPerTensor(y, ["int8"]),
      prepare,
    }),
    defineKernel(batchMatmulOp, {
      name: INT16X8_KERNEL,
      supports: ({ inputs: [a, b], outputs: [y] }) =>
        isPerTensor(a, ["int16"]) &&
        isPerTensor(b, ["int16"]) &&
        isPerTensor(y, ["int16"]) &&
        [a!, b!, y!].every(isSymmetric),
      prepare,
    }),
  ];
}
