/**
 * The requantization of the DSP path: TFLite's MultiplyByQuantizedMultiplier plus the output zero
 * point, y = RDBP(SRDHM(x, M), e) + z_y (double rounding, TFLite's default) or
 * (x·M + 2^(30+e)) >> (31+e) + z_y (TFLITE_SINGLE_ROUNDING), in one multiply instruction, an add or
 * two and a shift — bit-exact, for the layers where the generator can prove it (else the portable
 * kernel takes the layer).
 *
 * Derivation (M ∈ [2^30, 2^31), a right shift e ∈ [1, 31], c = 2^(e−1) + z_y·2^e):
 * - gemmlowp's RoundingDivideByPOT(h, e) = floor((h + 2^(e−1) − [h < 0]) / 2^e) for every h whose
 *   sum does not overflow, and adding z_y·2^e before the floor adds z_y after it.
 * - SRDHM(x, M) = floor((x·M + 2^30) / 2^31) (the saturating case needs M = INT32_MIN). SMMLAR(a, b, r)
 *   = r + floor((a·b + 2^31) / 2^32), so with M2 = 2M − 2^32 (M ≥ 2^30 makes 2M overflow int32 by
 *   exactly 2^32): SMMLAR(x, M2, x + c + s) = SRDHM(x, M) + c + s. With an accumulator that is
 *   already doubled (2x, weights and bias doubled at generation time): SMMLAR(2x, M, c + s).
 * - The sign term s must be −[h < 0]; we use −[x < 0] = x >> 31 instead. They differ only when x < 0
 *   and h = 0, and there (c − 1) >> e = c >> e = z_y because 0 ≤ 2^(e−1) − 1 < 2^e.
 * - Single rounding: floor((x·M + 2^(30+e)) / 2^(31+e)) = floor((floor(x·M / 2^31) + 2^(e−1)) / 2^e)
 *   (nested floors), and SMMLA (no rounding) gives floor(x·M / 2^31) + r the same way; no sign term.
 * Every step is exact as long as SRDHM(x, M) + c ± 1 fits int32 (and 2x does, for the doubled form):
 * the generator checks it against a bound of the accumulator from the weights and bias.
 */
import type { CSupportCode } from "@mcu/codegen-c";
import type { RoundingMode } from "../multiplier.js";
import { dspPrimitives } from "./support.js";

/** The accumulator as the kernel hands it over: as is (`gemm`), or doubled (`doubled`). */
export type RequantForm = "gemm" | "doubled";

const TWO31 = 2 ** 31;

/**
 * The per-channel table {M', c, e} of the DSP requantization (M' = 2M − 2^32 for the `gemm` form,
 * M for `doubled`), or undefined when some channel is not eligible: M outside [2^30, 2^31), a shift
 * that is not a right shift of 1..31, or an accumulator bound that could overflow a step.
 * `accBound[c]` bounds |acc| of channel c (the true accumulator, bias included, not doubled).
 */
export function fastRequantTable(
  multiplier: ArrayLike<number>,
  shift: ArrayLike<number>,
  outputOffset: number,
  accBound: ArrayLike<number>,
  form: RequantForm,
): Int32Array | undefined {
  const n = multiplier.length;
  const table = new Int32Array(3 * n);
  for (let c = 0; c < n; c++) {
    const m = multiplier[c]!;
    const e = -shift[c]!;
    if (m < 2 ** 30 || m >= TWO31 || e < 1 || e > 31) return undefined;
    const cc = 2 ** (e - 1) + outputOffset * 2 ** e;
    const bound = (form === "doubled" ? 2 : 1) * accBound[c]!;
    if (!(bound + Math.abs(cc) + 2 < TWO31)) return undefined;
    table[3 * c] = form === "gemm" ? m * 2 - 2 ** 32 : m;
    table[3 * c + 1] = cc;
    table[3 * c + 2] = e;
  }
  return table;
}

/**
 * Per output channel, a bound of |bias + Σ_k w[c][k] · (x_k − z_x)| over all int8 inputs:
 * |bias| + 255 · Σ|w| (|x − z_x| ≤ 255; padded taps contribute 0). `rows` holds `channels` rows of `k`.
 */
export function accumulatorBounds(
  rows: ArrayLike<number>,
  channels: number,
  k: number,
  bias: ArrayLike<number> | undefined,
): Float64Array {
  const out = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    let s = 0;
    for (let i = 0; i < k; i++) s += Math.abs(rows[c * k + i]!);
    out[c] = Math.abs(bias?.[c] ?? 0) + 255 * s;
  }
  return out;
}

/** True when the clamp range is the whole int8 range (then SSAT alone clamps). */
export function fullInt8Range(actMin: number, actMax: number): boolean {
  return actMin === -128 && actMax === 127;
}

/**
 * `mcu_q_rqg(x, r)` (gemm form) and `mcu_q_rqd(a, r)` (doubled form) over a table entry
 * r = {M', c, e}, `mcu_q_ssat8`, and `MCU_Q_CLAMP8(v, lo, hi)`, for one rounding mode. SMMLA/SMMLAR
 * are not in ACLE: inline assembly on the DSP cores, an exact emulation elsewhere.
 */
export function fastRequantSupport(rounding: RoundingMode): CSupportCode {
  const single = rounding === "single";
  const op = single ? "smmla" : "smmlar";
  const sign = (v: string) => (single ? "" : ` + (uint32_t)(${v} >> 31)`);
  return {
    id: `quant/rq-fast-${rounding}`,
    requires: [dspPrimitives],
    code: `
#if defined(__ARM_FEATURE_DSP)
/* ${op.toUpperCase()}: r + ((a * b${single ? "" : " + 2^31"}) >> 32). */
static inline int32_t mcu_q_${op}(int32_t a, int32_t b, int32_t r) {
  int32_t h;
  __asm("${op} %0, %1, %2, %3" : "=r"(h) : "r"(a), "r"(b), "r"(r));
  return h;
}
#define mcu_q_ssat8(v) __ssat((v), 8)
#else
static inline int32_t mcu_q_${op}(int32_t a, int32_t b, int32_t r) {
  const uint64_t t = ((uint64_t)(uint32_t)r << 32) + (uint64_t)((int64_t)a * (int64_t)b)${single ? "" : " + 0x80000000u"};
  return (int32_t)(uint32_t)(t >> 32);
}
static inline int32_t mcu_q_ssat8(int32_t v) { return v < -128 ? -128 : (v > 127 ? 127 : v); }
#endif
/* MultiplyByQuantizedMultiplier(x, M, -e) + z_y from r = {2M - 2^32, 2^(e-1) + z_y * 2^e, e}
   (derivation in @mcu/quant's src/c/requant.ts; the generator has checked that no step overflows). */
static inline int32_t mcu_q_rqg(int32_t x, const int32_t *r) {
  return mcu_q_${op}(x, r[0], (int32_t)((uint32_t)x + (uint32_t)r[1]${sign("x")})) >> r[2];
}
/* The same for a doubled accumulator a = 2x, from r = {M, 2^(e-1) + z_y * 2^e, e}. */
static inline int32_t mcu_q_rqd(int32_t a, const int32_t *r) {
  return mcu_q_${op}(a, r[0], (int32_t)((uint32_t)r[1]${sign("a")})) >> r[2];
}
#define MCU_Q_CLAMP8(v, lo, hi) ((v) < (lo) ? (lo) : ((v) > (hi) ? (hi) : (v)))`,
  };
}
