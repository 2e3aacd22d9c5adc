/**
 * Integer MEAN over axes, bit-exact with TFLite's reference_ops::QuantizedMeanOrSum
 * (tensorflow/lite/kernels/internal/reference/reduce.h) with an int32 sum, which TFLite Micro's
 * EvalIntegerMean calls (micro/kernels/reduce_common.cc), and PrepareMeanOrSum's multiplier.
 *
 * Formula, per output element over the n reduced input elements:
 *   (M, S) = QuantizeMultiplier(double(s_x) / double(s_y)); k = min(floor(log2 n), 32, 31 + S);
 *   M' = int32((int64(M) << k) / n);  S' = S − k
 *   y = clamp(MBQM(Σ x − z_x · n, M', S') + z_y, dtype range)
 */
import {
  type AttrsOf,
  defineKernel,
  type KernelDef,
  type KernelPrepareContext,
  type KernelRun,
  meanOp,
  normalizeAxis,
  type TensorInfo,
} from "@mcu/tensor";
import { countLeadingZeros32 } from "../fixed-point.js";
import { multiplyByQuantizedMultiplierFor, quantizeMultiplier, type RoundingMode } from "../multiplier.js";
import { dtypeLimits, isPerTensor, scaleOf, zeroPointOf } from "../quant-info.js";
import type { IntArray } from "./common.js";
import { INT8_KERNEL, INT16X8_KERNEL, type QuantKernelOptions, roundingOf } from "./options.js";

/** Everything a quantized MEAN computes with. */
export interface MeanParams {
  readonly rounding: RoundingMode;
  /** Multiplier and shift with 1/n folded in. */
  readonly multiplier: number;
  readonly shift: number;
  /** Number of input elements averaged into each output. */
  readonly count: number;
  readonly inputZeroPoint: number;
  readonly outputZeroPoint: number;
  readonly min: number;
  readonly max: number;
  /** Output index of each input element. */
  readonly outIndex: Int32Array;
}

/** floor(log2(n)) for n ≥ 1 (TFLite: 63 − CountLeadingZeros(uint64 n)). */
function floorLog2(n: number): number {
  return n >= 2 ** 32 ? 32 + floorLog2(Math.floor(n / 2 ** 32)) : 31 - countLeadingZeros32(n);
}

/** Precomputes a quantized MEAN for one node. */
export function prepareMeanParams(
  input: TensorInfo,
  output: TensorInfo,
  attrs: { readonly axes: readonly number[] },
  options?: QuantKernelOptions,
): MeanParams {
  const rounding = roundingOf(options);
  const shape = input.shape;
  const rank = shape.length;
  const axes = new Set(attrs.axes.map((a) => normalizeAxis(a, rank)));
  let count = 1;
  for (const a of axes) count *= shape[a]!;
  const q = quantizeMultiplier(scaleOf(input) / scaleOf(output), rounding);
  let shift = Math.min(floorLog2(Math.max(count, 1)), 32);
  shift = Math.min(shift, 31 + q.shift);
  const multiplier = Number((BigInt(q.multiplier) << BigInt(shift)) / BigInt(Math.max(count, 1)));
  // Map every input element to its output element (reduced axes collapse to index 0).
  const total = shape.reduce((p, d) => p * d, 1);
  const outIndex = new Int32Array(total);
  const outStrides: number[] = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let a = rank - 1; a >= 0; a--) {
    if (!axes.has(a)) {
      outStrides[a] = stride;
      stride *= shape[a]!;
    }
  }
  const counter = new Int32Array(rank);
  let off = 0;
  for (let i = 0; i < total; i++) {
    outIndex[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]! += 1;
      off += outStrides[d]!;
      if (counter[d]! < shape[d]!) break;
      off -= outStrides[d]! * shape[d]!;
      counter[d] = 0;
    }
  }
  const [min, max] = dtypeLimits(output.dtype);
  return {
    rounding,
    multiplier: Number(BigInt.asIntN(32, BigInt(multiplier))),
    shift: q.shift - shift,
    count,
    inputZeroPoint: zeroPointOf(input),
    outputZeroPoint: zeroPointOf(output),
    min,
    max,
    outIndex,
  };
}

/** Runs a prepared MEAN; `sums` has one int32 accumulator per output element. */
export function runMean(p: MeanParams, x: IntArray, y: IntArray, sums: Float64Array): void {
  const mbqm = multiplyByQuantizedMultiplierFor(p.rounding);
  sums.fill(0);
  const idx = p.outIndex;
  for (let i = 0; i < x.length; i++) sums[idx[i]!] = sums[idx[i]!]! + x[i]!;
  const { multiplier, shift, count, inputZeroPoint, outputZeroPoint, min, max } = p;
  for (let o = 0; o < y.length; o++) {
    const shifted = (sums[o]! - inputZeroPoint * count) | 0;
    let v = mbqm(shifted, multiplier, shift) + outputZeroPoint;
    v = v < min ? min : v > max ? max : v;
    y[o] = v;
  }
}

/** The mean kernels (int8 and int16). */
export function meanKernels(options?: QuantKernelOptions): KernelDef[] {
  const prepare = ({
    inputs: [x],
    outputs: [y],
    attrs,
  }: KernelPrepareContext<AttrsOf<typeof meanOp.attrs>>): KernelRun => {
    const p = prepareMeanParams(x!, y!, attrs, options);
    const sums = new Float64Array(y!.shape.reduce((a, d) => a * d, 1));
    return ({ inputs: [xv], outputs: [yv] }) => runMean(p, xv!.data as IntArray, yv!.data as IntArray, sums);
  };
  return [
    defineKernel(meanOp, {
      name: INT8_KERNEL,
      supports: ({ inputs: [x], outputs: [y] }) => isPerTensor(x, ["int8"]) && isPerTensor(y, ["int8"]),
      prepare,
    }),
    defineKernel(meanOp, {
      name: INT16X8_KERNEL,
      supports: ({ inputs: [x], outputs: [y] }) => isPerTensor(x, ["int16"]) && isPerTensor(y, ["int16"]),
      prepare,
    }),
  ];
}
