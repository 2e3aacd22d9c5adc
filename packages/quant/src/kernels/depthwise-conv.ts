/**
 * Integer depthwise convolution, bit-exact with TFLite's
 * reference_integer_ops::DepthwiseConvPerChannel (int8 and int16 overloads,
 * tensorflow/lite/kernels/internal/reference/integer_ops/depthwise_conv.h) and TFLite Micro's
 * CalculateOpDataDepthwiseConv (micro/kernels/depthwise_conv_common.cc).
 *
 * Formula, per output y[b, oy, ox, c·m + k] (input channel c, multiplier index k):
 *   acc = Σ_{ky,kx in the image} w[0, ky, kx, c·m + k] · (x[b, iy, ix, c] − z_x)   (int8; z_x = 0 for int16x8)
 *   acc += bias[c·m + k];  y = clamp(MBQM(acc, M[oc], S[oc]) + z_y, actMin, actMax)
 * with per-channel (M, S) from double(s_x)·double(s_w[oc])/double(s_y) (weights quantized along
 * axis 3). Accumulators as for conv2d: int32 for int8, int64 for int16x8 (TFLite's int16 kernel
 * takes an int64 bias; an int32 bias here uses the int32 accumulator).
 */
import {
  type AttrsOf,
  defineKernel,
  depthwiseConv2dOp,
  type KernelDef,
  type KernelPrepareContext,
  type KernelRun,
  type TensorInfo,
  window2d,
} from "@mcu/tensor";
import { calculateActivationRangeQuantized } from "../activation-range.js";
import { scaleOf, zeroPointOf } from "../quant-info.js";
import { biasValues, type IntArray, requantizer } from "./common.js";
import {
  type ConvParams,
  type ConvWindowAttrs,
  convolutionMultipliers,
  int16x8Accumulator,
  offsetInput,
  supportsInt8Conv,
  supportsInt16x8Conv,
} from "./conv.js";
import { INT8_KERNEL, INT16X8_KERNEL, type QuantKernelOptions, roundingOf } from "./options.js";

/** A prepared depthwise convolution: conv2d's parameters plus the channel multiplier. */
export interface DepthwiseConvParams extends ConvParams {
  readonly depthMultiplier: number;
}

/** Precomputes a quantized depthwise_conv2d (TFLite DEPTHWISE_CONV_2D) for one node. */
export function prepareDepthwiseConvParams(
  input: TensorInfo,
  weights: TensorInfo,
  bias: TensorInfo | undefined,
  output: TensorInfo,
  attrs: ConvWindowAttrs & { readonly depthMultiplier: number },
  options?: QuantKernelOptions,
): DepthwiseConvParams {
  const rounding = roundingOf(options);
  const [batches, inH, inW, inC] = input.shape as [number, number, number, number];
  const [, kH, kW, outC] = weights.shape as [number, number, number, number];
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
    filterInC: 1,
    groups: inC,
    depthMultiplier: outC / inC,
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
 * Runs a prepared depthwise convolution. Per output pixel, taps (restricted to the image) are
 * the outer loop and channels the inner one, so input and weights are read contiguously; `acc`
 * holds the pixel's accumulators: int32 (wrapping, as TFLite) for int8, exact doubles for int16x8.
 */
export function runDepthwiseConv(
  p: DepthwiseConvParams,
  xo: ArrayLike<number>,
  w: ArrayLike<number>,
  y: IntArray,
  acc: Int32Array | Float64Array,
): void {
  const requant = requantizer(p, p.accumulator, p.rounding);
  const {
    inH,
    inW,
    inC,
    outH,
    outW,
    outC,
    kH,
    kW,
    strideH,
    strideW,
    dilationH,
    dilationW,
    depthMultiplier: m,
  } = p;
  const { outputOffset, actMin, actMax, bias } = p;
  const wrap = acc instanceof Int32Array;
  let o = 0;
  for (let b = 0; b < p.batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - p.padTop;
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
        if (bias !== undefined) for (let c = 0; c < outC; c++) acc[c] = bias[c]!;
        else acc.fill(0);
        for (let ky = ky0; ky < ky1; ky++) {
          const xrow = ((b * inH + iy0 + ky * dilationH) * inW + ix0) * inC;
          const wrow = ky * kW * outC;
          for (let kx = kx0; kx < kx1; kx++) {
            const xb = xrow + kx * dilationW * inC;
            const wb = wrow + kx * outC;
            if (m === 1) {
              if (wrap) for (let c = 0; c < inC; c++) acc[c] = (acc[c]! + w[wb + c]! * xo[xb + c]!) | 0;
              else for (let c = 0; c < inC; c++) acc[c] = acc[c]! + w[wb + c]! * xo[xb + c]!;
            } else {
              for (let c = 0; c < inC; c++) {
                const xv = xo[xb + c]!;
                for (let k = 0; k < m; k++) acc[c * m + k] = acc[c * m + k]! + w[wb + c * m + k]! * xv;
              }
            }
          }
        }
        for (let oc = 0; oc < outC; oc++) {
          let v = requant(acc[oc]!, oc) + outputOffset;
          v = v < actMin ? actMin : v > actMax ? actMax : v;
          y[o++] = v;
        }
      }
    }
  }
}

/** The depthwise_conv2d kernels (int8 and int16x8). */
export function depthwiseConvKernels(options?: QuantKernelOptions): KernelDef[] {
  const prepare = ({
    inputs: [x, w, b],
    outputs: [y],
    attrs,
  }: KernelPrepareContext<AttrsOf<typeof depthwiseConv2dOp.attrs>>): KernelRun => {
    const p = prepareDepthwiseConvParams(x!, w!, b, y!, attrs, options);
    const scratch = p.variant === "int8" ? new Int16Array(x!.shape.reduce((a, d) => a * d, 1)) : undefined;
    // int32 accumulators wrap like TFLite's (an Int32Array store is exactly that wrap).
    const acc = p.accumulator === "int32" ? new Int32Array(p.outC) : new Float64Array(p.outC);
    return ({ inputs: [xv, wv], outputs: [yv] }) => {
      const xd = xv!.data as IntArray;
      const xo = scratch !== undefined ? offsetInput(xd, p.inputOffset, scratch) : xd;
      runDepthwiseConv(p, xo, wv!.data as Int8Array, yv!.data as IntArray, acc);
    };
  };
  return [
    defineKernel(depthwiseConv2dOp, {
      name: INT8_KERNEL,
      supports: ({ inputs, outputs }) => supportsInt8Conv(inputs, outputs),
      prepare,
    }),
    defineKernel(depthwiseConv2dOp, {
      name: INT16X8_KERNEL,
      supports: ({ inputs, outputs }) => supportsInt16x8Conv(inputs, outputs),
      prepare,
    }),
  ];
}
