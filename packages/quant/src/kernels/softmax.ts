/**
 * Integer SOFTMAX, bit-exact with TFLite's reference_ops::Softmax (int8 input, int8 or int16
 * output; gemmlowp fixed point) and reference_ops::SoftmaxInt16 (int16 → int16; lookup tables)
 * in tensorflow/lite/kernels/internal/reference/softmax.h, with TFLite Micro's
 * CalculateSoftmaxParams / SoftmaxPrepare (micro/kernels/softmax_common.cc).
 *
 * int8 input, per row with d = x − max(row):
 *   (M, L) = PreprocessSoftmaxScaling(β, s_x, 5): QuantizeMultiplier(min(β·s_x·2^26, 2^31 − 1))
 *   diffMin = −floor(31 · 2^26 / 2^L)                              (CalculateInputRadius(5, L))
 *   e(d) = exp_on_negative_values(MBQM(d, M, L) as Q5.26) in Q0.31, for d ≥ diffMin only
 *   sum = Σ Rescale<12>(e(d)) (Q12.19, wrapping adds);  (r, n) = GetReciprocal(sum, 12)
 *   y = clamp(RDBP(SRDHM(r, e(d)), n + 31 − bits) + qmin, qmin, qmax), and qmin where d < diffMin
 * (bits = 8 for int8 output, 16 for int16 output; output params are fixed by TFLite).
 *
 * int16 input (zero points 0, output scale 1/32768), per row with d = x − max(row):
 *   (M, S) = QuantizeMultiplier(s_x · β / (10/65535));  e = LUT_exp(clamp(MBQM(d, M, S) + 32767))
 *   sum = Σ e; h = clz(sum); s' = ((sum << (h − 1)) + 2^13) >> 14
 *   r = LUT_1/(1+x)(clamp(s' − 98304));  y = clamp((e · r + 2^(30 − h)) >> (31 − h), 0, 32767)
 * with the tables of gen_lut(exp, −10, 0) and gen_lut(1/(1+x), 0, 1) (Q0.15).
 */
import {
  type AttrsOf,
  defineKernel,
  type KernelDef,
  type KernelPrepareContext,
  type KernelRun,
  softmaxOp,
  type TensorInfo,
} from "@mcu/tensor";
import {
  countLeadingZeros32,
  roundingDivideByPot,
  saturatingRoundingDoublingHighMul,
  wrapAdd32,
} from "../fixed-point.js";
import { expOnNegativeValues, getReciprocal } from "../fixed-point-math.js";
import { genLutInt16, lutLookupInt16 } from "../lut.js";
import { multiplyByQuantizedMultiplierFor, quantizeMultiplier, type RoundingMode } from "../multiplier.js";
import { dtypeLimits, isPerTensor, isSymmetric, scaleOf } from "../quant-info.js";
import type { IntArray } from "./common.js";
import { INT8_KERNEL, INT16X8_KERNEL, type QuantKernelOptions, roundingOf } from "./options.js";

/** Integer bits of the scaled input differences (Q5.26), as TFLite's kScaledDiffIntegerBits. */
export const SCALED_DIFF_INTEGER_BITS = 5;

/**
 * TFLite PreprocessSoftmaxScaling (quantization_util.cc): the multiplier and left shift that map
 * an input difference to Q(integerBits).(31 − integerBits), capped at 2^31 − 1 (2^30 − 1 with
 * single rounding).
 */
export function preprocessSoftmaxScaling(
  beta: number,
  inputScale: number,
  inputIntegerBits: number,
  rounding: RoundingMode,
): { readonly multiplier: number; readonly leftShift: number } {
  const maxReal = rounding === "single" ? 2 ** 30 - 1 : 2 ** 31 - 1;
  const real = Math.min(beta * inputScale * 2 ** (31 - inputIntegerBits), maxReal);
  const q = quantizeMultiplier(real, rounding);
  return { multiplier: q.multiplier, leftShift: q.shift };
}

/**
 * TFLite CalculateInputRadius (quantization_util.cc): the largest input difference that, scaled,
 * still fits Q(integerBits): floor((2^integerBits − 1) · 2^(totalSignedBits − integerBits) / 2^leftShift).
 */
export function calculateInputRadius(
  inputIntegerBits: number,
  inputLeftShift: number,
  totalSignedBits = 31,
): number {
  return Math.floor(
    ((2 ** inputIntegerBits - 1) * 2 ** (totalSignedBits - inputIntegerBits)) / 2 ** inputLeftShift,
  );
}

/** Everything a quantized SOFTMAX computes with. */
export interface SoftmaxParams {
  readonly variant: "int8" | "int16";
  readonly rounding: RoundingMode;
  readonly inputMultiplier: number;
  readonly inputLeftShift: number;
  /** int8 input: differences below diffMin contribute nothing. */
  readonly diffMin: number;
  /** Bits of the output type (8 or 16), for the final shift. */
  readonly outputBits: number;
  readonly outputMin: number;
  readonly outputMax: number;
  /** int16 input: TFLM's exp and 1/(1+x) tables (513 entries each). */
  readonly expLut: Int16Array | undefined;
  readonly oneOverOnePlusXLut: Int16Array | undefined;
  readonly depth: number;
}

/** Precomputes a quantized SOFTMAX (last axis) for one node. */
export function prepareSoftmaxParams(
  input: TensorInfo,
  output: TensorInfo,
  attrs: { readonly beta: number },
  options?: QuantKernelOptions,
): SoftmaxParams {
  const rounding = roundingOf(options);
  const beta = Math.fround(attrs.beta);
  const [outputMin, outputMax] = dtypeLimits(output.dtype);
  const depth = input.shape[input.shape.length - 1] ?? 1;
  if (input.dtype === "int16") {
    const q = quantizeMultiplier((scaleOf(input) * beta) / (10 / 65535), rounding);
    return {
      variant: "int16",
      rounding,
      inputMultiplier: q.multiplier,
      inputLeftShift: q.shift,
      diffMin: 0,
      outputBits: 16,
      outputMin,
      outputMax,
      expLut: genLutInt16((v) => Math.exp(v), -10, 0, -1, 1),
      oneOverOnePlusXLut: genLutInt16((v) => 1 / (1 + v), 0, 1, -1, 1),
      depth,
    };
  }
  const { multiplier, leftShift } = preprocessSoftmaxScaling(
    beta,
    scaleOf(input),
    SCALED_DIFF_INTEGER_BITS,
    rounding,
  );
  return {
    variant: "int8",
    rounding,
    inputMultiplier: multiplier,
    inputLeftShift: leftShift,
    diffMin: -calculateInputRadius(SCALED_DIFF_INTEGER_BITS, leftShift),
    outputBits: output.dtype === "int16" ? 16 : 8,
    outputMin,
    outputMax,
    expLut: undefined,
    oneOverOnePlusXLut: undefined,
    depth,
  };
}

/** int8 input: gemmlowp fixed-point softmax over each row of `depth` values. */
function softmaxInt8(p: SoftmaxParams, x: IntArray, y: IntArray): void {
  const mbqm = multiplyByQuantizedMultiplierFor(p.rounding);
  const { depth, diffMin, inputMultiplier, inputLeftShift, outputMin, outputMax } = p;
  for (let row = 0; row < x.length; row += depth) {
    let max = -128;
    for (let c = 0; c < depth; c++) if (x[row + c]! > max) max = x[row + c]!;
    let sum = 0;
    for (let c = 0; c < depth; c++) {
      const diff = x[row + c]! - max;
      if (diff >= diffMin) {
        const scaled = mbqm(diff, inputMultiplier, inputLeftShift);
        sum = wrapAdd32(sum, roundingDivideByPot(expOnNegativeValues(scaled, SCALED_DIFF_INTEGER_BITS), 12));
      }
    }
    const { scale, numBitsOverUnit } = getReciprocal(sum, 12);
    const exponent = numBitsOverUnit + 31 - p.outputBits;
    for (let c = 0; c < depth; c++) {
      const diff = x[row + c]! - max;
      if (diff >= diffMin) {
        const e = expOnNegativeValues(mbqm(diff, inputMultiplier, inputLeftShift), SCALED_DIFF_INTEGER_BITS);
        const unsat = roundingDivideByPot(saturatingRoundingDoublingHighMul(scale, e), exponent);
        const v = unsat + outputMin;
        y[row + c] = v > outputMax ? outputMax : v < outputMin ? outputMin : v;
      } else {
        y[row + c] = outputMin;
      }
    }
  }
}

/** int16 input: TFLite's SoftmaxInt16 with the exp and reciprocal tables. */
function softmaxInt16(p: SoftmaxParams, x: IntArray, y: IntArray, exps: Int16Array): void {
  const mbqm = multiplyByQuantizedMultiplierFor(p.rounding);
  const { depth, inputMultiplier, inputLeftShift } = p;
  const expLut = p.expLut!;
  const recipLut = p.oneOverOnePlusXLut!;
  const clamp16 = (v: number): number => (v < -32768 ? -32768 : v > 32767 ? 32767 : v);
  for (let row = 0; row < x.length; row += depth) {
    let max = -32768;
    for (let c = 0; c < depth; c++) if (x[row + c]! > max) max = x[row + c]!;
    let sum = 0;
    for (let c = 0; c < depth; c++) {
      const scaled = mbqm(x[row + c]! - max, inputMultiplier, inputLeftShift);
      const e = lutLookupInt16(clamp16(scaled + 32767), expLut);
      exps[c] = e;
      sum = (sum + e) | 0;
    }
    const headroomPlusOne = countLeadingZeros32(sum);
    const shiftedSum = Math.floor((sum * 2 ** (headroomPlusOne - 1) + (1 << 13)) / 2 ** 14);
    const reciprocal = lutLookupInt16(clamp16(shiftedSum - ((1 << 15) + (1 << 16))), recipLut);
    const rightShift = 31 - headroomPlusOne;
    const round = 2 ** (rightShift - 1);
    for (let c = 0; c < depth; c++) {
      const r = Math.floor((exps[c]! * reciprocal + round) / 2 ** rightShift);
      y[row + c] = r < 0 ? 0 : r > 32767 ? 32767 : r;
    }
  }
}

/** Runs a prepared SOFTMAX; `exps` is a per-row scratch for the int16 path. */
export function runSoftmax(p: SoftmaxParams, x: IntArray, y: IntArray, exps: Int16Array): void {
  if (p.variant === "int16") softmaxInt16(p, x, y, exps);
  else softmaxInt8(p, x, y);
}

/** True if a softmax node reduces the last axis (TFLite's only softmax axis). */
function lastAxis(x: TensorInfo | undefined, axis: number): boolean {
  return x !== undefined && (axis === -1 || axis === x.shape.length - 1);
}

/** The softmax kernels: int8 → int8/int16 and int16 → int16. */
export function softmaxKernels(options?: QuantKernelOptions): KernelDef[] {
  const prepare = ({
    inputs: [x],
    outputs: [y],
    attrs,
  }: KernelPrepareContext<AttrsOf<typeof softmaxOp.attrs>>): KernelRun => {
    const p = prepareSoftmaxParams(x!, y!, attrs, options);
    const exps = new Int16Array(p.depth);
    return ({ inputs: [xv], outputs: [yv] }) =>
      runSoftmax(p, xv!.data as IntArray, yv!.data as IntArray, exps);
  };
  return [
    defineKernel(softmaxOp, {
      name: INT8_KERNEL,
      supports: ({ inputs: [x], outputs: [y], attrs }) =>
        isPerTensor(x, ["int8"]) && isPerTensor(y, ["int8", "int16"]) && lastAxis(x, attrs.axis),
      prepare,
    }),
    defineKernel(softmaxOp, {
      name: INT16X8_KERNEL,
      supports: ({ inputs: [x], outputs: [y], attrs }) =>
        isPerTensor(x, ["int16"]) &&
        isSymmetric(x!) &&
        isPerTensor(y, ["int16"]) &&
        isSymmetric(y!) &&
        lastAxis(x, attrs.axis),
      prepare,
    }),
  ];
}
