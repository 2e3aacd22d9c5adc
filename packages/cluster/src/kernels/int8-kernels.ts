/**
 * Int8 TS kernels of `cluster.conv2d`, bit-exact with TFLite's int8 CONV_2D
 * (reference_integer_ops::ConvPerChannel) on the decoded weights W[o,·,·,i] = a[o,i] · T(C'):
 *
 *   acc[o] = bias[o] + Σ_{ky,kx in the image} Σ_i W[o,ky,kx,i] · (x[iy,ix,i] − z_x)   (int32, wrapping)
 *   y = clamp(MultiplyByQuantizedMultiplier(acc, M[o], S[o]) + z_y, actMin, actMax)
 *
 * with (M, S) = QuantizeMultiplier(double(s_x) · double(s_w[o]) / double(s_y)) from the float32
 * scales (PopulateConvolutionQuantizationParams) and the clamp range of
 * CalculateActivationRangeQuantized — the fixed-point code @mcu/tensor shares with @mcu/quant.
 *
 * - `cluster/int8-decode-then-conv`: W decoded once, then the direct sum.
 * - `cluster/int8-add-then-conv`: per (centroid, transform) group, P = Σ_i a_i · (x_i − z_x) and
 *   acc += T(C') ⊛ P. Integer arithmetic is exact (modulo 2^32 like the int32 accumulator), so
 *   both kernels produce the same accumulators, hence the same bytes.
 */
import {
  calculateActivationRangeQuantized,
  defineKernel,
  type KernelDef,
  type KernelPrepareContext,
  multiplyByQuantizedMultiplierFor,
  quantizeMultiplier,
  type RoundingMode,
  type TensorInfo,
} from "@mcu/tensor";
import { addThenConvPlan } from "../add-then-conv-plan.js";
import { type ClusterConvAttrs, clusterConv2dOp } from "../cluster-conv-op.js";
import { type ClusterLayer, decodeWeights, readClusterLayer, transformedCodebook } from "../cluster-layer.js";
import { convPlaneInt, type PlaneGeometry, planeGeometry } from "./plane-conv.js";

/** True for an int8 cluster.conv2d: int8 per-tensor activations, int8 codebook, quantized int8 scales, int32 bias. */
export function isInt8ClusterConv(ctx: KernelPrepareContext): boolean {
  const [x, codebook, , scales, , bias] = ctx.inputs;
  const y = ctx.outputs[0];
  const perTensor = (t: TensorInfo | undefined) =>
    t !== undefined && t.dtype === "int8" && t.quant?.scale.length === 1;
  const channels = scales?.shape[0] ?? 0;
  return (
    perTensor(x) &&
    perTensor(y) &&
    codebook?.dtype === "int8" &&
    scales?.dtype === "int8" &&
    scales.quant !== undefined &&
    (scales.quant.scale.length === 1 || scales.quant.scale.length === channels) &&
    (bias === undefined || bias.dtype === "int32")
  );
}

/** The requantization of one int8 cluster.conv2d: TFLite's per-channel multipliers and clamp range. */
export interface Int8Requantization {
  readonly inputOffset: number;
  readonly outputOffset: number;
  readonly multiplier: Int32Array;
  readonly shift: Int32Array;
  readonly actMin: number;
  readonly actMax: number;
}

/** Precomputes the requantization of an int8 cluster.conv2d (what generated C needs too). */
export function int8Requantization(
  inputs: readonly (TensorInfo | undefined)[],
  output: TensorInfo,
  attrs: ClusterConvAttrs,
  rounding: RoundingMode = "double",
): Int8Requantization {
  const [x, , , scales] = inputs;
  const sx = Math.fround(x!.quant!.scale[0]!);
  const sy = Math.fround(output.quant!.scale[0]!);
  const zy = output.quant!.zeroPoint[0] ?? 0;
  const channels = scales!.shape[0]!;
  const sw = scales!.quant!.scale;
  const multiplier = new Int32Array(channels);
  const shift = new Int32Array(channels);
  for (let o = 0; o < channels; o++) {
    const q = quantizeMultiplier((sx * Math.fround(sw.length === 1 ? sw[0]! : sw[o]!)) / sy, rounding);
    multiplier[o] = q.multiplier;
    shift[o] = q.shift;
  }
  const range = calculateActivationRangeQuantized(attrs.fusedActivation, "int8", sy, zy);
  return {
    inputOffset: -(x!.quant!.zeroPoint[0] ?? 0),
    outputOffset: zy,
    multiplier,
    shift,
    actMin: range.min,
    actMax: range.max,
  };
}

interface Int8Setup {
  readonly layer: ClusterLayer;
  readonly geom: PlaneGeometry;
  readonly rq: Int8Requantization;
  readonly batches: number;
  readonly channels: number;
  readonly perGroup: number;
}

function setup(ctx: KernelPrepareContext<ClusterConvAttrs>, rounding: RoundingMode): Int8Setup {
  const { node, attrs, inputs, outputs } = ctx;
  const layer = readClusterLayer(inputs, attrs, node.name);
  const [batches, h, w, c] = inputs[0]!.shape as [number, number, number, number];
  return {
    layer,
    geom: planeGeometry(h, w, layer.kh, layer.kw, attrs, node.name),
    rq: int8Requantization(inputs, outputs[0]!, attrs, rounding),
    batches,
    channels: c,
    perGroup: layer.outC / attrs.groups,
  };
}

/** The int8 cluster.conv2d kernels for a rounding mode (TFLite's default double rounding, or single). */
export function int8ClusterKernels(rounding: RoundingMode = "double"): KernelDef[] {
  const mbqm = multiplyByQuantizedMultiplierFor(rounding);

  const decode = defineKernel(clusterConv2dOp, {
    name: "cluster/int8-decode-then-conv",
    supports: (ctx) => ctx.attrs.algorithm === "decode-then-conv" && isInt8ClusterConv(ctx),
    prepare(ctx) {
      const { layer, geom, rq, batches, channels, perGroup } = setup(ctx, rounding);
      const weights = decodeWeights(layer, ctx.node.name) as Int8Array;
      const { outC, inC, kh, kw } = layer;
      const {
        inH,
        inW,
        outH,
        outW,
        strideH,
        strideW,
        dilationH,
        dilationW,
        padTop,
        padLeft,
        kyLo,
        kyHi,
        kxLo,
        kxHi,
      } = geom;
      return ({ inputs: [xv, , , , , bv], outputs: [yv] }) => {
        const x = xv!.data as Int8Array;
        const bias = bv?.data as Int32Array | undefined;
        const y = yv!.data as Int8Array;
        let out = 0;
        for (let b = 0; b < batches; b++) {
          for (let oy = 0; oy < outH; oy++) {
            const iy0 = oy * strideH - padTop;
            for (let ox = 0; ox < outW; ox++) {
              const ix0 = ox * strideW - padLeft;
              for (let o = 0; o < outC; o++) {
                const xc = Math.floor(o / perGroup) * inC;
                let acc = 0;
                for (let ky = kyLo[oy]!; ky < kyHi[oy]!; ky++) {
                  const iy = iy0 + ky * dilationH;
                  for (let kx = kxLo[ox]!; kx < kxHi[ox]!; kx++) {
                    const xb = ((b * inH + iy) * inW + ix0 + kx * dilationW) * channels + xc;
                    const wb = ((o * kh + ky) * kw + kx) * inC;
                    for (let i = 0; i < inC; i++)
                      acc = (acc + weights[wb + i]! * (x[xb + i]! + rq.inputOffset)) | 0;
                  }
                }
                if (bias !== undefined) acc = (acc + bias[o]!) | 0;
                const v = mbqm(acc, rq.multiplier[o]!, rq.shift[o]!) + rq.outputOffset;
                y[out++] = v < rq.actMin ? rq.actMin : v > rq.actMax ? rq.actMax : v;
              }
            }
          }
        }
      };
    },
  });

  const add = defineKernel(clusterConv2dOp, {
    name: "cluster/int8-add-then-conv",
    supports: (ctx) => ctx.attrs.algorithm === "add-then-conv" && isInt8ClusterConv(ctx),
    prepare(ctx) {
      const { layer, geom, rq, batches, channels, perGroup } = setup(ctx, rounding);
      const plan = addThenConvPlan(
        layer.indices,
        layer.kernelTransform,
        layer.outC,
        layer.inC,
        layer.transforms.count,
      );
      const table = Int32Array.from(transformedCodebook(layer));
      const { taps, outC, inC } = layer;
      const hw = geom.inH * geom.inW;
      const outHW = geom.outH * geom.outW;
      const planar = new Int32Array(channels * hw);
      const sum = new Int32Array(hw);
      const acc = new Int32Array(outHW);
      const kernel = new Int32Array(taps);
      const factors = layer.scales;
      return ({ inputs: [xv, , , , , bv], outputs: [yv] }) => {
        const x = xv!.data as Int8Array;
        const bias = bv?.data as Int32Array | undefined;
        const y = yv!.data as Int8Array;
        for (let b = 0; b < batches; b++) {
          const xb = b * hw * channels;
          for (let p = 0; p < hw; p++) {
            for (let ch = 0; ch < channels; ch++)
              planar[ch * hw + p] = x[xb + p * channels + ch]! + rq.inputOffset;
          }
          const yb = b * outHW * outC;
          for (let o = 0; o < outC; o++) {
            const chBase = Math.floor(o / perGroup) * inC;
            acc.fill(0);
            for (let g = plan.groupStart[o]!; g < plan.groupStart[o + 1]!; g++) {
              const key = plan.groupKey[g]!;
              const m0 = plan.memberStart[g]!;
              const m1 = plan.memberStart[g + 1]!;
              if (m1 - m0 === 1) {
                const i = plan.members[m0]!;
                const a = factors[o * inC + i]!;
                for (let j = 0; j < taps; j++) kernel[j] = a * table[key * taps + j]!;
                convPlaneInt(geom, planar, (chBase + i) * hw, kernel, 0, acc);
              } else {
                sum.fill(0);
                for (let m = m0; m < m1; m++) {
                  const i = plan.members[m]!;
                  const a = factors[o * inC + i]!;
                  const src = (chBase + i) * hw;
                  for (let p = 0; p < hw; p++) sum[p] = (sum[p]! + a * planar[src + p]!) | 0;
                }
                convPlaneInt(geom, sum, 0, table, key * taps, acc);
              }
            }
            const bo = bias === undefined ? 0 : bias[o]!;
            const m = rq.multiplier[o]!;
            const s = rq.shift[o]!;
            for (let p = 0; p < outHW; p++) {
              const v = mbqm((acc[p]! + bo) | 0, m, s) + rq.outputOffset;
              y[yb + p * outC + o] = v < rq.actMin ? rq.actMin : v > rq.actMax ? rq.actMax : v;
            }
          }
        }
      };
    },
  });
  return [add, decode];
}
