/**
 * Turning "sign(f(dot))" into a per-channel threshold on dot (eBNN, McDanel et al. 2017, §3.2:
 * batch normalization followed by binarization is a comparison with one number per channel, the
 * comparison reversed where γ < 0). `f` is the float chain the original graph computes between
 * the dot product and the sign (bias, batch normalization), evaluated here exactly as the float
 * kernels evaluate it, so the threshold reproduces the float graph's decision for every
 * achievable dot product — not an approximation of it.
 */
import { InternalError } from "@mcu/tensor";

/** A per-channel decision: clear bit (+1) iff s·v ≥ threshold, s = −1 where `flip`. */
export interface ChannelThreshold {
  readonly threshold: number;
  readonly flip: boolean;
  /** Values of v in the searched range where f(v) is exactly 0 (ONNX Sign gives 0 there, we +1). */
  readonly zeros: readonly number[];
}

/**
 * The threshold on an integer v ∈ [−n, n] such that (f(v) ≥ 0) ⇔ (s·v ≥ t). `f` must be
 * monotone on the range (a composition of monotone float operations is); NaN counts as +1 like
 * binary.sign. Returns undefined when the decision is not a threshold (not monotone).
 */
export function integerThreshold(f: (v: number) => number, n: number): ChannelThreshold | undefined {
  const clear: boolean[] = [];
  const zeros: number[] = [];
  for (let v = -n; v <= n; v++) {
    const y = f(v);
    if (y === 0) zeros.push(v);
    clear.push(!(y < 0));
  }
  const first = clear.indexOf(true);
  if (first < 0) return { threshold: n + 1, flip: false, zeros }; // never clear
  const last = clear.lastIndexOf(true);
  const contiguous = clear.slice(first, last + 1).every((c) => c);
  if (!contiguous) return undefined;
  if (last === clear.length - 1) return { threshold: first - n, flip: false, zeros }; // v ≥ t
  if (first === 0) return { threshold: -(last - n), flip: true, zeros }; // v ≤ T ⇔ −v ≥ −T
  return undefined; // clear only in a middle band: no single comparison
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Total order key of a float32 (−∞ … −0 < +0 … +∞), as an integer. */
function keyOf(x: number): number {
  f32[0] = x;
  const u = u32[0]!;
  return u & 0x80000000 ? -(u & 0x7fffffff) - 1 : u;
}

/** The float32 with order key k (inverse of keyOf; −0 has key −1, +0 key 0). */
function floatOfKey(k: number): number {
  u32[0] = k < 0 ? (-(k + 1) | 0x80000000) >>> 0 : k;
  return f32[0]!;
}

// The search runs over the finite float32 values: at ±∞ a batch normalization with γ = 0 gives
// ∞·0 = NaN, which says nothing about the finite values a layer produces.
const FLT_MAX = 3.4028234663852886e38;
const MAX_KEY = keyOf(FLT_MAX);
const MIN_KEY = keyOf(-FLT_MAX);

/**
 * The threshold on a float32 v such that (f(v) ≥ 0) ⇔ (s·v ≥ t) for every finite float32 v
 * (binary search over float32 values in their total order; f must be monotone).
 */
export function floatThreshold(f: (v: number) => number): ChannelThreshold {
  const clear = (k: number): boolean => !(f(floatOfKey(k)) < 0);
  const lo = clear(MIN_KEY);
  const hi = clear(MAX_KEY);
  if (lo === hi) {
    // Constant decision: always +1 (−∞ ≥ −∞) or always −1 (nothing finite is ≥ +∞).
    return { threshold: lo ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY, flip: false, zeros: [] };
  }
  // Find the boundary key b: clear(k) === hi for k ≥ b, === lo below.
  let a = MIN_KEY; // clear(a) === lo
  let b = MAX_KEY; // clear(b) === hi
  while (b - a > 1) {
    const m = Math.floor((a + b) / 2);
    if (clear(m) === hi) b = m;
    else a = m;
  }
  const zeros = [floatOfKey(a), floatOfKey(b)].filter((v) => f(v) === 0);
  if (hi) return { threshold: floatOfKey(b) === 0 ? 0 : floatOfKey(b), flip: false, zeros }; // v ≥ t
  // clear for v ≤ floatOfKey(a): −v ≥ −a.
  const t = -floatOfKey(a);
  if (Number.isNaN(t)) throw new InternalError("float threshold search reached NaN");
  return { threshold: t === 0 ? 0 : t, flip: true, zeros };
}
