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
  const int32_t *bq;  /* DSP path: per channel pair {bias0, bias1, M0', c0, e0, M1', c1, e1} (bias unused) */
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

/**
 * The multiply-accumulate and requantization of two pixels for every pair of output channels in
 * Thumb-2 assembly (a naked function, all 14 registers: the 2×2 accumulators, both pixels' widened
 * words, two weight words, a temporary and three pointers), for the full int8 clamp range. Per 4
 * weights of a channel pair: one LDM of the pixels' words, one of the weights, 4 SXTB16, 8 SMLAD.
 * Arguments: xw (widened words [a even, a odd, b even, b odd] per group of 4), w (packed weights),
 * bq (per pair {bias0, bias1, M0', c0, e0, M1', c1, e1}), y_a, then on the stack dy = y_b − y_a,
 * pairs (≥ 1), kw (≥ 1).
 */
function gemmAsm(rounding: RoundingMode): string {
  const single = rounding === "single";
  const rq = (acc: string, m: string, c: string, e: string) =>
    [
      `"add r0, ${c}, ${acc}\\n\\t"`,
      ...(single ? [] : [`"add r0, r0, ${acc}, asr #31\\n\\t"`]),
      `"${single ? "smmla" : "smmlar"} ${acc}, ${acc}, ${m}, r0\\n\\t"`,
      `"asr ${acc}, ${acc}, ${e}\\n\\t"`,
      `"ssat ${acc}, #8, ${acc}\\n\\t"`,
    ].join("\n      ");
  return `
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__) && !defined(__clang__)
#define MCU_Q_GEMM2_ASM 1
#define MCU_Q_UNUSED __attribute__((unused))
__attribute__((naked, noinline)) static void mcu_q_gemm2_asm(const uint32_t *xw MCU_Q_UNUSED, const uint32_t *w MCU_Q_UNUSED,
                                                              const int32_t *bq MCU_Q_UNUSED, int8_t *y_a MCU_Q_UNUSED,
                                                              int32_t dy MCU_Q_UNUSED, int32_t pairs MCU_Q_UNUSED,
                                                              int32_t kw MCU_Q_UNUSED) {
  __asm volatile(
      "push {r4-r11, lr}\\n\\t"
      "sub sp, sp, #16\\n\\t"
      "ldr r4, [sp, #60]\\n\\t"      /* kw */
      "lsls r4, r4, #3\\n\\t"
      "str r4, [sp, #12]\\n\\t"      /* bytes of weights per channel pair */
      "str r0, [sp, #0]\\n\\t"       /* xw */
      "str r2, [sp, #4]\\n\\t"       /* bq */
      "str r3, [sp, #8]\\n\\t"       /* y_a */
      "1:\\n\\t"
      "ldr r0, [sp, #0]\\n\\t"
      "ldr r12, [sp, #12]\\n\\t"
      "add r12, r1, r12\\n\\t"       /* end of this pair's weights */
      "ldr lr, [sp, #4]\\n\\t"
      "ldrd r2, r4, [lr]\\n\\t"      /* a0 = b0 = bias0, a1 = b1 = bias1 */
      "mov r3, r2\\n\\t"
      "mov r5, r4\\n\\t"
      "2:\\n\\t"
      "ldmia r0!, {r6, r7, r8, r9}\\n\\t"   /* a even, a odd, b even, b odd */
      "ldmia r1!, {r10, r11}\\n\\t"         /* channel 0 and channel 1 weights */
      "sxtb16 lr, r10, ror #8\\n\\t"
      "sxtb16 r10, r10\\n\\t"
      "smlad r2, r10, r6, r2\\n\\t"
      "smlad r3, r10, r8, r3\\n\\t"
      "smlad r2, lr, r7, r2\\n\\t"
      "smlad r3, lr, r9, r3\\n\\t"
      "sxtb16 lr, r11, ror #8\\n\\t"
      "sxtb16 r11, r11\\n\\t"
      "smlad r4, r11, r6, r4\\n\\t"
      "smlad r5, r11, r8, r5\\n\\t"
      "smlad r4, lr, r7, r4\\n\\t"
      "smlad r5, lr, r9, r5\\n\\t"
      "cmp r1, r12\\n\\t"
      "bne 2b\\n\\t"
      "ldr lr, [sp, #4]\\n\\t"
      "add lr, lr, #8\\n\\t"
      "ldmia lr!, {r6, r7, r8, r9, r10, r11}\\n\\t" /* M0', c0, e0, M1', c1, e1 */
      "str lr, [sp, #4]\\n\\t"
      ${rq("r2", "r6", "r7", "r8")}
      ${rq("r3", "r6", "r7", "r8")}
      ${rq("r4", "r9", "r10", "r11")}
      ${rq("r5", "r9", "r10", "r11")}
      "ldr r0, [sp, #8]\\n\\t"
      "ldr r12, [sp, #52]\\n\\t"    /* dy */
      "strb r2, [r0]\\n\\t"
      "strb r4, [r0, #1]\\n\\t"
      "strb r3, [r0, r12]\\n\\t"
      "adds r0, r0, #1\\n\\t"
      "strb r5, [r0, r12]\\n\\t"
      "adds r0, r0, #1\\n\\t"
      "str r0, [sp, #8]\\n\\t"
      "ldr r0, [sp, #56]\\n\\t"     /* pairs */
      "subs r0, r0, #1\\n\\t"
      "str r0, [sp, #56]\\n\\t"
      "bne 1b\\n\\t"
      "add sp, sp, #16\\n\\t"
      "pop {r4-r11, pc}\\n\\t");
}
#endif`;
}

/**
 * The DSP gemm: `mcu_q_gemm_2px_dsp` (with a widening scratch of 16·kw bytes) and
 * `mcu_q_gemm_1px_dsp`, over the layer's bias + requantization table `bq` (`biasRequantTable`).
 */
export function dspGemm(rounding: RoundingMode): CSupportCode {
  return {
    id: `quant/gemm-s8-dsp-${rounding}`,
    requires: [gemmType, fastRequantSupport(rounding)],
    code: `
/* Requantize + clamp + store of an accumulator with the table entry r = {M', c, e} (SSAT clamps to
   int8; a narrower activation range clamps again). */
#define MCU_Q_STORE_F(dst, acc, r) ((dst) = (int8_t)MCU_Q_CLAMP8(mcu_q_ssat8(mcu_q_rqg((int32_t)(acc), (r))), lo, hi))
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
${gemmAsm(rounding).trim()}
/* What mcu_q_gemm2_asm does, in C and for any clamp range [lo, hi]. */
static void mcu_q_gemm2_c(const uint32_t *xw, const uint32_t *w, const int32_t *bq, int8_t *y_a, int32_t dy,
                          int32_t pairs, int32_t kw, int32_t lo, int32_t hi) {
  int32_t p;
  for (p = 0; p < pairs; p++, bq += 8, y_a += 2) {
    uint32_t a0 = (uint32_t)bq[0], b0 = a0, a1 = (uint32_t)bq[1], b1 = a1;
    const uint32_t *x = xw, *end = w + 2 * kw;
    while (w < end) {
      const uint32_t w0 = w[0], w1 = w[1];
      MCU_Q_GROUP2(x, w0, w1);
      x += 4;
      w += 2;
    }
    MCU_Q_STORE_F(y_a[0], a0, bq + 2);
    MCU_Q_STORE_F(y_a[dy], b0, bq + 2);
    MCU_Q_STORE_F(y_a[1], a1, bq + 5);
    MCU_Q_STORE_F(y_a[dy + 1], b1, bq + 5);
  }
}
/* Two pixels already widened into xw: per word group j, [a even, a odd, b even, b odd]. y_b may
   equal y_a (one pixel run as a pair with itself). */
static void mcu_q_gemm_2px_wide(int8_t *y_a, int8_t *y_b, const mcu_q_gemm_t *g, const uint32_t *xw) {
  const int32_t lo = g->act_min, hi = g->act_max, kw = g->kw, pairs = g->cout >> 1;
  if (pairs > 0) {
#if defined(MCU_Q_GEMM2_ASM)
    if (lo == -128 && hi == 127) {
      mcu_q_gemm2_asm(xw, g->w, g->bq, y_a, (int32_t)(y_b - y_a), pairs, kw);
    } else {
      mcu_q_gemm2_c(xw, g->w, g->bq, y_a, (int32_t)(y_b - y_a), pairs, kw, lo, hi);
    }
#else
    mcu_q_gemm2_c(xw, g->w, g->bq, y_a, (int32_t)(y_b - y_a), pairs, kw, lo, hi);
#endif
  }
  if (2 * pairs < g->cout) {
    const int32_t oc = 2 * pairs, *bq = g->bq + 8 * pairs;
    const uint32_t *w = g->w + 2 * kw * pairs, *x = xw, *end = w + kw;
    uint32_t a0 = (uint32_t)bq[0], b0 = a0;
    while (w < end) {
      const uint32_t w0 = *w++;
      const uint32_t we = MCU_SXTB16(w0), wo = MCU_SXTB16_ROR8(w0);
      a0 = MCU_SMLAD(we, x[0], a0);
      a0 = MCU_SMLAD(wo, x[1], a0);
      b0 = MCU_SMLAD(we, x[2], b0);
      b0 = MCU_SMLAD(wo, x[3], b0);
      x += 4;
    }
    MCU_Q_STORE_F(y_a[oc], a0, bq + 1);
    MCU_Q_STORE_F(y_b[oc], b0, bq + 1);
  }
}
/* Two pixels: xw receives, per word group j, [a even, a odd, b even, b odd] (16 * kw bytes). */
static void mcu_q_gemm_2px_dsp(const int8_t *a, const int8_t *b, int8_t *y_a, int8_t *y_b, const mcu_q_gemm_t *g,
                               uint32_t *xw) {
  mcu_q_widen(a, xw, g->kw, 4);
  mcu_q_widen(b, xw + 2, g->kw, 4);
  mcu_q_gemm_2px_wide(y_a, y_b, g, xw);
}
/* One pixel, without a widening buffer: the patch is unpacked as it is read. */
static void mcu_q_gemm_1px_dsp(const int8_t *a, int8_t *y_a, const mcu_q_gemm_t *g) {
  const int32_t lo = g->act_min, hi = g->act_max, kw = g->kw;
  const int32_t *bq = g->bq;
  const uint32_t *w = g->w;
  int32_t oc, j;
  for (oc = 0; oc + 1 < g->cout; oc += 2, bq += 8) {
    uint32_t a0 = (uint32_t)bq[0], a1 = (uint32_t)bq[1];
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
    MCU_Q_STORE_F(y_a[oc], a0, bq + 2);
    MCU_Q_STORE_F(y_a[oc + 1], a1, bq + 5);
  }
  if (oc < g->cout) {
    uint32_t a0 = (uint32_t)bq[0];
    for (j = 0; j < kw; j++) {
      uint32_t v;
      const uint32_t w0 = *w++;
      memcpy(&v, a + 4 * j, 4);
      a0 = MCU_SMLAD(MCU_SXTB16(w0), MCU_SXTB16(v), a0);
      a0 = MCU_SMLAD(MCU_SXTB16_ROR8(w0), MCU_SXTB16_ROR8(v), a0);
    }
    MCU_Q_STORE_F(y_a[oc], a0, bq + 1);
  }
}`,
  };
}

/**
 * The DSP gemm's per-channel table: per channel pair {bias0, bias1, M0', c0, e0, M1', c1, e1}, a
 * last odd channel {bias, M', c, e} (4·cout words), from the folded biases and `fastRequantTable`.
 */
export function biasRequantTable(bias: ArrayLike<number>, rq: Int32Array, cout: number): Int32Array {
  const out = new Int32Array(4 * cout);
  let at = 0;
  let oc = 0;
  for (; oc + 1 < cout; oc += 2, at += 8) {
    out.set([bias[oc]!, bias[oc + 1]!, ...rq.subarray(3 * oc, 3 * oc + 6)], at);
  }
  if (oc < cout) out.set([bias[oc]!, ...rq.subarray(3 * oc, 3 * oc + 3)], at);
  return out;
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
