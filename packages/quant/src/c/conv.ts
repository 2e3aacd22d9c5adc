/**
 * int8 C kernels of conv2d, depthwise_conv2d and fully_connected, bit-exact with the TS kernels
 * (./kernels/conv.ts, depthwise-conv.ts, fully-connected.ts), whose precomputation they reuse:
 * multipliers, shifts, offsets and activation ranges come from prepareConvParams,
 * prepareDepthwiseConvParams and prepareFullyConnectedParams, so the C and the TS cannot
 * disagree on them.
 *
 * conv2d and fully_connected run on the gemm core (./gemm.ts); each output pixel's receptive
 * field is the input pixel itself for a 1x1 convolution (no copy), else it is gathered by
 * im2col into a scratch buffer, with the input zero point where the window leaves the image.
 * A depthwise convolution of one input channel is a conv2d with its weights re-laid.
 */
import type { CEmitContext, CKernelContext, CKernelDef, CSupportCode } from "@mcu/codegen-c";
import {
  conv2dOp,
  depthwiseConv2dOp,
  fullyConnectedOp,
  InternalError,
  type KernelPrepareContext,
  numElements,
  type TensorInfo,
} from "@mcu/tensor";
import { type ConvParams, prepareConvParams, supportsInt8Conv } from "../kernels/conv.js";
import { prepareDepthwiseConvParams } from "../kernels/depthwise-conv.js";
import { prepareFullyConnectedParams } from "../kernels/fully-connected.js";
import { type QuantKernelOptions, roundingOf } from "../kernels/options.js";
import type { RoundingMode } from "../multiplier.js";
import { isPerTensor, isQuantized, zeroPointOf } from "../quant-info.js";
import { biasRequantTable, dspGemm, type PackedGemm, packGemm, portableGemm } from "./gemm.js";
import { dwDspScratchBytes, dwDspSupports, emitDwDsp } from "./depthwise-dsp.js";
import { accumulatorBounds, fastRequantTable } from "./requant.js";
import { littleEndianCheck, requantSupport, wrapInt32 } from "./support.js";

/** Variant names of the int8 C kernels. */
export const INT8_C = "quant/int8";
export const INT8_DSP_C = "quant/int8-dsp";

const convType: CSupportCode = {
  id: "quant/conv-t",
  code: `
typedef struct {
  int32_t batches, in_h, in_w, in_c, out_h, out_w, out_c;
  int32_t k_h, k_w, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left;
  int32_t groups;
  int32_t direct;     /* 1: each patch is the input pixel itself (1x1, no padding, k % 4 == 0) */
  int32_t zero_point; /* the input's, written where a window leaves the image */
  int32_t row_words;  /* DSP, > 0: each window row (k_w * in_c bytes) padded to this many words in the patch */
} mcu_q_conv_t;`,
};

const im2col: CSupportCode = {
  id: "quant/im2col-s8",
  requires: [convType],
  code: `
/* The receptive field of output pixel p, group gi: k_h*k_w*(in_c/groups) int8 values, the input
   zero point outside the image, zero-padded to a multiple of 4. */
static const int8_t *mcu_q_patch(const int8_t *x, int32_t p, int32_t gi, const mcu_q_conv_t *c, int8_t *dst) {
  const int32_t ig = c->in_c / c->groups;
  const int32_t oy = p / c->out_w, ox = p - oy * c->out_w;
  const int32_t iy0 = oy * c->stride_h - c->pad_top, ix0 = ox * c->stride_w - c->pad_left;
  int8_t *d = dst;
  int32_t ky, kx;
  if (c->direct || dst == NULL) return x + (size_t)p * (size_t)c->in_c;
  if (c->groups == 1 && c->dil_w == 1 && iy0 >= 0 && iy0 + (c->k_h - 1) * c->dil_h < c->in_h && ix0 >= 0 &&
      ix0 + c->k_w - 1 < c->in_w) {
    /* The window inside the image, its rows contiguous: k_w * in_c bytes per row, copied by words. */
    const int32_t n = c->k_w * c->in_c;
    for (ky = 0; ky < c->k_h; ky++, d += n) {
      const int8_t *s = x + ((size_t)(iy0 + ky * c->dil_h) * (size_t)c->in_w + (size_t)ix0) * (size_t)c->in_c;
      int32_t i = 0;
      for (; i + 4 <= n; i += 4) {
        uint32_t v;
        memcpy(&v, s + i, 4);
        memcpy(d + i, &v, 4);
      }
      for (; i < n; i++) d[i] = s[i];
    }
    while (((d - dst) & 3) != 0) *d++ = 0;
    return dst;
  }
  for (ky = 0; ky < c->k_h; ky++) {
    const int32_t iy = iy0 + ky * c->dil_h;
    for (kx = 0; kx < c->k_w; kx++) {
      const int32_t ix = ix0 + kx * c->dil_w;
      if (iy >= 0 && iy < c->in_h && ix >= 0 && ix < c->in_w) {
        const int8_t *s = x + ((size_t)iy * (size_t)c->in_w + (size_t)ix) * (size_t)c->in_c + (size_t)(gi * ig);
        if (ig == 1) *d = *s;
        else memcpy(d, s, (size_t)ig);
      } else {
        memset(d, c->zero_point, (size_t)ig);
      }
      d += ig;
    }
  }
  while (((d - dst) & 3) != 0) *d++ = 0;
  return dst;
}`,
};

function convDriver(rounding: RoundingMode, dsp: boolean): CSupportCode {
  if (dsp) return dspConvDriver(rounding);
  return {
    id: `quant/conv-s8-c-${rounding}`,
    requires: [im2col, portableGemm(rounding)],
    code: `
/* int8 conv2d over the gemm core: pixels two at a time, group after group. */
static void mcu_q_conv_s8_c(const int8_t *x, int8_t *y, const mcu_q_conv_t *c, const mcu_q_gemm_t *g, int8_t *patch) {
  const int32_t pixels = c->out_h * c->out_w;
  const int32_t kp = 4 * g[0].kw;
  int32_t b, gi, p;
  for (b = 0; b < c->batches; b++) {
    const int8_t *xb = x + (size_t)b * (size_t)(c->in_h * c->in_w * c->in_c);
    int8_t *yb = y + (size_t)b * (size_t)pixels * (size_t)c->out_c;
    for (gi = 0; gi < c->groups; gi++) {
      const mcu_q_gemm_t *gg = &g[gi];
      int8_t *yg = yb + gi * gg->cout;
      for (p = 0; p + 1 < pixels; p += 2) {
        const int8_t *pa = mcu_q_patch(xb, p, gi, c, patch);
        const int8_t *pb = mcu_q_patch(xb, p + 1, gi, c, patch + kp);
        mcu_q_gemm_2px_c(pa, pb, yg + (size_t)p * (size_t)c->out_c, yg + (size_t)(p + 1) * (size_t)c->out_c, gg);
      }
      if (p < pixels) mcu_q_gemm_1px_c(mcu_q_patch(xb, p, gi, c, patch), yg + (size_t)p * (size_t)c->out_c, gg);
    }
  }
}`,
  };
}

/**
 * The DSP conv2d driver. Three ways to the gemm's widened words: a 1x1 convolution widens the
 * input pixels themselves; when a group's channels are a multiple of four the receptive field is
 * gathered and widened in one pass (no int8 patch; an odd last pixel runs as a pair with itself);
 * otherwise im2col into an int8 patch, then the gemm widens it.
 */
function dspConvDriver(rounding: RoundingMode): CSupportCode {
  return {
    id: `quant/conv-s8-dsp-${rounding}`,
    requires: [im2col, dspGemm(rounding)],
    code: `
/* The receptive field of output pixel p, group gi, widened (SXTB16 of bytes 0,2 and 1,3 of every
   word) into dst[0], dst[1], dst[4], dst[5], ...: the input channels of a group are a multiple of 4. */
static void mcu_q_patch_wide(const int8_t *x, int32_t p, int32_t gi, const mcu_q_conv_t *c, uint32_t *dst) {
  const int32_t ig = c->in_c / c->groups, words = ig >> 2;
  const int32_t oy = p / c->out_w, ox = p - oy * c->out_w;
  const int32_t iy0 = oy * c->stride_h - c->pad_top, ix0 = ox * c->stride_w - c->pad_left;
  const uint32_t zw = MCU_SXTB16((uint32_t)(uint8_t)c->zero_point * 0x01010101u);
  int32_t ky, kx, j;
  for (ky = 0; ky < c->k_h; ky++) {
    const int32_t iy = iy0 + ky * c->dil_h;
    for (kx = 0; kx < c->k_w; kx++) {
      const int32_t ix = ix0 + kx * c->dil_w;
      if (iy >= 0 && iy < c->in_h && ix >= 0 && ix < c->in_w) {
        const int8_t *s = x + ((size_t)iy * (size_t)c->in_w + (size_t)ix) * (size_t)c->in_c + (size_t)(gi * ig);
        for (j = 0; j < words; j++, dst += 4) {
          uint32_t v;
          memcpy(&v, s + 4 * j, 4);
          dst[0] = MCU_SXTB16(v);
          dst[1] = MCU_SXTB16_ROR8(v);
        }
      } else {
        for (j = 0; j < words; j++, dst += 4) {
          dst[0] = zw;
          dst[1] = zw;
        }
      }
    }
  }
}
/* The receptive field of output pixel p with each window row (k_w * in_c bytes, groups == 1) padded to
   row_words words, widened into dst[0], dst[1], dst[4], ...: a row inside the image is read as whole
   words (the padding bytes meet zero weights), other windows go through the int8 patch. */
static void mcu_q_patch_rows(const int8_t *x, int32_t p, const mcu_q_conv_t *c, int8_t *patch, uint32_t *dst) {
  const int32_t oy = p / c->out_w, ox = p - oy * c->out_w, rw = c->row_words, n = c->k_w * c->in_c;
  const int32_t iy0 = oy * c->stride_h - c->pad_top, ix0 = ox * c->stride_w - c->pad_left;
  int32_t ky, kx, j;
  /* Only layers in the row layout call this; the guard also keeps GCC from warning about the
     impossible sizes and null patch of clones specialized for other layers' descriptors. */
  if (rw <= 0 || patch == 0) return;
  if (iy0 >= 0 && iy0 + (c->k_h - 1) * c->dil_h < c->in_h && ix0 >= 0 && ix0 * c->in_c + 4 * rw <= c->in_w * c->in_c) {
    for (ky = 0; ky < c->k_h; ky++) {
      const int8_t *s = x + ((size_t)(iy0 + ky * c->dil_h) * (size_t)c->in_w + (size_t)ix0) * (size_t)c->in_c;
      for (j = 0; j < rw; j++, dst += 4) {
        uint32_t v;
        memcpy(&v, s + 4 * j, 4);
        dst[0] = MCU_SXTB16(v);
        dst[1] = MCU_SXTB16_ROR8(v);
      }
    }
    return;
  }
  for (ky = 0; ky < c->k_h; ky++) {
    const int32_t iy = iy0 + ky * c->dil_h;
    int8_t *d = patch + 4 * rw * ky;
    memset(d + n, 0, (size_t)(4 * rw - n));
    if (iy < 0 || iy >= c->in_h) {
      memset(d, c->zero_point, (size_t)n);
      continue;
    }
    for (kx = 0; kx < c->k_w; kx++, d += c->in_c) {
      const int32_t ix = ix0 + kx;
      if (ix >= 0 && ix < c->in_w) {
        const int8_t *s = x + ((size_t)iy * (size_t)c->in_w + (size_t)ix) * (size_t)c->in_c;
        for (j = 0; j < c->in_c; j++) d[j] = s[j];
      } else {
        for (j = 0; j < c->in_c; j++) d[j] = (int8_t)c->zero_point;
      }
    }
  }
  mcu_q_widen(patch, dst, rw * c->k_h, 4);
}
static void mcu_q_conv_s8_dsp(const int8_t *x, int8_t *y, const mcu_q_conv_t *c, const mcu_q_gemm_t *g,
                              int8_t *patch, uint32_t *xw) {
  const int32_t pixels = c->out_h * c->out_w;
  const int32_t kp = 4 * g[0].kw, wide = !c->direct && (c->in_c / c->groups) % 4 == 0;
  int32_t b, gi, p;
  for (b = 0; b < c->batches; b++) {
    const int8_t *xb = x + (size_t)b * (size_t)(c->in_h * c->in_w * c->in_c);
    int8_t *yb = y + (size_t)b * (size_t)pixels * (size_t)c->out_c;
    for (gi = 0; gi < c->groups; gi++) {
      const mcu_q_gemm_t *gg = &g[gi];
      int8_t *yg = yb + gi * gg->cout;
      if (c->row_words > 0) {
        for (p = 0; p < pixels; p += 2) {
          const int32_t q = p + 1 < pixels ? p + 1 : p;
          mcu_q_patch_rows(xb, p, c, patch, xw);
          mcu_q_patch_rows(xb, q, c, patch, xw + 2);
          mcu_q_gemm_2px_wide(yg + (size_t)p * (size_t)c->out_c, yg + (size_t)q * (size_t)c->out_c, gg, xw);
        }
        continue;
      }
      if (wide) {
        for (p = 0; p < pixels; p += 2) {
          const int32_t q = p + 1 < pixels ? p + 1 : p;
          mcu_q_patch_wide(xb, p, gi, c, xw);
          mcu_q_patch_wide(xb, q, gi, c, xw + 2);
          mcu_q_gemm_2px_wide(yg + (size_t)p * (size_t)c->out_c, yg + (size_t)q * (size_t)c->out_c, gg, xw);
        }
        continue;
      }
      for (p = 0; p + 1 < pixels; p += 2) {
        const int8_t *pa = mcu_q_patch(xb, p, gi, c, patch);
        const int8_t *pb = mcu_q_patch(xb, p + 1, gi, c, patch + kp);
        mcu_q_gemm_2px_dsp(pa, pb, yg + (size_t)p * (size_t)c->out_c, yg + (size_t)(p + 1) * (size_t)c->out_c, gg, xw);
      }
      if (p < pixels) mcu_q_gemm_1px_dsp(mcu_q_patch(xb, p, gi, c, patch), yg + (size_t)p * (size_t)c->out_c, gg);
    }
  }
}`,
  };
}

/** The geometry of a convolution as the C kernels see it. */
interface ConvGeometry {
  readonly p: ConvParams;
  /** Weights as [outC][K] rows (OHWI, per group K = kH·kW·filterInC). */
  readonly rows: ArrayLike<number>;
}

/** True when every output pixel's receptive field is its own input pixel: no im2col copy. */
function isDirect(p: ConvParams): boolean {
  const k = p.kH * p.kW * p.filterInC;
  return (
    p.kH === 1 &&
    p.kW === 1 &&
    p.padTop === 0 &&
    p.padLeft === 0 &&
    p.groups === 1 &&
    k % 4 === 0 &&
    p.strideH === 1 &&
    p.strideW === 1 &&
    p.outH === p.inH &&
    p.outW === p.inW
  );
}

/**
 * On the DSP, for a convolution with few input channels (not a multiple of 4, one group, no
 * horizontal dilation): the words per window row when each row of k_w·inC bytes is padded to whole
 * words in the patch — so a row inside the image is read as words straight from the input — provided
 * that costs no more multiply-accumulates than the packed patch; else 0.
 */
function rowWords(p: ConvParams, dsp: boolean): number {
  if (!dsp || isDirect(p) || p.groups !== 1 || p.filterInC % 4 === 0 || p.dilationW !== 1) return 0;
  const rw = Math.ceil((p.kW * p.inC) / 4);
  return p.kH * rw <= Math.ceil((p.kH * p.kW * p.inC) / 4) ? rw : 0;
}

/** Words per patch: ceil(K / 4), or k_h · row words in the row layout. */
function patchWords(p: ConvParams, dsp: boolean): number {
  const rw = rowWords(p, dsp);
  return rw > 0 ? p.kH * rw : Math.ceil((p.kH * p.kW * p.filterInC) / 4);
}

/**
 * Scratch of a convolution: the im2col patches (unless direct, or gathered widened on the DSP; one
 * row-layout patch for the windows at the border) and, on the DSP, two widened patches.
 */
function convScratch(p: ConvParams, dsp: boolean) {
  const kw = patchWords(p, dsp);
  const pairs = p.outH * p.outW >= 2;
  const rows = rowWords(p, dsp) > 0;
  const wide = dsp && !isDirect(p) && p.filterInC % 4 === 0;
  return [
    ...(isDirect(p) || wide ? [] : [{ name: "patch", bytes: (pairs && !rows ? 2 : 1) * 4 * kw }]),
    ...(dsp && (pairs || wide || rows) ? [{ name: "widened", bytes: 16 * kw }] : []),
  ];
}

/** The DSP requantization table of a convolution (gemm form), or undefined when not provably exact. */
function convFastTable(p: ConvParams, rows: ArrayLike<number>): Int32Array | undefined {
  const k = p.kH * p.kW * p.filterInC;
  const bounds = accumulatorBounds(rows, p.outC, k, p.bias);
  return fastRequantTable(p.multiplier, p.shift, p.outputOffset, bounds, "gemm");
}

/** Weights rows [oc][kH][kW·inC] with each window row zero-padded to `rw` words (one group). */
function rowPadded(rows: ArrayLike<number>, p: ConvParams, rw: number): Int8Array {
  const n = p.kW * p.inC;
  const out = new Int8Array(p.outC * p.kH * 4 * rw);
  for (let oc = 0; oc < p.outC; oc++) {
    for (let ky = 0; ky < p.kH; ky++) {
      for (let i = 0; i < n; i++) out[(oc * p.kH + ky) * 4 * rw + i] = rows[(oc * p.kH + ky) * n + i]!;
    }
  }
  return out;
}

/** Emits the descriptor, packed weights and call of an int8 convolution (groups ≥ 1). */
function emitConv(ctx: CEmitContext, geo: ConvGeometry, dsp: boolean, rounding: RoundingMode) {
  const { p } = geo;
  const rw = rowWords(p, dsp);
  // The row layout: weights [oc][ky][kx·inC] with each row zero-padded to rw words.
  const rows = rw > 0 ? rowPadded(geo.rows, p, rw) : geo.rows;
  const k = rw > 0 ? p.kH * 4 * rw : p.kH * p.kW * p.filterInC;
  const og = p.outC / p.groups;
  const direct = isDirect(p);
  const packs: PackedGemm[] = [];
  for (let gi = 0; gi < p.groups; gi++) {
    const slice = Array.from({ length: og * k }, (_, i) => rows[gi * og * k + i]!);
    const bias =
      p.bias !== undefined ? Array.from({ length: og }, (_, i) => p.bias![gi * og + i]!) : undefined;
    packs.push(packGemm(slice, og, k, bias, p.inputOffset));
  }
  const words = new Uint32Array(packs.reduce((s, q) => s + q.words.length, 0));
  let at = 0;
  const offsets = packs.map((q) => {
    words.set(q.words, at);
    at += q.words.length;
    return at - q.words.length;
  });
  const w = ctx.constArray("w", "uint32_t", words);
  const kw = packs[0]!.kw;
  let gemms: string[];
  if (dsp) {
    const table = convFastTable(p, geo.rows);
    if (table === undefined) {
      throw new InternalError("the DSP conv kernel was picked for a layer it cannot requantize");
    }
    const bq = ctx.constArray(
      "bq",
      "int32_t",
      Int32Array.from(
        packs.flatMap((q, gi) => Array.from(biasRequantTable(q.bias, table.subarray(3 * gi * og), og))),
      ),
    );
    gemms = packs.map(
      (_, gi) =>
        `{${k}, ${kw}, ${og}, ${p.outputOffset}, ${p.actMin}, ${p.actMax}, ${w} + ${offsets[gi]}, NULL, NULL, NULL, ${bq} + ${4 * gi * og}}`,
    );
  } else {
    const bias = ctx.constArray("bias", "int32_t", Int32Array.from(packs.flatMap((q) => Array.from(q.bias))));
    const mult = ctx.constArray("mult", "int32_t", p.multiplier);
    const shift = ctx.constArray("shift", "int32_t", p.shift);
    gemms = packs.map(
      (_, gi) =>
        `{${k}, ${kw}, ${og}, ${p.outputOffset}, ${p.actMin}, ${p.actMax}, ${w} + ${offsets[gi]}, ${bias} + ${gi * og}, ${mult} + ${gi * og}, ${shift} + ${gi * og}, NULL}`,
    );
  }
  const fields = [
    p.batches,
    p.inH,
    p.inW,
    p.inC,
    p.outH,
    p.outW,
    p.outC,
    p.kH,
    p.kW,
    p.strideH,
    p.strideW,
    p.dilationH,
    p.dilationW,
    p.padTop,
    p.padLeft,
    p.groups,
    direct ? 1 : 0,
    -p.inputOffset,
    rw,
  ];
  const sfx = dsp ? "dsp" : "c";
  const scratch = convScratch(p, dsp);
  return {
    support: [convType, convDriver(rounding, dsp)],
    declarations: [
      `static const mcu_q_conv_t ${ctx.symbol}_conv = {${fields.join(", ")}};`,
      `static const mcu_q_gemm_t ${ctx.symbol}_gemm[${p.groups}] = {\n  ${gemms.join(",\n  ")}\n};`,
    ].join("\n"),
    code: `mcu_q_conv_s8_${sfx}(${ctx.input(0)}, ${ctx.output(0)}, &${ctx.symbol}_conv, ${ctx.symbol}_gemm, ${scratch.some((q) => q.name === "patch") ? `(int8_t *)${ctx.scratch("patch")}` : "NULL"}${dsp ? `, ${scratch.some((q) => q.name === "widened") ? `(uint32_t *)${ctx.scratch("widened")}` : "NULL"}` : ""});`,
  };
}

/** True for a quantized weights tensor with constant data (the C kernels repack it). */
function constantWeights(t: TensorInfo | undefined): boolean {
  return t !== undefined && t.data !== undefined && t.dtype === "int8";
}

function constantBias(t: TensorInfo | undefined): boolean {
  return t === undefined || t.data !== undefined;
}

type Ctx = CKernelContext;

function int8ConvSupports(ctx: KernelPrepareContext, dsp: boolean, target: { dsp: boolean }): boolean {
  const [, w, b] = ctx.inputs;
  return (
    (!dsp || target.dsp) && supportsInt8Conv(ctx.inputs, ctx.outputs) && constantWeights(w) && constantBias(b)
  );
}

/** The int8 conv2d C kernels: portable and DSP. */
export function conv2dCKernels(options?: QuantKernelOptions): CKernelDef[] {
  const rounding = roundingOf(options);
  const make = (dsp: boolean): CKernelDef => ({
    op: conv2dOp.name,
    variant: dsp ? INT8_DSP_C : INT8_C,
    priority: dsp ? 10 : 0,
    supports: (ctx: Ctx) => {
      if (!int8ConvSupports(ctx, dsp, ctx.target)) return false;
      if (!dsp) return true;
      const [x, w, b] = ctx.inputs;
      const p = prepareConvParams(x!, w!, b, ctx.outputs[0]!, ctx.attrs as never, options);
      return convFastTable(p, w!.data as Int8Array) !== undefined;
    },
    scratch: (ctx: Ctx) => {
      const [x, w, b] = ctx.inputs;
      return convScratch(prepareConvParams(x!, w!, b, ctx.outputs[0]!, ctx.attrs as never, options), dsp);
    },
    emit: (ctx: CEmitContext) => {
      const [x, w, b] = ctx.inputs;
      const p = prepareConvParams(x!, w!, b, ctx.outputs[0]!, ctx.attrs as never, options);
      return emitConv(ctx, { p, rows: w!.data as Int8Array }, dsp, rounding);
    },
  });
  return [make(false), make(true)];
}

const depthwiseType: CSupportCode = {
  id: "quant/dw-t",
  code: `
typedef struct {
  int32_t batches, in_h, in_w, in_c, out_h, out_w, out_c;
  int32_t k_h, k_w, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left;
  int32_t mult;       /* depth multiplier */
  int32_t out_offset, act_min, act_max;
} mcu_q_dw_t;
#define MCU_Q_MAX_TAPS 64`,
};

/** Per output pixel, each tap's input pointer: the pixel under it, or a row of zero points outside the image. */
const tapPointers: CSupportCode = {
  id: "quant/dw-taps",
  requires: [depthwiseType],
  code: `
static void mcu_q_taps(const int8_t *x, int32_t oy, int32_t ox, const mcu_q_dw_t *d, const int8_t *zrow,
                       const int8_t **tp) {
  const int32_t iy0 = oy * d->stride_h - d->pad_top, ix0 = ox * d->stride_w - d->pad_left;
  int32_t ky, kx, t = 0;
  for (ky = 0; ky < d->k_h; ky++) {
    const int32_t iy = iy0 + ky * d->dil_h;
    for (kx = 0; kx < d->k_w; kx++, t++) {
      const int32_t ix = ix0 + kx * d->dil_w;
      tp[t] = (iy >= 0 && iy < d->in_h && ix >= 0 && ix < d->in_w)
                  ? x + ((size_t)iy * (size_t)d->in_w + (size_t)ix) * (size_t)d->in_c
                  : zrow;
    }
  }
}`,
};

function depthwiseSupport(rounding: RoundingMode): CSupportCode {
  const store = (indent: string) => `
${indent}{
${indent}  const int32_t r = mcu_q_rq((int32_t)acc, mult[o], shift[o]), lo = d->act_min - d->out_offset;
${indent}  const int32_t hi = d->act_max - d->out_offset;
${indent}  *y++ = (int8_t)((r < lo ? lo : (r > hi ? hi : r)) + d->out_offset);
${indent}}`;
  return {
    id: `quant/dw-s8-c-${rounding}`,
    requires: [tapPointers, requantSupport(rounding)],
    code: `
/* int8 depthwise: y[c*m+k] = clamp(MBQM(bias'[o] + sum_t w[t][o] * x_t[c]) + z_y); taps outside the image read
   the zero-point row, which bias' (bias - z_x * sum_t w) cancels. w is [k_h*k_w][out_c] int8. */
static void mcu_q_dw_s8_c(const int8_t *x, const int8_t *w, int8_t *y, const mcu_q_dw_t *d, const int32_t *bias,
                          const int32_t *mult, const int32_t *shift, const int8_t *zrow) {
  const int8_t *tp[MCU_Q_MAX_TAPS];
  const int32_t taps = d->k_h * d->k_w;
  int32_t b, oy, ox, c, k, t;
  for (b = 0; b < d->batches; b++) {
    const int8_t *xb = x + (size_t)b * (size_t)(d->in_h * d->in_w * d->in_c);
    for (oy = 0; oy < d->out_h; oy++) {
      for (ox = 0; ox < d->out_w; ox++) {
        mcu_q_taps(xb, oy, ox, d, zrow, tp);
        for (c = 0; c < d->in_c; c++) {
          for (k = 0; k < d->mult; k++) {
            const int32_t o = c * d->mult + k;
            uint32_t acc = (uint32_t)bias[o];
            for (t = 0; t < taps; t++) acc += (uint32_t)(w[t * d->out_c + o] * tp[t][c]);${store("            ")}
          }
        }
      }
    }
  }
}`,
  };
}

/** Folded depthwise bias: bias[o] + inputOffset · Σ_t w[t][o]. */
function foldDepthwiseBias(
  w: Int8Array,
  taps: number,
  outC: number,
  bias: Float64Array | undefined,
  inputOffset: number,
): Int32Array {
  return Int32Array.from({ length: outC }, (_, o) => {
    let s = 0;
    for (let t = 0; t < taps; t++) s += w[t * outC + o]!;
    return wrapInt32(BigInt(bias?.[o] ?? 0) + BigInt(inputOffset) * BigInt(s));
  });
}

/** The int8 depthwise_conv2d C kernels: portable, DSP (multiplier 1), and one input channel as a conv2d. */
export function depthwiseCKernels(options?: QuantKernelOptions): CKernelDef[] {
  const rounding = roundingOf(options);
  const params = (ctx: CKernelContext) => {
    const [x, w, b] = ctx.inputs;
    return prepareDepthwiseConvParams(x!, w!, b, ctx.outputs[0]!, ctx.attrs as never, options);
  };
  const base = (ctx: Ctx) =>
    int8ConvSupports(ctx, false, ctx.target) && ctx.inputs[1]!.shape[1]! * ctx.inputs[1]!.shape[2]! <= 64;
  const emitDepthwise = (ctx: CEmitContext) => {
    const p = params(ctx);
    const taps = p.kH * p.kW;
    const w = ctx.inputs[1]!.data as Int8Array;
    const bias = ctx.constArray("bias", "int32_t", foldDepthwiseBias(w, taps, p.outC, p.bias, p.inputOffset));
    const zrow = ctx.constArray("zrow", "int8_t", new Int8Array(p.inC).fill(-p.inputOffset));
    const mult = ctx.constArray("mult", "int32_t", p.multiplier);
    const shift = ctx.constArray("shift", "int32_t", p.shift);
    const fields = [
      p.batches,
      p.inH,
      p.inW,
      p.inC,
      p.outH,
      p.outW,
      p.outC,
      p.kH,
      p.kW,
      p.strideH,
      p.strideW,
      p.dilationH,
      p.dilationW,
      p.padTop,
      p.padLeft,
      p.depthMultiplier,
      p.outputOffset,
      p.actMin,
      p.actMax,
    ];
    return {
      support: [depthwiseSupport(rounding)],
      declarations: `static const mcu_q_dw_t ${ctx.symbol}_dw = {${fields.join(", ")}};`,
      code: `mcu_q_dw_s8_c(${ctx.input(0)}, ${ctx.input(1)}, ${ctx.output(0)}, &${ctx.symbol}_dw, ${bias}, ${mult}, ${shift}, ${zrow});`,
    };
  };
  // One input channel: a conv2d with weights [m][kH][kW][1] (OHWI) from [1][kH][kW][m].
  const asConvGeometry = (ctx: CKernelContext): ConvGeometry => {
    const p = params(ctx);
    const w = ctx.inputs[1]!.data as Int8Array;
    const taps = p.kH * p.kW;
    const rows = new Int8Array(p.outC * taps);
    for (let o = 0; o < p.outC; o++) for (let t = 0; t < taps; t++) rows[o * taps + t] = w[t * p.outC + o]!;
    return { p: { ...p, groups: 1, filterInC: 1 }, rows };
  };
  const asConv = (dsp: boolean): CKernelDef => ({
    op: depthwiseConv2dOp.name,
    variant: dsp ? `${INT8_DSP_C}-conv` : `${INT8_C}-conv`,
    priority: dsp ? 20 : 5,
    supports: (ctx: Ctx) =>
      int8ConvSupports(ctx, dsp, ctx.target) &&
      ctx.inputs[0]!.shape[3] === 1 &&
      (!dsp || convFastTable(asConvGeometry(ctx).p, asConvGeometry(ctx).rows) !== undefined),
    scratch: (ctx: Ctx) => convScratch(asConvGeometry(ctx).p, dsp),
    emit: (ctx: CEmitContext) => emitConv(ctx, asConvGeometry(ctx), dsp, rounding),
  });
  return [
    {
      op: depthwiseConv2dOp.name,
      variant: INT8_C,
      priority: 0,
      supports: base,
      emit: emitDepthwise,
    },
    {
      op: depthwiseConv2dOp.name,
      variant: INT8_DSP_C,
      priority: 10,
      supports: (ctx: Ctx) =>
        ctx.target.dsp && base(ctx) && dwDspSupports(params(ctx), ctx.inputs[1]!.data as Int8Array),
      scratch: (ctx: Ctx) => [{ name: "window", bytes: dwDspScratchBytes(params(ctx)) }],
      emit: (ctx: CEmitContext) => emitDwDsp(ctx, params(ctx), ctx.inputs[1]!.data as Int8Array, rounding),
    },
    asConv(false),
    asConv(true),
  ];
}

/** The int8 fully_connected C kernels (symmetric weights): the gemm core, one row per pixel. */
export function fullyConnectedCKernels(options?: QuantKernelOptions): CKernelDef[] {
  const rounding = roundingOf(options);
  const fcType: CSupportCode = {
    id: "quant/fc-t",
    requires: [littleEndianCheck],
    code: `
/* Rows of an int8 fully connected layer on the gemm core; a row whose length is not a multiple of
   4 is copied into the zero-padded patch buffer first. */
typedef struct {
  int32_t rows, in, padded;
} mcu_q_fc_t;`,
  };
  const driver = (dsp: boolean): CSupportCode => {
    const sfx = dsp ? "dsp" : "c";
    const xw = dsp ? ", xw" : "";
    return {
      id: `quant/fc-s8-${sfx}-${rounding}`,
      requires: [fcType, dsp ? dspGemm(rounding) : portableGemm(rounding)],
      code: `
static const int8_t *mcu_q_fc_row(const int8_t *x, int32_t r, const mcu_q_fc_t *f, int8_t *dst) {
  const int8_t *src = x + (size_t)r * (size_t)f->in;
  int32_t i;
  if (!f->padded || dst == NULL) return src;
  memcpy(dst, src, (size_t)f->in);
  for (i = f->in; (i & 3) != 0; i++) dst[i] = 0;
  return dst;
}
static void mcu_q_fc_s8_${sfx}(const int8_t *x, int8_t *y, const mcu_q_fc_t *f, const mcu_q_gemm_t *g, int8_t *patch${dsp ? ", uint32_t *xw" : ""}) {
  const int32_t kp = 4 * g->kw;
  int32_t r;
  for (r = 0; r + 1 < f->rows; r += 2) {
    mcu_q_gemm_2px_${sfx}(mcu_q_fc_row(x, r, f, patch), mcu_q_fc_row(x, r + 1, f, patch + kp), y + (size_t)r * (size_t)g->cout,
                     y + (size_t)(r + 1) * (size_t)g->cout, g${xw});
  }
  if (r < f->rows) mcu_q_gemm_1px_${sfx}(mcu_q_fc_row(x, r, f, patch), y + (size_t)r * (size_t)g->cout, g);
}`,
    };
  };
  const fcParams = (ctx: CKernelContext) => {
    const [x, w, b] = ctx.inputs;
    return prepareFullyConnectedParams(x!, w!, b, ctx.outputs[0]!, ctx.attrs as never, options);
  };
  const fcMultipliers = (p: ReturnType<typeof fcParams>) => ({
    mults: Int32Array.from({ length: p.outDepth }, (_, o) => p.multiplier[p.perChannel ? o : 0]!),
    shifts: Int32Array.from({ length: p.outDepth }, (_, o) => p.shift[p.perChannel ? o : 0]!),
  });
  const fcFastTable = (ctx: CKernelContext) => {
    const p = fcParams(ctx);
    const { mults, shifts } = fcMultipliers(p);
    const bounds = accumulatorBounds(ctx.inputs[1]!.data as Int8Array, p.outDepth, p.inDepth, p.bias);
    return fastRequantTable(mults, shifts, p.outputOffset, bounds, "gemm");
  };
  const make = (dsp: boolean): CKernelDef => ({
    op: fullyConnectedOp.name,
    variant: dsp ? INT8_DSP_C : INT8_C,
    priority: dsp ? 10 : 0,
    supports: (ctx: Ctx) => {
      const [x, w, b] = ctx.inputs;
      return (
        (!dsp || ctx.target.dsp) &&
        isPerTensor(x, ["int8"]) &&
        isQuantized(w, ["int8"]) &&
        constantWeights(w) &&
        zeroPointOf(w!) === 0 &&
        (b === undefined || (b.dtype === "int32" && b.data !== undefined)) &&
        isPerTensor(ctx.outputs[0], ["int8"]) &&
        (!dsp || fcFastTable(ctx) !== undefined)
      );
    },
    scratch: (ctx: Ctx) => {
      const [rows, inDepth] = [
        numElements(ctx.inputs[0]!.shape) / ctx.inputs[1]!.shape[1]!,
        ctx.inputs[1]!.shape[1]!,
      ];
      const kw = Math.ceil(inDepth / 4);
      return [
        ...(inDepth % 4 !== 0 ? [{ name: "patch", bytes: (rows >= 2 ? 2 : 1) * 4 * kw }] : []),
        ...(dsp && rows >= 2 ? [{ name: "widened", bytes: 16 * kw }] : []),
      ];
    },
    emit: (ctx: CEmitContext) => {
      const p = fcParams(ctx);
      const packed = packGemm(ctx.inputs[1]!.data as Int8Array, p.outDepth, p.inDepth, p.bias, p.inputOffset);
      const { mults, shifts } = fcMultipliers(p);
      const wSym = ctx.constArray("w", "uint32_t", packed.words);
      const table = dsp ? fcFastTable(ctx) : undefined;
      const bq =
        table !== undefined
          ? ctx.constArray("bq", "int32_t", biasRequantTable(packed.bias, table, p.outDepth))
          : "NULL";
      const bias = table === undefined ? ctx.constArray("bias", "int32_t", packed.bias) : "NULL";
      const mult = table === undefined ? ctx.constArray("mult", "int32_t", mults) : "NULL";
      const shift = table === undefined ? ctx.constArray("shift", "int32_t", shifts) : "NULL";
      const sfx = dsp ? "dsp" : "c";
      return {
        support: [driver(dsp)],
        declarations: [
          `static const mcu_q_fc_t ${ctx.symbol}_fc = {${p.batches}, ${p.inDepth}, ${p.inDepth % 4 !== 0 ? 1 : 0}};`,
          `static const mcu_q_gemm_t ${ctx.symbol}_gemm = {${packed.k}, ${packed.kw}, ${p.outDepth}, ${p.outputOffset}, ${p.actMin}, ${p.actMax}, ${wSym}, ${bias}, ${mult}, ${shift}, ${bq}};`,
        ].join("\n"),
        code: `mcu_q_fc_s8_${sfx}(${ctx.input(0)}, ${ctx.output(0)}, &${ctx.symbol}_fc, &${ctx.symbol}_gemm, ${p.inDepth % 4 !== 0 ? `(int8_t *)${ctx.scratch("patch")}` : "NULL"}${dsp ? `, ${p.batches >= 2 ? `(uint32_t *)${ctx.scratch("widened")}` : "NULL"}` : ""});`,
      };
    },
  });
  return [make(false), make(true)];
}
