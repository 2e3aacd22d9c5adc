/**
 * C support code of the integer C kernels: TFLite's fixed-point requantization
 * (MultiplyByQuantizedMultiplier in both rounding modes and the int64 overload,
 * tensorflow/lite/kernels/internal/common.cc; gemmlowp's SaturatingRoundingDoublingHighMul and
 * RoundingDivideByPOT, fixedpoint/fixedpoint.h), and the Armv7E-M DSP primitives (SXTB16,
 * SMLAD via ACLE) with a portable emulation, so that the DSP kernels' arithmetic can also run —
 * and be tested — on a host.
 *
 * Accumulators wrap modulo 2^32 exactly as the C++ int32 sums (and the TS kernels) do; in C the
 * sums are taken in uint32_t, whose wrap-around is defined, and converted back at the end.
 * Because addition modulo 2^32 is associative, any summation order (and folding the input zero
 * point into the bias) gives the same bits.
 */
import type { CSupportCode } from "@mcu/codegen-c";
import type { TensorInfo } from "@mcu/tensor";
import type { RoundingMode } from "../multiplier.js";

/** Refuses big-endian targets: weights are packed into little-endian words. */
export const littleEndianCheck: CSupportCode = {
  id: "quant/little-endian",
  code: `
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "the integer kernels of @mcu/quant pack int8 values into little-endian words"
#endif`,
};

/** gemmlowp RoundingDivideByPOT (`mcu_rdbp`). */
export const rdbpSupport: CSupportCode = {
  id: "quant/rdbp",
  code: `
/* gemmlowp RoundingDivideByPOT: x / 2^e rounded to nearest, ties away from zero (0 <= e <= 31). */
static int32_t mcu_rdbp(int32_t x, int32_t e) {
  const int32_t mask = (int32_t)(((uint32_t)1 << e) - 1u);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (remainder > threshold ? 1 : 0);
}`,
};

/** gemmlowp SaturatingRoundingDoublingHighMul (`mcu_srdhm`). */
export const srdhmSupport: CSupportCode = {
  id: "quant/srdhm",
  code: `
/* gemmlowp SaturatingRoundingDoublingHighMul: (a*b + 2^30) >> 31 rounding half up, INT32_MIN^2 saturates.
   floor((ab + 2^30) / 2^31) equals gemmlowp's trunc((ab + nudge) / 2^31) for every product. */
static int32_t mcu_srdhm(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  return (int32_t)(((int64_t)a * (int64_t)b + ((int64_t)1 << 30)) >> 31);
}`,
};

/** TFLite's int64 MultiplyByQuantizedMultiplier (`mcu_mbqm64`), for the int16x8 kernels. */
export const mbqm64Support: CSupportCode = {
  id: "quant/mbqm64",
  code: `
/* TFLite MultiplyByQuantizedMultiplier (int64 x): 16-bit reduced multiplier, one rounding. */
static int32_t mcu_mbqm64(int64_t x, int32_t m, int32_t shift) {
  const int32_t reduced = m < 0x7FFF0000 ? (m + (1 << 15)) >> 16 : 0x7FFF;
  const int32_t total = 15 - shift;
  return (int32_t)((x * (int64_t)reduced + ((int64_t)1 << (total - 1))) >> total);
}`,
};

/** TFLite's int32 MultiplyByQuantizedMultiplier in one rounding mode, as `mcu_mbqm(x, m, shift)`. */
export function mbqmSupport(rounding: RoundingMode): CSupportCode {
  if (rounding === "single") {
    return {
      id: "quant/mbqm-single",
      code: `
/* MultiplyByQuantizedMultiplier with TFLITE_SINGLE_ROUNDING: (x*m + 2^(30-shift)) >> (31-shift). */
static int32_t mcu_mbqm(int32_t x, int32_t m, int32_t shift) {
  const int32_t total = 31 - shift;
  return (int32_t)(((int64_t)x * (int64_t)m + ((int64_t)1 << (total - 1))) >> total);
}`,
    };
  }
  return {
    id: "quant/mbqm-double",
    requires: [rdbpSupport, srdhmSupport],
    code: `
/* MultiplyByQuantizedMultiplier (TFLite's default double rounding):
   RDBP(SRDHM(x * 2^left, m), right), the left shift wrapping like the C++ int32 product. */
static int32_t mcu_mbqm(int32_t x, int32_t m, int32_t shift) {
  const int32_t left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  return mcu_rdbp(mcu_srdhm((int32_t)((uint32_t)x << left), m), right);
}`,
  };
}

/**
 * The requantization of the hot loops, `mcu_q_rq(x, m, shift)`: MultiplyByQuantizedMultiplier for a
 * non-negative multiplier (what QuantizeMultiplier returns for positive scales, so
 * SaturatingRoundingDoublingHighMul's only saturating case, INT32_MIN · INT32_MIN, cannot occur),
 * inline so that per-channel constants stay in registers.
 */
export function requantSupport(rounding: RoundingMode): CSupportCode {
  if (rounding === "single") {
    return {
      id: "quant/rq-single",
      code: `
static inline int32_t mcu_q_rq(int32_t x, int32_t m, int32_t shift) {
  const int32_t total = 31 - shift;
  return (int32_t)(((int64_t)x * (int64_t)m + ((int64_t)1 << (total - 1))) >> total);
}`,
    };
  }
  return {
    id: "quant/rq-double",
    code: `
#if defined(__ARM_FEATURE_DSP)
/* floor((x*m + 2^30) / 2^31) with one SMLAL (GCC otherwise widens the product in several steps). */
static inline int32_t mcu_q_srdhm_pos(int32_t x, int32_t m) {
  uint32_t lo = 1u << 30;
  int32_t hi = 0;
  __asm("smlal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(x), "r"(m));
  return (int32_t)((lo >> 31) | ((uint32_t)hi << 1));
}
#else
#define mcu_q_srdhm_pos(x, m) ((int32_t)(((int64_t)(x) * (int64_t)(m) + ((int64_t)1 << 30)) >> 31))
#endif
static inline int32_t mcu_q_rq(int32_t x, int32_t m, int32_t shift) {
  int32_t h;
  if (shift > 0) x = (int32_t)((uint32_t)x << shift);
  h = mcu_q_srdhm_pos(x, m);
  if (shift < 0) {
    const int32_t e = -shift, mask = (int32_t)(((uint32_t)1 << e) - 1u);
    const int32_t threshold = (mask >> 1) + (int32_t)((uint32_t)h >> 31);
    h = (h >> e) + ((h & mask) > threshold ? 1 : 0);
  }
  return h;
}`,
  };
}

/**
 * The DSP primitives: on Armv7E-M/Armv8-M Mainline with the DSP extension the instructions
 * themselves (__smlad and __sxtb16 from ACLE's <arm_acle.h>; SXTB16 with its rotation by
 * inline assembly, which GCC does not fuse), elsewhere an exact emulation in C.
 */
export const dspPrimitives: CSupportCode = {
  id: "quant/dsp-primitives",
  code: `
#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
/* (x.b0, x.b2) sign-extended to two int16 halves. */
#define MCU_SXTB16(x) ((uint32_t)__sxtb16((int32_t)(x)))
/* (x.b1, x.b3) sign-extended: SXTB16 with ROR #8. */
static inline uint32_t mcu_sxtb16_ror8(uint32_t x) {
  uint32_t r;
  __asm("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
#define MCU_SXTB16_ROR8(x) mcu_sxtb16_ror8(x)
/* acc + a.lo*b.lo + a.hi*b.hi, modulo 2^32. */
#define MCU_SMLAD(a, b, acc) ((uint32_t)__smlad((int32_t)(a), (int32_t)(b), (int32_t)(acc)))
/* acc + a.lo*b.lo and acc + a.hi*b.hi, modulo 2^32. */
#define MCU_SMLABB(a, b, acc) ((uint32_t)__smlabb((int32_t)(a), (int32_t)(b), (int32_t)(acc)))
#define MCU_SMLATT(a, b, acc) ((uint32_t)__smlatt((int32_t)(a), (int32_t)(b), (int32_t)(acc)))
#else
/* Exact emulations (the operands are plain variables: the macros evaluate them more than once). */
#define MCU_SXT8_(v) ((uint32_t)(uint16_t)(int16_t)(int8_t)(uint8_t)((v) & 0xFFu))
#define MCU_S16_(v) ((int32_t)(int16_t)(uint16_t)((v) & 0xFFFFu))
#define MCU_SXTB16(x) (MCU_SXT8_(x) | (MCU_SXT8_((x) >> 16) << 16))
#define MCU_SXTB16_ROR8(x) (MCU_SXT8_((x) >> 8) | (MCU_SXT8_((x) >> 24) << 16))
#define MCU_SMLAD(a, b, acc) \\
  ((acc) + (uint32_t)(MCU_S16_(a) * MCU_S16_(b)) + (uint32_t)(MCU_S16_((a) >> 16) * MCU_S16_((b) >> 16)))
#define MCU_SMLABB(a, b, acc) ((acc) + (uint32_t)(MCU_S16_(a) * MCU_S16_(b)))
#define MCU_SMLATT(a, b, acc) ((acc) + (uint32_t)(MCU_S16_((a) >> 16) * MCU_S16_((b) >> 16)))
#endif`,
};

/** Packs int8 values into little-endian 32-bit words (zero-padded to a multiple of 4). */
export function packInt8Words(values: ArrayLike<number>): Uint32Array {
  const words = new Uint32Array(Math.ceil(values.length / 4));
  for (let i = 0; i < values.length; i++) words[i >> 2]! |= (values[i]! & 0xff) << (8 * (i & 3));
  return words;
}

/** Packs int16 values into little-endian 32-bit words (zero-padded to an even count). */
export function packInt16Words(values: ArrayLike<number>): Uint32Array {
  const words = new Uint32Array(Math.ceil(values.length / 2));
  for (let i = 0; i < values.length; i++) words[i >> 1]! |= (values[i]! & 0xffff) << (16 * (i & 1));
  return words;
}

/** x wrapped to int32 (two's complement), for biases folded at generation time. */
export function wrapInt32(x: number | bigint): number {
  return Number(BigInt.asIntN(32, BigInt(x)));
}

/** The C type name of an integer activation dtype. */
export function intCType(t: TensorInfo): "int8_t" | "int16_t" {
  return t.dtype === "int16" ? "int16_t" : "int8_t";
}
