/**
 * Integer transposed convolution, bit-exact with TFLite's reference_integer_ops::TransposeConv
 * (int8 and int16 overloads, tensorflow/lite/kernels/internal/reference/integer_ops/transpose_conv.h)
 * and TFLite Micro's transpose_conv.cc Prepare.
 *
 * Formula: every input pixel scatters into the output window it influences,
 *   acc[b, iy·sH − padTop + ky·dH, ix·sW − padLeft + kx·dW, oc] += (x[b, iy, ix, ic] − z_x) · w[oc, ky, kx, ic]
 * (positions outside the output are dropped), then per output
 *   y = clamp(MBQM(acc + bias[oc], M[oc], S[oc]) + z_y, qmin, qmax)
 * with (M, S) from double(s_x)·double(s_w[oc])/double(s_y) and no fused activation (TFLite passes
 * kTfLiteActNone). The padding is the forward convolution's padding computed with the output as
 * its input (TFLite's ComputePaddingHeightWidth on the output size). int8 accumulates in int32;
 * int16x8 in int64 with TFLite's int64 MBQM (an int16 bias is widened to int64, as TFLM does).
 */
import {
  type AttrsOf,
  defineKernel,
  type KernelDef,
  type KernelPrepareContext,
  type KernelRun,
  type TensorInfo,
  transposeConv2dOp,
  transposeConvAxis,
} from "@mcu/tensor";
import { calculateActivationRangeQuantized } from "../activation-range.js";
import { isPerTensor, isQuantized, isSymmetric, scaleOf, zeroPointOf } from "../quant-info.js";
import { biasValues, type IntArray, optionalOf, requantizer } from "./common.js";
import { type ConvParams, type ConvWindowAttrs, convolutionMultipliers } from "./conv.js";
import { INT8_KERNEL, INT16X8_KERNEL, type QuantKernelOptions, roundingOf } from "./options.js";

/** Precomputes a quantized transpose_conv2d (TFLite TRANSPOSE_CONV) for one node. */
export function prepareTransposeConvParams(
  input: TensorInfo,
  weights: TensorInfo,
  bias: TensorInfo | undefined,
  output: TensorInfo,
  attrs: ConvWindowAttrs & { readonly outputPadding: readonly number[] },
  options?: QuantKernelOptions,
): ConvParams {
  const rounding = roundingOf(options);
  const [batches, inH, inW, inC] = input.shape as [number, number, number, number];
  const [outC, kH, kW] = weights.shape as [number, number, number, number];
  const [, outH, outW] = output.shape as [number, number, number, number];
  const [sH, sW] = attrs.strides as [number, number];
  const [dH, dW] = attrs.dilations as [number, number];
  const [pt, pb, pl, pr] = attrs.pads as [number, number, number, number];
  const [oph, opw] = attrs.outputPadding as [number, number];
  const padTop = transposeConvAxis(inH, kH, sH, dH, attrs.padding, pt, pb, oph, outH).padBefore;
  const padLeft = transposeConvAxis(inW, kW, sW, dW, attrs.padding, pl, pr, opw, outW).padBefore;
  const variant = input.dtype === "int16" ? "int16x8" : "int8";
  const range = calculateActivationRangeQuantized("NONE", output.dtype, scaleOf(output), zeroPointOf(output));
  return {
    variant,
    accumulator: variant === "int8" ? "int32" : "int64",
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
    filterInC: inC,
    groups: 1,
    strideH: sH,
    strideW: sW,
    dilationH: dH,
    dilationW: dW,
    padTop,
    padLeft,
    inputOffset: variant === "int8" ? -zeroPointOf(input) : 0,
    outputOffset: variant === "int8" ? zeroPointOf(output) : 0,
    actMin: range.min,
    actMax: range.max,
    bias: biasValues(bias),
    ...convolutionMultipliers(input, weights, output, outC, rounding),
  };
}

/** Runs a prepared transposed convolution; `acc` has one entry per output element. */
export function runTransposeConv(
  p: ConvParams,
  x: IntArray,
  w: ArrayLike<number>,
  y: IntArray,
  acc: Float64Array,
): void {
  const requant = requantizer(p, p.accumulator, p.rounding);
  const { inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilationH, dilationW, inputOffset } = p;
  acc.fill(0);
  for (let b = 0; b < p.batches; b++) {
    for (let iy = 0; iy < inH; iy++) {
      const oy0 = iy * strideH - p.padTop;
      for (let ix = 0; ix < inW; ix++) {
        const ox0 = ix * strideW - p.padLeft;
        const xb = ((b * inH + iy) * inW + ix) * inC;
        for (let ky = 0; ky < kH; ky++) {
          const oy = oy0 + ky * dilationH;
          if (oy < 0 || oy >= outH) continue;
          for (let kx = 0; kx < kW; kx++) {
            const ox = ox0 + kx * dilationW;
            if (ox < 0 || ox >= outW) continue;
            const ob = ((b * outH + oy) * outW + ox) * outC;
            for (let oc = 0; oc < outC; oc++) {
              const wb = ((oc * kH + ky) * kW + kx) * inC;
              let s = 0;
              for (let ic = 0; ic < inC; ic++) s += (x[xb + ic]! + inputOffset) * w[wb + ic]!;
              acc[ob + oc] = acc[ob + oc]! + s;
            }
          }
        }
      }
    }
  }
  const { bias, outputOffset, actMin, actMax } = p;
  for (let i = 0, oc = 0; i < acc.length; i++, oc = oc + 1 === outC ? 0 : oc + 1) {
    let a = acc[i]!;
    if (bias !== undefined) a += bias[oc]!;
    let v = requant(a, oc) + outputOffset;
    v = v < actMin ? actMin : v > actMax ? actMax : v;
    y[i] = v;
  }
}

/** The transpose_conv2d kernels (int8 and int16x8). */
export function transposeConvKernels(options?: QuantKernelOptions): KernelDef[] {
  const prepare = ({
    inputs: [x, w, b],
    outputs: [y],
    attrs,
  }: KernelPrepareContext<AttrsOf<typeof transposeConv2dOp.attrs>>): KernelRun => {
    const p = prepareTransposeConvParams(x!, w!, b, y!, attrs, options);
    const acc = new Float64Array(y!.shape.reduce((a, d) => a * d, 1));
    return ({ inputs: [xv, wv], outputs: [yv] }) =>
      runTransposeConv(p, xv!.data as IntArray, wv!.data as Int8Array, yv!.data as IntArray, acc);
  };
  return [
    defineKernel(transposeConv2dOp, {
      name: INT8_KERNEL,
      supports: ({ inputs: [x, w, b], outputs: [y] }) =>
        isPerTensor(x, ["int8"]) &&
        isQuantized(w, ["int8", "int4"]) &&
        optionalOf(b, ["int32"]) &&
        isPerTensor(y, ["int8"]),
      prepare,
    }),
    defineKernel(transposeConv2dOp, {
      name: INT16X8_KERNEL,
      supports: ({ inputs: [x, w, b], outputs: [y] }) =>
        isPerTensor(x, ["int16"]) &&
        isSymmetric(x!) &&
        isQuantized(w, ["int8"]) &&
        optionalOf(b, ["int64", "int16"]) &&
        isPerTensor(y, ["int16"]) &&
        isSymmetric(y!),
      prepare,
    }),
  ];
}
