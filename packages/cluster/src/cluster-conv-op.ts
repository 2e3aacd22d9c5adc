/**
 * `cluster.conv2d`: a 2-D convolution whose kernels are stored clustered (Son, Nah, Lee, ECCV
 * 2018). Kernel (o, i) — the kh×kw slice of output channel o and input channel i of its group —
 * is s[o,i] · T_t[o,i](C[idx[o,i]]): a centroid of the codebook, transformed by one of the
 * window's symmetries (transform-invariant clustering) and scaled.
 *
 * Inputs: x (NHWC), codebook [K, kh, kw], indices [O, I], scales [O, I], transforms? [O, I],
 * bias? [O]. Float32 model: float32 codebook and scales (values exact in their storage format).
 * Int8 model: int8 activations, int8 codebook (integer centroids), int8 scales (integer factors)
 * whose per-axis quantization (axis 0) is the decoded weights' per-channel scale, int32 bias.
 */
import {
  type AttrsOf,
  attr,
  defineOp,
  formatShape,
  fusedActivationAttr,
  McuError,
  numElements,
  PADDINGS,
  window2d,
} from "@mcu/tensor";
import { addThenConvMacs, addThenConvPlan } from "./add-then-conv-plan.js";
import { clusterConvStorage } from "./storage.js";
import { kernelTransforms } from "./transforms.js";

/** How the clustered convolution is computed. */
export const CLUSTER_ALGORITHMS = ["add-then-conv", "decode-then-conv"] as const;
/** Storage formats of the per-kernel scales. */
export const SCALE_FORMATS = ["float32", "fp16", "log8", "int8"] as const;
/** Storage formats of the codebook. */
export const CODEBOOK_FORMATS = ["float32", "fp16", "int8"] as const;

/** A storage format of the per-kernel scales. */
export type ScaleFormat = (typeof SCALE_FORMATS)[number];
/** A storage format of the codebook. */
export type CodebookFormat = (typeof CODEBOOK_FORMATS)[number];

/** The attributes of a `cluster.conv2d` node. */
export const clusterConvAttrs = {
  strides: attr.ints([1, 1], "[strideH, strideW]"),
  dilations: attr.ints([1, 1], "[dilationH, dilationW]"),
  padding: attr.enum(PADDINGS, "VALID"),
  pads: attr.ints([0, 0, 0, 0], "[top, bottom, left, right], used with EXPLICIT padding"),
  fusedActivation: fusedActivationAttr,
  groups: attr.int(1),
  algorithm: attr.enum(
    CLUSTER_ALGORITHMS,
    "add-then-conv",
    "add-then-conv, or the decode-then-conv reference",
  ),
  scaleFormat: attr.enum(SCALE_FORMATS, "fp16", "how the per-kernel scales are stored"),
  codebookFormat: attr.enum(CODEBOOK_FORMATS, "fp16", "how the codebook is stored"),
  codebookOwner: attr.bool(true, "false when an earlier node already stores this (shared) codebook"),
} as const;

/** The attributes of a `cluster.conv2d` node, typed. */
export type ClusterConvAttrs = AttrsOf<typeof clusterConvAttrs>;

/** The op contract of a clustered convolution. */
export const clusterConv2dOp = defineOp({
  name: "cluster.conv2d",
  doc: "2-D convolution with clustered kernels: w[o,:,:,i] = scales[o,i] · T_transforms[o,i](codebook[indices[o,i]]).",
  attrs: clusterConvAttrs,
  inputs: ["x", "codebook", "indices", "scales", "transforms?", "bias?"],
  inferShape({ node, inputs: [x, codebook, indices, scales, transforms, bias], attrs }) {
    const fail = (msg: string): never => {
      throw new McuError("MCU_E_SHAPE", `cluster.conv2d: ${msg}`, { node });
    };
    if (x!.shape.length !== 4) fail(`input must be NHWC, got ${formatShape(x!.shape)}`);
    if (codebook!.shape.length !== 3)
      fail(`codebook must be [K, kh, kw], got ${formatShape(codebook!.shape)}`);
    if (indices!.shape.length !== 2) fail(`indices must be [O, I], got ${formatShape(indices!.shape)}`);
    const [n, h, w, c] = x!.shape as [number, number, number, number];
    const [, kh, kw] = codebook!.shape as [number, number, number];
    const [o, i] = indices!.shape as [number, number];
    const g = attrs.groups;
    if (!(g >= 1 && c === i * g && o % g === 0)) {
      fail(
        `${g} group(s): input ${formatShape(x!.shape)} and indices ${formatShape(indices!.shape)} disagree`,
      );
    }
    for (const [name, t] of [
      ["scales", scales],
      ["transforms", transforms],
    ] as const) {
      if (t !== undefined && (t.shape.length !== 2 || t.shape[0] !== o || t.shape[1] !== i)) {
        fail(`${name} must be [${o}, ${i}], got ${formatShape(t.shape)}`);
      }
    }
    if (bias !== undefined && numElements(bias.shape) !== o) fail(`bias must have ${o} values`);
    const win = window2d(h, w, kh, kw, attrs.strides, attrs.dilations, attrs.padding, attrs.pads, node);
    return [{ shape: [n, win.outH, win.outW, o] }];
  },
  macs(ctx) {
    const [x, codebook, indices, , transforms] = ctx.inputs;
    const [n, h, w] = x!.shape as [number, number, number, number];
    const [, kh, kw] = codebook!.shape as [number, number, number];
    const [o, i] = indices!.shape as [number, number];
    const [, oh, ow] = ctx.outputs[0]!.shape as [number, number, number, number];
    if (ctx.attrs.algorithm === "decode-then-conv" || indices!.data === undefined)
      return n * oh * ow * o * kh * kw * i;
    const nT = transforms === undefined ? 1 : kernelTransforms(kh, kw).count;
    const plan = addThenConvPlan(
      indices!.data as ArrayLike<number>,
      transforms?.data as ArrayLike<number> | undefined,
      o,
      i,
      nT,
    );
    return n * addThenConvMacs(plan, h * w, oh * ow, kh * kw);
  },
  paramBytes: (ctx): number => clusterConvStorage(ctx).total,
});
