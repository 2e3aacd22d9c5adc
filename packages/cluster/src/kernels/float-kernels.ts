/**
 * Float32 TS kernels of `cluster.conv2d`:
 * - `cluster/float32-decode-then-conv`, the reference: the kernels are decoded once into dense
 *   OHWI float32 weights and the core float32 convolution of @mcu/tensor runs on them;
 * - `cluster/float32-add-then-conv`: per output channel and (centroid, transform) group, the
 *   scaled input planes are summed and convolved once with the transformed centroid.
 * Both accumulate in double precision; they agree to rounding (the tests hold them to 1e-5).
 */
import {
  applyActivation,
  conv2dOp,
  coreKernels,
  defineKernel,
  type FusedActivation,
  InternalError,
  type KernelDef,
  type KernelPrepareContext,
  type TensorInfo,
  type Value,
} from "@mcu/tensor";
import { addThenConvPlan } from "../add-then-conv-plan.js";
import { clusterConv2dOp } from "../cluster-conv-op.js";
import { decodeWeights, readClusterLayer, transformedCodebook } from "../cluster-layer.js";
import { convPlaneFloat, planeGeometry } from "./plane-conv.js";

/** True for a float32 cluster.conv2d: float32 activations, codebook and scales, no quantization. */
export function isFloatClusterConv(ctx: KernelPrepareContext): boolean {
  const float = (t: TensorInfo | undefined): boolean =>
    t === undefined || (t.dtype === "float32" && t.quant === undefined);
  const [x, codebook, , scales, , bias] = ctx.inputs;
  return float(x) && float(codebook) && float(scales) && float(bias) && ctx.outputs.every(float);
}

const coreConvFloat32 = coreKernels.find((k) => k.op === conv2dOp.name && k.name === "core/float32");

/** Decode-then-conv on float32: dense weights, then @mcu/tensor's float32 conv2d kernel. */
export const clusterConvFloat32Decode: KernelDef = defineKernel(clusterConv2dOp, {
  name: "cluster/float32-decode-then-conv",
  supports: (ctx) => ctx.attrs.algorithm === "decode-then-conv" && isFloatClusterConv(ctx),
  prepare({ node, attrs, inputs, outputs }) {
    if (coreConvFloat32 === undefined)
      throw new InternalError("@mcu/tensor has no core/float32 conv2d kernel");
    const layer = readClusterLayer(inputs, attrs, node.name);
    const weights: Value = {
      name: `${node.name}:decoded`,
      shape: [layer.outC, layer.kh, layer.kw, layer.inC],
      dtype: "float32",
      data: decodeWeights(layer, node.name),
    };
    const convAttrs = {
      strides: attrs.strides,
      dilations: attrs.dilations,
      padding: attrs.padding,
      pads: attrs.pads,
      fusedActivation: attrs.fusedActivation,
      groups: attrs.groups,
    };
    const run = coreConvFloat32.prepare({
      node: { ...node, op: conv2dOp.name, attrs: convAttrs },
      attrs: convAttrs,
      inputs: [inputs[0], weights, inputs[5]],
      outputs,
    });
    return ({ inputs: [x, , , , , bias], outputs: ys }) => run({ inputs: [x, weights, bias], outputs: ys });
  },
});

/** Add-then-conv on float32. */
export const clusterConvFloat32Add: KernelDef = defineKernel(clusterConv2dOp, {
  name: "cluster/float32-add-then-conv",
  supports: (ctx) => ctx.attrs.algorithm === "add-then-conv" && isFloatClusterConv(ctx),
  prepare({ node, attrs, inputs }) {
    const layer = readClusterLayer(inputs, attrs, node.name);
    const [batches, h, w, c] = inputs[0]!.shape as [number, number, number, number];
    const geom = planeGeometry(h, w, layer.kh, layer.kw, attrs, node.name);
    const plan = addThenConvPlan(
      layer.indices,
      layer.kernelTransform,
      layer.outC,
      layer.inC,
      layer.transforms.count,
    );
    const table = transformedCodebook(layer);
    const { taps, outC, inC } = layer;
    const perGroup = outC / attrs.groups;
    const hw = h * w;
    const outHW = geom.outH * geom.outW;
    const planar = new Float32Array(c * hw);
    const sum = new Float64Array(hw);
    const acc = new Float64Array(outHW);
    const kernel = new Float64Array(taps);
    const scales = layer.scales;
    const act: FusedActivation = attrs.fusedActivation;
    return ({ inputs: [xv, , , , , bv], outputs: [yv] }) => {
      const x = xv!.data as Float32Array;
      const bias = bv?.data as Float32Array | undefined;
      const y = yv!.data as Float32Array;
      for (let b = 0; b < batches; b++) {
        // Channel-major copy of the input: each plane contiguous.
        const xb = b * hw * c;
        for (let p = 0; p < hw; p++) for (let ch = 0; ch < c; ch++) planar[ch * hw + p] = x[xb + p * c + ch]!;
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
              const s = scales[o * inC + i]!;
              for (let j = 0; j < taps; j++) kernel[j] = s * table[key * taps + j]!;
              convPlaneFloat(geom, planar, (chBase + i) * hw, kernel, 0, acc);
            } else {
              sum.fill(0);
              for (let m = m0; m < m1; m++) {
                const i = plan.members[m]!;
                const s = scales[o * inC + i]!;
                const src = (chBase + i) * hw;
                for (let p = 0; p < hw; p++) sum[p] = sum[p]! + s * planar[src + p]!;
              }
              convPlaneFloat(geom, sum, 0, table, key * taps, acc);
            }
          }
          const bo = bias === undefined ? 0 : bias[o]!;
          for (let p = 0; p < outHW; p++) y[yb + p * outC + o] = applyActivation(acc[p]! + bo, act);
        }
      }
    };
  },
});

/** The float32 kernels of cluster.conv2d. */
export const floatClusterKernels: readonly KernelDef[] = [clusterConvFloat32Add, clusterConvFloat32Decode];
