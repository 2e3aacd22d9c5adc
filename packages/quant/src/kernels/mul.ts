/**
 * Integer MUL, bit-exact with TFLite's reference_integer_ops::MulElementwise / BroadcastMul4DSlow
 * (tensorflow/lite/kernels/internal/reference/integer_ops/mul.h) and TFLite Micro's
 * CalculateOpDataMul (micro/kernels/mul_common.cc).
 *
 * Formula (per element, broadcasting as NumPy):
 *   y = clamp(MBQM((a − z_a) · (b − z_b), M, S) + z_y, actMin, actMax)
 * with (M, S) = QuantizeMultiplier(double(s_a) · double(s_b) / double(s_y)); int16 requires all
 * zero points 0 (TFLite Micro checks it).
 */
import {
  type AttrsOf,
  defineKernel,
  type KernelDef,
  type KernelPrepareContext,
  type KernelRun,
  mulOp,
  type TensorInfo,
} from "@mcu/tensor";
import { calculateActivationRangeQuantized } from "../activation-range.js";
import { multiplyByQuantizedMultiplierFor, quantizeMultiplier, type RoundingMode } from "../multiplier.js";
import { isPerTensor, isSymmetric, scaleOf, zeroPointOf } from "../quant-info.js";
import { type BroadcastMaps, broadcastMaps } from "./broadcast.js";
import type { IntArray } from "./common.js";
import { INT8_KERNEL, INT16X8_KERNEL, type QuantKernelOptions, roundingOf } from "./options.js";

/** Everything a quantized MUL computes with. */
export interface MulParams {
  readonly rounding: RoundingMode;
  readonly input1Offset: number;
  readonly input2Offset: number;
  readonly outputMultiplier: number;
  readonly outputShift: number;
  readonly outputOffset: number;
  readonly actMin: number;
  readonly actMax: number;
}

/** Precomputes a quantized MUL for one node. */
export function prepareMulParams(
  a: TensorInfo,
  b: TensorInfo,
  output: TensorInfo,
  attrs: { readonly fusedActivation: AttrsOf<typeof mulOp.attrs>["fusedActivation"] },
  options?: QuantKernelOptions,
): MulParams {
  const rounding = roundingOf(options);
  const q = quantizeMultiplier((scaleOf(a) * scaleOf(b)) / scaleOf(output), rounding);
  const range = calculateActivationRangeQuantized(
    attrs.fusedActivation,
    output.dtype,
    scaleOf(output),
    zeroPointOf(output),
  );
  return {
    rounding,
    input1Offset: -zeroPointOf(a),
    input2Offset: -zeroPointOf(b),
    outputMultiplier: q.multiplier,
    outputShift: q.shift,
    outputOffset: zeroPointOf(output),
    actMin: range.min,
    actMax: range.max,
  };
}

/** Runs a prepared MUL over (possibly broadcast) operands. */
export function runMul(p: MulParams, a: IntArray, b: IntArray, y: IntArray, maps: BroadcastMaps): void {
  const mbqm = multiplyByQuantizedMultiplierFor(p.rounding);
  const { input1Offset, input2Offset, outputMultiplier, outputShift, outputOffset, actMin, actMax } = p;
  const am = maps.a;
  const bm = maps.b;
  for (let i = 0; i < y.length; i++) {
    const av = a[am === undefined ? i : am[i]!]! + input1Offset;
    const bv = b[bm === undefined ? i : bm[i]!]! + input2Offset;
    let v = mbqm(Math.imul(av, bv), outputMultiplier, outputShift) + outputOffset;
    v = v < actMin ? actMin : v > actMax ? actMax : v;
    y[i] = v;
  }
}

/** The mul kernels (int8 and int16). */
export function mulKernels(options?: QuantKernelOptions): KernelDef[] {
  const prepare = ({
    inputs: [a, b],
    outputs: [y],
    attrs,
  }: KernelPrepareContext<AttrsOf<typeof mulOp.attrs>>): KernelRun => {
    const p = prepareMulParams(a!, b!, y!, attrs, options);
    const maps = broadcastMaps(a!.shape, b!.shape, y!.shape);
    return ({ inputs: [av, bv], outputs: [yv] }) =>
      runMul(p, av!.data as IntArray, bv!.data as IntArray, yv!.data as IntArray, maps);
  };
  return [
    defineKernel(mulOp, {
      name: INT8_KERNEL,
      supports: ({ inputs: [a, b], outputs: [y] }) =>
        isPerTensor(a, ["int8"]) && isPerTensor(b, ["int8"]) && isPerTensor(y, ["int8"]),
      prepare,
    }),
    defineKernel(mulOp, {
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
