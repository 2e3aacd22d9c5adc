/**
 * Integer RELU, RELU6, LEAKY_RELU and HARD_SWISH, bit-exact with TensorFlow Lite:
 *
 * RELU / RELU6 (TFLite ReluX, TFLM activations_common.cc CalculateReluOpData):
 *   y = clamp(z_y + MBQM(x − z_x, M, S), max(qmin, z_y + roundf(0/s_y)), hi)
 *   with (M, S) = QuantizeMultiplier(double(s_x)/double(s_y)), hi = qmax (RELU) or
 *   min(qmax, z_y + roundf(6/s_y)) (RELU6). With equal input/output parameters this is TFLM's
 *   RELU6 clamp to [z, FloatToQuantizedType(6)] exactly (M·2^(S−31) = 1 leaves x unchanged).
 * LEAKY_RELU (reference_ops::QuantizeLeakyRelu, TFLM leaky_relu_common.cc):
 *   v = x − z_x;  y = clamp(z_y + MBQM(v, v ≥ 0 ? M_id : M_α, …)) with
 *   M_α ↔ double(float(float(s_x · α) / s_y)), M_id ↔ double(float(s_x / s_y)).
 * HARD_SWISH (reference_ops::HardSwish, int8; TFLM hard_swish_common.cc): int16 fixed point —
 *   see runHardSwish for the step-by-step formula.
 */
import {
  type AttrsOf,
  defineKernel,
  hardSwishOp,
  type KernelDef,
  type KernelPrepareContext,
  type KernelRun,
  leakyReluOp,
  relu6Op,
  reluOp,
  type TensorInfo,
} from "@mcu/tensor";
import {
  INT32_MAX,
  roundingDivideByPot16,
  saturatingRoundingDoublingHighMul16,
  toInt16,
} from "../fixed-point.js";
import {
  multiplyByQuantizedMultiplierFor,
  quantizeMultiplier,
  type RoundingMode,
  tfliteRound,
} from "../multiplier.js";
import { dtypeLimits, isPerTensor, isSymmetric, scaleOf, zeroPointOf } from "../quant-info.js";
import type { IntArray } from "./common.js";
import { INT8_KERNEL, INT16X8_KERNEL, type QuantKernelOptions, roundingOf } from "./options.js";

/** Everything a quantized RELU / RELU6 computes with. */
export interface ReluParams {
  readonly rounding: RoundingMode;
  readonly inputOffset: number;
  readonly outputOffset: number;
  readonly multiplier: number;
  readonly shift: number;
  readonly actMin: number;
  readonly actMax: number;
}

/** Precomputes RELU (`upper` = ∞) or RELU6 (`upper` = 6), as TFLite's CalculateReluOpData / QuantizedReluX. */
export function prepareReluParams(
  input: TensorInfo,
  output: TensorInfo,
  upper: number,
  options?: QuantKernelOptions,
): ReluParams {
  const rounding = roundingOf(options);
  const sy = scaleOf(output);
  const zy = zeroPointOf(output);
  const [qmin, qmax] = dtypeLimits(output.dtype);
  const q = quantizeMultiplier(scaleOf(input) / sy, rounding);
  return {
    rounding,
    inputOffset: zeroPointOf(input),
    outputOffset: zy,
    multiplier: q.multiplier,
    shift: q.shift,
    actMin: Math.max(qmin, zy + tfliteRound(Math.fround(0 / sy))),
    actMax:
      upper === Number.POSITIVE_INFINITY ? qmax : Math.min(qmax, zy + tfliteRound(Math.fround(upper / sy))),
  };
}

/** Runs a prepared RELU / RELU6. */
export function runRelu(p: ReluParams, x: IntArray, y: IntArray): void {
  const mbqm = multiplyByQuantizedMultiplierFor(p.rounding);
  const { inputOffset, outputOffset, multiplier, shift, actMin, actMax } = p;
  for (let i = 0; i < x.length; i++) {
    const v = outputOffset + mbqm(x[i]! - inputOffset, multiplier, shift);
    y[i] = v < actMin ? actMin : v > actMax ? actMax : v;
  }
}

/** Everything a quantized LEAKY_RELU computes with. */
export interface LeakyReluParams {
  readonly rounding: RoundingMode;
  readonly inputZeroPoint: number;
  readonly outputZeroPoint: number;
  readonly identityMultiplier: number;
  readonly identityShift: number;
  readonly alphaMultiplier: number;
  readonly alphaShift: number;
  readonly min: number;
  readonly max: number;
}

/** Precomputes a quantized LEAKY_RELU, as TFLM's CalculateOpDataLeakyRelu (float32 ratios). */
export function prepareLeakyReluParams(
  input: TensorInfo,
  output: TensorInfo,
  alpha: number,
  options?: QuantKernelOptions,
): LeakyReluParams {
  const rounding = roundingOf(options);
  const sx = scaleOf(input);
  const sy = scaleOf(output);
  const a = quantizeMultiplier(Math.fround(Math.fround(sx * Math.fround(alpha)) / sy), rounding);
  const id = quantizeMultiplier(Math.fround(sx / sy), rounding);
  const [min, max] = dtypeLimits(output.dtype);
  return {
    rounding,
    inputZeroPoint: zeroPointOf(input),
    outputZeroPoint: zeroPointOf(output),
    identityMultiplier: id.multiplier,
    identityShift: id.shift,
    alphaMultiplier: a.multiplier,
    alphaShift: a.shift,
    min,
    max,
  };
}

/** Runs a prepared LEAKY_RELU. */
export function runLeakyRelu(p: LeakyReluParams, x: IntArray, y: IntArray): void {
  const mbqm = multiplyByQuantizedMultiplierFor(p.rounding);
  const {
    inputZeroPoint,
    outputZeroPoint,
    identityMultiplier,
    identityShift,
    alphaMultiplier,
    alphaShift,
    min,
    max,
  } = p;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]! - inputZeroPoint;
    const out =
      outputZeroPoint +
      (v >= 0 ? mbqm(v, identityMultiplier, identityShift) : mbqm(v, alphaMultiplier, alphaShift));
    y[i] = out < min ? min : out > max ? max : out;
  }
}

/** Everything a quantized HARD_SWISH computes with (TFLite's HardSwishParams). */
export interface HardSwishParams {
  readonly inputZeroPoint: number;
  readonly outputZeroPoint: number;
  readonly outputMultiplierFixedpointInt16: number;
  readonly outputMultiplierExponent: number;
  readonly reluishMultiplierFixedpointInt16: number;
  readonly reluishMultiplierExponent: number;
  readonly min: number;
  readonly max: number;
}

/** TFLite DownScaleInt32ToInt16Multiplier: round a Q0.31 multiplier to Q0.15. */
export function downScaleInt32ToInt16Multiplier(multiplier: number): number {
  if (multiplier >= INT32_MAX - 32768) return 32767;
  return (multiplier + 32768) >> 16;
}

/** Precomputes a quantized HARD_SWISH, as TFLM's HardSwishPrepare (float32 scale arithmetic). */
export function prepareHardSwishParams(input: TensorInfo, output: TensorInfo): HardSwishParams {
  const hiresInputScale = Math.fround(Math.fround(1 / 128) * scaleOf(input));
  const reluishScale = Math.fround(3 / 32768);
  const out = quantizeMultiplier(Math.fround(hiresInputScale / scaleOf(output)));
  const reluish = quantizeMultiplier(Math.fround(hiresInputScale / reluishScale));
  const [min, max] = dtypeLimits(output.dtype);
  return {
    inputZeroPoint: zeroPointOf(input),
    outputZeroPoint: zeroPointOf(output),
    outputMultiplierFixedpointInt16: downScaleInt32ToInt16Multiplier(out.multiplier),
    outputMultiplierExponent: out.shift,
    reluishMultiplierFixedpointInt16: downScaleInt32ToInt16Multiplier(reluish.multiplier),
    reluishMultiplierExponent: reluish.shift,
    min,
    max,
  };
}

/** int16 value · 2^amount, saturated to the int16 range (TFLite SaturatingLeftShift). */
function saturatingLeftShift16(value: number, amount: number): number {
  const r = value * 2 ** amount;
  return r > 32767 ? 32767 : r < -32768 ? -32768 : r;
}

/** TFLite SaturatingDoublingHighMul on int16 (SQDMULH): trunc(a·b / 2^15), −32768² saturates. */
function saturatingDoublingHighMul16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  return toInt16(Math.trunc((a * b) / 32768));
}

/**
 * Runs a prepared HARD_SWISH (reference_ops::HardSwish), per element in int16 fixed point:
 *   h = (x − z_x)·2^7;  o = SRDHM16(h, M_out)
 *   r = h, saturating-left-shifted by e_r − 1 (e_r > 0); r = SRDHM16(r, M_r);
 *   r = sat-shift by 1 (e_r > 0) or RDBP16(r, −e_r) (e_r < 0);  r = (r + 2^15) >> 1      ∈ [0, 1]
 *   y = clamp(int16(RDBP16(SQDMULH16(r, o), −e_out) + z_y), qmin, qmax)
 */
export function runHardSwish(p: HardSwishParams, x: IntArray, y: IntArray): void {
  const e = p.reluishMultiplierExponent;
  for (let i = 0; i < x.length; i++) {
    const inputValue = toInt16(x[i]! - p.inputZeroPoint);
    const hires = toInt16(inputValue * 128);
    const preshiftOutput = saturatingRoundingDoublingHighMul16(hires, p.outputMultiplierFixedpointInt16);
    let reluish = hires;
    if (e > 0) reluish = saturatingLeftShift16(reluish, e - 1);
    reluish = saturatingRoundingDoublingHighMul16(reluish, p.reluishMultiplierFixedpointInt16);
    if (e > 0) reluish = saturatingLeftShift16(reluish, 1);
    if (e < 0) reluish = roundingDivideByPot16(reluish, -e);
    reluish = toInt16((reluish + 32768) >> 1);
    const preshift = saturatingDoublingHighMul16(reluish, preshiftOutput);
    let out = roundingDivideByPot16(preshift, -p.outputMultiplierExponent);
    out = toInt16(out + p.outputZeroPoint);
    y[i] = out > p.max ? p.max : out < p.min ? p.min : out;
  }
}

/** The relu kernels (int8 and int16). */
export function reluKernels(options?: QuantKernelOptions): KernelDef[] {
  return reluLike(reluOp, Number.POSITIVE_INFINITY, options);
}

/** The relu6 kernels (int8 and int16). */
export function relu6Kernels(options?: QuantKernelOptions): KernelDef[] {
  return reluLike(relu6Op, 6, options);
}

function reluLike(op: typeof reluOp, upper: number, options?: QuantKernelOptions): KernelDef[] {
  const prepare = ({ inputs: [x], outputs: [y] }: KernelPrepareContext): KernelRun => {
    const p = prepareReluParams(x!, y!, upper, options);
    return ({ inputs: [xv], outputs: [yv] }) => runRelu(p, xv!.data as IntArray, yv!.data as IntArray);
  };
  return [
    defineKernel(op, {
      name: INT8_KERNEL,
      supports: ({ inputs: [x], outputs: [y] }) => isPerTensor(x, ["int8"]) && isPerTensor(y, ["int8"]),
      prepare,
    }),
    defineKernel(op, {
      name: INT16X8_KERNEL,
      supports: ({ inputs: [x], outputs: [y] }) =>
        isPerTensor(x, ["int16"]) && isSymmetric(x!) && isPerTensor(y, ["int16"]) && isSymmetric(y!),
      prepare,
    }),
  ];
}

/** The leaky_relu kernels (int8 and int16). */
export function leakyReluKernels(options?: QuantKernelOptions): KernelDef[] {
  const prepare = ({
    inputs: [x],
    outputs: [y],
    attrs,
  }: KernelPrepareContext<AttrsOf<typeof leakyReluOp.attrs>>): KernelRun => {
    const p = prepareLeakyReluParams(x!, y!, attrs.alpha, options);
    return ({ inputs: [xv], outputs: [yv] }) => runLeakyRelu(p, xv!.data as IntArray, yv!.data as IntArray);
  };
  return [
    defineKernel(leakyReluOp, {
      name: INT8_KERNEL,
      supports: ({ inputs: [x], outputs: [y] }) => isPerTensor(x, ["int8"]) && isPerTensor(y, ["int8"]),
      prepare,
    }),
    defineKernel(leakyReluOp, {
      name: INT16X8_KERNEL,
      supports: ({ inputs: [x], outputs: [y] }) => isPerTensor(x, ["int16"]) && isPerTensor(y, ["int16"]),
      prepare,
    }),
  ];
}

/** The hard_swish kernel (int8; TFLite has no int16 HARD_SWISH). */
export function hardSwishKernels(_options?: QuantKernelOptions): KernelDef[] {
  return [
    defineKernel(hardSwishOp, {
      name: INT8_KERNEL,
      supports: ({ inputs: [x], outputs: [y] }) => isPerTensor(x, ["int8"]) && isPerTensor(y, ["int8"]),
      prepare: ({ inputs: [x], outputs: [y] }) => {
        const p = prepareHardSwishParams(x!, y!);
        return ({ inputs: [xv], outputs: [yv] }) =>
          runHardSwish(p, xv!.data as IntArray, yv!.data as IntArray);
      },
    }),
  ];
}
