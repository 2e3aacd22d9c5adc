/**
 * Quantized multipliers: a real factor m is held as an int32 significand q (Q0.31) and a
 * power-of-two shift, m ≈ q · 2^(shift − 31), and applied to an integer accumulator with
 * MultiplyByQuantizedMultiplier. Sources: tensorflow/lite/kernels/internal/quantization_util.cc
 * (QuantizeMultiplier), tensorflow/lite/kernels/internal/common.cc (MultiplyByQuantizedMultiplier,
 * int32 and int64 versions, with and without TFLITE_SINGLE_ROUNDING).
 */
import { INT32_MAX, roundingDivideByPot, saturatingRoundingDoublingHighMul } from "./fixed-point.js";

/** How MultiplyByQuantizedMultiplier rounds: TFLite's default, or TFLITE_SINGLE_ROUNDING. */
export type RoundingMode = "double" | "single";

/** A quantized multiplier: m ≈ multiplier · 2^(shift − 31); shift > 0 is a left shift. */
export interface QuantizedMultiplier {
  readonly multiplier: number;
  readonly shift: number;
}

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
/** Index of the high word of a float64 in U32 (little- or big-endian hosts). */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * C's std::frexp: x = fraction · 2^exponent with 0.5 ≤ |fraction| < 1 (fraction 0 for x = 0).
 * Exact: the exponent comes from the IEEE-754 bits and the fraction is a power-of-two scaling.
 */
export function frexp(x: number): { readonly fraction: number; readonly exponent: number } {
  if (x === 0 || !Number.isFinite(x)) return { fraction: x, exponent: 0 };
  F64[0] = x;
  let biased = (U32[HI]! >>> 20) & 0x7ff;
  let extra = 0;
  if (biased === 0) {
    // Subnormal: scale into the normal range first.
    F64[0] = x * 2 ** 64;
    biased = (U32[HI]! >>> 20) & 0x7ff;
    extra = -64;
  }
  const exponent = biased - 1022 + extra;
  // Two steps so that neither power of two over- or underflows.
  const half = Math.trunc(exponent / 2);
  const fraction = x * 2 ** -half * 2 ** -(exponent - half);
  return { fraction, exponent };
}

/** TfLiteRound (std::round): nearest integer, halves away from zero. */
export function tfliteRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * TFLite QuantizeMultiplier (quantization_util.cc): frexp(m) = q · 2^shift, significand =
 * round(q · 2^31) (halves away from zero); a significand that rounds up to 2^31 is halved and
 * the shift incremented; a shift below −31 flushes the multiplier to 0 (shift 0). With
 * TFLITE_SINGLE_ROUNDING a shift above 30 saturates to (2^31 − 1, 30).
 */
export function quantizeMultiplier(
  realMultiplier: number,
  rounding: RoundingMode = "double",
): QuantizedMultiplier {
  if (realMultiplier === 0) return { multiplier: 0, shift: 0 };
  const { fraction, exponent } = frexp(realMultiplier);
  let shift = exponent;
  let q = tfliteRound(fraction * 2147483648);
  if (q === 2147483648) {
    q /= 2;
    shift += 1;
  }
  if (shift < -31) {
    shift = 0;
    q = 0;
  }
  if (rounding === "single" && shift > 30) {
    shift = 30;
    q = INT32_MAX;
  }
  return { multiplier: q, shift };
}

/** TFLite QuantizeMultiplierSmallerThanOneExp: QuantizeMultiplier for 0 < m < 1 (shift ≤ 0). */
export function quantizeMultiplierSmallerThanOneExp(
  realMultiplier: number,
  rounding: RoundingMode = "double",
): QuantizedMultiplier {
  return quantizeMultiplier(realMultiplier, rounding);
}

/** TFLite QuantizeMultiplierGreaterThanOne: QuantizeMultiplier for m > 1 (shift ≥ 0). */
export function quantizeMultiplierGreaterThanOne(
  realMultiplier: number,
  rounding: RoundingMode = "double",
): QuantizedMultiplier {
  return quantizeMultiplier(realMultiplier, rounding);
}

/**
 * MultiplyByQuantizedMultiplier(int32 x) with double rounding (TFLite's default, common.cc):
 * RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x · 2^left, q), right) with
 * left = max(shift, 0), right = max(−shift, 0). The left shift wraps like the C++ int32 product.
 */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const shifted = shift > 0 ? Math.imul(x, 1 << shift) : x;
  return roundingDivideByPot(saturatingRoundingDoublingHighMul(shifted, multiplier), shift > 0 ? 0 : -shift);
}

const EXACT = 4503599627370496; // 2^52

/**
 * floor((x·m + 2^(total − 1)) / 2^total), wrapped to int32, exactly, for |x| < 2^47,
 * 0 ≤ m < 2^31 and 1 ≤ total ≤ 62.
 */
function roundedShiftOfProduct(x: number, m: number, total: number): number {
  const p = x * m;
  if (p < EXACT && p > -EXACT && total <= 51) {
    return Math.floor((p + 2 ** (total - 1)) / 2 ** total) | 0;
  }
  if (total >= 17 && (m < 65536 || (x < 2147483648 && x >= -2147483648))) {
    // x·m = h·2^16 + l with both parts below 2^48 in magnitude (split the wide factor at
    // bit 16); the rounding constant 2^(total−1) is a multiple of 2^16, so
    // floor((h·2^16 + l + 2^(total−1)) / 2^total) = floor((h + 2^(total−17) + floor(l/2^16)) / 2^(total−16)).
    let h: number;
    let l: number;
    if (m < 65536) {
      const xh = Math.floor(x / 65536);
      h = xh * m;
      l = (x - xh * 65536) * m;
    } else {
      const mh = Math.floor(m / 65536);
      h = x * mh;
      l = x * (m - mh * 65536);
    }
    const high = h + 2 ** (total - 17) + Math.floor(l / 65536);
    return Math.floor(high / 2 ** (total - 16)) | 0;
  }
  const r = (BigInt(x) * BigInt(m) + (1n << BigInt(total - 1))) >> BigInt(total);
  return Number(BigInt.asIntN(32, r));
}

/**
 * MultiplyByQuantizedMultiplier(int32 x) with TFLITE_SINGLE_ROUNDING (common.cc):
 * (x · q + 2^(30 − shift)) >> (31 − shift), one rounding, for −31 ≤ shift ≤ 30.
 */
export function multiplyByQuantizedMultiplierSingleRounding(
  x: number,
  multiplier: number,
  shift: number,
): number {
  return roundedShiftOfProduct(x, multiplier, 31 - shift);
}

/**
 * MultiplyByQuantizedMultiplier(int64 x) (common.cc, identical in both rounding modes): the
 * multiplier is reduced to 16 bits, r = q < 0x7FFF0000 ? (q + 2^15) >> 16 : 0x7FFF, then
 * (x · r + 2^(14 − shift)) >> (15 − shift), truncated to int32. Used by the int16x8 kernels
 * whose accumulators are int64. `x` must be an integer with |x| < 2^47 (TFLite's own bound).
 */
export function multiplyByQuantizedMultiplierInt64(x: number, multiplier: number, shift: number): number {
  const reduced = multiplier < 0x7fff0000 ? (multiplier + 32768) >> 16 : 0x7fff;
  return roundedShiftOfProduct(x, reduced, 15 - shift);
}

/** The int32 MultiplyByQuantizedMultiplier of a rounding mode. */
export function multiplyByQuantizedMultiplierFor(
  rounding: RoundingMode,
): (x: number, multiplier: number, shift: number) => number {
  return rounding === "single" ? multiplyByQuantizedMultiplierSingleRounding : multiplyByQuantizedMultiplier;
}
