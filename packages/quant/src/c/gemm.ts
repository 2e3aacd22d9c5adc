/**
 * The int8 matrix-multiply core shared by the conv2d and fully_connected C kernels: for one or
 * two "patches" (an input pixel's receptive field, or an FC row) of K int8 values it computes every
 * output channel, y = clamp(MBQM(bias'[oc] + Σ_k w[oc][k] · x[k], M[oc], S[oc]) + z_y).
 *
 * The input zero point is folded into bias' at generation time (bias' = bias − z_x · Σ_k w),
 * which is exact because the int32 sums wrap modulo 2^32 and padded taps hold z_x itself.
 * Weights are packed at generation time into little-endian words, rows padded with zeros to a
 * multiple of 4, output channels paired word by word ([oc0 w0..3][oc1 w0..3][oc0 w4..7]...), a
 * last odd channel alone.
 *
 * Two implementations with the same arithmetic: portable C (2 pixels × 2 channels of int8
 * multiply-adds, TFLite's MultiplyByQuantizedMultiplier), and the DSP path — each patch widened
 * once to int16 pairs (SXTB16 of bytes 0,2 and, rotated, 1,3), then two SMLADs per 4 weights,
 * 2 pixels × 2 channels per pass (CMSIS-NN's scheme, with weights unpacked the same way so no
 * reordering is needed), and the one-multiply requantization of ./requant.ts.
 */
import type { CSupportCode } from "@mcu/codegen-c";
import type { RoundingMode } from "../multiplier.js";
import { fastRequantSupport } from "./requant.js";
import { littleEndianCheck, packInt8Words, requantSupport, wrapInt32 } from "./support.js";

/** The gemm descriptor type. */
const gemmType: CSupportCode = {
  id: "quant/gemm-t",
  requires: [littleEndianCheck],
  code: `
typedef struct {
  int32_t k;          /* patch length */
  int32_t kw;         /* words per packed weight row: ceil(k / 4) */
  int32_t cout;
  int32_t out_offset, act_min, act_max;
  const uint32_t *w;  /* packed weights (channel pairs interleaved word by word) */
  const int32_t *bias;/* bias with the input zero point folded in */
  const int32_t *mult, *shift; /* portable C: MultiplyByQuantizedMultiplier's per-channel arguments */
  const int32_t *rq;  /* DSP path: per channel {2M - 2^32, 2^(e-1) + z_y * 2^e, e} (./requant.ts) */
} mcu_q_gemm_t;`,
};

/**
 * Requantize + clamp + store of one accumulator, with the layer's constants in locals zo, lo, hi:
 * clamp(r + z_y, lo, hi) as clamp(r, lo − z_y, hi − z_y) + z_y, which cannot overflow int32 when r
 * is near its limits (the TS kernels add exactly).
 */
function storeSupport(rounding: RoundingMode): CSupportCode {
  return {
    id: `quant/gemm-store-${rounding}`,
    requires: [gemmType, requantSupport(rounding)],
    code: `
#define MCU_Q_STORE(dst, acc, m, s)                                   \\
  do {                                                                \\
    const int32_t r_ = mcu_q_rq((int32_t)(acc), (m), (s));            \\
    (dst) = (int8_t)((r_ < lo - zo ? lo - zo : (r_ > hi - zo ? hi - zo : r_)) + zo); \\
  } while (0)`,
  };
}

/** The portable gemm: `mcu_q_gemm_2px_c` / `mcu_q_gemm_1px_c` over int8 patches. */
export function portableGemm(rounding: RoundingMode): CSupportCode {
  return {
    id: `quant/gemm-s8-c-${rounding}`,
    requires: [storeSupport(rounding)],
    code: `
/* Both pixels, all output channels; a and b are int8 patches of 4*kw values (the padding meets
   zero weights). y_a / y_b receive cout int8 outputs each. */
static void mcu_q_gemm_2px_c(const int8_t *a, const int8_t *b, int8_t *y_a, int8_t *y_b, const mcu_q_gemm_t *g) {
  const int32_t zo = g->out_offset, lo = g->act_min, hi = g->act_max, n = 4 * g->kw;
  const int8_t *w = (const int8_t *)(const void *)g->w;
  int32_t oc, j, t;
  for (oc = 0; oc + 1 < g->cout; oc += 2) {
    uint32_t a0 = (uint32_t)g->bias[oc], b0 = a0, a1 = (uint32_t)g->bias[oc + 1], b1 = a1;
    for (j = 0; j < n; j += 4, w += 8) {
      for (t = 0; t < 4; t++) {
        const int32_t xa = a[j + t], xb = b[j + t], w0 = w[t], w1 = w[4 + t];
        a0 += (uint32_t)(w0 * xa);
        b0 += (uint32_t)(w0 * xb);
        a1 += (uint32_t)(w1 * xa);
        b1 += (uint32_t)(w1 * xb);
      }
    }
    MCU_Q_STORE(y_a[oc], a0, g->mult[oc], g->shift[oc]);
    MCU_Q_STORE(y_b[oc], b0, g->mult[oc], g->shift[oc]);
    MCU_Q_STORE(y_a[oc + 1], a1, g->mult[oc + 1], g->shift[oc + 1]);
    MCU_Q_STORE(y_b[oc + 1], b1, g->mult[oc + 1], g->shift[oc + 1]);
  }
  if (oc < g->cout) {
    uint32_t a0 = (uint32_t)g->bias[oc], b0 = a0;
    for (j = 0; j < n; j++) {
      a0 += (uint32_t)(w[j] * a[j]);
      b0 += (uint32_t)(w[j] * b[j]);
    }
    MCU_Q_STORE(y_a[oc], a0, g->mult[oc], g->shift[oc]);
    MCU_Q_STORE(y_b[oc], b0, g->mult[oc], g->shift[oc]);
  }
}
static void mcu_q_gemm_1px_c(const int8_t *a, int8_t *y_a, const mcu_q_gemm_t *g) {
  const int32_t zo = g->out_offset, lo = g->act_min, hi = g->act_max, n = 4 * g->kw;
  const int8_t *w = (const int8_t *)(const void *)g->w;
  int32_t oc, j, t;
  for (oc = 0; oc + 1 < g->cout; oc += 2) {
    uint32_t a0 = (uint32_t)g->bias[oc], a1 = (uint32_t)g->bias[oc + 1];
    for (j = 0; j < n; j += 4, w += 8) {
      for (t = 0; t < 4; t++) {
        a0 += (uint32_t)(w[t] * a[j + t]);
        a1 += (uint32_t)(w[4 + t] * a[j + t]);
      }
    }
    MCU_Q_STORE(y_a[oc], a0, g->mult[oc], g->shift[oc]);
    MCU_Q_STORE(y_a[oc + 1], a1, g->mult[oc + 1], g->shift[oc + 1]);
  }
  if (oc < g->cout) {
    uint32_t a0 = (uint32_t)g->bias[oc];
    for (j = 0; j < n; j++) a0 += (uint32_t)(w[j] * a[j]);
    MCU_Q_STORE(y_a[oc], a0, g->mult[oc], g->shift[oc]);
  }
}`,
  };
}

/** The DSP gemm: `mcu_q_gemm_2px_dsp` (with a widening scratch of 16·kw + 8·cout bytes) and `mcu_q_gemm_1px_dsp`. */
export function dspGemm(rounding: RoundingMode): CSupportCode {
  return {
    id: `quant/gemm-s8-dsp-${rounding}`,
    requires: [gemmType, fastRequantSupport(rounding)],
    code: `
/* Requantize + clamp + store of channel oc's accumulator with the layer's fast requantization table
   (full: the clamp range is all of int8, so SSAT alone clamps). */
#define MCU_Q_STORE_F(dst, acc, oc)                                       \\
  do {                                                                   \\
    const int32_t v_ = mcu_q_ssat8(mcu_q_rqg((int32_t)(acc), rq + 3 * (oc))); \\
    (dst) = (int8_t)(full ? v_ : MCU_Q_CLAMP8(v_, lo, hi));              \\
  } while (0)
/* Widens a patch (4*kw int8, read as words) into int16 pairs: word 2j = bytes (4j, 4j+2),
   word 2j+1 = bytes (4j+1, 4j+3), at dst[stride*j], dst[stride*j + 1]. */
static void mcu_q_widen(const int8_t *src, uint32_t *dst, int32_t kw, int32_t stride) {
  int32_t j;
  for (j = 0; j < kw; j++) {
    uint32_t v;
    memcpy(&v, src + 4 * j, 4);
    dst[0] = MCU_SXTB16(v);
    dst[1] = MCU_SXTB16_ROR8(v);
    dst += stride;
  }
}
#define MCU_Q_GROUP2(x, w0, w1)                 \\
  do {                                          \\
    const uint32_t ae = (x)[0], ao = (x)[1];    \\
    const uint32_t be = (x)[2], bo = (x)[3];    \\
    uint32_t we = MCU_SXTB16(w0);               \\
    uint32_t wo = MCU_SXTB16_ROR8(w0);          \\
    a0 = MCU_SMLAD(we, ae, a0);                 \\
    a0 = MCU_SMLAD(wo, ao, a0);                 \\
    b0 = MCU_SMLAD(we, be, b0);                 \\
    b0 = MCU_SMLAD(wo, bo, b0);                 \\
    we = MCU_SXTB16(w1);                        \\
    wo = MCU_SXTB16_ROR8(w1);                   \\
    a1 = MCU_SMLAD(we, ae, a1);                 \\
    a1 = MCU_SMLAD(wo, ao, a1);                 \\
    b1 = MCU_SMLAD(we, be, b1);                 \\
    b1 = MCU_SMLAD(wo, bo, b1);                 \\
  } while (0)
#if defined(__GNUC__)
#define MCU_Q_NOINLINE __attribute__((noinline))
#else
#define MCU_Q_NOINLINE
#endif
/* The multiply-accumulates of two pixels for every pair of channels, a leaf function so that its
   accumulators, inputs and weights live in registers: acc[4p..4p+3] = {a0, b0, a1, b1} of channels
   2p, 2p + 1. */
MCU_Q_NOINLINE static void mcu_q_mac_pairs(const uint32_t *xw, const uint32_t *w, int32_t kw, int32_t pairs,
                                           const int32_t *bias, uint32_t *acc) {
  int32_t p;
  for (p = 0; p < pairs; p++, bias += 2, acc += 4) {
    uint32_t a0 = (uint32_t)bias[0], b0 = a0, a1 = (uint32_t)bias[1], b1 = a1;
    const uint32_t *x = xw, *end = w + 2 * kw;
    while (w < end) {
      const uint32_t w0 = w[0], w1 = w[1];
      MCU_Q_GROUP2(x, w0, w1);
      x += 4;
      w += 2;
    }
    acc[0] = a0;
    acc[1] = b0;
    acc[2] = a1;
    acc[3] = b1;
  }
}
/* Requantizes and stores the accumulators of mcu_q_mac_pairs (another leaf). */
MCU_Q_NOINLINE static void mcu_q_store_pairs(const uint32_t *acc, int32_t pairs, const mcu_q_gemm_t *g, int8_t *y_a,
                                             int8_t *y_b) {
  const int32_t *r = g->rq, *end = g->rq + 6 * pairs;
  if (g->act_min == -128 && g->act_max == 127) {
    for (; r < end; r += 6, acc += 4, y_a += 2, y_b += 2) {
      y_a[0] = (int8_t)mcu_q_ssat8(mcu_q_rqg((int32_t)acc[0], r));
      y_b[0] = (int8_t)mcu_q_ssat8(mcu_q_rqg((int32_t)acc[1], r));
      y_a[1] = (int8_t)mcu_q_ssat8(mcu_q_rqg((int32_t)acc[2], r + 3));
      y_b[1] = (int8_t)mcu_q_ssat8(mcu_q_rqg((int32_t)acc[3], r + 3));
    }
  } else {
    const int32_t lo = g->act_min, hi = g->act_max;
    for (; r < end; r += 6, acc += 4, y_a += 2, y_b += 2) {
      const int32_t v0 = mcu_q_ssat8(mcu_q_rqg((int32_t)acc[0], r)), v1 = mcu_q_ssat8(mcu_q_rqg((int32_t)acc[1], r));
      const int32_t v2 = mcu_q_ssat8(mcu_q_rqg((int32_t)acc[2], r + 3));
      const int32_t v3 = mcu_q_ssat8(mcu_q_rqg((int32_t)acc[3], r + 3));
      y_a[0] = (int8_t)MCU_Q_CLAMP8(v0, lo, hi);
      y_b[0] = (int8_t)MCU_Q_CLAMP8(v1, lo, hi);
      y_a[1] = (int8_t)MCU_Q_CLAMP8(v2, lo, hi);
      y_b[1] = (int8_t)MCU_Q_CLAMP8(v3, lo, hi);
    }
  }
}
/* Two pixels: xw holds, per word group j, [a even, a odd, b even, b odd] (16 * kw bytes), then
   the accumulators of every channel pair (8 * cout bytes). */
static void mcu_q_gemm_2px_dsp(const int8_t *a, const int8_t *b, int8_t *y_a, int8_t *y_b, const mcu_q_gemm_t *g,
                               uint32_t *xw) {
  const int32_t lo = g->act_min, hi = g->act_max, full = lo == -128 && hi == 127, kw = g->kw, pairs = g->cout >> 1;
  const int32_t *rq = g->rq;
  const uint32_t *w = g->w + 2 * kw * pairs;
  uint32_t *acc = xw + 4 * kw;
  mcu_q_widen(a, xw, kw, 4);
  mcu_q_widen(b, xw + 2, kw, 4);
  mcu_q_mac_pairs(xw, g->w, kw, pairs, g->bias, acc);
  mcu_q_store_pairs(acc, pairs, g, y_a, y_b);
  if (2 * pairs < g->cout) {
    const int32_t oc = 2 * pairs;
    uint32_t a0 = (uint32_t)g->bias[oc], b0 = a0;
    const uint32_t *x = xw, *end = w + kw;
    while (w < end) {
      const uint32_t w0 = *w++;
      const uint32_t we = MCU_SXTB16(w0), wo = MCU_SXTB16_ROR8(w0);
      a0 = MCU_SMLAD(we, x[0], a0);
      a0 = MCU_SMLAD(wo, x[1], a0);
      b0 = MCU_SMLAD(we, x[2], b0);
      b0 = MCU_SMLAD(wo, x[3], b0);
      x += 4;
    }
    MCU_Q_STORE_F(y_a[oc], a0, oc);
    MCU_Q_STORE_F(y_b[oc], b0, oc);
  }
}
/* One pixel, without a widening buffer: the patch is unpacked as it is read. */
static void mcu_q_gemm_1px_dsp(const int8_t *a, int8_t *y_a, const mcu_q_gemm_t *g) {
  const int32_t lo = g->act_min, hi = g->act_max, full = lo == -128 && hi == 127, kw = g->kw;
  const int32_t *rq = g->rq;
  const uint32_t *w = g->w;
  int32_t oc, j;
  for (oc = 0; oc + 1 < g->cout; oc += 2) {
    uint32_t a0 = (uint32_t)g->bias[oc], a1 = (uint32_t)g->bias[oc + 1];
    for (j = 0; j < kw; j++) {
      uint32_t v, xe, xo;
      const uint32_t w0 = w[0], w1 = w[1];
      memcpy(&v, a + 4 * j, 4);
      xe = MCU_SXTB16(v);
      xo = MCU_SXTB16_ROR8(v);
      a0 = MCU_SMLAD(MCU_SXTB16(w0), xe, a0);
      a0 = MCU_SMLAD(MCU_SXTB16_ROR8(w0), xo, a0);
      a1 = MCU_SMLAD(MCU_SXTB16(w1), xe, a1);
      a1 = MCU_SMLAD(MCU_SXTB16_ROR8(w1), xo, a1);
      w += 2;
    }
    MCU_Q_STORE_F(y_a[oc], a0, oc);
    MCU_Q_STORE_F(y_a[oc + 1], a1, oc + 1);
  }
  if (oc < g->cout) {
    uint32_t a0 = (uint32_t)g->bias[oc];
    for (j = 0; j < kw; j++) {
      uint32_t v;
      const uint32_t w0 = *w++;
      memcpy(&v, a + 4 * j, 4);
      a0 = MCU_SMLAD(MCU_SXTB16(w0), MCU_SXTB16(v), a0);
      a0 = MCU_SMLAD(MCU_SXTB16_ROR8(w0), MCU_SXTB16_ROR8(v), a0);
    }
    MCU_Q_STORE_F(y_a[oc], a0, oc);
  }
}`,
  };
}

/** The packed weights and folded biases of a gemm, built at generation time. */
export interface PackedGemm {
  readonly k: number;
  readonly kw: number;
  readonly cout: number;
  /** Packed weight words (channel pairs interleaved, a last odd channel alone). */
  readonly words: Uint32Array;
  /** bias'[oc] = wrap32(bias[oc] − z_x · Σ_k w[oc][k]). */
  readonly bias: Int32Array;
}

/**
 * Packs weights given as `cout` rows of `k` int8 values (row oc at `w[oc·k ...]`), and folds the
 * input zero point into the bias: bias' = bias + inputOffset · Σ w (inputOffset = −z_x).
 */
export function packGemm(
  w: ArrayLike<number>,
  cout: number,
  k: number,
  bias: ArrayLike<number> | undefined,
  inputOffset: number,
): PackedGemm {
  const kw = Math.ceil(k / 4);
  const rows: Uint32Array[] = [];
  const folded = new Int32Array(cout);
  for (let oc = 0; oc < cout; oc++) {
    const row = Array.from({ length: k }, (_, i) => w[oc * k + i]!);
    rows.push(packInt8Words(row));
    let sum = 0;
    for (const v of row) sum += v;
    folded[oc] = wrapInt32(BigInt(bias?.[oc] ?? 0) + BigInt(inputOffset) * BigInt(sum));
  }
  const words = new Uint32Array(cout * kw);
  let at = 0;
  let oc = 0;
  for (; oc + 1 < cout; oc += 2) {
    for (let j = 0; j < kw; j++) {
      words[at++] = rows[oc]![j] ?? 0;
      words[at++] = rows[oc + 1]![j] ?? 0;
    }
  }
  if (oc < cout) for (let j = 0; j < kw; j++) words[at++] = rows[oc]![j] ?? 0;
  return { k, kw, cout, words, bias: folded };
}
