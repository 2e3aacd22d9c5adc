/**
 * C kernels of `cluster.conv2d` for @mcu/codegen-c (its C-kernel contract; types only, nothing
 * of that package is needed at run time). The weights stay compressed in flash exactly as
 * storage.ts counts them: packed codes, scales in their format, the codebook once per model.
 *
 * Variants match the TS kernels: `cluster/float32-add-then-conv`, `cluster/float32-decode-then-conv`,
 * `cluster/int8-add-then-conv`, `cluster/int8-decode-then-conv`; the node's `algorithm` picks one.
 * The int8 ones produce the TS kernels' bytes (integer arithmetic, TFLite's requantization); the
 * float ones accumulate in float32 and agree with the TS kernels to rounding.
 */
import type { CEmitContext, CKernelContext, CKernelDef, CScratchRequest, CSupportCode } from "@mcu/codegen-c";
import { type RoundingMode, window2d } from "@mcu/tensor";
import { bitsFor, packBits } from "../bit-packing.js";
import type { ClusterConvAttrs } from "../cluster-conv-op.js";
import { type ClusterLayer, decodeWeights, readClusterLayer } from "../cluster-layer.js";
import { isFloatClusterConv } from "../kernels/float-kernels.js";
import { int8Requantization, isInt8ClusterConv } from "../kernels/int8-kernels.js";
import { encodeFloat16, encodeLog8, log8Max } from "../scale-formats.js";
import { clusterFloatAdd, clusterFloatDecode, clusterInt8Add, clusterInt8Decode } from "./support.js";

type Ctx = CKernelContext<ClusterConvAttrs>;
type EmitCtx = CEmitContext<ClusterConvAttrs>;

const SCALE_CODES: Readonly<Record<string, number>> = { float32: 0, fp16: 1, log8: 2, int8: 3 };
const CODEBOOK_CODES: Readonly<Record<string, number>> = { float32: 0, fp16: 1, int8: 2 };

function layerOf(ctx: Ctx): ClusterLayer {
  return readClusterLayer(ctx.inputs, ctx.attrs, ctx.node.name);
}

function codeBitsOf(layer: ClusterLayer): { readonly indexBits: number; readonly codeBits: number } {
  const indexBits = bitsFor(layer.k);
  return {
    indexBits,
    codeBits: indexBits + (layer.kernelTransform === undefined ? 0 : bitsFor(layer.transforms.count)),
  };
}

/** The codes of every kernel, index in the low bits and transform above, packed LSB first. */
function packedCodes(layer: ClusterLayer): Uint8Array {
  const { indexBits, codeBits } = codeBitsOf(layer);
  const codes = new Uint32Array(layer.indices.length);
  for (let n = 0; n < codes.length; n++) {
    codes[n] =
      layer.indices[n]! +
      (layer.kernelTransform === undefined ? 0 : layer.kernelTransform[n]! * 2 ** indexBits);
  }
  return packBits(codes, codeBits);
}

/** A C identifier unique to a tensor name (its characters kept where legal, plus a hash). */
function tensorIdent(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return `${name.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 40)}_${h.toString(16)}`;
}

/** The codebook as a C expression, and the shared code declaring it when it is re-encoded. */
function codebookArray(
  ctx: EmitCtx,
  layer: ClusterLayer,
): { readonly expr: string; readonly support: CSupportCode[] } {
  if (ctx.attrs.codebookFormat !== "fp16") return { expr: ctx.input(1), support: [] };
  // A binary16 codebook: one array per codebook tensor, however many nodes share it.
  const tensor = ctx.node.inputs[1]!;
  const name = `mcu_cluster_cb_${tensorIdent(tensor)}`;
  const bits = encodeFloat16(layer.codebook);
  const rows: string[] = [];
  for (let i = 0; i < bits.length; i += 16)
    rows.push(`  ${Array.from(bits.subarray(i, i + 16)).join(", ")},`);
  return {
    expr: name,
    support: [
      {
        id: `cluster/codebook/${tensor}`,
        code: `\nstatic const uint16_t ${name}[${bits.length}] = {\n${rows.join("\n")}\n};`,
      },
    ],
  };
}

/** The scales as a C array in their storage format; log8 also gives the layer maximum. */
function scaleArray(ctx: EmitCtx, layer: ClusterLayer): { readonly expr: string; readonly max: number } {
  const format = ctx.attrs.scaleFormat;
  if (format === "int8") return { expr: ctx.constArray("factors", "int8_t", layer.scales), max: 0 };
  if (format === "fp16")
    return { expr: ctx.constArray("scales", "uint16_t", encodeFloat16(layer.scales)), max: 0 };
  if (format === "log8") {
    const max = log8Max(layer.scales);
    return { expr: ctx.constArray("scales", "int8_t", encodeLog8(layer.scales, max)), max };
  }
  return { expr: ctx.constArray("scales", "float", layer.scales), max: 0 };
}

function activationCode(act: string): number {
  return act === "RELU" ? 1 : act === "RELU6" ? 2 : act === "RELU_N1_TO_1" ? 3 : 0;
}

/** `static const mcu_cluster_t <symbol>_p = {...}` for the node. */
function descriptor(
  ctx: EmitCtx,
  layer: ClusterLayer,
  scaleMax: number,
): { readonly name: string; readonly decl: string } {
  const [n, h, w, c] = ctx.inputs[0]!.shape as [number, number, number, number];
  const a = ctx.attrs;
  const win = window2d(h, w, layer.kh, layer.kw, a.strides, a.dilations, a.padding, a.pads, ctx.node.name);
  const { indexBits, codeBits } = codeBitsOf(layer);
  const ints = [
    n,
    h,
    w,
    c,
    win.outH,
    win.outW,
    layer.outC,
    layer.kh,
    layer.kw,
    a.strides[0]!,
    a.strides[1]!,
    a.dilations[0]!,
    a.dilations[1]!,
    win.padTop,
    win.padLeft,
    a.groups,
    layer.inC,
    ...paddedPlane(h, w, layer, a, ctx.node.name),
    codeBits,
    indexBits,
    2 ** codeBits,
    SCALE_CODES[a.scaleFormat]!,
    CODEBOOK_CODES[a.codebookFormat]!,
  ];
  const name = `${ctx.symbol}_p`;
  return {
    name,
    decl: `static const mcu_cluster_t ${name} = {${ints.join(", ")}, ${ctx.literal(scaleMax, "float")}, ${activationCode(a.fusedActivation)}};`,
  };
}

/** The padded input plane of add-then-conv: every window of every output pixel inside it. */
function paddedPlane(
  h: number,
  w: number,
  layer: ClusterLayer,
  a: ClusterConvAttrs,
  node: string,
): [number, number] {
  const win = window2d(h, w, layer.kh, layer.kw, a.strides, a.dilations, a.padding, a.pads, node);
  const rows = Math.max(
    win.padTop + h,
    (win.outH - 1) * a.strides[0]! + (layer.kh - 1) * a.dilations[0]! + 1,
  );
  const cols = Math.max(
    win.padLeft + w,
    (win.outW - 1) * a.strides[1]! + (layer.kw - 1) * a.dilations[1]! + 1,
  );
  return [rows, cols];
}

function outputPixels(
  ctx: Ctx,
  layer: ClusterLayer,
): { readonly inPixels: number; readonly outPixels: number } {
  const [, h, w] = ctx.inputs[0]!.shape as [number, number, number, number];
  const a = ctx.attrs;
  const win = window2d(h, w, layer.kh, layer.kw, a.strides, a.dilations, a.padding, a.pads, ctx.node.name);
  return { inPixels: h * w, outPixels: win.outH * win.outW };
}

/** Scratch of add-then-conv: the group plane, the accumulator plane, the grouping lists, one kernel. */
function addScratch(ctx: Ctx): CScratchRequest[] {
  const layer = layerOf(ctx);
  const { outPixels } = outputPixels(ctx, layer);
  const { codeBits } = codeBitsOf(layer);
  const [, h, w] = ctx.inputs[0]!.shape as [number, number, number, number];
  const [rows, cols] = paddedPlane(h, w, layer, ctx.attrs, ctx.node.name);
  return [
    { name: "plane", bytes: 4 * rows * cols },
    { name: "acc", bytes: 4 * outPixels },
    { name: "head", bytes: 2 * 2 ** codeBits },
    { name: "next", bytes: 2 * layer.inC },
    { name: "order", bytes: 2 * layer.inC },
    { name: "kernel", bytes: 4 * layer.taps },
  ];
}

function fits(ctx: Ctx): boolean {
  const layer = layerOf(ctx);
  return codeBitsOf(layer).codeBits <= 15 && layer.inC <= 32767;
}

function floatSupports(algorithm: string) {
  return (ctx: Ctx): boolean =>
    ctx.attrs.algorithm === algorithm &&
    ctx.attrs.fusedActivation !== "TANH" &&
    isFloatClusterConv(ctx) &&
    fits(ctx);
}

function int8Supports(algorithm: string) {
  return (ctx: Ctx): boolean => ctx.attrs.algorithm === algorithm && isInt8ClusterConv(ctx) && fits(ctx);
}

/** The common arguments: input, codes, scales, codebook, bias, output, descriptor. */
function commonArgs(ctx: EmitCtx, layer: ClusterLayer) {
  const cb = codebookArray(ctx, layer);
  const scales = scaleArray(ctx, layer);
  const desc = descriptor(ctx, layer, scales.max);
  const codes = ctx.constArray("codes", "uint8_t", packedCodes(layer));
  const bias = ctx.inputs[5] !== undefined ? ctx.input(5) : "NULL";
  return {
    support: cb.support,
    declarations: [desc.decl],
    args: `${ctx.input(0)}, ${codes}, ${scales.expr}, ${cb.expr}, ${bias}, ${ctx.output(0)}, &${desc.name}`,
  };
}

/** `static const mcu_cluster_q_t <symbol>_q` with the per-channel multipliers and shifts. */
function requantDecl(ctx: EmitCtx, rounding: RoundingMode): { readonly name: string; readonly decl: string } {
  const rq = int8Requantization(ctx.inputs, ctx.outputs[0]!, ctx.attrs, rounding);
  const m = ctx.constArray("multiplier", "int32_t", rq.multiplier);
  const s = ctx.constArray("shift", "int32_t", rq.shift);
  const name = `${ctx.symbol}_q`;
  return {
    name,
    decl: `static const mcu_cluster_q_t ${name} = {${rq.inputOffset}, ${rq.outputOffset}, ${rq.actMin}, ${rq.actMax}, ${m}, ${s}};`,
  };
}

/** The C kernels of cluster.conv2d for a requantization rounding mode. */
export function clusterCKernels(rounding: RoundingMode = "double"): CKernelDef[] {
  const floatDecode: CKernelDef<ClusterConvAttrs> = {
    op: "cluster.conv2d",
    variant: "cluster/float32-decode-then-conv",
    supports: floatSupports("decode-then-conv"),
    scratch: (ctx) => [{ name: "w", bytes: 4 * layerOf(ctx).taps * layerOf(ctx).inC }],
    emit(ctx) {
      const layer = layerOf(ctx);
      const c = commonArgs(ctx, layer);
      return {
        support: [clusterFloatDecode, ...c.support],
        declarations: c.declarations.join("\n"),
        code: `mcu_cluster_conv_decode_f32(${c.args}, (float *)${ctx.scratch("w")});`,
      };
    },
  };
  const floatAdd: CKernelDef<ClusterConvAttrs> = {
    op: "cluster.conv2d",
    variant: "cluster/float32-add-then-conv",
    supports: floatSupports("add-then-conv"),
    scratch: addScratch,
    emit(ctx) {
      const layer = layerOf(ctx);
      const c = commonArgs(ctx, layer);
      const s = (n: string, t: string) => `(${t} *)${ctx.scratch(n)}`;
      return {
        support: [clusterFloatAdd, ...c.support],
        declarations: c.declarations.join("\n"),
        code: `mcu_cluster_conv_add_f32(${c.args}, ${s("plane", "float")}, ${s("acc", "float")}, ${s("head", "int16_t")}, ${s("next", "int16_t")}, ${s("order", "int16_t")}, ${s("kernel", "float")});`,
      };
    },
  };
  const int8Decode: CKernelDef<ClusterConvAttrs> = {
    op: "cluster.conv2d",
    variant: "cluster/int8-decode-then-conv",
    supports: int8Supports("decode-then-conv"),
    scratch: (ctx) => [{ name: "w", bytes: layerOf(ctx).taps * layerOf(ctx).inC }],
    emit(ctx) {
      const layer = layerOf(ctx);
      decodeWeights(layer, ctx.node.name); // the products must fit int8 (MCU_E_CLUSTER_DATA otherwise)
      const c = commonArgs(ctx, layer);
      const q = requantDecl(ctx, rounding);
      return {
        support: [clusterInt8Decode(rounding), ...c.support],
        declarations: [...c.declarations, q.decl].join("\n"),
        code: `mcu_cluster_conv_decode_i8(${c.args}, &${q.name}, (int8_t *)${ctx.scratch("w")});`,
      };
    },
  };
  const int8Add: CKernelDef<ClusterConvAttrs> = {
    op: "cluster.conv2d",
    variant: "cluster/int8-add-then-conv",
    supports: int8Supports("add-then-conv"),
    scratch: addScratch,
    emit(ctx) {
      const layer = layerOf(ctx);
      decodeWeights(layer, ctx.node.name);
      const c = commonArgs(ctx, layer);
      const q = requantDecl(ctx, rounding);
      const s = (n: string, t: string) => `(${t} *)${ctx.scratch(n)}`;
      return {
        support: [clusterInt8Add(rounding), ...c.support],
        declarations: [...c.declarations, q.decl].join("\n"),
        code: `mcu_cluster_conv_add_i8(${c.args}, &${q.name}, ${s("plane", "int32_t")}, ${s("acc", "uint32_t")}, ${s("head", "int16_t")}, ${s("next", "int16_t")}, ${s("order", "int16_t")}, ${s("kernel", "int32_t")});`,
      };
    },
  };
  return [floatAdd, floatDecode, int8Add, int8Decode] as unknown as CKernelDef[];
}
