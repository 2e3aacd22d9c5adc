/**
 * The int8 depthwise convolution on the Armv7E-M DSP (depth multiplier 1, channels a multiple of
 * four, up to 25 taps), bit-exact with the TS kernel (../kernels/depthwise-conv.ts).
 *
 * Four channels at a time: a tap's four input bytes are one word, widened by SXTB16 into (c0, c2)
 * and, rotated, (c1, c3), and multiplied by weights pre-widened at generation time in that order
 * (SMLABB / SMLATT, one MAC each). The tap loop is generated per layer shape, fully unrolled, with
 * each tap's offset from the window's top-left input pixel as an immediate — so the inner loop keeps
 * only its pointers, four accumulators and four temporaries in registers (no tap pointers to
 * reload). A window that leaves the image is first copied into a small scratch laid out like the
 * input (the same offsets), with the input zero point outside the image, which the folded bias
 * cancels. Weights and bias are doubled at generation time so the accumulator arrives doubled and
 * the requantization is one SMMLAR, an add and a shift (./requant.ts).
 */
import type { CEmitContext, CSupportCode } from "@mcu/codegen-c";
import type { DepthwiseConvParams } from "../kernels/depthwise-conv.js";
import type { RoundingMode } from "../multiplier.js";
import { accumulatorBounds, fastRequantSupport, fastRequantTable, fullInt8Range } from "./requant.js";
import { dspPrimitives, littleEndianCheck, packInt16Words, wrapInt32 } from "./support.js";

/** The most taps the unrolled tap loop is generated for. */
export const DW_DSP_MAX_TAPS = 25;

const dwType: CSupportCode = {
  id: "quant/dwf-t",
  requires: [littleEndianCheck],
  code: `
typedef struct mcu_q_dwf mcu_q_dwf_t;
/* n output pixels of a row whose windows' top-left input pixels are x, x + stride_w * in_c, ...
   (inside the image, or the window scratch with n = 1). */
typedef void (*mcu_q_dw_run_fn)(const int8_t *x, int8_t *y, int32_t n, const mcu_q_dwf_t *d);
struct mcu_q_dwf {
  int32_t batches, in_h, in_w, in_c, out_h, out_w;
  int32_t k_h, k_w, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left;
  int32_t zero_point; /* the input's, in the window scratch where a window leaves the image */
  int32_t ox_lo, ox_hi; /* the output columns whose windows stay inside the image horizontally */
  const uint32_t *w;  /* doubled weights, per group of four channels and tap: (c0,c2),(c1,c3) int16 pairs */
  const int32_t *q;   /* per group: the four doubled biases, then {M, c, e} of each channel */
  const int32_t *off; /* the taps' offsets from the window's top-left input pixel */
  mcu_q_dw_run_fn run;
};`,
};

const dwDriver: CSupportCode = {
  id: "quant/dwf-s8-dsp",
  requires: [dwType],
  code: `
/* One window that leaves the image, through the scratch (laid out like the input around the window). */
static void mcu_q_dwf_border(const int8_t *xb, int32_t iy0, int32_t ix0, int8_t *y, const mcu_q_dwf_t *d,
                             int8_t *scratch) {
  const int32_t c = d->in_c, taps = d->k_h * d->k_w;
  int32_t t;
  for (t = 0; t < taps; t++) {
    const int32_t iy = iy0 + (t / d->k_w) * d->dil_h, ix = ix0 + (t % d->k_w) * d->dil_w;
    if (iy >= 0 && iy < d->in_h && ix >= 0 && ix < d->in_w) {
      memcpy(scratch + d->off[t], xb + ((size_t)iy * (size_t)d->in_w + (size_t)ix) * (size_t)c, (size_t)c);
    } else {
      memset(scratch + d->off[t], d->zero_point, (size_t)c);
    }
  }
  d->run(scratch, y, 1, d);
}
/* Every output pixel: each row's windows inside the image in one run, the others through the scratch. */
static void mcu_q_dwf_s8_dsp(const int8_t *x, int8_t *y, const mcu_q_dwf_t *d, int8_t *scratch) {
  const int32_t c = d->in_c, row = d->in_w * c, span_h = (d->k_h - 1) * d->dil_h;
  int32_t b, oy, ox;
  for (b = 0; b < d->batches; b++) {
    const int8_t *xb = x + (size_t)b * (size_t)(d->in_h * row);
    for (oy = 0; oy < d->out_h; oy++, y += d->out_w * c) {
      const int32_t iy0 = oy * d->stride_h - d->pad_top;
      const int32_t inside = iy0 >= 0 && iy0 + span_h < d->in_h && d->ox_lo <= d->ox_hi;
      const int32_t lo = inside ? d->ox_lo : d->out_w;
      for (ox = 0; ox < lo; ox++) mcu_q_dwf_border(xb, iy0, ox * d->stride_w - d->pad_left, y + ox * c, d, scratch);
      if (inside) {
        d->run(xb + (size_t)iy0 * (size_t)row + (size_t)(d->ox_lo * d->stride_w - d->pad_left) * (size_t)c,
               y + d->ox_lo * c, d->ox_hi - d->ox_lo + 1, d);
        for (ox = d->ox_hi + 1; ox < d->out_w; ox++) {
          mcu_q_dwf_border(xb, iy0, ox * d->stride_w - d->pad_left, y + ox * c, d, scratch);
        }
      }
    }
  }
}`,
};

/**
 * One tap of four channels — the input word at x + OFF, the weights (c0,c2),(c1,c3) at w + WOFF
 * words — into accumulators a0..a3: `MCU_Q_DW_TAP_C` in C, and `MCU_Q_DW_TAP` on Arm with GCC as
 * one block of assembly with both offsets as immediates (so the compiler neither recomputes
 * addresses nor hoists loads into spills).
 */
const dwTap: CSupportCode = {
  id: "quant/dwf-tap",
  requires: [dspPrimitives],
  code: `
#define MCU_Q_DW_TAP_C(OFF, WOFF)                         \\
  do {                                                    \\
    uint32_t v_, xe_, xo_;                                \\
    const uint32_t we_ = w[(WOFF)], wo_ = w[(WOFF) + 1];  \\
    memcpy(&v_, x + (OFF), 4);                            \\
    xe_ = MCU_SXTB16(v_);                                 \\
    xo_ = MCU_SXTB16_ROR8(v_);                            \\
    a0 = MCU_SMLABB(xe_, we_, a0);                        \\
    a2 = MCU_SMLATT(xe_, we_, a2);                        \\
    a1 = MCU_SMLABB(xo_, wo_, a1);                        \\
    a3 = MCU_SMLATT(xo_, wo_, a3);                        \\
  } while (0)
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__)
#define MCU_Q_DW_TAP(OFF, WOFF)                                                                      \\
  do {                                                                                               \\
    uint32_t v_, xe_, we_, wo_;                                                                      \\
    __asm("ldr %[v], [%[x], %[o]]\\n\\tldrd %[we], %[wo], [%[w], %[wo4]]\\n\\t"                            \\
          "sxtb16 %[xe], %[v]\\n\\tsxtb16 %[v], %[v], ror #8\\n\\t"                                         \\
          "smlabb %[a0], %[xe], %[we], %[a0]\\n\\tsmlatt %[a2], %[xe], %[we], %[a2]\\n\\t"                   \\
          "smlabb %[a1], %[v], %[wo], %[a1]\\n\\tsmlatt %[a3], %[v], %[wo], %[a3]"                          \\
          : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [v] "=&r"(v_), [xe] "=&r"(xe_), \\
            [we] "=&r"(we_), [wo] "=&r"(wo_)                                                         \\
          : [x] "r"(x), [w] "r"(w), [o] "n"(OFF), [wo4] "n"(4 * (WOFF)));                            \\
  } while (0)
#else
#define MCU_Q_DW_TAP(OFF, WOFF) MCU_Q_DW_TAP_C(OFF, WOFF)
#endif`,
};

/**
 * `MCU_Q_DW_BIAS()`: a0..a3 = q[0..3]; `MCU_Q_DW_OUT(A, I)`: requantizes accumulator A of channel I
 * of the group (table entry q + 4 + 3·I), saturates to int8 and stores it at y[I] — on Arm with GCC
 * as assembly (two LDRDs for the biases; LDRD + LDR of {M, c, e} and the four instructions of
 * ./requant.ts per output), else in C.
 */
function dwOut(rounding: RoundingMode): CSupportCode {
  const single = rounding === "single";
  const asm = [
    "ldrd %[m], %[c], [%[q], %[qo]]",
    "ldr %[e], [%[q], %[qe]]",
    ...(single ? [] : ["add %[c], %[c], %[a], asr #31"]),
    `${single ? "smmla" : "smmlar"} %[a], %[a], %[m], %[c]`,
    "asr %[a], %[a], %[e]",
    "ssat %[a], #8, %[a]",
    "strb %[a], %[out]",
  ].join("\\n\\t");
  return {
    id: `quant/dwf-out-${rounding}`,
    requires: [fastRequantSupport(rounding)],
    code: `
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__)
#define MCU_Q_DW_BIAS()                                                                      \\
  __asm("ldrd %0, %1, [%4]\\n\\tldrd %2, %3, [%4, #8]"                                               \\
        : "=&r"(a0), "=&r"(a1), "=&r"(a2), "=&r"(a3)                                          \\
        : "r"(q))
#define MCU_Q_DW_OUT(A, I)                                                                   \\
  do {                                                                                       \\
    int32_t m_, c_, e_;                                                                      \\
    __asm("${asm}"                                                                            \\
          : [a] "+r"(A), [m] "=&r"(m_), [c] "=&r"(c_), [e] "=&r"(e_), [out] "=m"(y[I])        \\
          : [q] "r"(q), [qo] "n"(16 + 12 * (I)), [qe] "n"(24 + 12 * (I)));                     \\
  } while (0)
#else
#define MCU_Q_DW_BIAS() (a0 = (uint32_t)q[0], a1 = (uint32_t)q[1], a2 = (uint32_t)q[2], a3 = (uint32_t)q[3])
#define MCU_Q_DW_OUT(A, I) (y[I] = (int8_t)mcu_q_ssat8(mcu_q_rqd((int32_t)(A), q + 4 + 3 * (I))))
#endif`,
  };
}

/** The largest tap offset the assembly tap takes as an immediate (LDR's 12-bit offset). */
const MAX_IMMEDIATE_OFFSET = 4095;

/** The run function for one set of tap offsets and clamp range. */
function runFunction(offsets: readonly number[], actMin: number, actMax: number, rounding: RoundingMode) {
  const full = fullInt8Range(actMin, actMax);
  const name = `mcu_q_dw4_${offsets.join("_")}${full ? "" : `_${actMin + 128}_${actMax + 128}`}_${rounding[0]}`;
  // Past LDR's immediate range (or LDRD's 1020 bytes of weights) the compiler does the addressing.
  const tap =
    offsets.some((o) => o > MAX_IMMEDIATE_OFFSET) || 8 * offsets.length > 1020
      ? "MCU_Q_DW_TAP_C"
      : "MCU_Q_DW_TAP";
  const taps = offsets.map((o, t) => `      ${tap}(${o}, ${2 * t});`).join("\n");
  const store = (i: number) => {
    if (full) return `      MCU_Q_DW_OUT(a${i}, ${i});`;
    const v = `mcu_q_ssat8(mcu_q_rqd((int32_t)a${i}, q + ${4 + 3 * i}))`;
    return `      y[${i}] = (int8_t)MCU_Q_CLAMP8(${v}, ${actMin}, ${actMax});`;
  };
  const support: CSupportCode = {
    id: `quant/${name}`,
    requires: [dwType, dspPrimitives, fastRequantSupport(rounding), dwTap, dwOut(rounding)],
    code: `
/* Depthwise taps ${offsets.join(", ")}: n pixels, four channels at a time. */
static void ${name}(const int8_t *x, int8_t *y, int32_t n, const mcu_q_dwf_t *d) {
  const int32_t c = d->in_c, step = (d->stride_w - 1) * c;
  do {
    const uint32_t *w = d->w;
    const int32_t *q = d->q;
    const int8_t *y_end = y + c;
    do {
      uint32_t a0, a1, a2, a3;
      MCU_Q_DW_BIAS();
${taps}
${[0, 1, 2, 3].map(store).join("\n")}
      x += 4;
      w += ${2 * offsets.length};
      q += 16;
      y += 4;
    } while (y < y_end);
    x += step;
  } while (--n > 0);
}`,
  };
  return { name, support };
}

/** The taps' offsets from the window's top-left input pixel (bytes, NHWC). */
function tapOffsets(p: DepthwiseConvParams): number[] {
  return Array.from(
    { length: p.kH * p.kW },
    (_, t) => (Math.floor(t / p.kW) * p.dilationH * p.inW + (t % p.kW) * p.dilationW) * p.inC,
  );
}

/** The doubled folded bias and the fast requantization table of a depthwise layer, or undefined. */
function dwTables(p: DepthwiseConvParams, w: Int8Array): { bias: Int32Array; rq: Int32Array } | undefined {
  const taps = p.kH * p.kW;
  const rows = new Int8Array(p.outC * taps);
  for (let o = 0; o < p.outC; o++) for (let t = 0; t < taps; t++) rows[o * taps + t] = w[t * p.outC + o]!;
  const bounds = accumulatorBounds(rows, p.outC, taps, p.bias);
  const rq = fastRequantTable(p.multiplier, p.shift, p.outputOffset, bounds, "doubled");
  if (rq === undefined) return undefined;
  const bias = Int32Array.from({ length: p.outC }, (_, o) => {
    let s = 0;
    for (let t = 0; t < taps; t++) s += rows[o * taps + t]!;
    return wrapInt32(2n * BigInt(wrapInt32(BigInt(p.bias?.[o] ?? 0) + BigInt(p.inputOffset) * BigInt(s))));
  });
  return { bias, rq };
}

/** True when the DSP depthwise kernel takes the layer (weights as int8 [1][kH][kW][outC]). */
export function dwDspSupports(p: DepthwiseConvParams, w: Int8Array): boolean {
  return (
    p.depthMultiplier === 1 &&
    p.inC % 4 === 0 &&
    p.kH * p.kW <= DW_DSP_MAX_TAPS &&
    dwTables(p, w) !== undefined
  );
}

/** Bytes of the window scratch: the last tap's offset plus one pixel. */
export function dwDspScratchBytes(p: DepthwiseConvParams): number {
  const off = tapOffsets(p);
  return off[off.length - 1]! + p.inC;
}

/** Emits a DSP depthwise layer (after `dwDspSupports`). */
export function emitDwDsp(ctx: CEmitContext, p: DepthwiseConvParams, w: Int8Array, rounding: RoundingMode) {
  const tables = dwTables(p, w)!;
  const taps = p.kH * p.kW;
  const groups = p.inC / 4;
  const w16: number[] = [];
  const q: number[] = [];
  for (let g = 0; g < groups; g++) {
    for (let t = 0; t < taps; t++) {
      const at = t * p.outC + 4 * g;
      w16.push(2 * w[at]!, 2 * w[at + 2]!, 2 * w[at + 1]!, 2 * w[at + 3]!);
    }
    for (let i = 0; i < 4; i++) q.push(tables.bias[4 * g + i]!);
    for (let i = 0; i < 4; i++) q.push(...tables.rq.subarray(3 * (4 * g + i), 3 * (4 * g + i) + 3));
  }
  const offsets = tapOffsets(p);
  // Output columns whose windows lie inside the image horizontally: ox·s − pad ≥ 0 and ≤ in_w − 1 − span.
  const spanW = (p.kW - 1) * p.dilationW;
  const oxLo = Math.ceil(p.padLeft / p.strideW);
  const oxHi = Math.min(p.outW - 1, Math.floor((p.inW - 1 - spanW + p.padLeft) / p.strideW));
  const fn = runFunction(offsets, p.actMin, p.actMax, rounding);
  const fields = [
    p.batches,
    p.inH,
    p.inW,
    p.inC,
    p.outH,
    p.outW,
    p.kH,
    p.kW,
    p.strideH,
    p.strideW,
    p.dilationH,
    p.dilationW,
    p.padTop,
    p.padLeft,
    -p.inputOffset,
    oxLo,
    oxHi,
    ctx.constArray("w16", "uint32_t", packInt16Words(w16)),
    ctx.constArray("q", "int32_t", q),
    ctx.constArray("off", "int32_t", offsets),
    fn.name,
  ];
  return {
    support: [dwDriver, fn.support],
    declarations: `static const mcu_q_dwf_t ${ctx.symbol}_dw = {${fields.join(", ")}};`,
    code: `mcu_q_dwf_s8_dsp(${ctx.input(0)}, ${ctx.output(0)}, &${ctx.symbol}_dw, (int8_t *)${ctx.scratch("window")});`,
  };
}
