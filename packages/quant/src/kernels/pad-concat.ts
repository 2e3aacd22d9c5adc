/**
 * Quantized PAD (constant mode) and CONCATENATION with TensorFlow Lite's semantics.
 *
 * PAD (reference_ops::Pad, TFLM pad.cc): the input and output share quantization; padding
 * positions get the quantized constant: the output zero point for PAD (real 0) or PADV2's
 * int8/int16 constant. The IR holds the constant as a real `value`, so it is quantized back with
 * the output's parameters: z_y + round(float(value / s_y)) (exact for a dequantized PADV2 constant).
 *
 * CONCATENATION (reference_ops::ConcatenationWithScaling): inputs whose scale and zero point equal
 * the output's are copied; the others are requantized in float32 as TFLite does:
 *   scale = s_in · (1/s_out), bias = −z_in · scale, y = clamp(round(x · scale + bias) + z_out).
 */
import {
  type AttrsOf,
  concatOp,
  defineKernel,
  type KernelDef,
  type KernelPrepareContext,
  type KernelRun,
  normalizeAxis,
  padOp,
  type TensorInfo,
} from "@mcu/tensor";
import { tfliteRound } from "../multiplier.js";
import { dtypeLimits, isPerTensor, sameQuantParams, scaleOf, zeroPointOf } from "../quant-info.js";
import type { IntArray } from "./common.js";
import { INT8_KERNEL, INT16X8_KERNEL, type QuantKernelOptions } from "./options.js";

/** Everything a quantized constant PAD computes with. */
export interface PadParams {
  /** The stored value written at padded positions. */
  readonly fill: number;
  /** Per output axis, the source index of each output index (−1: padding). */
  readonly maps: readonly Int32Array[];
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
}

/** Precomputes a quantized constant-mode PAD for one node. */
export function preparePadParams(
  input: TensorInfo,
  output: TensorInfo,
  attrs: AttrsOf<typeof padOp.attrs>,
): PadParams {
  const [min, max] = dtypeLimits(output.dtype);
  const q = zeroPointOf(output) + tfliteRound(Math.fround(attrs.value / scaleOf(output)));
  const maps = input.shape.map((d, a) => {
    const before = attrs.paddings[2 * a]!;
    const size = output.shape[a]!;
    const map = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      const j = i - before;
      map[i] = j >= 0 && j < d ? j : -1;
    }
    return map;
  });
  return { fill: q < min ? min : q > max ? max : q, maps, inShape: input.shape, outShape: output.shape };
}

/** Runs a prepared PAD: walks the output in order, copying or filling. */
export function runPad(p: PadParams, x: IntArray, y: IntArray): void {
  const rank = p.outShape.length;
  if (rank === 0) {
    y[0] = x[0]!;
    return;
  }
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let a = rank - 1; a >= 0; a--) {
    inStrides[a] = s;
    s *= p.inShape[a]!;
  }
  const last = rank - 1;
  const lastMap = p.maps[last]!;
  const counter = new Int32Array(rank);
  const total = y.length;
  for (let o = 0; o < total; o += p.outShape[last]!) {
    // Source offset of this output row, or −1 when any outer index is padding.
    let base = 0;
    for (let a = 0; a < last; a++) {
      const src = p.maps[a]![counter[a]!]!;
      if (src < 0) {
        base = -1;
        break;
      }
      base += src * inStrides[a]!;
    }
    for (let j = 0; j < lastMap.length; j++) {
      const src = lastMap[j]!;
      y[o + j] = base < 0 || src < 0 ? p.fill : x[base + src]!;
    }
    for (let a = last - 1; a >= 0; a--) {
      counter[a]! += 1;
      if (counter[a]! < p.outShape[a]!) break;
      counter[a] = 0;
    }
  }
}

/** Everything a quantized CONCATENATION computes with. */
export interface ConcatParams {
  readonly outer: number;
  /** Elements each input contributes per outer block. */
  readonly slabs: Int32Array;
  /** Per input: requantize (float32 scale and bias) or copy (scale NaN). */
  readonly scale: Float64Array;
  readonly bias: Float64Array;
  readonly outputZeroPoint: number;
  readonly min: number;
  readonly max: number;
}

/** Precomputes a quantized CONCATENATION for one node. */
export function prepareConcatParams(
  inputs: readonly TensorInfo[],
  output: TensorInfo,
  axis: number,
): ConcatParams {
  const shape = output.shape;
  const ax = normalizeAxis(axis, shape.length);
  const outer = shape.slice(0, ax).reduce((p, d) => p * d, 1);
  const inner = shape.slice(ax + 1).reduce((p, d) => p * d, 1);
  const inverseOutputScale = Math.fround(1 / scaleOf(output));
  const scale = new Float64Array(inputs.length);
  const bias = new Float64Array(inputs.length);
  inputs.forEach((t, i) => {
    if (sameQuantParams(t, output)) {
      scale[i] = Number.NaN;
      return;
    }
    scale[i] = Math.fround(scaleOf(t) * inverseOutputScale);
    bias[i] = Math.fround(-zeroPointOf(t) * scale[i]!);
  });
  const [min, max] = dtypeLimits(output.dtype);
  return {
    outer,
    slabs: Int32Array.from(inputs, (t) => t.shape[ax]! * inner),
    scale,
    bias,
    outputZeroPoint: zeroPointOf(output),
    min,
    max,
  };
}

/** Runs a prepared CONCATENATION. */
export function runConcat(p: ConcatParams, xs: readonly IntArray[], y: IntArray): void {
  let o = 0;
  for (let k = 0; k < p.outer; k++) {
    for (let i = 0; i < xs.length; i++) {
      const n = p.slabs[i]!;
      const x = xs[i]!;
      const start = k * n;
      const s = p.scale[i]!;
      if (Number.isNaN(s)) {
        for (let j = 0; j < n; j++) y[o + j] = x[start + j]!;
      } else {
        const b = p.bias[i]!;
        for (let j = 0; j < n; j++) {
          const v = tfliteRound(Math.fround(Math.fround(x[start + j]! * s) + b)) + p.outputZeroPoint;
          y[o + j] = v < p.min ? p.min : v > p.max ? p.max : v;
        }
      }
      o += n;
    }
  }
}

/** The constant-mode pad kernels (int8 and int16), preferred over core's copy kernel. */
export function padKernels(_options?: QuantKernelOptions): KernelDef[] {
  const prepare = ({
    inputs: [x],
    outputs: [y],
    attrs,
  }: KernelPrepareContext<AttrsOf<typeof padOp.attrs>>): KernelRun => {
    const p = preparePadParams(x!, y!, attrs);
    return ({ inputs: [xv], outputs: [yv] }) => runPad(p, xv!.data as IntArray, yv!.data as IntArray);
  };
  const supports =
    (dtype: "int8" | "int16") =>
    ({ inputs: [x], outputs: [y], attrs }: KernelPrepareContext<AttrsOf<typeof padOp.attrs>>): boolean =>
      attrs.mode === "constant" &&
      isPerTensor(x, [dtype]) &&
      isPerTensor(y, [dtype]) &&
      sameQuantParams(x!, y!);
  return [
    defineKernel(padOp, { name: INT8_KERNEL, priority: 1, supports: supports("int8"), prepare }),
    defineKernel(padOp, { name: INT16X8_KERNEL, priority: 1, supports: supports("int16"), prepare }),
  ];
}

/** The concat kernels (int8 and int16), requantizing inputs whose parameters differ. */
export function concatKernels(_options?: QuantKernelOptions): KernelDef[] {
  const prepare = ({
    inputs,
    outputs: [y],
    attrs,
  }: KernelPrepareContext<AttrsOf<typeof concatOp.attrs>>): KernelRun => {
    const p = prepareConcatParams(inputs as TensorInfo[], y!, attrs.axis);
    return ({ inputs: values, outputs: [yv] }) =>
      runConcat(
        p,
        values.map((v) => v!.data as IntArray),
        yv!.data as IntArray,
      );
  };
  const supports =
    (dtype: "int8" | "int16") =>
    ({ inputs, outputs: [y], attrs }: KernelPrepareContext<AttrsOf<typeof concatOp.attrs>>): boolean =>
      attrs.fusedActivation === "NONE" &&
      isPerTensor(y, [dtype]) &&
      inputs.every((t) => isPerTensor(t, [dtype]));
  return [
    defineKernel(concatOp, { name: INT8_KERNEL, priority: 1, supports: supports("int8"), prepare }),
    defineKernel(concatOp, { name: INT16X8_KERNEL, priority: 1, supports: supports("int16"), prepare }),
  ];
}
