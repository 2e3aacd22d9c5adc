/**
 * Integer LOG_SOFTMAX (int8), bit-exact with TFLite's reference_ops::LogSoftmaxQuantized
 * (tensorflow/lite/kernels/internal/reference/log_softmax.h) and TFLite Micro's log_softmax.cc
 * Prepare (PreprocessLogSoftmaxScalingExp with β = 1, output scale 16/256 and zero point 127).
 *
 * Per row with d = x − max(row), (M, L) = PreprocessSoftmaxScaling(1, s_x, 5),
 * diffMin = −CalculateInputRadius(5, L) and (R, −Rs) = QuantizeMultiplier((2^(31−L)) / M):
 *   sum = Σ_{d ≥ diffMin} Rescale<12>(exp_on_negative_values(MBQM(d, M, L)))       (Q12.19)
 *   lse = log_x_for_x_greater_than_or_equal_to_1<5>(sum)                              (Q5.26)
 *   adjustedDiffMin = max(diffMin − 1, MBQM(lse + INT32_MIN, R, −Rs))
 *   y = d > adjustedDiffMin ? clamp(RDBP(MBQM(d, M, L) − lse, 31 − 5 − 4) + 127) : −128
 */
import {
  type AttrsOf,
  defineKernel,
  type KernelDef,
  type KernelPrepareContext,
  type KernelRun,
  logSoftmaxOp,
  type TensorInfo,
} from "@mcu/tensor";
import { INT32_MIN, roundingDivideByPot, wrapAdd32, wrapSub32 } from "../fixed-point.js";
import { expOnNegativeValues, logXForXGreaterThanOrEqualTo1 } from "../fixed-point-math.js";
import { multiplyByQuantizedMultiplierFor, quantizeMultiplier, type RoundingMode } from "../multiplier.js";
import { isPerTensor, scaleOf } from "../quant-info.js";
import type { IntArray } from "./common.js";
import { INT8_KERNEL, type QuantKernelOptions, roundingOf } from "./options.js";
import { calculateInputRadius, preprocessSoftmaxScaling, SCALED_DIFF_INTEGER_BITS } from "./softmax.js";

/** Everything a quantized LOG_SOFTMAX computes with. */
export interface LogSoftmaxParams {
  readonly rounding: RoundingMode;
  readonly inputMultiplier: number;
  readonly inputLeftShift: number;
  readonly reverseScalingDivisor: number;
  /** Positive right shift of the reverse scaling (TFLite's reverse_scaling_right_shift). */
  readonly reverseScalingRightShift: number;
  readonly diffMin: number;
  readonly depth: number;
}

/** Precomputes a quantized LOG_SOFTMAX (last axis) for one node. */
export function prepareLogSoftmaxParams(input: TensorInfo, options?: QuantKernelOptions): LogSoftmaxParams {
  const rounding = roundingOf(options);
  const { multiplier, leftShift } = preprocessSoftmaxScaling(
    1,
    scaleOf(input),
    SCALED_DIFF_INTEGER_BITS,
    rounding,
  );
  // PreprocessLogSoftmaxScalingExp: the inverse of the input scaling, as a multiplier below one.
  const reverse = quantizeMultiplier(2 ** (31 - leftShift) / multiplier, rounding);
  return {
    rounding,
    inputMultiplier: multiplier,
    inputLeftShift: leftShift,
    reverseScalingDivisor: reverse.multiplier,
    reverseScalingRightShift: -reverse.shift,
    diffMin: -calculateInputRadius(SCALED_DIFF_INTEGER_BITS, leftShift),
    depth: input.shape[input.shape.length - 1] ?? 1,
  };
}

/** Runs a prepared LOG_SOFTMAX over rows of `depth` values. */
export function runLogSoftmax(p: LogSoftmaxParams, x: IntArray, y: IntArray): void {
  const mbqm = multiplyByQuantizedMultiplierFor(p.rounding);
  const { depth, diffMin, inputMultiplier, inputLeftShift } = p;
  const outputIntegerBits = 4;
  for (let row = 0; row < x.length; row += depth) {
    let max = -128;
    for (let c = 0; c < depth; c++) if (x[row + c]! > max) max = x[row + c]!;
    let sum = 0;
    for (let c = 0; c < depth; c++) {
      const diff = x[row + c]! - max;
      if (diff >= diffMin) {
        const inQ5 = mbqm(diff, inputMultiplier, inputLeftShift);
        sum = wrapAdd32(sum, roundingDivideByPot(expOnNegativeValues(inQ5, SCALED_DIFF_INTEGER_BITS), 12));
      }
    }
    const logSum = logXForXGreaterThanOrEqualTo1(sum, SCALED_DIFF_INTEGER_BITS, 12);
    const shiftedLogSum = wrapAdd32(logSum, INT32_MIN);
    const adjustedDiffMin = Math.max(
      diffMin - 1,
      mbqm(shiftedLogSum, p.reverseScalingDivisor, -p.reverseScalingRightShift),
    );
    for (let c = 0; c < depth; c++) {
      const diff = x[row + c]! - max;
      if (diff > adjustedDiffMin) {
        const inQ5 = mbqm(diff, inputMultiplier, inputLeftShift);
        let v =
          roundingDivideByPot(wrapSub32(inQ5, logSum), 31 - SCALED_DIFF_INTEGER_BITS - outputIntegerBits) +
          127;
        v = v > 127 ? 127 : v < -128 ? -128 : v;
        y[row + c] = v;
      } else {
        y[row + c] = -128;
      }
    }
  }
}

/** The log_softmax kernel (int8). */
export function logSoftmaxKernels(options?: QuantKernelOptions): KernelDef[] {
  return [
    defineKernel(logSoftmaxOp, {
      name: INT8_KERNEL,
      supports: ({ inputs: [x], outputs: [y], attrs }) =>
        isPerTensor(x, ["int8"]) &&
        isPerTensor(y, ["int8"]) &&
        (attrs.axis === -1 || attrs.axis === x!.shape.length - 1),
      prepare: ({ inputs: [x] }: KernelPrepareContext<AttrsOf<typeof logSoftmaxOp.attrs>>): KernelRun => {
        const p = prepareLogSoftmaxParams(x!, options);
        return ({ inputs: [xv], outputs: [yv] }) =>
          runLogSoftmax(p, xv!.data as IntArray, yv!.data as IntArray);
      },
    }),
  ];
}
