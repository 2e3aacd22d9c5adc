/**
 * Range estimators on a tensor's histogram. Each picks a clipping threshold t on |x| and clips
 * the observed range to [max(min, −t), min(max, t)], so that one rare large value does not
 * stretch the scale of every other value:
 * - percentile: the smallest t below which `p`% of the |x| values lie (TensorRT's and
 *   onnxruntime's percentile calibration);
 * - KL entropy: TensorRT's entropy calibration (Migacz, "8-bit Inference with TensorRT", GTC
 *   2017): the t whose quantized distribution (128 levels over [0, t]) diverges least, in
 *   Kullback–Leibler divergence, from the clipped reference distribution;
 * - MSE: the t whose quantizer (the real one: asymmetric int8 or symmetric int16 parameters
 *   of the clipped range) gives the least mean squared error over the histogram.
 */
import {
  type ActivationDType,
  activationLimits,
  activationParams,
  dequantizeValue,
  quantizeValue,
} from "../ptq/params.js";
import type { Range, SymmetricHistogram } from "./histogram.js";

/** The observed range clipped to ±t. */
export function clipRange(range: Range, t: number): Range {
  return { min: Math.max(range.min, -t), max: Math.min(range.max, t) };
}

/** The smallest bin edge t with at least `percentile`% of the |x| counts in [0, t]. */
export function percentileThreshold(folded: Float64Array, binWidth: number, percentile: number): number {
  let total = 0;
  for (const c of folded) total += c;
  const want = (total * percentile) / 100;
  let sum = 0;
  for (let i = 0; i < folded.length; i++) {
    sum += folded[i]!;
    if (sum >= want) return (i + 1) * binWidth;
  }
  return folded.length * binWidth;
}

/**
 * Replaces zero probabilities by `eps` and takes the mass from the non-zero ones, so that the
 * KL divergence stays finite (the smoothing onnxruntime's calibrator applies before
 * scipy.stats.entropy). Returns false when every entry is zero.
 */
function smooth(p: Float64Array, eps: number): boolean {
  let zeros = 0;
  for (const v of p) if (v === 0) zeros++;
  const nonZeros = p.length - zeros;
  if (nonZeros === 0) return false;
  const take = (eps * zeros) / nonZeros;
  for (let i = 0; i < p.length; i++) p[i] = p[i] === 0 ? eps : p[i]! - take;
  return true;
}

/** KL(P ‖ Q) of two unnormalized distributions (normalized here). */
function klDivergence(p: Float64Array, q: Float64Array): number {
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i]!;
    sq += q[i]!;
  }
  let kl = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / sp;
    if (pi > 0) kl += pi * Math.log(pi / (q[i]! / sq));
  }
  return kl;
}

/**
 * TensorRT's entropy calibration on the |x| histogram. For each candidate i ≥ `levels` bins:
 * P is the first i bins with every count beyond them added to bin i − 1 (clipping); Q merges
 * the first i bins into `levels` groups and spreads each group's count evenly over its
 * non-empty bins (what quantizing to `levels` steps keeps). The threshold is the upper edge of
 * the i with the smallest KL(P ‖ Q).
 */
export function klThreshold(folded: Float64Array, binWidth: number, levels = 128): number {
  const n = folded.length;
  if (n <= levels) return n * binWidth;
  let tail = 0;
  for (let j = levels; j < n; j++) tail += folded[j]!;
  let best = n;
  let bestKl = Number.POSITIVE_INFINITY;
  const p = new Float64Array(n);
  const q = new Float64Array(n);
  for (let i = levels; i <= n; i++) {
    // tail = Σ folded[i..n): the outliers clipped into the last bin.
    const pi = p.subarray(0, i);
    const qi = q.subarray(0, i);
    pi.set(folded.subarray(0, i));
    pi[i - 1] = pi[i - 1]! + tail;
    for (let g = 0; g < levels; g++) {
      const start = Math.floor((g * i) / levels);
      const end = Math.floor(((g + 1) * i) / levels);
      let sum = 0;
      let nonEmpty = 0;
      for (let j = start; j < end; j++) {
        sum += folded[j]!;
        if (folded[j] !== 0) nonEmpty++;
      }
      const share = nonEmpty > 0 ? sum / nonEmpty : 0;
      for (let j = start; j < end; j++) qi[j] = folded[j] !== 0 ? share : 0;
    }
    if (i < n) tail -= folded[i]!;
    if (!smooth(pi, 1e-4) || !smooth(qi, 1e-4)) continue;
    const kl = klDivergence(pi, qi);
    if (kl < bestKl) {
      bestKl = kl;
      best = i;
    }
  }
  return best * binWidth;
}

/**
 * Mean squared error of quantizing the histogram's bin centers with the parameters of `range`
 * (exact zeros, quantized without error, only count in the mean).
 */
export function histogramMse(hist: SymmetricHistogram, range: Range, dtype: ActivationDType): number {
  const p = activationParams(range, dtype);
  const [qmin, qmax] = activationLimits(dtype);
  let err = 0;
  let count = 0;
  const counts = hist.counts;
  for (let b = 0; b < counts.length; b++) {
    const c = counts[b]!;
    if (c === 0) continue;
    const x = hist.center(b);
    const d = x - dequantizeValue(quantizeValue(x, p, qmin, qmax), p);
    err += c * d * d;
    count += c;
  }
  count += hist.zeros;
  return count > 0 ? err / count : 0;
}

/**
 * The MSE-optimal clipping of `range`: a coarse search over thresholds at every `stride`-th |x|
 * bin edge, then every edge around the best one.
 */
export function mseRange(hist: SymmetricHistogram, range: Range, dtype: ActivationDType): Range {
  const n = hist.binsPerSide;
  const w = hist.binWidth;
  if (w === 0) return range;
  const absMax = Math.max(Math.abs(range.min), Math.abs(range.max));
  const top = Math.min(n, Math.ceil(absMax / w));
  const errorAt = (i: number): number => histogramMse(hist, clipRange(range, i * w), dtype);
  const stride = Math.max(1, Math.floor(top / 256));
  let best = top;
  let bestErr = errorAt(top);
  for (let i = stride; i < top; i += stride) {
    const e = errorAt(i);
    if (e < bestErr) {
      bestErr = e;
      best = i;
    }
  }
  for (let i = Math.max(1, best - stride + 1); i < Math.min(top, best + stride); i++) {
    const e = errorAt(i);
    if (e < bestErr) {
      bestErr = e;
      best = i;
    }
  }
  return best >= top ? range : clipRange(range, best * w);
}
