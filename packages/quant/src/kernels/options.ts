/** Options shared by every integer kernel, and the kernel names. */
import type { RoundingMode } from "../multiplier.js";

/** How the integer kernels round; the default is TFLite's default build. */
export interface QuantKernelOptions {
  /** `"double"` (default): TFLite's MultiplyByQuantizedMultiplier; `"single"`: TFLITE_SINGLE_ROUNDING. */
  readonly rounding?: RoundingMode;
}

/** Kernel name of int8 activations (int8 or int4 weights, int32 bias). */
export const INT8_KERNEL = "quant/int8";
/** Kernel name of int16 activations with int8 weights (int64 or int32 bias). */
export const INT16X8_KERNEL = "quant/int16x8";

/** The rounding mode of a set of options. */
export function roundingOf(options: QuantKernelOptions | undefined): RoundingMode {
  return options?.rounding ?? "double";
}
