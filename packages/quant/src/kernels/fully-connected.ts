/**
 * Integer fully connected layer, bit-exact with TFLite's reference_integer_ops::FullyConnected /
 * FullyConnectedPerChannel (tensorflow/lite/kernels/internal/reference/integer_ops/fully_connected.h)
 * and TFLite Micro's CalculateOpDataFullyConnected (micro/kernels/fully_connected_common.cc).
 *
 * Formula, per row b and output o:
 *   acc = Σ_i (w[o, i] − z_w) · (x[b, i] − z_x) + bias[o]      (z_x = 0 for int16x8; z_w = 0 per channel)
 *   y[b, o] = clamp(MBQM(acc, M[o], S[o]) + z_y, actMin, actMax)
 * Per-tensor weights: (M, S) = QuantizeMultiplier(double(float(s_x · s_w)) / double(s_y)) — the
 * product is taken in float32, as GetQuantizedConvolutionMultipler does. Per-channel weights:
 * double(s_x) · double(s_w[o]) / double(s_y). Accumulators as for conv2d.
 */
import {
  type AttrsOf,
  defineKernel,
  type FusedActivation,
  fullyConnectedOp,
  type KernelDef,
  type KernelPrepareContext,
  type KernelRun,
  type TensorInfo,
} from "@mcu/tensor";
import { calculateActivationRangeQuantized } from "../activation-range.js";
import { quantizeMultiplier, type RoundingMode } from "../multiplier.js";
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
import { int16x8Accumulator } from "./conv.js";
import { INT8_KERNEL, INT16X8_KERNEL, type QuantKernelOptions, roundingOf } from "./options.js";

/** Everything a fully connected layer computes with. */
export interface FullyConnectedParams extends ChannelMultipliers {
  readonly variant: "int8" | "int16x8";
  readonly accumulator: Accumulator;
  readonly rounding: RoundingMode;
  readonly batches: number;
  readonly inDepth: number;
  readonly outDepth: number;
  /** −(input zero point); 0 for int16x8. */
  readonly inputOffset: number;
  /** −(weights zero point) for per-tensor weights, 0 per channel. */
  readonly weightsOffset: number;
  readonly outputOffset: number;
  readonly actMin: number;
  readonly actMax: number;
  readonly bias: Float64Array | undefined;
  /** True when (M, S) differ per output (per-channel weights); otherwise entry 0 serves all. */
  readonly perChannel: boolean;
}

/** Precomputes a quantized fully_connected (TFLite FULLY_CONNECTED) for one node. */
export function prepareFullyConnectedParams(
  input: TensorInfo,
  weights: TensorInfo,
  bias: TensorInfo | undefined,
  output: TensorInfo,
  attrs: { readonly fusedActivation: FusedActivation },
  options?: QuantKernelOptions,
): FullyConnectedParams {
  const rounding = roundingOf(options);
  const [outDepth, inDepth] = weights.shape as [number, number];
  const batches = input.shape.reduce((a, d) => a * d, 1) / inDepth;
  const variant = input.dtype === "int16" ? "int16x8" : "int8";
  const perChannel = (weights.quant?.scale.length ?? 1) > 1;
  const sx = scaleOf(input);
  const sy = scaleOf(output);
  let multipliers: ChannelMultipliers;
  if (perChannel) {
    multipliers = quantizeMultipliers(
      Array.from(channelScales(weights, outDepth), (s) => (sx * s) / sy),
      rounding,
    );
  } else {
    const q = quantizeMultiplier(Math.fround(sx * scaleOf(weights)) / sy, rounding);
    multipliers = { multiplier: Int32Array.of(q.multiplier), shift: Int32Array.of(q.shift) };
  }
  const range = calculateActivationRangeQuantized(
    attrs.fusedActivation,
    output.dtype,
    sy,
    zeroPointOf(output),
  );
  return {
    variant,
    accumulator: variant === "int8" ? "int32" : int16x8Accumulator(bias),
    rounding,
    batches,
    inDepth,
    outDepth,
    inputOffset: variant === "int8" ? -zeroPointOf(input) : 0,
    weightsOffset: perChannel ? 0 : -zeroPointOf(weights),
    outputOffset: variant === "int8" ? zeroPointOf(output) : 0,
    actMin: range.min,
    actMax: range.max,
    bias: biasValues(bias),
    perChannel,
    ...multipliers,
  };
}

/** Runs a prepared fully connected layer; `xo` is a scratch for the offset input. */
export function runFullyConnected(
  p: FullyConnectedParams,
  x: IntArray,
  w: ArrayLike<number>,
  y: IntArray,
  xo: Int16Array,
  wo: Int16Array | undefined,
): void {
  const requant = requantizer(p, p.accumulator, p.rounding);
  const { inDepth, outDepth, inputOffset, outputOffset, actMin, actMax, bias, perChannel } = p;
  for (let i = 0; i < x.length; i++) xo[i] = x[i]! + inputOffset;
  const wt: ArrayLike<number> = wo ?? w;
  let o = 0;
  for (let b = 0; b < p.batches; b++) {
    const xb = b * inDepth;
    for (let oc = 0; oc < outDepth; oc++) {
      const wb = oc * inDepth;
      let acc = 0;
      if (p.accumulator === "int32") {
        // int16 · int16 products and int32 wrap-around, as the C++ int32 accumulator.
        for (let i = 0; i < inDepth; i++) acc = (acc + wt[wb + i]! * xo[xb + i]!) | 0;
      } else {
        for (let i = 0; i < inDepth; i++) acc += wt[wb + i]! * xo[xb + i]!;
      }
      if (bias !== undefined) acc += bias[oc]!;
      let v = requant(acc, perChannel ? oc : 0) + outputOffset;
      v = v < actMin ? actMin : v > actMax ? actMax : v;
      y[o++] = v;
    }
  }
}

/** The fully_connected kernels (int8 and int16x8). */
export function fullyConnectedKernels(options?: QuantKernelOptions): KernelDef[] {
  const prepare = ({
    inputs: [x, w, b],
    outputs: [y],
    attrs,
  }: KernelPrepareContext<AttrsOf<typeof fullyConnectedOp.attrs>>): KernelRun => {
    const p = prepareFullyConnectedParams(x!, w!, b, y!, attrs, options);
    // x − z_x and w − z_w fit int16, which keeps V8's products in int32.
    const xo = new Int16Array(x!.shape.reduce((a, d) => a * d, 1));
    // A weights zero point (per-tensor, allowed by TFLite's FullyConnected) is folded into a
    // copy of the weights: once for constant weights, on every run otherwise.
    const offsetWeights = (wd: Int8Array, into?: Int16Array): Int16Array => {
      const out = into ?? new Int16Array(wd.length);
      for (let i = 0; i < wd.length; i++) out[i] = wd[i]! + p.weightsOffset;
      return out;
    };
    const constantWo =
      p.weightsOffset !== 0 && w!.data !== undefined ? offsetWeights(w!.data as Int8Array) : undefined;
    const scratchWo =
      p.weightsOffset !== 0 && constantWo === undefined
        ? new Int16Array(w!.shape[0]! * w!.shape[1]!)
        : undefined;
    return ({ inputs: [xv, wv], outputs: [yv] }) => {
      const wd = wv!.data as Int8Array;
      const wo = constantWo ?? (scratchWo !== undefined ? offsetWeights(wd, scratchWo) : undefined);
      runFullyConnected(p, xv!.data as IntArray, wd, yv!.data as IntArray, xo, wo);
    };
  };
  return [
    defineKernel(fullyConnectedOp, {
      name: INT8_KERNEL,
      supports: ({ inputs: [x, w, b], outputs: [y] }) =>
        isPerTensor(x, ["int8"]) &&
        isQuantized(w, ["int8", "int4"]) &&
        optionalOf(b, ["int32"]) &&
        isPerTensor(y, ["int8"]),
      prepare,
    }),
    defineKernel(fullyConnectedOp, {
      name: INT16X8_KERNEL,
      supports: ({ inputs: [x, w, b], outputs: [y] }) =>
        isPerTensor(x, ["int16"]) &&
        isSymmetric(x!) &&
        isQuantized(w, ["int8"]) &&
        optionalOf(b, ["int64", "int32"]) &&
        isPerTensor(y, ["int16"]) &&
        isSymmetric(y!),
      prepare,
    }),
  ];
}
