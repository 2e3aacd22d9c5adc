/**
 * Naive reference arithmetic for the kernel tests, written from TFLite's definitions with BigInt
 * and rationals, independent of src/: QuantizeMultiplier from the double's exact bits, and
 * MultiplyByQuantizedMultiplier as int64 SRDHM then RoundingDivideByPOT.
 */

/** QuantizeMultiplier(m) for m ≥ 0, from the exact binary value of the double. */
export function naiveQuantizeMultiplier(m: number): { multiplier: number; shift: number } {
  if (m === 0) return { multiplier: 0, shift: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(m));
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = biased === 0 ? -1074 : biased - 1075;
  let shift = mantissa.toString(2).length + exponent;
  const k = exponent + 31 - shift;
  let q: bigint;
  if (k >= 0) q = mantissa << BigInt(k);
  else {
    const d = 1n << BigInt(-k);
    q = mantissa / d;
    if (2n * (mantissa % d) >= d) q += 1n;
  }
  if (q === 1n << 31n) {
    q /= 2n;
    shift += 1;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier: Number(m < 0 ? -q : q), shift };
}

/** Round-to-nearest of x / 2^e with ties away from zero (gemmlowp RoundingDivideByPOT). */
function roundDiv(x: bigint, e: number): bigint {
  if (e === 0) return x;
  const d = 1n << BigInt(e);
  const fl = x >= 0n ? x / d : -((-x + d - 1n) / d);
  const twice = 2n * (x - fl * d);
  return twice > d || (twice === d && x >= 0n) ? fl + 1n : fl;
}

/** TFLite MultiplyByQuantizedMultiplier(int32 x) with double rounding, in BigInt. */
export function naiveMbqm(x: number, q: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const xs = BigInt.asIntN(32, BigInt(x) << BigInt(left));
  let high: bigint;
  if (xs === -(1n << 31n) && q === -(2 ** 31)) high = (1n << 31n) - 1n;
  else {
    const ab = xs * BigInt(q);
    high = (ab + (ab >= 0n ? 1n << 30n : 1n - (1n << 30n))) / (1n << 31n);
  }
  return Number(roundDiv(high, shift > 0 ? 0 : -shift));
}

/** TFLite MultiplyByQuantizedMultiplier(int64 x): 16-bit reduced multiplier, one rounding. */
export function naiveMbqm64(x: number, q: number, shift: number): number {
  const reduced = q < 0x7fff0000 ? BigInt((q + 32768) >> 16) : 0x7fffn;
  const total = BigInt(15 - shift);
  return Number(BigInt.asIntN(32, (BigInt(x) * reduced + (1n << (total - 1n))) >> total));
}

/** Requantizes an accumulator with a real multiplier, as TFLite: quantize the multiplier, then MBQM. */
export function naiveRequant(acc: number, real: number, int64 = false): number {
  const { multiplier, shift } = naiveQuantizeMultiplier(real);
  return int64 ? naiveMbqm64(acc, multiplier, shift) : naiveMbqm(acc | 0, multiplier, shift);
}

/** Clamps to [lo, hi]. */
export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** A small deterministic PRNG (mulberry32), so kernel tests draw the same data every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random integers in [lo, hi] from a PRNG. */
export function randomInts(r: () => number, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));
}

/** A float32 scale drawn log-uniformly from [lo, hi]. */
export function randomScale(r: () => number, lo: number, hi: number): number {
  return Math.fround(lo * (hi / lo) ** r());
}
