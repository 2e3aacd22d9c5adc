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
import { dspGemm, type PackedGemm, packGemm, portableGemm } from "./gemm.js";
import {
  dspPrimitives,
  littleEndianCheck,
  packInt16Words,
  requantSupport,
  rightShiftTable,
  rqRightSupport,
  wrapInt32,
} from "./support.js";

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
  const sfx = dsp ? "dsp" : "c";
  const xw = dsp ? ", xw" : "";
  return {
    id: `quant/conv-s8-${sfx}-${rounding}`,
    requires: [im2col, dsp ? dspGemm(rounding) : portableGemm(rounding)],
    code: `
/* int8 conv2d over the gemm core: pixels two at a time, group after group. */
static void mcu_q_conv_s8_${sfx}(const int8_t *x, int8_t *y, const mcu_q_conv_t *c, const mcu_q_gemm_t *g,
                           int8_t *patch${dsp ? ", uint32_t *xw" : ""}) {
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
        mcu_q_gemm_2px_${sfx}(pa, pb, yg + (size_t)p * (size_t)c->out_c, yg + (size_t)(p + 1) * (size_t)c->out_c, gg${xw});
      }
      if (p < pixels) mcu_q_gemm_1px_${sfx}(mcu_q_patch(xb, p, gi, c, patch), yg + (size_t)p * (size_t)c->out_c, gg);
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

/** Scratch of a convolution: the im2col patches (unless direct) and, on the DSP, two widened patches. */
function convScratch(p: ConvParams, dsp: boolean) {
  const kw = Math.ceil((p.kH * p.kW * p.filterInC) / 4);
  const pairs = p.outH * p.outW >= 2;
  return [
    ...(isDirect(p) ? [] : [{ name: "patch", bytes: (pairs ? 2 : 1) * 4 * kw }]),
    ...(dsp && pairs ? [{ name: "widened", bytes: 16 * kw + 8 * (p.outC / p.groups) }] : []),
  ];
}

/** Emits the descriptor, packed weights and call of an int8 convolution (groups ≥ 1). */
function emitConv(ctx: CEmitContext, geo: ConvGeometry, dsp: boolean, rounding: RoundingMode) {
  const { p, rows } = geo;
  const k = p.kH * p.kW * p.filterInC;
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
  const bias = ctx.constArray("bias", "int32_t", Int32Array.from(packs.flatMap((q) => Array.from(q.bias))));
  const table = dsp ? rightShiftTable(p.multiplier, p.shift, rounding) : undefined;
  const rq = table !== undefined ? ctx.constArray("rq", "int32_t", table) : "NULL";
  const mult = table === undefined ? ctx.constArray("mult", "int32_t", p.multiplier) : "NULL";
  const shift = table === undefined ? ctx.constArray("shift", "int32_t", p.shift) : "NULL";
  const kw = packs[0]!.kw;
  const gemms = packs
    .map(
      (_, gi) =>
        `{${k}, ${kw}, ${og}, ${p.outputOffset}, ${p.actMin}, ${p.actMax}, ${w} + ${offsets[gi]}, ${bias} + ${gi * og}, ${rq === "NULL" ? `${mult} + ${gi * og}, ${shift} + ${gi * og}, NULL` : `NULL, NULL, ${rq} + ${3 * gi * og}`}}`,
    )
    .join(",\n  ");
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
  ];
  const sfx = dsp ? "dsp" : "c";
  return {
    support: [convType, convDriver(rounding, dsp)],
    declarations: [
      `static const mcu_q_conv_t ${ctx.symbol}_conv = {${fields.join(", ")}};`,
      `static const mcu_q_gemm_t ${ctx.symbol}_gemm[${p.groups}] = {\n  ${gemms}\n};`,
    ].join("\n"),
    code: `mcu_q_conv_s8_${sfx}(${ctx.input(0)}, ${ctx.output(0)}, &${ctx.symbol}_conv, ${ctx.symbol}_gemm, ${direct ? "NULL" : `(int8_t *)${ctx.scratch("patch")}`}${dsp ? `, ${p.outH * p.outW >= 2 ? `(uint32_t *)${ctx.scratch("widened")}` : "NULL"}` : ""});`,
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
    supports: (ctx: Ctx) => int8ConvSupports(ctx, dsp, ctx.target),
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

function depthwiseSupport(rounding: RoundingMode, dsp: boolean): CSupportCode {
  const store = (indent: string) => `
${indent}{
${indent}  const int32_t v = mcu_q_rq((int32_t)acc, mult[o], shift[o]) + d->out_offset;
${indent}  *y++ = (int8_t)(v < d->act_min ? d->act_min : (v > d->act_max ? d->act_max : v));
${indent}}`;
  if (!dsp) {
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
  return {
    id: `quant/dw-s8-dsp-${rounding}`,
    requires: [tapPointers, requantSupport(rounding), rqRightSupport(rounding), dspPrimitives],
    code: `
/* Requantizes four accumulators of channels c0..c0+3 and stores them: with the right-shift table rq
   (4 words per channel) when the layer has one, else with mult/shift. */
static void mcu_q_dw_store4(uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, const int32_t *rq,
                            const int32_t *mult, const int32_t *shift, const mcu_q_dw_t *d, int8_t *y) {
  const int32_t zo = d->out_offset, lo = d->act_min, hi = d->act_max;
  int32_t v0, v1, v2, v3;
  if (rq != NULL) {
    v0 = mcu_q_rq_right((int32_t)a0, rq);
    v1 = mcu_q_rq_right((int32_t)a1, rq + 3);
    v2 = mcu_q_rq_right((int32_t)a2, rq + 6);
    v3 = mcu_q_rq_right((int32_t)a3, rq + 9);
  } else {
    v0 = mcu_q_rq((int32_t)a0, mult[0], shift[0]);
    v1 = mcu_q_rq((int32_t)a1, mult[1], shift[1]);
    v2 = mcu_q_rq((int32_t)a2, mult[2], shift[2]);
    v3 = mcu_q_rq((int32_t)a3, mult[3], shift[3]);
  }
  v0 += zo;
  v1 += zo;
  v2 += zo;
  v3 += zo;
  y[0] = (int8_t)(v0 < lo ? lo : (v0 > hi ? hi : v0));
  y[1] = (int8_t)(v1 < lo ? lo : (v1 > hi ? hi : v1));
  y[2] = (int8_t)(v2 < lo ? lo : (v2 > hi ? hi : v2));
  y[3] = (int8_t)(v3 < lo ? lo : (v3 > hi ? hi : v3));
}
/* One tap of four channels: x from ADDR (4 int8), weights (c0,c2),(c1,c3) from W. */
#define MCU_Q_DW_TAP(ADDR, W)                  \
  do {                                         \
    uint32_t v_, xe_, xo_;                     \
    const uint32_t we_ = (W)[0], wo_ = (W)[1]; \
    memcpy(&v_, (ADDR), 4);                    \
    xe_ = MCU_SXTB16(v_);                      \
    xo_ = MCU_SXTB16_ROR8(v_);                 \
    a0 = MCU_SMLABB(xe_, we_, a0);             \
    a2 = MCU_SMLATT(xe_, we_, a2);             \
    a1 = MCU_SMLABB(xo_, wo_, a1);             \
    a3 = MCU_SMLATT(xo_, wo_, a3);             \
  } while (0)
/* int8 depthwise (multiplier 1) on the DSP: four channels at a time, x widened by SXTB16 to
   (c0,c2),(c1,c3) and multiplied by weights pre-widened in that order, 2 words per tap:
   w16[(g*taps + t)*2 + {0,1}] for channel group g. Each output pixel first gets its taps' input
   pointers (base + off[t] inside the image; the zero-point row outside); a 3x3 window is then
   fully unrolled. Channels beyond the last full group of four run on w (int8, [taps][out_c]). */
static void mcu_q_dw_s8_dsp(const int8_t *x, const uint32_t *w16, const int8_t *w, int8_t *y, const mcu_q_dw_t *d,
                            const int32_t *bias, const int32_t *mult, const int32_t *shift, const int32_t *rq,
                            const int8_t *zrow, const int32_t *off) {
  const int8_t *tp[MCU_Q_MAX_TAPS];
  const int32_t taps = d->k_h * d->k_w, groups = d->in_c >> 2;
  const int32_t zo = d->out_offset, lo = d->act_min, hi = d->act_max;
  const int32_t span_h = (d->k_h - 1) * d->dil_h, span_w = (d->k_w - 1) * d->dil_w;
  int32_t b, oy, ox, g, c, t;
  for (b = 0; b < d->batches; b++) {
    const int8_t *xb = x + (size_t)b * (size_t)(d->in_h * d->in_w * d->in_c);
    for (oy = 0; oy < d->out_h; oy++) {
      const int32_t iy0 = oy * d->stride_h - d->pad_top;
      const int32_t rows_in = iy0 >= 0 && iy0 + span_h < d->in_h;
      for (ox = 0; ox < d->out_w; ox++) {
        const int32_t ix0 = ox * d->stride_w - d->pad_left;
        const uint32_t *wg = w16;
        if (rows_in && ix0 >= 0 && ix0 + span_w < d->in_w) {
          const int8_t *px = xb + ((size_t)iy0 * (size_t)d->in_w + (size_t)ix0) * (size_t)d->in_c;
          for (t = 0; t < taps; t++) tp[t] = px + off[t];
        } else {
          mcu_q_taps(xb, oy, ox, d, zrow, tp);
        }
        if (taps == 9) {
          const int8_t *t0 = tp[0], *t1 = tp[1], *t2 = tp[2], *t3 = tp[3], *t4 = tp[4], *t5 = tp[5], *t6 = tp[6],
                       *t7 = tp[7], *t8 = tp[8];
          for (g = 0; g < groups; g++, wg += 18, y += 4) {
            const int32_t c0 = 4 * g;
            uint32_t a0 = (uint32_t)bias[c0], a1 = (uint32_t)bias[c0 + 1], a2 = (uint32_t)bias[c0 + 2],
                     a3 = (uint32_t)bias[c0 + 3];
            MCU_Q_DW_TAP(t0 + c0, wg);
            MCU_Q_DW_TAP(t1 + c0, wg + 2);
            MCU_Q_DW_TAP(t2 + c0, wg + 4);
            MCU_Q_DW_TAP(t3 + c0, wg + 6);
            MCU_Q_DW_TAP(t4 + c0, wg + 8);
            MCU_Q_DW_TAP(t5 + c0, wg + 10);
            MCU_Q_DW_TAP(t6 + c0, wg + 12);
            MCU_Q_DW_TAP(t7 + c0, wg + 14);
            MCU_Q_DW_TAP(t8 + c0, wg + 16);
            mcu_q_dw_store4(a0, a1, a2, a3, rq != NULL ? rq + 3 * c0 : NULL, mult + c0, shift + c0, d, y);
          }
        } else {
          for (g = 0; g < groups; g++, y += 4) {
            const int32_t c0 = 4 * g;
            uint32_t a0 = (uint32_t)bias[c0], a1 = (uint32_t)bias[c0 + 1], a2 = (uint32_t)bias[c0 + 2],
                     a3 = (uint32_t)bias[c0 + 3];
            for (t = 0; t < taps; t++, wg += 2) MCU_Q_DW_TAP(tp[t] + c0, wg);
            mcu_q_dw_store4(a0, a1, a2, a3, rq != NULL ? rq + 3 * c0 : NULL, mult + c0, shift + c0, d, y);
          }
        }
        for (c = 4 * groups; c < d->in_c; c++) {
          uint32_t acc = (uint32_t)bias[c];
          int32_t v;
          for (t = 0; t < taps; t++) acc += (uint32_t)(w[t * d->out_c + c] * tp[t][c]);
          v = (rq != NULL ? mcu_q_rq_right((int32_t)acc, rq + 3 * c) : mcu_q_rq((int32_t)acc, mult[c], shift[c])) + zo;
          *y++ = (int8_t)(v < lo ? lo : (v > hi ? hi : v));
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
  const emitDepthwise = (ctx: CEmitContext, dsp: boolean) => {
    const p = params(ctx);
    const taps = p.kH * p.kW;
    const w = ctx.inputs[1]!.data as Int8Array;
    const bias = ctx.constArray("bias", "int32_t", foldDepthwiseBias(w, taps, p.outC, p.bias, p.inputOffset));
    const zrow = ctx.constArray("zrow", "int8_t", new Int8Array(p.inC).fill(-p.inputOffset));
    const table = dsp ? rightShiftTable(p.multiplier, p.shift, rounding) : undefined;
    const mult = table === undefined ? ctx.constArray("mult", "int32_t", p.multiplier) : "NULL";
    const shift = table === undefined ? ctx.constArray("shift", "int32_t", p.shift) : "NULL";
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
    const decl = `static const mcu_q_dw_t ${ctx.symbol}_dw = {${fields.join(", ")}};`;
    if (!dsp) {
      const wi8 = ctx.input(1);
      return {
        support: [depthwiseSupport(rounding, false)],
        declarations: decl,
        code: `mcu_q_dw_s8_c(${ctx.input(0)}, ${wi8}, ${ctx.output(0)}, &${ctx.symbol}_dw, ${bias}, ${mult}, ${shift}, ${zrow});`,
      };
    }
    // Pre-widened weights: per group of four channels, per tap, (c0, c2) then (c1, c3).
    const groups = p.inC >> 2;
    const w16: number[] = [];
    for (let g = 0; g < groups; g++) {
      for (let t = 0; t < taps; t++) {
        const at = t * p.outC + 4 * g;
        w16.push(w[at]!, w[at + 2]!, w[at + 1]!, w[at + 3]!);
      }
    }
    const wWords = ctx.constArray("w16", "uint32_t", packInt16Words(w16));
    const rqTable = table !== undefined ? ctx.constArray("rq", "int32_t", table) : "NULL";
    const offs = ctx.constArray(
      "off",
      "int32_t",
      Array.from(
        { length: taps },
        (_, t) => (Math.floor(t / p.kW) * p.dilationH * p.inW + (t % p.kW) * p.dilationW) * p.inC,
      ),
    );
    return {
      support: [depthwiseSupport(rounding, true)],
      declarations: decl,
      code: `mcu_q_dw_s8_dsp(${ctx.input(0)}, ${wWords}, ${p.inC % 4 !== 0 ? ctx.input(1) : "NULL"}, ${ctx.output(0)}, &${ctx.symbol}_dw, ${bias}, ${mult}, ${shift}, ${rqTable}, ${zrow}, ${offs});`,
    };
  };
  // One input channel: a conv2d with weights [m][kH][kW][1] (OHWI) from [1][kH][kW][m].
  const asConv = (dsp: boolean): CKernelDef => ({
    op: depthwiseConv2dOp.name,
    variant: dsp ? `${INT8_DSP_C}-conv` : `${INT8_C}-conv`,
    priority: dsp ? 20 : 5,
    supports: (ctx: Ctx) => int8ConvSupports(ctx, dsp, ctx.target) && ctx.inputs[0]!.shape[3] === 1,
    scratch: (ctx: Ctx) => convScratch({ ...params(ctx), groups: 1, filterInC: 1 }, dsp),
    emit: (ctx: CEmitContext) => {
      const p = params(ctx);
      const w = ctx.inputs[1]!.data as Int8Array;
      const taps = p.kH * p.kW;
      const rows = new Int8Array(p.outC * taps);
      for (let o = 0; o < p.outC; o++) for (let t = 0; t < taps; t++) rows[o * taps + t] = w[t * p.outC + o]!;
      return emitConv(ctx, { p: { ...p, groups: 1, filterInC: 1 }, rows }, dsp, rounding);
    },
  });
  return [
    {
      op: depthwiseConv2dOp.name,
      variant: INT8_C,
      priority: 0,
      supports: base,
      emit: (ctx: CEmitContext) => emitDepthwise(ctx, false),
    },
    {
      op: depthwiseConv2dOp.name,
      variant: INT8_DSP_C,
      priority: 10,
      supports: (ctx: Ctx) => ctx.target.dsp && base(ctx) && (ctx.attrs.depthMultiplier as number) === 1,
      emit: (ctx: CEmitContext) => emitDepthwise(ctx, true),
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
        isPerTensor(ctx.outputs[0], ["int8"])
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
        ...(dsp && rows >= 2 ? [{ name: "widened", bytes: 16 * kw + 8 * ctx.inputs[1]!.shape[0]! }] : []),
      ];
    },
    emit: (ctx: CEmitContext) => {
      const [x, w, b] = ctx.inputs;
      const p = prepareFullyConnectedParams(x!, w!, b, ctx.outputs[0]!, ctx.attrs as never, options);
      const packed = packGemm(w!.data as Int8Array, p.outDepth, p.inDepth, p.bias, p.inputOffset);
      const mults = Int32Array.from({ length: p.outDepth }, (_, o) => p.multiplier[p.perChannel ? o : 0]!);
      const shifts = Int32Array.from({ length: p.outDepth }, (_, o) => p.shift[p.perChannel ? o : 0]!);
      const wSym = ctx.constArray("w", "uint32_t", packed.words);
      const bias = ctx.constArray("bias", "int32_t", packed.bias);
      const table = dsp ? rightShiftTable(mults, shifts, rounding) : undefined;
      const rq = table !== undefined ? ctx.constArray("rq", "int32_t", table) : "NULL";
      const mult = table === undefined ? ctx.constArray("mult", "int32_t", mults) : "NULL";
      const shift = table === undefined ? ctx.constArray("shift", "int32_t", shifts) : "NULL";
      const sfx = dsp ? "dsp" : "c";
      return {
        support: [driver(dsp)],
        declarations: [
          `static const mcu_q_fc_t ${ctx.symbol}_fc = {${p.batches}, ${p.inDepth}, ${p.inDepth % 4 !== 0 ? 1 : 0}};`,
          `static const mcu_q_gemm_t ${ctx.symbol}_gemm = {${packed.k}, ${packed.kw}, ${p.outDepth}, ${p.outputOffset}, ${p.actMin}, ${p.actMax}, ${wSym}, ${bias}, ${mult}, ${shift}, ${rq}};`,
        ].join("\n"),
        code: `mcu_q_fc_s8_${sfx}(${ctx.input(0)}, ${ctx.output(0)}, &${ctx.symbol}_fc, &${ctx.symbol}_gemm, ${p.inDepth % 4 !== 0 ? `(int8_t *)${ctx.scratch("patch")}` : "NULL"}${dsp ? `, ${p.batches >= 2 ? `(uint32_t *)${ctx.scratch("widened")}` : "NULL"}` : ""});`,
      };
    },
  });
  return [make(false), make(true)];
}
