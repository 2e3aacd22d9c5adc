/**
 * A histogram of one tensor's values over a symmetric interval [−A, A], the data the
 * percentile, MSE and KL range estimators work on. Symmetric so that folding it gives the
 * histogram of |x| that TensorRT's entropy calibration (and onnxruntime's HistogramCalibrater)
 * searches thresholds on.
 */

/** A value range: what calibration decides for each tensor. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

/**
 * Counts of values in `2·binsPerSide` equal bins over [−absMax, absMax]. Exact zeros are
 * counted apart (`zeros`): every quantizer here represents real 0 exactly (the zero point), so
 * they carry no quantization error — and after a ReLU they are a spike that would otherwise
 * dominate the first bin (the reason NVIDIA's pytorch-quantization histogram calibrator has a
 * `skip_zeros` option).
 */
export class SymmetricHistogram {
  /** counts[binsPerSide + j] counts (0 <) [j·w, (j+1)·w); counts[binsPerSide − 1 − j] counts (−(j+1)·w, −j·w). */
  readonly counts: Float64Array;
  readonly binWidth: number;
  /** Number of exact zeros added. */
  zeros = 0;
  private total = 0;

  constructor(
    readonly absMax: number,
    readonly binsPerSide: number,
  ) {
    this.counts = new Float64Array(2 * binsPerSide);
    this.binWidth = absMax > 0 ? absMax / binsPerSide : 0;
  }

  /** Adds values; values beyond ±absMax land in the outermost bins. */
  add(values: ArrayLike<number>): void {
    const n = this.binsPerSide;
    const counts = this.counts;
    if (this.binWidth === 0) {
      // Every value is 0 (the range was [0, 0]).
      this.zeros += values.length;
      this.total += values.length;
      return;
    }
    const inv = 1 / this.binWidth;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v === 0) {
        this.zeros++;
        continue;
      }
      let b = Math.floor(v * inv) + n;
      if (b < 0) b = 0;
      else if (b >= 2 * n) b = 2 * n - 1;
      counts[b]!++;
    }
    this.total += values.length;
  }

  /** Number of values added. */
  get count(): number {
    return this.total;
  }

  /** The histogram of |x|: `binsPerSide` bins of width `binWidth` from 0, exact zeros in bin 0 or left out. */
  folded(withZeros: boolean): Float64Array {
    const n = this.binsPerSide;
    const out = new Float64Array(n);
    for (let j = 0; j < n; j++) out[j] = this.counts[n + j]! + this.counts[n - 1 - j]!;
    if (withZeros && n > 0) out[0] = out[0]! + this.zeros;
    return out;
  }

  /** Center of signed bin `b` (0 … 2·binsPerSide − 1). */
  center(b: number): number {
    return (b - this.binsPerSide + 0.5) * this.binWidth;
  }
}
