import fc from "fast-check";
import { kmeans, kmeansPlusPlus } from "./kmeans.js";
import { normalSample, seededRandom } from "./random.js";
import { type KernelTransforms, kernelTransforms } from "./transforms.js";

/**
 * Lloyd's algorithm written from its definition, with exhaustive distance computations: the
 * oracle for the bounded (Hamerly/Yinyang) implementation. Transform-invariant when `tr` is
 * given: assignment to the nearest T_t(C_c), update to the weighted mean of T_t⁻¹(x).
 */
function naiveLloyd(
  points: Float64Array,
  dim: number,
  init: Float64Array,
  tr: KernelTransforms | undefined,
  weights: Float64Array | undefined,
) {
  const n = points.length / dim;
  const k = init.length / dim;
  const nT = tr?.count ?? 1;
  const c = init.slice();
  const assign = new Int32Array(n).fill(-1);
  const ctr = (cc: number, t: number, j: number) =>
    tr === undefined ? c[cc * dim + j]! : c[cc * dim + tr.perm[t * dim + j]!]!;
  const dist2 = (x: number, cc: number, t: number) => {
    let s = 0;
    for (let j = 0; j < dim; j++) s += (points[x * dim + j]! - ctr(cc, t, j)) ** 2;
    return s;
  };
  for (let iter = 0; iter < 1000; iter++) {
    let changed = 0;
    for (let x = 0; x < n; x++) {
      let best = 0;
      let bd = Number.POSITIVE_INFINITY;
      for (let cc = 0; cc < k; cc++) {
        for (let t = 0; t < nT; t++) {
          const d = dist2(x, cc, t);
          if (d < bd) {
            bd = d;
            best = cc * nT + t;
          }
        }
      }
      if (assign[x] !== best) changed++;
      assign[x] = best;
    }
    if (changed === 0) break;
    // An empty cluster takes the point farthest from its center among clusters of several members.
    const count = new Int32Array(k);
    for (let x = 0; x < n; x++) count[Math.floor(assign[x]! / nT)] = count[Math.floor(assign[x]! / nT)]! + 1;
    for (let cc = 0; cc < k; cc++) {
      if (count[cc]! > 0) continue;
      let far = -1;
      let fd = -1;
      for (let x = 0; x < n; x++) {
        const d = dist2(x, Math.floor(assign[x]! / nT), assign[x]! % nT);
        if (count[Math.floor(assign[x]! / nT)]! > 1 && d > fd) {
          fd = d;
          far = x;
        }
      }
      count[Math.floor(assign[far]! / nT)] = count[Math.floor(assign[far]! / nT)]! - 1;
      assign[far] = cc * nT;
      count[cc] = 1;
    }
    const sums = new Float64Array(k * dim);
    const mass = new Float64Array(k);
    for (let x = 0; x < n; x++) {
      const cc = Math.floor(assign[x]! / nT);
      const t = assign[x]! % nT;
      const w = weights?.[x] ?? 1;
      for (let j = 0; j < dim; j++) {
        const v = tr === undefined ? points[x * dim + j]! : points[x * dim + tr.inverse[t * dim + j]!]!;
        sums[cc * dim + j] = sums[cc * dim + j]! + w * v;
      }
      mass[cc] = mass[cc]! + w;
    }
    for (let cc = 0; cc < k; cc++)
      if (mass[cc]! > 0) for (let j = 0; j < dim; j++) c[cc * dim + j] = sums[cc * dim + j]! / mass[cc]!;
  }
  let inertia = 0;
  for (let x = 0; x < n; x++)
    inertia += (weights?.[x] ?? 1) * dist2(x, Math.floor(assign[x]! / nT), assign[x]! % nT);
  return {
    centroids: c,
    assignment: Int32Array.from(assign, (e) => Math.floor(e / nT)),
    transform: Uint8Array.from(assign, (e) => e % nT),
    inertia,
  };
}

function blobs(seed: number, n: number, dim: number, centers: number): Float64Array {
  const r = seededRandom(seed);
  const mu = Float64Array.from({ length: centers * dim }, () => 4 * normalSample(r));
  const out = new Float64Array(n * dim);
  for (let x = 0; x < n; x++) {
    const c = Math.floor(r() * centers);
    for (let j = 0; j < dim; j++) out[x * dim + j] = mu[c * dim + j]! + normalSample(r);
  }
  return out;
}

describe("kmeans", () => {
  it("equals exhaustive Lloyd iterations from the same start (property, plain and transform-invariant)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 2, max: 40 }),
        fc.boolean(),
        fc.boolean(),
        (seed, k, tic, weighted) => {
          const dim = 9;
          const n = 300;
          const points = blobs(seed, n, dim, 12);
          const r = seededRandom(seed + 1);
          // Distinct data points as the start, so no cluster starts empty.
          const init = new Float64Array(k * dim);
          const picked = new Set<number>();
          while (picked.size < k) picked.add(Math.floor(r() * n));
          [...picked].forEach((x, c) => {
            init.set(points.subarray(x * dim, x * dim + dim), c * dim);
          });
          const tr = tic ? kernelTransforms(3, 3) : undefined;
          const weights = weighted ? Float64Array.from({ length: n }, () => 0.1 + r()) : undefined;
          const ours = kmeans(points, dim, {
            k,
            initialCentroids: init,
            tolerance: 0,
            maxIterations: 1000,
            ...(tr !== undefined ? { transforms: tr } : {}),
            ...(weights !== undefined ? { weights } : {}),
          });
          const ref = naiveLloyd(points, dim, init, tr, weights);
          expect(ours.converged).toBe(true);
          expect(Array.from(ours.assignment)).toEqual(Array.from(ref.assignment));
          expect(Array.from(ours.transform)).toEqual(Array.from(ref.transform));
          for (let i = 0; i < ref.centroids.length; i++)
            expect(ours.centroids[i]).toBeCloseTo(ref.centroids[i]!, 9);
          expect(ours.inertia).toBeCloseTo(ref.inertia, 6);
        },
      ),
      { seed: 42, numRuns: 40 },
    );
  });

  it("is deterministic for a seed, and different seeds start differently", () => {
    const points = blobs(7, 500, 4, 6);
    const a = kmeans(points, 4, { k: 8, seed: 5 });
    const b = kmeans(points, 4, { k: 8, seed: 5 });
    const c = kmeans(points, 4, { k: 8, seed: 6, maxIterations: 1 });
    const d = kmeans(points, 4, { k: 8, seed: 5, maxIterations: 1 });
    expect(Array.from(a.assignment)).toEqual(Array.from(b.assignment));
    expect(Array.from(a.centroids)).toEqual(Array.from(b.centroids));
    expect(Array.from(c.centroids)).not.toEqual(Array.from(d.centroids));
    expect(a.k).toBe(8);
    expect(new Set(a.assignment).size).toBe(8);
  });

  it("starts from its k-means++ seeds: the same result as starting from kmeansPlusPlus's centroids", () => {
    for (const tic of [false, true]) {
      const points = blobs(9, 400, 9, 10);
      const transforms = tic ? { transforms: kernelTransforms(3, 3) } : {};
      const seeds = kmeansPlusPlus(points, 9, { k: 12, seed: 4, ...transforms });
      // Every seed is a data point.
      for (let c = 0; c < 12; c++) {
        const row = Array.from(seeds.subarray(c * 9, c * 9 + 9));
        expect([...Array(400).keys()].some((x) => row.every((v, j) => v === points[x * 9 + j]))).toBe(true);
      }
      const a = kmeans(points, 9, { k: 12, seed: 4, tolerance: 0, ...transforms });
      const b = kmeans(points, 9, { k: 12, initialCentroids: seeds, tolerance: 0, ...transforms });
      expect(Array.from(a.assignment)).toEqual(Array.from(b.assignment));
      expect(Array.from(a.transform)).toEqual(Array.from(b.transform));
      expect(a.iterations).toBe(b.iterations);
      for (let i = 0; i < a.centroids.length; i++) expect(a.centroids[i]).toBeCloseTo(b.centroids[i]!, 12);
    }
  });

  it("returns fewer clusters than k when there are fewer distinct points", () => {
    const points = new Float64Array([0, 0, 1, 1, 0, 0, 1, 1, 2, 2]);
    const r = kmeans(points, 2, { k: 4 });
    expect(r.k).toBe(3);
    expect(r.inertia).toBe(0);
    expect(new Set(r.assignment).size).toBe(3);
  });

  it("finds well-separated clusters exactly", () => {
    // Three tight groups far apart: any reasonable k-means puts them in three clusters.
    const points = new Float64Array([
      0, 0, 0.1, 0, 0, 0.1, 10, 10, 10.1, 10, 10, 10.1, -10, 10, -10.1, 10, -10, 10.1,
    ]);
    const r = kmeans(points, 2, { k: 3, seed: 1 });
    const a = Array.from(r.assignment);
    expect(a[0]).toBe(a[1]);
    expect(a[1]).toBe(a[2]);
    expect(a[3]).toBe(a[4]);
    expect(a[6]).toBe(a[8]);
    expect(new Set(a).size).toBe(3);
  });

  it("matches a kernel to the rotated copy of its centroid under transform-invariant clustering", () => {
    // Two kernels that are quarter turns of each other share one centroid with k = 1.
    const base = [1, 0, 0, 0, 0, 0, 0, 0, 0];
    const turned = [0, 0, 1, 0, 0, 0, 0, 0, 0]; // rot90 (clockwise) of base
    const r = kmeans(new Float64Array([...base, ...turned]), 9, { k: 1, transforms: kernelTransforms(3, 3) });
    expect(r.inertia).toBeCloseTo(0, 12);
    expect(r.transform[0]).not.toBe(r.transform[1]);
  });

  it("rejects k < 1 and mismatched transforms", () => {
    expect(() => kmeans(new Float64Array(4), 2, { k: 0 })).toThrow(
      expect.objectContaining({ code: "MCU_E_CLUSTER_OPTION" }),
    );
    expect(() => kmeans(new Float64Array(8), 4, { k: 1, transforms: kernelTransforms(3, 3) })).toThrow(
      expect.objectContaining({ code: "MCU_E_CLUSTER_OPTION" }),
    );
  });
});
