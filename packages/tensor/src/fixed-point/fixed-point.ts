/**
 * Integer fixed-point primitives of gemmlowp (fixedpoint/fixedpoint.h) and TensorFlow Lite
 * (tensorflow/lite/kernels/internal/common.h), on int32 values held in JS numbers.
 *
 * JS numbers are doubles: a product of two int32 values needs up to 62 bits, more than the
 * 53 a double holds exactly, so the doubling high multiply splits one factor into 16-bit halves
 * when the product is large. Every function here returns exactly what the C++ code returns on
 * the same int32 inputs (two's-complement wrap-around where the C++ relies on it).
 */

/** Smallest int32. */
export const INT32_MIN = -2147483648;
/** Largest int32. */
export const INT32_MAX = 2147483647;

const TWO_16 = 65536;
const TWO_30 = 1073741824;
const TWO_31 = 2147483648;
/** Below this magnitude a double holds a product exactly with room for a 2^30 nudge. */
const EXACT_PRODUCT = 4503599627370496; // 2^52

/**
 * gemmlowp SaturatingRoundingDoublingHighMul (ARM VQRDMULH) on int32: (a·b) / 2^31 rounded to
 * nearest with ties towards +∞, computed as trunc((a·b + nudge) / 2^31) with nudge = 2^30 for
 * a·b ≥ 0 and 1 − 2^30 otherwise; INT32_MIN · INT32_MIN saturates to INT32_MAX.
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const p = a * b;
  if (p < EXACT_PRODUCT && p > -EXACT_PRODUCT) {
    // |a·b| < 2^52: the double product and the nudged sum are exact.
    return (p >= 0 ? Math.floor((p + TWO_30) / TWO_31) : -Math.floor((TWO_30 - 1 - p) / TWO_31)) | 0;
  }
  // Exact path: |a|·|b| = |a|·bh·2^16 + |a|·bl with bl < 2^16, each part below 2^48.
  const negative = a < 0 !== b < 0;
  const aa = Math.abs(a);
  const bb = Math.abs(b);
  const bh = Math.floor(bb / TWO_16);
  const bl = bb - bh * TWO_16;
  const nudge = negative ? TWO_30 - 1 : TWO_30;
  const low = aa * bl + nudge;
  const mid = aa * bh + Math.floor(low / TWO_16);
  const q = Math.floor(mid / 32768);
  return (negative ? -q : q) | 0;
}

/**
 * gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero
 * (0 ≤ exponent ≤ 31).
 */
export function roundingDivideByPot(x: number, exponent: number): number {
  const mask = exponent === 31 ? INT32_MAX : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * gemmlowp SaturatingRoundingMultiplyByPOT / TFLite SaturatingRoundingMultiplyByPOTParam on
 * int32: x · 2^exponent, saturating for exponent > 0, rounding (RoundingDivideByPOT) for < 0.
 */
export function saturatingRoundingMultiplyByPot(x: number, exponent: number): number {
  if (exponent === 0) return x;
  if (exponent < 0) return roundingDivideByPot(x, -exponent);
  const threshold = (1 << (31 - exponent)) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (x * 2 ** exponent) | 0;
}

/** gemmlowp RoundingHalfSum on int32: (a + b) / 2 rounded half away from zero. */
export function roundingHalfSum(a: number, b: number): number {
  const sum = a + b;
  return Math.trunc((sum + (sum >= 0 ? 1 : -1)) / 2) | 0;
}

/** TFLite SaturatingAddNonGemmlowp on int32: a + b clamped to the int32 range. */
export function saturatingAdd32(a: number, b: number): number {
  const s = a + b;
  return s > INT32_MAX ? INT32_MAX : s < INT32_MIN ? INT32_MIN : s;
}

/** TFLite SaturatingSub on int32: a − b clamped to the int32 range. */
export function saturatingSub32(a: number, b: number): number {
  const s = a - b;
  return s > INT32_MAX ? INT32_MAX : s < INT32_MIN ? INT32_MIN : s;
}

/** int32 addition with two's-complement wrap-around (gemmlowp FixedPoint operator+). */
export function wrapAdd32(a: number, b: number): number {
  return (a + b) | 0;
}

/** int32 subtraction with two's-complement wrap-around (gemmlowp FixedPoint operator-). */
export function wrapSub32(a: number, b: number): number {
  return (a - b) | 0;
}

/** TFLite CountLeadingZeros on the uint32 bit pattern of x (32 for 0). */
export function countLeadingZeros32(x: number): number {
  return Math.clz32(x);
}

/**
 * gemmlowp SaturatingRoundingDoublingHighMul on int16: trunc((a·b + nudge) / 2^15) with
 * nudge = 2^14 or 1 − 2^14; −32768 · −32768 saturates to 32767.
 */
export function saturatingRoundingDoublingHighMul16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  const ab = a * b;
  const nudge = ab >= 0 ? 16384 : 1 - 16384;
  return (Math.trunc((ab + nudge) / 32768) << 16) >> 16;
}

/** gemmlowp RoundingDivideByPOT on int16 (0 ≤ exponent ≤ 15). */
export function roundingDivideByPot16(x: number, exponent: number): number {
  const mask = (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (((x >> exponent) + (remainder > threshold ? 1 : 0)) << 16) >> 16;
}

/** Wraps an integer-valued number to int16 (C's static_cast<int16_t>). */
export function toInt16(x: number): number {
  return (x << 16) >> 16;
}

/** Wraps an integer-valued number to int8 (C's static_cast<int8_t>). */
export function toInt8(x: number): number {
  return (x << 24) >> 24;
}
