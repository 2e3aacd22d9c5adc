/**
 * Integer 2-D convolution, bit-exact with TFLite's reference_integer_ops::ConvPerChannel
 * (tensorflow/lite/kernels/internal/reference/integer_ops/conv.h) and TFLite Micro's
 * CalculateOpDataConv / PopulateConvolutionQuantizationParams (micro/kernels/conv_common.cc,
 * kernels/kernel_util.cc).
 *
 * Formula, per output y[b, oy, ox, oc] of group g = oc / (outC / groups):
 *   acc = Σ_{ky,kx in the image} Σ_ic w[oc, ky, kx, ic] · (x[b, iy, ix, g·Ic + ic] − z_x)   (int8)
 *   acc = Σ … w[oc, ky, kx, ic] · x[b, iy, ix, g·Ic + ic]                                     (int16x8)
 *   iy = oy·strideH − padTop + ky·dilationH, ix likewise; taps outside the image are skipped.
 *   acc += bias[oc]
 *   y = clamp(MBQM(acc, M[oc], S[oc]) + z_y, actMin, actMax)
 * with (M, S) = QuantizeMultiplier(double(s_x) · double(s_w[oc]) / double(s_y)) and the clamp
 * range from CalculateActivationRangeQuantized. int8: int32 accumulator (wrapping) and the int32
 * MBQM; int16x8: zero points 0, int64 accumulator and TFLite's int64 MBQM when the bias is int64
 * or absent, int32 accumulator when the bias is int32.
 */
import {
  type AttrsOf,
  conv2dOp,
  defineKernel,
  type FusedActivation,
  type KernelDef,
  type KernelPrepareContext,
  type KernelRun,
  type Padding,
  type TensorInfo,
  window2d,
} from "@mcu/tensor";
import { calculateActivationRangeQuantized } from "../activation-range.js";
import type { RoundingMode } from "../multiplier.js";
import { channelScales, isPerTensor, isQuantized, isSymmetric, scaleOf, zeroPointOf } from "../quant-info.js";
import {
  type Accumulator,
  biasValues,
  type ChannelMultipliers,
  type IntArray,
  optionalOf,
  quantizeMultipliers,
  requantizer,
} from "./common.js";
import { INT8_KERNEL, INT16X8_KERNEL, type QuantKernelOptions, roundingOf } from "./options.js";

/** Window attributes shared by the convolution ops. */
export interface ConvWindowAttrs {
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padding: Padding;
  readonly pads: readonly number[];
  readonly fusedActivation: FusedActivation;
}

/** Everything a conv2d computes with, precomputed once (also what generated C needs). */
export interface ConvParams extends ChannelMultipliers {
  readonly variant: "int8" | "int16x8";
  readonly accumulator: Accumulator;
  readonly rounding: RoundingMode;
  readonly batches: number;
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outH: number;
  readonly outW: number;
  readonly outC: number;
  readonly kH: number;
  readonly kW: number;
  /** Input channels per group (the weights' last axis). */
  readonly filterInC: number;
  readonly groups: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly padTop: number;
  readonly padLeft: number;
  /** −(input zero point); 0 for int16x8. */
  readonly inputOffset: number;
  /** Output zero point; 0 for int16x8. */
  readonly outputOffset: number;
  readonly actMin: number;
  readonly actMax: number;
  /** Bias per output channel as exact integers, when present. */
  readonly bias: Float64Array | undefined;
}

/**
 * The per-channel effective output scales double(s_x)·double(s_w[c])/double(s_y) of
 * PopulateConvolutionQuantizationParams, quantized to (multiplier, shift).
 */
export function convolutionMultipliers(
  input: TensorInfo,
  weights: TensorInfo,
  output: TensorInfo,
  channels: number,
  rounding: RoundingMode,
): ChannelMultipliers {
  const sx = scaleOf(input);
  const sy = scaleOf(output);
  const sw = channelScales(weights, channels);
  return quantizeMultipliers(
    Array.from(sw, (s) => (sx * s) / sy),
    rounding,
  );
}

/** The accumulator of an int16x8 convolution-like op from its bias dtype (int32 bias → int32). */
export function int16x8Accumulator(bias: TensorInfo | undefined): Accumulator {
  return bias?.dtype === "int32" ? "int32" : "int64";
}

/** Precomputes a quantized conv2d (TFLite CONV_2D) for one node. */
export function prepareConvParams(
  input: TensorInfo,
  weights: TensorInfo,
  bias: TensorInfo | undefined,
  output: TensorInfo,
  attrs: ConvWindowAttrs & { readonly groups: number },
  options?: QuantKernelOptions,
): ConvParams {
  const rounding = roundingOf(options);
  const [batches, inH, inW, inC] = input.shape as [number, number, number, number];
  const [outC, kH, kW, filterInC] = weights.shape as [number, number, number, number];
  const [, outH, outW] = output.shape as [number, number, number, number];
  const win = window2d(inH, inW, kH, kW, attrs.strides, attrs.dilations, attrs.padding, attrs.pads);
  const variant = input.dtype === "int16" ? "int16x8" : "int8";
  const range = calculateActivationRangeQuantized(
    attrs.fusedActivation,
    output.dtype,
    scaleOf(output),
    zeroPointOf(output),
  );
  return {
    variant,
    accumulator: variant === "int8" ? "int32" : int16x8Accumulator(bias),
    rounding,
    batches,
    inH,
    inW,
    inC,
    outH,
    outW,
    outC,
    kH,
    kW,
    filterInC,
    groups: inC / filterInC,
    strideH: attrs.strides[0]!,
    strideW: attrs.strides[1]!,
    dilationH: attrs.dilations[0]!,
    dilationW: attrs.dilations[1]!,
    padTop: win.padTop,
    padLeft: win.padLeft,
    inputOffset: variant === "int8" ? -zeroPointOf(input) : 0,
    outputOffset: variant === "int8" ? zeroPointOf(output) : 0,
    actMin: range.min,
    actMax: range.max,
    bias: biasValues(bias),
    ...convolutionMultipliers(input, weights, output, outC, rounding),
  };
}

/**
 * Adds the input offset once per run, so the inner loops multiply without it. The result
 * (x − z_x of int8 data) fits int16; an Int16Array lets V8 prove int8 · int16 products fit int32.
 */
export function offsetInput(x: IntArray, offset: number, scratch: Int16Array): Int16Array {
  for (let i = 0; i < x.length; i++) scratch[i] = x[i]! + offset;
  return scratch;
}

/** Runs a prepared convolution: `xo` is the input with the offset already added. */
export function runConv(p: ConvParams, xo: ArrayLike<number>, w: ArrayLike<number>, y: IntArray): void {
  if (p.accumulator === "int32") runConvInt32(p, xo, w, y);
  else runConvExact(p, xo, w, y);
}

/**
 * int32 accumulators: every partial sum is wrapped to int32 (`| 0`), which is exactly the C++
 * int32 arithmetic and keeps V8 on integer operations. Output channels are computed four at a
 * time (one read of each input value feeds four accumulators), taps restricted to the image.
 */
function runConvInt32(p: ConvParams, xo: ArrayLike<number>, w: ArrayLike<number>, y: IntArray): void {
  const requant = requantizer(p, "int32", p.rounding);
  const {
    inH,
    inW,
    inC,
    outH,
    outW,
    outC,
    kH,
    kW,
    filterInC: fin,
    strideH,
    strideW,
    dilationH,
    dilationW,
  } = p;
  const filtersPerGroup = outC / p.groups;
  const bias = p.bias;
  const { outputOffset, actMin, actMax } = p;
  const tapStride = kW * fin;
  const filterSize = kH * tapStride;
  const xStep = dilationW * inC;
  const clampOut = (v: number): number => (v < actMin ? actMin : v > actMax ? actMax : v);
  for (let b = 0; b < p.batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - p.padTop;
      // Taps inside the image: ky in [ky0, ky1), kx in [kx0, kx1).
      let ky0 = 0;
      while (ky0 < kH && iy0 + ky0 * dilationH < 0) ky0++;
      let ky1 = kH;
      while (ky1 > ky0 && iy0 + (ky1 - 1) * dilationH >= inH) ky1--;
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * strideW - p.padLeft;
        let kx0 = 0;
        while (kx0 < kW && ix0 + kx0 * dilationW < 0) kx0++;
        let kx1 = kW;
        while (kx1 > kx0 && ix0 + (kx1 - 1) * dilationW >= inW) kx1--;
        const o = ((b * outH + oy) * outW + ox) * outC;
        for (let g = 0; g < p.groups; g++) {
          const ocEnd = (g + 1) * filtersPerGroup;
          const inBase = g * fin;
          let oc = g * filtersPerGroup;
          for (; oc + 4 <= ocEnd; oc += 4) {
            let a0 = 0;
            let a1 = 0;
            let a2 = 0;
            let a3 = 0;
            for (let ky = ky0; ky < ky1; ky++) {
              const xrow = ((b * inH + iy0 + ky * dilationH) * inW + ix0) * inC + inBase;
              const w0 = oc * filterSize + ky * tapStride;
              for (let kx = kx0; kx < kx1; kx++) {
                const xb = xrow + kx * xStep;
                const wb0 = w0 + kx * fin;
                const wb1 = wb0 + filterSize;
                const wb2 = wb1 + filterSize;
                const wb3 = wb2 + filterSize;
                for (let ic = 0; ic < fin; ic++) {
                  const xv = xo[xb + ic]!;
                  a0 = (a0 + w[wb0 + ic]! * xv) | 0;
                  a1 = (a1 + w[wb1 + ic]! * xv) | 0;
                  a2 = (a2 + w[wb2 + ic]! * xv) | 0;
                  a3 = (a3 + w[wb3 + ic]! * xv) | 0;
                }
              }
            }
            if (bias !== undefined) {
              a0 = (a0 + bias[oc]!) | 0;
              a1 = (a1 + bias[oc + 1]!) | 0;
              a2 = (a2 + bias[oc + 2]!) | 0;
              a3 = (a3 + bias[oc + 3]!) | 0;
            }
            y[o + oc] = clampOut(requant(a0, oc) + outputOffset);
            y[o + oc + 1] = clampOut(requant(a1, oc + 1) + outputOffset);
            y[o + oc + 2] = clampOut(requant(a2, oc + 2) + outputOffset);
            y[o + oc + 3] = clampOut(requant(a3, oc + 3) + outputOffset);
          }
          for (; oc < ocEnd; oc++) {
            let acc = bias !== undefined ? bias[oc]! | 0 : 0;
            for (let ky = ky0; ky < ky1; ky++) {
              const xrow = ((b * inH + iy0 + ky * dilationH) * inW + ix0) * inC + inBase;
              const w0 = oc * filterSize + ky * tapStride;
              for (let kx = kx0; kx < kx1; kx++) {
                const xb = xrow + kx * xStep;
                const wb = w0 + kx * fin;
                for (let ic = 0; ic < fin; ic++) acc = (acc + w[wb + ic]! * xo[xb + ic]!) | 0;
              }
            }
            y[o + oc] = clampOut(requant(acc, oc) + outputOffset);
          }
        }
      }
    }
  }
}

/** int64 accumulators (int16x8): exact sums in doubles (below 2^53). */
function runConvExact(p: ConvParams, xo: ArrayLike<number>, w: ArrayLike<number>, y: IntArray): void {
  const requant = requantizer(p, p.accumulator, p.rounding);
  const { inH, inW, inC, outH, outW, outC, kH, kW, filterInC, strideH, strideW, dilationH, dilationW } = p;
  const filtersPerGroup = outC / p.groups;
  const bias = p.bias;
  const { outputOffset, actMin, actMax } = p;
  let o = 0;
  for (let b = 0; b < p.batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - p.padTop;
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * strideW - p.padLeft;
        for (let oc = 0; oc < outC; oc++) {
          const inBase = ((oc / filtersPerGroup) | 0) * filterInC;
          let acc = 0;
          for (let ky = 0; ky < kH; ky++) {
            const iy = iy0 + ky * dilationH;
            if (iy < 0 || iy >= inH) continue;
            const rowBase = (b * inH + iy) * inW;
            for (let kx = 0; kx < kW; kx++) {
              const ix = ix0 + kx * dilationW;
              if (ix < 0 || ix >= inW) continue;
              const xb = (rowBase + ix) * inC + inBase;
              const wb = ((oc * kH + ky) * kW + kx) * filterInC;
              for (let ic = 0; ic < filterInC; ic++) acc += w[wb + ic]! * xo[xb + ic]!;
            }
          }
          if (bias !== undefined) acc += bias[oc]!;
          let v = requant(acc, oc) + outputOffset;
          v = v < actMin ? actMin : v > actMax ? actMax : v;
          y[o++] = v;
        }
      }
    }
  }
}

/** True for an int8 conv2d: int8 activations, int8/int4 weights, int32 bias. */
export function supportsInt8Conv(
  inputs: readonly (TensorInfo | undefined)[],
  outputs: readonly TensorInfo[],
): boolean {
  const [x, w, b] = inputs;
  return (
    isPerTensor(x, ["int8"]) &&
    isQuantized(w, ["int8", "int4"]) &&
    optionalOf(b, ["int32"]) &&
    isPerTensor(outputs[0], ["int8"])
  );
}

/** True for an int16x8 conv2d: int16 activations with zero point 0, int8 weights, int64/int32 bias. */
export function supportsInt16x8Conv(
  inputs: readonly (TensorInfo | undefined)[],
  outputs: readonly TensorInfo[],
): boolean {
  const [x, w, b] = inputs;
  const y = outputs[0];
  return (
    isPerTensor(x, ["int16"]) &&
    isSymmetric(x) &&
    isQuantized(w, ["int8"]) &&
    optionalOf(b, ["int64", "int32"]) &&
    isPerTensor(y, ["int16"]) &&
    isSymmetric(y)
  );
}

/** The conv2d kernels (int8 and int16x8). */
export function convKernels(options?: QuantKernelOptions): KernelDef[] {
  const prepare = ({
    inputs: [x, w, b],
    outputs: [y],
    attrs,
  }: KernelPrepareContext<AttrsOf<typeof conv2dOp.attrs>>): KernelRun => {
    const p = prepareConvParams(x!, w!, b, y!, attrs, options);
    const scratch = p.variant === "int8" ? new Int16Array(x!.shape.reduce((a, d) => a * d, 1)) : undefined;
    return ({ inputs: [xv, wv], outputs: [yv] }) => {
      const xd = xv!.data as IntArray;
      const xo = scratch !== undefined ? offsetInput(xd, p.inputOffset, scratch) : xd;
      runConv(p, xo, wv!.data as Int8Array, yv!.data as IntArray);
    };
  };
  return [
    defineKernel(conv2dOp, {
      name: INT8_KERNEL,
      supports: ({ inputs, outputs }) => supportsInt8Conv(inputs, outputs),
      prepare,
    }),
    defineKernel(conv2dOp, {
      name: INT16X8_KERNEL,
      supports: ({ inputs, outputs }) => supportsInt16x8Conv(inputs, outputs),
      prepare,
    }),
  ];
}
