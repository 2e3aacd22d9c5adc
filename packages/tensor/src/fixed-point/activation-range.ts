/**
 * Fused activations on quantized outputs become a clamp range on the quantized values,
 * exactly as TensorFlow Lite's CalculateActivationRangeQuantized
 * (tensorflow/lite/kernels/kernel_util.cc) computes it.
 */
import { type DType, dtypeRange } from "../dtype.js";
import type { FusedActivation } from "../ops/activation.js";
import { tfliteRound } from "./multiplier.js";

/** An inclusive clamp range on quantized values. */
export interface QuantizedRange {
  readonly min: number;
  readonly max: number;
}

/** TFLite's Quantize helper in kernel_util.cc: zero_point + (int)round(f / scale), in float32. */
export function quantizeActivationBound(value: number, scale: number, zeroPoint: number): number {
  return zeroPoint + tfliteRound(Math.fround(value / Math.fround(scale)));
}

/**
 * TFLite CalculateActivationRangeQuantized: the dtype's full range, narrowed by RELU to
 * [q(0), max], RELU6 to [q(0), q(6)], RELU_N1_TO_1 to [q(−1), q(1)], where q(x) quantizes with
 * the output's scale and zero point. Like TFLite, any other activation (TANH) leaves the full
 * range: quantized kernels do not apply a fused TANH.
 */
export function calculateActivationRangeQuantized(
  activation: FusedActivation,
  dtype: DType,
  scale: number,
  zeroPoint: number,
): QuantizedRange {
  const { min: qmin, max: qmax } = dtypeRange(dtype);
  const q = (x: number): number => quantizeActivationBound(x, scale, zeroPoint);
  switch (activation) {
    case "RELU":
      return { min: Math.max(qmin, q(0)), max: qmax };
    case "RELU6":
      return { min: Math.max(qmin, q(0)), max: Math.min(qmax, q(6)) };
    case "RELU_N1_TO_1":
      return { min: Math.max(qmin, q(-1)), max: Math.min(qmax, q(1)) };
    default:
      return { min: qmin, max: qmax };
  }
}
