/**
 * Integer → integer QUANTIZE (requantization), bit-exact with TFLite's reference_ops::Requantize
 * (tensorflow/lite/kernels/internal/reference/requantize.h) and TFLite Micro's
 * PrepareQuantizeReference (micro/kernels/quantize_common.cc). Covers int8 ↔ int8, int8 ↔ int16,
 * int16 ↔ int16, int8/int16 → int32, int32 → int8/int16, int8 ↔ uint8.
 *
 * Formula: (M, S) = QuantizeMultiplier(double(s_x) / double(s_y)) and per element
 *   y = clamp(MBQM(x − z_x, M, S) + z_y, dtype range)
 * except TFLite's fast path: with equal scales (M = 2^30, S = 1), int8 → uint8 with z_y = z_x + 128
 * and uint8 → int8 with z_y = z_x − 128 flip the top bit (y = x ^ 0x80).
 * Float → integer quantization is core's kernel (@mcu/tensor); dequantization too.
 */
import {
  defineKernel,
  type DType,
  type KernelDef,
  type KernelRun,
  quantizeOp,
  type TensorInfo,
} from "@mcu/tensor";
import { multiplyByQuantizedMultiplierFor, quantizeMultiplier, type RoundingMode } from "../multiplier.js";
import { dtypeLimits, isPerTensor, scaleOf, zeroPointOf } from "../quant-info.js";
import type { IntArray } from "./common.js";
import { INT8_KERNEL, INT16X8_KERNEL, type QuantKernelOptions, roundingOf } from "./options.js";

/** Everything an integer requantization computes with. */
export interface RequantizeParams {
  readonly rounding: RoundingMode;
  readonly multiplier: number;
  readonly shift: number;
  readonly inputZeroPoint: number;
  readonly outputZeroPoint: number;
  readonly min: number;
  readonly max: number;
  /** TFLite's int8 ↔ uint8 shift-by-128 fast path applies. */
  readonly flipSignBit: boolean;
}

/** Precomputes an integer → integer QUANTIZE for one node. */
export function prepareRequantizeParams(
  input: TensorInfo,
  output: TensorInfo,
  options?: QuantKernelOptions,
): RequantizeParams {
  const rounding = roundingOf(options);
  const q = quantizeMultiplier(scaleOf(input) / scaleOf(output), rounding);
  const zx = zeroPointOf(input);
  const zy = zeroPointOf(output);
  const sameScale = q.multiplier === 2 ** 30 && q.shift === 1;
  const flipSignBit =
    sameScale &&
    ((input.dtype === "int8" && output.dtype === "uint8" && zx - zy === -128) ||
      (input.dtype === "uint8" && output.dtype === "int8" && zx - zy === 128));
  const [min, max] = dtypeLimits(output.dtype);
  return {
    rounding,
    multiplier: q.multiplier,
    shift: q.shift,
    inputZeroPoint: zx,
    outputZeroPoint: zy,
    min,
    max,
    flipSignBit,
  };
}

/** Runs a prepared requantization. */
export function runRequantize(p: RequantizeParams, x: IntArray, y: IntArray): void {
  if (p.flipSignBit) {
    for (let i = 0; i < x.length; i++) y[i] = x[i]! ^ 0x80;
    return;
  }
  const mbqm = multiplyByQuantizedMultiplierFor(p.rounding);
  const { multiplier, shift, inputZeroPoint, outputZeroPoint, min, max } = p;
  for (let i = 0; i < x.length; i++) {
    const v = mbqm((x[i]! - inputZeroPoint) | 0, multiplier, shift) + outputZeroPoint;
    y[i] = v < min ? min : v > max ? max : v;
  }
}

/** The integer dtypes a requantization reads and writes. */
const INTEGER_TYPES: readonly DType[] = ["int8", "int16", "int32", "uint8"];

/** The integer → integer quantize kernels (named by the wider of int8 / int16 involved). */
export function requantizeKernels(options?: QuantKernelOptions): KernelDef[] {
  const prepare = ({
    inputs: [x],
    outputs: [y],
  }: {
    inputs: readonly (TensorInfo | undefined)[];
    outputs: readonly TensorInfo[];
  }): KernelRun => {
    const p = prepareRequantizeParams(x!, y!, options);
    return ({ inputs: [xv], outputs: [yv] }) => runRequantize(p, xv!.data as IntArray, yv!.data as IntArray);
  };
  const involvesInt16 = (x: TensorInfo | undefined, y: TensorInfo | undefined): boolean =>
    x?.dtype === "int16" || y?.dtype === "int16";
  return [
    defineKernel(quantizeOp, {
      name: INT8_KERNEL,
      supports: ({ inputs: [x], outputs: [y] }) =>
        isPerTensor(x, INTEGER_TYPES) && isPerTensor(y, INTEGER_TYPES) && !involvesInt16(x, y),
      prepare,
    }),
    defineKernel(quantizeOp, {
      name: INT16X8_KERNEL,
      supports: ({ inputs: [x], outputs: [y] }) =>
        isPerTensor(x, INTEGER_TYPES) && isPerTensor(y, INTEGER_TYPES) && involvesInt16(x, y),
      prepare,
    }),
  ];
}
