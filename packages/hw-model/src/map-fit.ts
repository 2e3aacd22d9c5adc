/**
 * Maximum-a-posteriori linear fit with Gaussian priors and non-negative coefficients.
 *
 * With fewer measurements than coefficients, least squares alone is underdetermined; a Gaussian
 * prior N(μⱼ, sⱼ²) on each coefficient (ridge regression towards μ) makes the problem well posed:
 * minimize Σᵢ ((xᵢ·θ − yᵢ)/σᵢ)² + Σⱼ ((θⱼ − μⱼ)/sⱼ)². Coefficients the data determine move to the
 * data; the others stay near their prior. Solved as one stacked least-squares system with
 * ml-matrix; coefficients that come out negative are pinned to 0 and the rest refitted (an
 * active-set step: instruction costs cannot be negative).
 */
import { Matrix, solve } from "ml-matrix";

/** One measurement: features `x`, value `y`, standard deviation `sd` (same unit as y). */
export interface FitRow {
  readonly x: readonly number[];
  readonly y: number;
  readonly sd: number;
}

/** A Gaussian prior on one coefficient. */
export interface Prior {
  readonly mean: number;
  readonly sd: number;
}

/** The fitted coefficients and the objective value at them. */
export interface MapFit {
  readonly theta: number[];
  readonly loss: number;
}

/** MAP fit of θ ≥ 0 (see the file comment). */
export function mapLinearFit(rows: readonly FitRow[], priors: readonly Prior[]): MapFit {
  const p = priors.length;
  const pinned = new Set<number>();
  for (let iter = 0; iter <= p; iter++) {
    const free = [...Array(p).keys()].filter((j) => !pinned.has(j));
    const a: number[][] = [];
    const b: number[] = [];
    for (const r of rows) {
      a.push(free.map((j) => (r.x[j] ?? 0) / r.sd));
      b.push(r.y / r.sd);
    }
    free.forEach((j, k) => {
      const row = new Array<number>(free.length).fill(0);
      row[k] = 1 / priors[j]!.sd;
      a.push(row);
      b.push(priors[j]!.mean / priors[j]!.sd);
    });
    const sol = solve(new Matrix(a), Matrix.columnVector(b)).to1DArray();
    const theta = new Array<number>(p).fill(0);
    free.forEach((j, k) => {
      theta[j] = sol[k]!;
    });
    const negative = free.filter((j) => theta[j]! < 0);
    if (negative.length === 0) return { theta, loss: mapLoss(rows, priors, theta) };
    for (const j of negative) pinned.add(j);
  }
  throw new Error("mapLinearFit: active set did not converge");
}

/** The MAP objective at θ. */
export function mapLoss(rows: readonly FitRow[], priors: readonly Prior[], theta: readonly number[]): number {
  let loss = 0;
  for (const r of rows) {
    let pred = 0;
    r.x.forEach((v, j) => {
      pred += v * theta[j]!;
    });
    loss += ((pred - r.y) / r.sd) ** 2;
  }
  priors.forEach((pr, j) => {
    loss += ((theta[j]! - pr.mean) / pr.sd) ** 2;
  });
  return loss;
}

/** Minimizes a unimodal function of one variable on [lo, hi] by golden-section search. */
export function goldenSection(f: (x: number) => number, lo: number, hi: number, tolerance = 1e-6): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > tolerance * (Math.abs(a) + Math.abs(b) + 1e-12)) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}
