/**
 * gemmlowp's fixed-point transcendental functions (fixedpoint/fixedpoint.h) and TFLite's
 * additions (tensorflow/lite/kernels/internal/common.h), on raw int32 values. A value in
 * "Qm" has m integer bits: real = raw / 2^(31 − m). Functions take the integer bits of their
 * input as a parameter where gemmlowp has a template argument. Additions wrap like gemmlowp's
 * FixedPoint operator+ (plain int32 adds).
 */
import {
  countLeadingZeros32,
  INT32_MAX,
  roundingDivideByPot,
  roundingHalfSum,
  saturatingAdd32,
  saturatingRoundingDoublingHighMul as mul,
  saturatingRoundingMultiplyByPot,
  saturatingSub32,
  wrapAdd32,
  wrapSub32,
} from "./fixed-point.js";

/** gemmlowp Rescale<dst>(x in Q`srcBits`): saturating/rounding multiply by 2^(src − dst). */
export function rescale(raw: number, srcBits: number, dstBits: number): number {
  return saturatingRoundingMultiplyByPot(raw, srcBits - dstBits);
}

/** exp(x) for x in [−1/4, 0), Q0 → Q0: Taylor expansion around −1/8 (gemmlowp). */
export function expOnIntervalBetweenNegativeOneQuarterAnd0Excl(a: number): number {
  const constantTerm = 1895147668; // exp(−1/8) in Q0.31
  const constant1Over3 = 715827883; // 1/3 in Q0.31
  const x = wrapAdd32(a, 1 << 28); // a + 1/8
  const x2 = mul(x, x);
  const x3 = mul(x2, x);
  const x4 = mul(x2, x2);
  const x4Over4 = roundingDivideByPot(x4, 2);
  const poly = roundingDivideByPot(wrapAdd32(mul(wrapAdd32(x4Over4, x3), constant1Over3), x2), 1);
  return wrapAdd32(constantTerm, mul(constantTerm, wrapAdd32(x, poly)));
}

/** exp(−2^k) in Q0.31 for k = −2 … 4: the barrel shifter of gemmlowp exp_on_negative_values. */
const EXP_BARREL: readonly (readonly [number, number])[] = [
  [-2, 1672461947],
  [-1, 1302514674],
  [0, 790015084],
  [1, 290630308],
  [2, 39332535],
  [3, 720401],
  [4, 242],
];

/**
 * gemmlowp exp_on_negative_values: exp(a) for a ≤ 0 given in Q`integerBits`, result in Q0.
 * a = (a mod 1/4) − 1/4 − remainder: the first part by a Taylor series, then one multiply by
 * exp(−2^k) for each set bit of the remainder; below −32 the result is 0, at 0 it is 1.
 */
export function expOnNegativeValues(a: number, integerBits: number): number {
  const fractionalBits = 31 - integerBits;
  const oneQuarter = 1 << (fractionalBits - 2);
  const mask = oneQuarter - 1;
  const aModQuarterMinusOneQuarter = wrapSub32(a & mask, oneQuarter);
  let result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(
    rescale(aModQuarterMinusOneQuarter, integerBits, 0),
  );
  const remainder = wrapSub32(aModQuarterMinusOneQuarter, a);
  for (const [exponent, multiplier] of EXP_BARREL) {
    if (integerBits > exponent) {
      const shiftAmount = fractionalBits + exponent;
      if ((remainder & (1 << shiftAmount)) !== 0) result = mul(result, multiplier);
    }
  }
  if (integerBits > 5) {
    const clamp = -(1 << (36 - integerBits)); // −32 in Q`integerBits`
    if (a < clamp) result = 0;
  }
  if (a === 0) result = INT32_MAX;
  return result;
}

/** Newton–Raphson reciprocal iteration shared by the two (1 ± x)/(1 + x) helpers; returns x in Q2. */
function reciprocalOfHalfDenominator(halfDenominator: number): number {
  const constant48Over17 = 1515870810; // Q2
  const constantNeg32Over17 = -1010580540; // Q2
  const oneQ2 = 1 << 29;
  let x = wrapAdd32(constant48Over17, mul(halfDenominator, constantNeg32Over17));
  for (let i = 0; i < 3; i++) {
    const halfDenominatorTimesX = mul(halfDenominator, x);
    const oneMinusHalfDenominatorTimesX = wrapSub32(oneQ2, halfDenominatorTimesX);
    x = wrapAdd32(x, rescale(mul(x, oneMinusHalfDenominatorTimesX), 4, 2));
  }
  return x;
}

/** gemmlowp one_over_one_plus_x_for_x_in_0_1: 1 / (1 + a) for a in (0, 1), Q0 → Q0. */
export function oneOverOnePlusXForXIn01(a: number): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX);
  const x = reciprocalOfHalfDenominator(halfDenominator);
  // ExactMulByPot<-1> turns Q2 into Q1 without touching the raw value.
  return rescale(x, 1, 0);
}

/** gemmlowp one_minus_x_over_one_plus_x_for_x_in_0_1: (1 − a) / (1 + a) for a in (0, 1), Q0 → Q0. */
export function oneMinusXOverOnePlusXForXIn01(a: number): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX);
  const x = reciprocalOfHalfDenominator(halfDenominator);
  return rescale(wrapSub32(x, 1 << 29), 2, 0);
}

/** gemmlowp logistic: 1 / (1 + exp(−a)) for a in Q`integerBits`, result in Q0 (0 → 1/2). */
export function fixedPointLogistic(a: number, integerBits: number): number {
  if (a === 0) return 1 << 30;
  const positive = a > 0;
  const absInput = positive ? a : -a | 0;
  const resultIfPositive = oneOverOnePlusXForXIn01(expOnNegativeValues(-absInput | 0, integerBits));
  return positive ? resultIfPositive : wrapSub32(INT32_MAX, resultIfPositive);
}

/** gemmlowp tanh: (1 − exp(−2a)) / (1 + exp(−2a)) for a in Q`integerBits`, result in Q0. */
export function fixedPointTanh(a: number, integerBits: number): number {
  if (a === 0) return 0;
  const negative = a < 0;
  const n = negative ? a : -a | 0;
  // neg_tanh_on_negative_values: ExactMulByPot<1> reinterprets n with one more integer bit.
  const t = oneMinusXOverOnePlusXForXIn01(expOnNegativeValues(n, integerBits + 1));
  return negative ? -t | 0 : t;
}

/**
 * TFLite GetReciprocal (common.h): the reciprocal of x (Q`integerDigits`, x > 0) as a Q0 scale
 * and the number of bits the true reciprocal exceeds it by: 1/x = scale · 2^−numBitsOverUnit.
 */
export function getReciprocal(
  x: number,
  integerDigits: number,
): { readonly scale: number; readonly numBitsOverUnit: number } {
  const headroomPlusOne = countLeadingZeros32(x);
  const numBitsOverUnit = integerDigits - headroomPlusOne;
  // (uint32(x) << headroom_plus_one) − 2^31, as int32.
  const shiftedSumMinusOne = ((x << headroomPlusOne) ^ 0x80000000) | 0;
  return { scale: oneOverOnePlusXForXIn01(shiftedSumMinusOne), numBitsOverUnit };
}

/**
 * TFLite log_x_for_x_greater_than_or_equal_to_1_impl (common.h): log(x) for x ≥ 1 given in
 * Q`inputIntegerBits`, result in Q`outputIntegerBits`, by splitting x = 2^z · r with r in
 * [sqrt(1/2), sqrt(2)) and a rational approximation of log(r).
 */
export function logXForXGreaterThanOrEqualTo1(
  x: number,
  outputIntegerBits: number,
  inputIntegerBits: number,
): number {
  const accumIntegerBits = outputIntegerBits + 1;
  const log2 = 1488522236;
  const sqrtSqrtHalf = 1805811301;
  const sqrtHalf = 1518500250;
  const oneQuarter = 536870912;
  const alphaN = 117049297;
  const alphaD = 127690142;
  const alphaI = 1057819769;
  const alphaF = 638450708;

  const shiftedQuarter = rescale(oneQuarter, 0, accumIntegerBits);
  const zA = x;
  const zAHeadroomPlus1 = countLeadingZeros32(zA);
  const rATmp = saturatingRoundingMultiplyByPot(zA, zAHeadroomPlus1 - 1);
  const rARaw = saturatingRoundingMultiplyByPot(mul(rATmp, sqrtHalf), 1);
  const zAPow2Adj = saturatingAdd32(
    saturatingRoundingMultiplyByPot(inputIntegerBits - zAHeadroomPlus1, 31 - accumIntegerBits),
    shiftedQuarter,
  );

  const zB = mul(zA, sqrtHalf);
  const zBHeadroom = countLeadingZeros32(zB) - 1;
  const rBRaw = saturatingRoundingMultiplyByPot(zA, zBHeadroom);
  const zBPow2Adj = saturatingSub32(
    saturatingRoundingMultiplyByPot(inputIntegerBits - zBHeadroom, 31 - accumIntegerBits),
    shiftedQuarter,
  );

  const r = Math.min(rARaw, rBRaw);
  const zPow2Adj = Math.max(zAPow2Adj, zBPow2Adj);

  const p = roundingHalfSum(r, sqrtSqrtHalf);
  let q = wrapSub32(r, sqrtSqrtHalf);
  q = wrapAdd32(q, q);

  const commonSq = mul(q, q);
  const num = wrapAdd32(mul(q, r), mul(mul(q, commonSq), alphaN));
  const denomMinusOne0 = wrapAdd32(
    mul(p, wrapAdd32(wrapAdd32(alphaI, q), mul(alphaD, commonSq))),
    mul(alphaF, q),
  );
  const recipDenom = oneOverOnePlusXForXIn01(denomMinusOne0);

  const numScaled = rescale(num, 0, accumIntegerBits);
  return rescale(
    wrapAdd32(mul(zPow2Adj, log2), mul(numScaled, recipDenom)),
    accumIntegerBits,
    outputIntegerBits,
  );
}
