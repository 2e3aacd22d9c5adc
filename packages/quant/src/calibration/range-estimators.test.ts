import { SymmetricHistogram } from "./histogram.js";
import { clipRange, klThreshold, mseRange, percentileThreshold } from "./range-estimators.js";

/** A seeded uniform generator (Park–Miller), for reproducible data. */
function uniform(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 48271) % 2147483647;
    return s / 2147483647;
  };
}

/** Laplace(0, b) samples by inverse CDF: heavy tails, where clipping pays. */
function laplace(n: number, b: number, seed: number): Float32Array {
  const u = uniform(seed);
  return Float32Array.from({ length: n }, () => {
    const p = u() - 0.5;
    return -b * Math.sign(p) * Math.log(1 - 2 * Math.abs(p));
  });
}

function histogramOf(data: Float32Array, bins: number): { h: SymmetricHistogram; min: number; max: number } {
  let min = 0;
  let max = 0;
  for (const v of data) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const h = new SymmetricHistogram(Math.max(-min, max), bins);
  h.add(data);
  return { h, min, max };
}

describe("SymmetricHistogram", () => {
  it("bins values over [−A, A] and folds them into |x| bins", () => {
    const h = new SymmetricHistogram(2, 2); // bins [−2,−1) [−1,0) [0,1) [1,2]
    h.add([-2, -1.5, -0.5, 0, 0.5, 1, 2, 7]);
    // The exact 0 is counted apart.
    expect(Array.from(h.counts)).toEqual([2, 1, 1, 3]);
    expect(h.zeros).toBe(1);
    expect(Array.from(h.folded(false))).toEqual([2, 5]);
    expect(Array.from(h.folded(true))).toEqual([3, 5]);
    expect(h.count).toBe(8);
    expect(h.center(0)).toBe(-1.5);
  });
});

describe("percentileThreshold", () => {
  it("keeps the given share of |x| values (hand-derived)", () => {
    // 99 values of 1 and one of 100: bins of width 1, the 99th percentile ends at bin [1, 2).
    const data = Float32Array.from([...new Array(99).fill(1), 100]);
    const { h, min, max } = histogramOf(data, 100);
    const t = percentileThreshold(h.folded(false), h.binWidth, 99);
    expect(t).toBe(2);
    expect(clipRange({ min, max }, t)).toEqual({ min: 0, max: 2 });
    expect(percentileThreshold(h.folded(false), h.binWidth, 100)).toBe(100);
  });
});

describe("klThreshold (TensorRT entropy calibration)", () => {
  it("clips rare outliers far beyond the bulk of the distribution", () => {
    // A Laplace bulk (|x| up to about 12 in 100,000 draws) and three outliers at ±200.
    const data = laplace(100_000, 1, 9);
    data.set([200, -200, 190], 0);
    const { h } = histogramOf(data, 2048);
    const t = klThreshold(h.folded(false), h.binWidth);
    expect(t).toBeGreaterThan(5);
    expect(t).toBeLessThan(20);
  });

  it("keeps the whole range of a uniform distribution", () => {
    const u = uniform(11);
    const data = Float32Array.from({ length: 100_000 }, () => 2 * u() - 1);
    const { h } = histogramOf(data, 2048);
    expect(klThreshold(h.folded(false), h.binWidth)).toBeGreaterThan(0.95);
  });
});

/** The mean squared error of asymmetric int8 fake quantization of `data` on [lo, hi], from the definition. */
function fakeQuantMse(data: Float32Array, lo: number, hi: number): number {
  const rmin = Math.min(lo, 0);
  const rmax = Math.max(hi, 0);
  const scale = (rmax - rmin) / 255;
  const zp = Math.round(-128 - rmin / scale);
  let err = 0;
  for (const v of data) {
    const q = Math.max(-128, Math.min(127, Math.round(v / scale) + zp));
    const d = v - scale * (q - zp);
    err += d * d;
  }
  return err / data.length;
}

describe("mseRange", () => {
  it("finds a clipping as good as a brute-force search on the raw values, and better than min/max", () => {
    // Laplace values: clipping the thin tails trades a little error there for a finer step on
    // everything else.
    const data = laplace(20_000, 1, 3);
    const { h, min, max } = histogramOf(data, 2048);
    const r = mseRange(h, { min, max }, "int8");
    const chosen = fakeQuantMse(data, r.min, r.max);
    let best = Number.POSITIVE_INFINITY;
    const absMax = Math.max(-min, max);
    for (let k = 1; k <= 200; k++) {
      const t = (absMax * k) / 200;
      best = Math.min(best, fakeQuantMse(data, Math.max(min, -t), Math.min(max, t)));
    }
    expect(chosen).toBeLessThan(fakeQuantMse(data, min, max));
    expect(r.max).toBeLessThan(max);
    // Within 3% of the best clipping (the search works on bin centers, not the raw values).
    expect(chosen).toBeLessThanOrEqual(best * 1.03);
  });

  it("leaves a range alone when clipping does not help (uniform values)", () => {
    const u = uniform(5);
    const data = Float32Array.from({ length: 20_000 }, () => 4 * u());
    const { h, min, max } = histogramOf(data, 2048);
    const r = mseRange(h, { min, max }, "int8");
    expect(r.max).toBeGreaterThan(0.97 * max);
  });
});
