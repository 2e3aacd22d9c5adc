/**
 * Integer LOGISTIC and TANH, bit-exact with TFLite's reference_integer_ops::Logistic / Tanh
 * (tensorflow/lite/kernels/internal/reference/integer_ops/logistic.h, tanh.h) and TFLite Micro's
 * prepare code (micro/kernels/logistic_common.cc, tanh.cc).
 *
 * int8: with (M, L) from frexp(s_x · 2^27) — M = round(q · 2^31), no 2^31 correction, as TFLM —
 * and radius = CalculateInputRadius(4, L, 31), per element v = x − z_x:
 *   v ≤ −radius → −128 (LOGISTIC) / −128 (TANH);  v ≥ radius → 127
 *   otherwise r = MBQM(v, M, L) as Q4.27 and
 *   LOGISTIC: y = clamp(RDBP(logistic(r), 23) − 128)      (output scale 1/256, zero point −128)
 *   TANH:     y = clamp(RDBP(tanh(r), 24))                (output scale 1/128, zero point 0)
 * int16 (zero points 0): the input is rescaled to 1/(3·4096) units, either by a power-of-two
 * shift (M = 0 case: multiplier 3 · 2^L) or by the multiplier search of TFLM's prepare, then the
 * 256-entry sigmoid table is interpolated (9 fractional bits for LOGISTIC, 8 for TANH, using
 * tanh(x) = 2·sigmoid(2x) − 1).
 */
import {
  defineKernel,
  type KernelDef,
  type KernelRun,
  logisticOp,
  type TensorInfo,
  tanhOp,
} from "@mcu/tensor";
import { roundingDivideByPot } from "../fixed-point.js";
import { fixedPointLogistic, fixedPointTanh } from "../fixed-point-math.js";
import { SIGMOID_TABLE_UINT16 } from "../lut.js";
import { frexp, multiplyByQuantizedMultiplierFor, type RoundingMode, tfliteRound } from "../multiplier.js";
import { isPerTensor, isSymmetric, scaleOf, zeroPointOf } from "../quant-info.js";
import type { IntArray } from "./common.js";
import { INT8_KERNEL, INT16X8_KERNEL, type QuantKernelOptions, roundingOf } from "./options.js";
import { calculateInputRadius } from "./softmax.js";

/** Everything a quantized LOGISTIC or TANH computes with. */
export interface LogisticTanhParams {
  readonly variant: "int8" | "int16";
  readonly rounding: RoundingMode;
  readonly inputZeroPoint: number;
  /** int8: |v| at or beyond it saturates the output. */
  readonly inputRangeRadius: number;
  readonly inputMultiplier: number;
  readonly inputLeftShift: number;
}

/** TFLite's CheckedLog2 (quantization_util.cc): log2(x) rounded, and whether x is a power of two (float32). */
export function checkedLog2(x: number): { readonly log2: number; readonly exact: boolean } {
  const xLog2 = Math.fround(
    Math.fround(Math.log(Math.fround(x))) * Math.fround(1 / Math.fround(Math.log(2))),
  );
  const rounded = tfliteRound(xLog2);
  return { log2: rounded, exact: Math.abs(Math.fround(xLog2 - rounded)) < Math.fround(1e-3) };
}

/**
 * Precomputes a quantized LOGISTIC (`tanh` false) or TANH for one node, as TFLM's
 * CalculateArithmeticOpDataLogistic / tanh CalculateArithmeticOpData.
 */
export function prepareLogisticTanhParams(
  input: TensorInfo,
  tanh: boolean,
  options?: QuantKernelOptions,
): LogisticTanhParams {
  const rounding = roundingOf(options);
  const scale = scaleOf(input);
  if (input.dtype === "int8") {
    const { fraction, exponent } = frexp(scale * 2 ** 27);
    // static_cast<int32_t>(TfLiteRound(q · 2^31)); 2^31 would wrap to INT32_MIN on x86.
    const m = tfliteRound(fraction * 2 ** 31) | 0;
    return {
      variant: "int8",
      rounding,
      inputZeroPoint: zeroPointOf(input),
      inputRangeRadius: calculateInputRadius(4, exponent, 31),
      inputMultiplier: m,
      inputLeftShift: exponent,
    };
  }
  // int16: power-of-two input scales shift directly; others search a multiplier ≤ 32767/2·2.
  const { log2, exact } = checkedLog2(scale);
  let leftShift = 15 - 3 + log2;
  let multiplier = 0;
  const potShifts = tanh ? [0, 1] : [0];
  if (!(exact && potShifts.includes(leftShift))) {
    let m = scale * 4096 * 3;
    leftShift = 0;
    while (m <= 32767 / 2 && leftShift <= 30) {
      leftShift++;
      m *= 2;
    }
    multiplier = Math.trunc(m);
  }
  return {
    variant: "int16",
    rounding,
    inputZeroPoint: 0,
    inputRangeRadius: 0,
    inputMultiplier: multiplier,
    inputLeftShift: leftShift,
  };
}

/** The int16 inputs rescaled to the sigmoid table's units: ((x · M + round) >> L). */
function int16Rescaler(p: LogisticTanhParams): (x: number) => number {
  let m = p.inputMultiplier;
  let l = p.inputLeftShift;
  if (m === 0) {
    m = 3 * 2 ** l;
    l = 0;
  }
  const round = l > 0 ? 2 ** (l - 1) : 0;
  const div = 2 ** l;
  return (x) => Math.floor((x * m + round) / div);
}

/** Runs a prepared LOGISTIC. */
export function runLogistic(p: LogisticTanhParams, x: IntArray, y: IntArray): void {
  if (p.variant === "int8") {
    const mbqm = multiplyByQuantizedMultiplierFor(p.rounding);
    const { inputZeroPoint: z, inputRangeRadius: r, inputMultiplier: m, inputLeftShift: l } = p;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]! - z;
      if (v <= -r) y[i] = -128;
      else if (v >= r) y[i] = 127;
      else {
        const out = roundingDivideByPot(fixedPointLogistic(mbqm(v, m, l), 4), 23) - 128;
        y[i] = out < -128 ? -128 : out > 127 ? 127 : out;
      }
    }
    return;
  }
  const rescale = int16Rescaler(p);
  for (let i = 0; i < x.length; i++) {
    const input = rescale(x[i]!);
    const abs = Math.abs(input);
    const uh = Math.floor(abs / 512);
    let result: number;
    if (uh >= 255) result = 0x7fff * 1024;
    else {
      const ua = SIGMOID_TABLE_UINT16[uh]!;
      const ub = SIGMOID_TABLE_UINT16[uh + 1]!;
      result = ua * 512 + (abs & 0x1ff) * (ub - ua);
    }
    result = input >= 0 ? result + 512 : 2 ** 25 - result + 512 - 1;
    y[i] = (((result >>> 0) >>> 10) << 16) >> 16;
  }
}

/** Runs a prepared TANH. */
export function runTanh(p: LogisticTanhParams, x: IntArray, y: IntArray): void {
  if (p.variant === "int8") {
    const mbqm = multiplyByQuantizedMultiplierFor(p.rounding);
    const { inputZeroPoint: z, inputRangeRadius: r, inputMultiplier: m, inputLeftShift: l } = p;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]! - z;
      if (v <= -r) y[i] = -128;
      else if (v >= r) y[i] = 127;
      else {
        const out = roundingDivideByPot(fixedPointTanh(mbqm(v, m, l), 4), 24);
        y[i] = out < -128 ? -128 : out > 127 ? 127 : out;
      }
    }
    return;
  }
  const rescale = int16Rescaler(p);
  for (let i = 0; i < x.length; i++) {
    const input = rescale(x[i]!);
    const abs = Math.abs(input);
    const uh = Math.floor(abs / 256);
    let result: number;
    if (uh >= 255) result = 0xffff * 256;
    else {
      const ua = SIGMOID_TABLE_UINT16[uh]!;
      const ub = SIGMOID_TABLE_UINT16[uh + 1]!;
      result = ua * 256 + (abs & 0xff) * (ub - ua);
    }
    result = input >= 0 ? result - 2 ** 23 + 128 : -result + 2 ** 23 + 128 - 1;
    y[i] = ((result >> 8) << 16) >> 16;
  }
}

function activationKernels(op: typeof logisticOp, tanh: boolean, options?: QuantKernelOptions): KernelDef[] {
  const run = tanh ? runTanh : runLogistic;
  const prepare = ({ inputs: [x] }: { inputs: readonly (TensorInfo | undefined)[] }): KernelRun => {
    const p = prepareLogisticTanhParams(x!, tanh, options);
    return ({ inputs: [xv], outputs: [yv] }) => run(p, xv!.data as IntArray, yv!.data as IntArray);
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

/** The logistic kernels (int8 and int16). */
export function logisticKernels(options?: QuantKernelOptions): KernelDef[] {
  return activationKernels(logisticOp, false, options);
}

/** The tanh kernels (int8 and int16). */
export function tanhKernels(options?: QuantKernelOptions): KernelDef[] {
  return activationKernels(tanhOp, true, options);
}
