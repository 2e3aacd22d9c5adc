/** Helpers shared by the integer kernels: requantization closures and dtype predicates. */
import type { DType, TensorData, TensorInfo } from "@mcu/tensor";
import {
  multiplyByQuantizedMultiplierFor,
  multiplyByQuantizedMultiplierInt64,
  quantizeMultiplier,
  type RoundingMode,
} from "../multiplier.js";

/** The accumulator width of a kernel: TFLite's int32 (int8 kernels) or int64 (int16x8 with int64 bias). */
export type Accumulator = "int32" | "int64";

/** Per-channel quantized multipliers, as TFLite's per_channel_output_multiplier / _shift. */
export interface ChannelMultipliers {
  readonly multiplier: Int32Array;
  readonly shift: Int32Array;
}

/** QuantizeMultiplier of each real multiplier. */
export function quantizeMultipliers(real: ArrayLike<number>, rounding: RoundingMode): ChannelMultipliers {
  const multiplier = new Int32Array(real.length);
  const shift = new Int32Array(real.length);
  for (let i = 0; i < real.length; i++) {
    const q = quantizeMultiplier(real[i]!, rounding);
    multiplier[i] = q.multiplier;
    shift[i] = q.shift;
  }
  return { multiplier, shift };
}

/**
 * The requantization of one accumulator for channel c: MultiplyByQuantizedMultiplier with the
 * channel's multiplier, in the accumulator's width. An int32 accumulator wraps first, as the C++
 * int32 sum does; an int64 accumulator uses TFLite's int64 overload (16-bit reduced multiplier).
 */
export function requantizer(
  m: ChannelMultipliers,
  accumulator: Accumulator,
  rounding: RoundingMode,
): (acc: number, channel: number) => number {
  const { multiplier, shift } = m;
  if (accumulator === "int64") {
    return (acc, c) => multiplyByQuantizedMultiplierInt64(acc, multiplier[c]!, shift[c]!);
  }
  const mbqm = multiplyByQuantizedMultiplierFor(rounding);
  return (acc, c) => mbqm(acc | 0, multiplier[c]!, shift[c]!);
}

/**
 * Bias values as exact doubles (int32, or int64 within ±2^53 — TFLite's int64 accumulators are
 * themselves bounded by 2^47), or undefined when the node has no bias.
 */
export function biasValues(bias: TensorInfo | undefined, data?: TensorData): Float64Array | undefined {
  const d = data ?? bias?.data;
  if (bias === undefined || d === undefined) return undefined;
  if (d instanceof BigInt64Array) return Float64Array.from(d, (v) => Number(v));
  return Float64Array.from(d as ArrayLike<number>);
}

/** Integer arrays a kernel reads or writes. */
export type IntArray = Int8Array | Int16Array | Int32Array | Uint8Array;

/** True if `t` is absent or of one of `dtypes`. */
export function optionalOf(t: TensorInfo | undefined, dtypes: readonly DType[]): boolean {
  return t === undefined || dtypes.includes(t.dtype);
}
