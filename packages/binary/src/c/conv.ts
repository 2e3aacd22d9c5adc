/**
 * C kernels of binary.conv2d (bit-packed XOR + popcount, fused max-pool, output stage) and
 * binary.input_conv2d (float32 sums in the TS kernel's order). Each convolution position's
 * receptive field is gathered into a contiguous patch (taps × words), +1 (no set bits) where the
 * window leaves the image, so each output channel is one XOR-popcount over taps·words
 * contiguous words. For the zero-padding convention the border positions AND the XOR with a
 * mask of the taps inside the image (the border correction: those taps count neither +1 nor
 * −1, and N is the number of taps inside times the channels).
 */
import type { CEmitContext, CKernelContext, CKernelDef, CSupportCode } from "@mcu/codegen-c";
import { bitRowWords, type TensorInfo } from "@mcu/tensor";
import { binaryConv2dOp, inputConv2dOp } from "../ops/conv.js";
import { pooledWindow } from "../ops/shared.js";
import { emitOutputStage, outputStage, outputStageFloat } from "./output-stage.js";
import type { PopcountKind } from "./popcount.js";
import { popcountSupport } from "./popcount.js";

const convType: CSupportCode = {
  id: "binary/conv-t",
  code: `
typedef struct {
  int32_t batches, in_h, in_w, in_c, words, out_c;
  int32_t k_h, k_w, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left;
  int32_t pool_h, pool_w, pool_sh, pool_sw, out_h, out_w;
  int32_t pad_one;
} mcu_bconv_t;`,
};

function binaryConvDriver(popcount: PopcountKind): CSupportCode {
  return {
    id: "binary/conv2d",
    requires: [convType, outputStage, popcountSupport(popcount)],
    code: `
/* Gathers the receptive field of conv position (oy, ox) into patch (k_h*k_w rows of words),
   zero words (+1) outside the image; mask words are all ones inside, zero outside. Returns the
   in-bounds taps. */
static int32_t mcu_bconv_gather(const uint32_t *x, uint32_t *patch, uint32_t *mask, const mcu_bconv_t *p,
                                int32_t b, int32_t oy, int32_t ox) {
  const int32_t wn = p->words;
  int32_t ky, kx, k, t = 0, valid = 0;
  for (ky = 0; ky < p->k_h; ky++) {
    const int32_t iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
    for (kx = 0; kx < p->k_w; kx++, t++) {
      const int32_t ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
      uint32_t *dst = patch + t * wn;
      if (iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w) {
        const uint32_t *src = x + ((size_t)(b * p->in_h + iy) * (size_t)p->in_w + (size_t)ix) * (size_t)wn;
        for (k = 0; k < wn; k++) {
          dst[k] = src[k];
          mask[t * wn + k] = 0xFFFFFFFFu;
        }
        valid++;
      } else {
        for (k = 0; k < wn; k++) {
          dst[k] = 0u;
          mask[t * wn + k] = 0u;
        }
      }
    }
  }
  return valid;
}

/* The output channels of one output pixel when every pool position has all its taps in the image
   (the same N): the largest dot is N - 2 * the smallest popcount. With a 2x2 pool (four patches)
   the patches are first interleaved word by word into inter, so each weight word is loaded once
   for the four positions. */
static void mcu_bconv_interior(const uint32_t *patches, const uint32_t *w, int32_t tw, int32_t npool, int32_t full,
                               int32_t outs, const mcu_bin_out_t *s, void *out, uint32_t *inter) {
  uint32_t word = 0u;
  int32_t o, q, t;
  MCU_BIN_MASKS;
  if (npool == 4 && tw <= MCU_BIN_ACC_LIMIT) {
    for (t = 0; t < tw; t++) {
      inter[4 * t] = patches[t];
      inter[4 * t + 1] = patches[tw + t];
      inter[4 * t + 2] = patches[2 * tw + t];
      inter[4 * t + 3] = patches[3 * tw + t];
    }
    for (o = 0; o < outs; o++) {
      const uint32_t *wo = w + (size_t)o * (size_t)tw, *end = wo + tw, *pp = inter;
      uint32_t a0 = 0u, a1 = 0u, a2 = 0u, a3 = 0u, least, v;
      while (wo != end) {
        const uint32_t wv = *wo++;
        v = pp[0] ^ wv;
        MCU_BIN_ACC_WORD(a0, v);
        v = pp[1] ^ wv;
        MCU_BIN_ACC_WORD(a1, v);
        v = pp[2] ^ wv;
        MCU_BIN_ACC_WORD(a2, v);
        v = pp[3] ^ wv;
        MCU_BIN_ACC_WORD(a3, v);
        pp += 4;
      }
      a0 = MCU_BIN_ACC_FINISH(a0);
      a1 = MCU_BIN_ACC_FINISH(a1);
      a2 = MCU_BIN_ACC_FINISH(a2);
      a3 = MCU_BIN_ACC_FINISH(a3);
      least = a0 < a1 ? a0 : a1;
      if (a2 < least) least = a2;
      if (a3 < least) least = a3;
      mcu_bin_out_i(s, out, o, outs, full - 2 * (int32_t)least, &word);
    }
    return;
  }
  for (o = 0; o < outs; o++) {
    const uint32_t *wo = w + (size_t)o * (size_t)tw;
    uint32_t least = 0xFFFFFFFFu, ones;
    for (q = 0; q < npool; q++) {
      MCU_BIN_XOR_POPCOUNT(ones, patches + q * tw, wo, tw);
      if (ones < least) least = ones;
    }
    mcu_bin_out_i(s, out, o, outs, full - 2 * (int32_t)least, &word);
  }
}

/* binary.conv2d: dot = N - 2*popcount(x ^ w) over the taps in the image (zero padding: the
   border positions mask the taps outside) or all taps with +1 outside (pad_one); max over the
   pool window; then the output stage. scratch: pool_h*pool_w patches of k_h*k_w*words words,
   then as many mask words (the interleaved patches of the interior path when no mask is needed). */
static void mcu_bconv2d(const uint32_t *x, const uint32_t *w, void *y, const mcu_bconv_t *p,
                        const mcu_bin_out_t *s, uint32_t *scratch) {
  const int32_t taps = p->k_h * p->k_w, tw = taps * p->words, npool = p->pool_h * p->pool_w;
  const int32_t row_out = s->kind >= 2 ? (p->out_c + 31) >> 5 : p->out_c;
  uint32_t *mask = scratch + npool * tw;
  int32_t valid[16];
  int32_t b, py, px, q, o;
  char *out = (char *)y;
  MCU_BIN_MASKS;
  for (b = 0; b < p->batches; b++) {
    for (py = 0; py < p->out_h; py++) {
      for (px = 0; px < p->out_w; px++, out += (size_t)row_out * 4u) {
        uint32_t word = 0u;
        int32_t all = 1;
        for (q = 0; q < npool; q++) {
          const int32_t oy = py * p->pool_sh + q / p->pool_w, ox = px * p->pool_sw + q % p->pool_w;
          valid[q] = mcu_bconv_gather(x, scratch + q * tw, mask + q * tw, p, b, oy, ox);
          if (valid[q] != taps) all = 0;
        }
        if (all || p->pad_one) {
          mcu_bconv_interior(scratch, w, tw, npool, taps * p->in_c, p->out_c, s, out, mask);
          continue;
        }
        for (o = 0; o < p->out_c; o++) {
          const uint32_t *wo = w + (size_t)o * (size_t)tw;
          int32_t best = 0;
          for (q = 0; q < npool; q++) {
            uint32_t ones;
            int32_t dot;
            MCU_BIN_XOR_AND_POPCOUNT(ones, scratch + q * tw, wo, mask + q * tw, tw);
            dot = valid[q] * p->in_c - 2 * (int32_t)ones;
            if (q == 0 || dot > best) best = dot;
          }
          mcu_bin_out_i(s, out, o, p->out_c, best, &word);
        }
      }
    }
  }
}`,
  };
}

const inputConvDriver: CSupportCode = {
  id: "binary/input-conv2d",
  requires: [convType, outputStageFloat],
  code: `
/* binary.input_conv2d: acc = sum of x*w over the taps in the image, in filter row, column,
   channel order, in float32 (w float, or +-1 from wbits); max over the pool window; output stage.
   scratch: for each pool position, the in-image taps' inputs (k_h*k_w*in_c floats) and their
   weight offsets (k_h*k_w int32). */
static void mcu_bin_input_conv2d(const float *x, const float *w, const uint32_t *wbits, void *y,
                                 const mcu_bconv_t *p, const mcu_bin_out_t *s, float *scratch) {
  const int32_t c = p->in_c, taps = p->k_h * p->k_w, npool = p->pool_h * p->pool_w, span = taps * c;
  const int32_t row_out = s->kind >= 2 ? (p->out_c + 31) >> 5 : p->out_c;
  int32_t *offs = (int32_t *)(scratch + npool * span);
  int32_t valid[16];
  int32_t b, py, px, q, o, ky, kx, i, t;
  char *out = (char *)y;
  for (b = 0; b < p->batches; b++) {
    for (py = 0; py < p->out_h; py++) {
      for (px = 0; px < p->out_w; px++) {
        uint32_t word = 0u;
        for (q = 0; q < npool; q++) {
          const int32_t oy = py * p->pool_sh + q / p->pool_w, ox = px * p->pool_sw + q % p->pool_w;
          float *patch = scratch + q * span;
          int32_t *off = offs + q * taps, n = 0;
          for (ky = 0; ky < p->k_h; ky++) {
            const int32_t iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
            if (iy < 0 || iy >= p->in_h) continue;
            for (kx = 0; kx < p->k_w; kx++) {
              const int32_t ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
              const float *xp;
              if (ix < 0 || ix >= p->in_w) continue;
              xp = x + ((size_t)(b * p->in_h + iy) * (size_t)p->in_w + (size_t)ix) * (size_t)c;
              for (i = 0; i < c; i++) patch[n * c + i] = xp[i];
              off[n++] = ky * p->k_w + kx;
            }
          }
          valid[q] = n;
        }
        for (o = 0; o < p->out_c; o++) {
          float best = 0.0f;
          for (q = 0; q < npool; q++) {
            const float *patch = scratch + q * span;
            const int32_t *off = offs + q * taps;
            float acc = 0.0f;
            if (w != NULL) {
              const float *wo = w + (size_t)o * (size_t)span;
              if (c == 1) {
                for (t = 0; t < valid[q]; t++) {
                  const float prod = patch[t] * wo[off[t]];
                  acc = acc + prod;
                }
              } else {
                for (t = 0; t < valid[q]; t++) {
                  const float *wp = wo + off[t] * c, *xp = patch + t * c;
                  for (i = 0; i < c; i++) {
                    const float prod = xp[i] * wp[i];
                    acc = acc + prod;
                  }
                }
              }
            } else {
              for (t = 0; t < valid[q]; t++) {
                const uint32_t *wb = wbits + ((size_t)o * (size_t)taps + (size_t)off[t]) * (size_t)p->words;
                const float *xp = patch + t * c;
                for (i = 0; i < c; i++) acc = ((wb[i >> 5] >> (i & 31)) & 1u) != 0u ? acc - xp[i] : acc + xp[i];
              }
            }
            if (q == 0 || acc > best) best = acc;
          }
          mcu_bin_out_f(s, out, o, p->out_c, best, &word);
        }
        out += (size_t)row_out * 4u;
      }
    }
  }
}`,
};

interface Geo {
  readonly fields: number[];
  readonly taps: number;
  readonly words: number;
  readonly npool: number;
}

function geometry(ctx: CKernelContext): Geo {
  const [x, w] = ctx.inputs as readonly TensorInfo[];
  const [n, h, wd, c] = x!.shape as [number, number, number, number];
  const [o, kh, kw] = w!.shape as [number, number, number, number];
  const a = ctx.attrs as unknown as Parameters<typeof pooledWindow>[4] & { padValue?: string };
  const win = pooledWindow(h, wd, kh, kw, a, ctx.node.name);
  const words = bitRowWords([c]);
  const fields = [
    n,
    h,
    wd,
    c,
    words,
    o,
    kh,
    kw,
    a.strides[0]!,
    a.strides[1]!,
    a.dilations[0]!,
    a.dilations[1]!,
    win.padTop,
    win.padLeft,
    win.poolH,
    win.poolW,
    win.poolStrideH,
    win.poolStrideW,
    win.outH,
    win.outW,
    a.padValue === "one" ? 1 : 0,
  ];
  return { fields, taps: kh * kw, words, npool: win.poolH * win.poolW };
}

/** The C kernels of binary.conv2d and binary.input_conv2d. */
export function convCKernels(popcount: PopcountKind): CKernelDef[] {
  const binary: CKernelDef = {
    op: binaryConv2dOp.name,
    variant: "binary/popcount",
    supports: (ctx) =>
      ctx.inputs[0]?.dtype === "bit" && ctx.inputs[1]?.data !== undefined && geometry(ctx).npool <= 16,
    scratch: (ctx) => {
      const g = geometry(ctx);
      return [{ name: "patch", bytes: g.npool * g.taps * g.words * 8 }];
    },
    emit: (ctx: CEmitContext) => {
      const g = geometry(ctx);
      const w = ctx.constArray("w", "uint32_t", ctx.inputs[1]!.data as Uint32Array);
      const stage = emitOutputStage(ctx, String(ctx.attrs.output));
      return {
        support: [binaryConvDriver(popcount)],
        declarations: `static const mcu_bconv_t ${ctx.symbol}_conv = {${g.fields.join(", ")}};\n${stage}`,
        code: `mcu_bconv2d(${ctx.input(0)}, ${w}, ${ctx.output(0)}, &${ctx.symbol}_conv, &${ctx.symbol}_out, (uint32_t *)${ctx.scratch("patch")});`,
      };
    },
  };
  const input: CKernelDef = {
    op: inputConv2dOp.name,
    variant: "binary/float32",
    supports: (ctx) =>
      ctx.inputs[0]?.dtype === "float32" && ctx.inputs[1]?.data !== undefined && geometry(ctx).npool <= 16,
    scratch: (ctx) => {
      const g = geometry(ctx);
      const c = ctx.inputs[0]!.shape[3]!;
      return [{ name: "patch", bytes: g.npool * g.taps * (c + 1) * 4 }];
    },
    emit: (ctx: CEmitContext) => {
      const g = geometry(ctx);
      const wt = ctx.inputs[1]!;
      const w = wt.dtype === "bit" ? "NULL" : ctx.constArray("w", "float", wt.data as Float32Array);
      const wbits = wt.dtype === "bit" ? ctx.constArray("wbits", "uint32_t", wt.data as Uint32Array) : "NULL";
      const stage = emitOutputStage(ctx, String(ctx.attrs.output), true);
      return {
        support: [inputConvDriver],
        declarations: `static const mcu_bconv_t ${ctx.symbol}_conv = {${g.fields.join(", ")}};\n${stage}`,
        code: `mcu_bin_input_conv2d(${ctx.input(0)}, ${w}, ${wbits}, ${ctx.output(0)}, &${ctx.symbol}_conv, &${ctx.symbol}_out, (float *)${ctx.scratch("patch")});`,
      };
    },
  };
  return [binary, input];
}
