/**
 * Integer ADD and SUB with general rescaling, bit-exact with TFLite's quantized AddFunc /
 * AddElementwise (tensorflow/lite/kernels/internal/reference/integer_ops/add.h, reference/add.h
 * AddGeneralParamScale for int16 — TFLite Micro always takes that path) and SubElementwise
 * (reference/sub.h), with TFLite Micro's CalculateOpDataAdd / CalculateOpDataSub.
 *
 * Formula (per element, broadcasting as NumPy):
 *   a' = MBQM((a − z_a) · 2^L, M_a, S_a),  b' = MBQM((b − z_b) · 2^L, M_b, S_b)
 *   y  = clamp(MBQM(a' ± b', M_y, S_y) + z_y, actMin, actMax)
 * with L = 20 for int8 and 15 for int16, t = 2·max(s_a, s_b), M_a ↔ s_a / t, M_b ↔ s_b / t and
 * M_y ↔ t / (2^L · s_y), the ratios taken in double (see prepareAddSubParams).
 */
import {
  addOp,
  type AttrsOf,
  defineKernel,
  type KernelDef,
  type KernelPrepareContext,
  type KernelRun,
  subOp,
  type TensorInfo,
} from "@mcu/tensor";
import { calculateActivationRangeQuantized } from "../activation-range.js";
import { multiplyByQuantizedMultiplierFor, quantizeMultiplier, type RoundingMode } from "../multiplier.js";
import { isPerTensor, scaleOf, zeroPointOf } from "../quant-info.js";
import { type BroadcastMaps, broadcastMaps } from "./broadcast.js";
import type { IntArray } from "./common.js";
import { INT8_KERNEL, INT16X8_KERNEL, type QuantKernelOptions, roundingOf } from "./options.js";

/** Everything a quantized ADD or SUB computes with. */
export interface AddSubParams {
  readonly subtract: boolean;
  readonly rounding: RoundingMode;
  readonly leftShift: number;
  readonly input1Offset: number;
  readonly input2Offset: number;
  readonly input1Multiplier: number;
  readonly input1Shift: number;
  readonly input2Multiplier: number;
  readonly input2Shift: number;
  readonly outputMultiplier: number;
  readonly outputShift: number;
  readonly outputOffset: number;
  readonly actMin: number;
  readonly actMax: number;
}

/** Precomputes a quantized ADD (`subtract` false) or SUB for one node. */
export function prepareAddSubParams(
  a: TensorInfo,
  b: TensorInfo,
  output: TensorInfo,
  attrs: { readonly fusedActivation: AttrsOf<typeof addOp.attrs>["fusedActivation"] },
  subtract: boolean,
  options?: QuantKernelOptions,
): AddSubParams {
  const rounding = roundingOf(options);
  const leftShift = output.dtype === "int16" ? 15 : 20;
  const sa = scaleOf(a);
  const sb = scaleOf(b);
  const sy = scaleOf(output);
  // t = 2·max(s_a, s_b) is exact in float32; the three ratios are taken in double, as TFLite
  // Micro's add_common.cc and the sub_common.cc the seanet goldens were made with. (Later TFLM
  // sources compute SUB's ratios in float32; that version moves 3 of the 5,632 seanet SUB outputs
  // by one, so the double form is the one that reproduces TFLM's golden data.)
  const twiceMax = 2 * Math.max(sa, sb);
  const real1 = sa / twiceMax;
  const real2 = sb / twiceMax;
  const realOut = twiceMax / (2 ** leftShift * sy);
  const q1 = quantizeMultiplier(real1, rounding);
  const q2 = quantizeMultiplier(real2, rounding);
  const qo = quantizeMultiplier(realOut, rounding);
  const range = calculateActivationRangeQuantized(
    attrs.fusedActivation,
    output.dtype,
    sy,
    zeroPointOf(output),
  );
  return {
    subtract,
    rounding,
    leftShift,
    input1Offset: -zeroPointOf(a),
    input2Offset: -zeroPointOf(b),
    input1Multiplier: q1.multiplier,
    input1Shift: q1.shift,
    input2Multiplier: q2.multiplier,
    input2Shift: q2.shift,
    outputMultiplier: qo.multiplier,
    outputShift: qo.shift,
    outputOffset: zeroPointOf(output),
    actMin: range.min,
    actMax: range.max,
  };
}

/** Runs a prepared ADD/SUB over (possibly broadcast) operands. */
export function runAddSub(p: AddSubParams, a: IntArray, b: IntArray, y: IntArray, maps: BroadcastMaps): void {
  const mbqm = multiplyByQuantizedMultiplierFor(p.rounding);
  const scale = 2 ** p.leftShift;
  const { input1Offset, input2Offset, input1Multiplier, input1Shift, input2Multiplier, input2Shift } = p;
  const { outputMultiplier, outputShift, outputOffset, actMin, actMax, subtract } = p;
  const am = maps.a;
  const bm = maps.b;
  for (let i = 0; i < y.length; i++) {
    const av = a[am === undefined ? i : am[i]!]!;
    const bv = b[bm === undefined ? i : bm[i]!]!;
    const sa = mbqm((av + input1Offset) * scale, input1Multiplier, input1Shift);
    const sb = mbqm((bv + input2Offset) * scale, input2Multiplier, input2Shift);
    const raw = subtract ? sa - sb : sa + sb;
    let v = mbqm(raw | 0, outputMultiplier, outputShift) + outputOffset;
    v = v < actMin ? actMin : v > actMax ? actMax : v;
    y[i] = v;
  }
}

function addSubKernels(op: typeof addOp, subtract: boolean, options?: QuantKernelOptions): KernelDef[] {
  const prepare = ({
    inputs: [a, b],
    outputs: [y],
    attrs,
  }: KernelPrepareContext<AttrsOf<typeof addOp.attrs>>): KernelRun => {
    const p = prepareAddSubParams(a!, b!, y!, attrs, subtract, options);
    const maps = broadcastMaps(a!.shape, b!.shape, y!.shape);
    return ({ inputs: [av, bv], outputs: [yv] }) =>
      runAddSub(p, av!.data as IntArray, bv!.data as IntArray, yv!.data as IntArray, maps);
  };
  return [
    defineKernel(op, {
      name: INT8_KERNEL,
      supports: ({ inputs: [a, b], outputs: [y] }) =>
        isPerTensor(a, ["int8"]) && isPerTensor(b, ["int8"]) && isPerTensor(y, ["int8"]),
      prepare,
    }),
    defineKernel(op, {
      name: INT16X8_KERNEL,
      supports: ({ inputs: [a, b], outputs: [y] }) =>
        isPerTensor(a, ["int16"]) && isPerTensor(b, ["int16"]) && isPerTensor(y, ["int16"]),
      prepare,
    }),
  ];
}

/** The add kernels (int8 and int16). */
export function addKernels(options?: QuantKernelOptions): KernelDef[] {
  return addSubKernels(addOp, false, options);
}

/** The sub kernels (int8 and int16). */
export function subKernels(options?: QuantKernelOptions): KernelDef[] {
  return addSubKernels(subOp, true, options);
}
