/**
 * k-means for kernel clustering: k-means++ seeding (Arthur & Vassilvitskii, SODA 2007) with a
 * seeded generator, then Lloyd iterations accelerated with Hamerly's bounds (Hamerly, "Making
 * k-means even faster", SDM 2010): one upper bound on the distance of each point to its center
 * and one lower bound on the distance to every other center let most points skip the distance
 * computations once the centers settle. The result is exactly Lloyd's algorithm's.
 *
 * Transform-invariant clustering (Son, Nah, Lee, ECCV 2018, §3.3): with `transforms`, a point
 * x is assigned to the pair (centroid c, transform t) minimizing ‖x − T_t(C_c)‖, and a centroid
 * is updated to the mean of T_t⁻¹(x) over its members. Both steps decrease the same objective
 * (the transforms are permutations, hence isometries), so the iteration converges like Lloyd's.
 * Hamerly's bounds are kept on the expanded set of centers {T_t(C_c)}: every transform of a
 * centroid moves by the same distance when the centroid moves.
 */
import { McuError } from "@mcu/tensor";
import { seededRandom } from "./random.js";
import { applyTransform, type KernelTransforms } from "./transforms.js";

/** Options of {@link kmeans}. */
export interface KMeansOptions {
  /** Number of clusters (fewer are returned when there are fewer distinct points). */
  readonly k: number;
  /** Seed of the k-means++ sampling (default 0). */
  readonly seed?: number;
  /** Upper limit of Lloyd iterations (default 300). */
  readonly maxIterations?: number;
  /**
   * Stop when an iteration lowers the objective Σ‖x − T_t(C_c)‖² by at most this fraction
   * (default 1e-4), or when no point changes cluster (the exact fixed point).
   */
  readonly tolerance?: number;
  /**
   * A positive weight per point (default 1): centroids are weighted means, the objective and the
   * k-means++ sampling are weighted.
   */
  readonly weights?: ArrayLike<number>;
  /** Start from these centroids (k rows of dim values) instead of k-means++ seeding. */
  readonly initialCentroids?: Float64Array;
  /** Transform-invariant clustering over these window symmetries (dim must be kh·kw). */
  readonly transforms?: KernelTransforms;
  /** Called after every iteration (for progress reports). */
  readonly onIteration?: (iteration: number, reassigned: number) => void;
}

/** The result of {@link kmeans}. */
export interface KMeansResult {
  /** Number of centroids (≤ the requested k). */
  readonly k: number;
  readonly dim: number;
  /** centroids[c·dim + j]. */
  readonly centroids: Float64Array;
  /** The centroid of each point. */
  readonly assignment: Int32Array;
  /** The transform of each point (an index into `transforms.codes`; 0 without transforms). */
  readonly transform: Uint8Array;
  /** Lloyd iterations run (center updates). */
  readonly iterations: number;
  /** True if the iteration stopped by the tolerance or at a fixed point, not by the limit. */
  readonly converged: boolean;
  /** Σ w · ‖x − T_t(C_c)‖² over the points. */
  readonly inertia: number;
  /** Points that changed cluster in the last assignment step (0 at an exact fixed point). */
  readonly lastReassigned: number;
}

function sqDist(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) {
    const d = a[ao + j]! - b[bo + j]!;
    s += d * d;
  }
  return s;
}

/** The nearest and second-nearest of `m` centers to one point (squared distances). */
interface Nearest {
  best: number;
  s1: number;
  s2: number;
}

/**
 * Scans all centers for the point at `xo`. 3×3 kernels (dim 9) take an unrolled loop with the
 * point held in locals: about 4 ns per distance in V8, five times the generic loop.
 */
function nearestTwo(
  points: ArrayLike<number>,
  xo: number,
  centers: Float64Array,
  m: number,
  dim: number,
  out: Nearest,
  first = 0,
): void {
  let b = 0;
  let s1 = Number.POSITIVE_INFINITY;
  let s2 = Number.POSITIVE_INFINITY;
  if (dim === 9) {
    const p0 = points[xo]!;
    const p1 = points[xo + 1]!;
    const p2 = points[xo + 2]!;
    const p3 = points[xo + 3]!;
    const p4 = points[xo + 4]!;
    const p5 = points[xo + 5]!;
    const p6 = points[xo + 6]!;
    const p7 = points[xo + 7]!;
    const p8 = points[xo + 8]!;
    for (let e = 0, c = first * 9; e < m; e++, c += 9) {
      let d = p0 - centers[c]!;
      let s = d * d;
      d = p1 - centers[c + 1]!;
      s += d * d;
      d = p2 - centers[c + 2]!;
      s += d * d;
      d = p3 - centers[c + 3]!;
      s += d * d;
      d = p4 - centers[c + 4]!;
      s += d * d;
      d = p5 - centers[c + 5]!;
      s += d * d;
      d = p6 - centers[c + 6]!;
      s += d * d;
      d = p7 - centers[c + 7]!;
      s += d * d;
      d = p8 - centers[c + 8]!;
      s += d * d;
      if (s < s2) {
        if (s < s1) {
          s2 = s1;
          s1 = s;
          b = e;
        } else {
          s2 = s;
        }
      }
    }
  } else {
    for (let e = 0; e < m; e++) {
      const s = sqDist(points, xo, centers, (first + e) * dim, dim);
      if (s < s2) {
        if (s < s1) {
          s2 = s1;
          s1 = s;
          b = e;
        } else {
          s2 = s;
        }
      }
    }
  }
  out.best = b;
  out.s1 = s1;
  out.s2 = s2;
}

/** What the seeding passes know of each point: nearest and second-nearest squared distances so far. */
interface SeedDistances {
  readonly minD2: Float64Array;
  /** Expanded index of the nearest center. */
  readonly best: Int32Array;
  readonly second: Float64Array;
}

/**
 * Folds `m` new centers (expanded indices first … first + m − 1) into every point's nearest and
 * second-nearest squared distances; returns Σ minD2. The k-means++ seeding pass, unrolled for 3×3
 * kernels; it leaves the exact initial assignment and Hamerly bound for free.
 */
function updateMinDistances(
  points: ArrayLike<number>,
  n: number,
  dim: number,
  centers: Float64Array,
  m: number,
  first: number,
  sd: SeedDistances,
): number {
  const { minD2, best, second } = sd;
  let total = 0;
  if (dim === 9) {
    for (let e = 0; e < m; e++) {
      const c = e * 9;
      const c0 = centers[c]!;
      const c1 = centers[c + 1]!;
      const c2 = centers[c + 2]!;
      const c3 = centers[c + 3]!;
      const c4 = centers[c + 4]!;
      const c5 = centers[c + 5]!;
      const c6 = centers[c + 6]!;
      const c7 = centers[c + 7]!;
      const c8 = centers[c + 8]!;
      const last = e === m - 1;
      for (let x = 0, o = 0; x < n; x++, o += 9) {
        let d = points[o]! - c0;
        let s = d * d;
        d = points[o + 1]! - c1;
        s += d * d;
        d = points[o + 2]! - c2;
        s += d * d;
        d = points[o + 3]! - c3;
        s += d * d;
        d = points[o + 4]! - c4;
        s += d * d;
        d = points[o + 5]! - c5;
        s += d * d;
        d = points[o + 6]! - c6;
        s += d * d;
        d = points[o + 7]! - c7;
        s += d * d;
        d = points[o + 8]! - c8;
        s += d * d;
        const cur = minD2[x]!;
        if (s < cur) {
          second[x] = cur;
          minD2[x] = s;
          best[x] = first + e;
        } else if (s < second[x]!) {
          second[x] = s;
        }
        if (last) total += minD2[x]!;
      }
    }
    return total;
  }
  for (let x = 0; x < n; x++) {
    for (let e = 0; e < m; e++) {
      const s = sqDist(points, x * dim, centers, e * dim, dim);
      const cur = minD2[x]!;
      if (s < cur) {
        second[x] = cur;
        minD2[x] = s;
        best[x] = first + e;
      } else if (s < second[x]!) {
        second[x] = s;
      }
    }
    total += minD2[x]!;
  }
  return total;
}

/** k-means++ seeding over the expanded centers; returns the seeded centroids (maybe fewer than k). */
function seedCentroids(
  points: ArrayLike<number>,
  n: number,
  dim: number,
  k: number,
  nT: number,
  tr: KernelTransforms | undefined,
  seed: number,
  weights: ArrayLike<number> | undefined,
): { readonly centroids: Float64Array; readonly distances: SeedDistances } {
  const random = seededRandom(seed);
  const centroids = new Float64Array(k * dim);
  const distances: SeedDistances = {
    minD2: new Float64Array(n).fill(Number.POSITIVE_INFINITY),
    best: new Int32Array(n),
    second: new Float64Array(n).fill(Number.POSITIVE_INFINITY),
  };
  const minD2 = distances.minD2;
  const expanded = new Float64Array(nT * dim);
  let found = 0;
  let pick = Math.min(n - 1, Math.floor(random() * n));
  for (;;) {
    for (let j = 0; j < dim; j++) centroids[found * dim + j] = points[pick * dim + j]!;
    for (let t = 0; t < nT; t++) {
      if (tr === undefined) for (let j = 0; j < dim; j++) expanded[j] = centroids[found * dim + j]!;
      else applyTransform(tr, t, centroids, found * dim, expanded, t * dim);
    }
    let total = updateMinDistances(points, n, dim, expanded, nT, found * nT, distances);
    found++;
    if (found === k) break;
    if (weights !== undefined) {
      total = 0;
      for (let x = 0; x < n; x++) total += weights[x]! * minD2[x]!;
    }
    if (!(total > 0)) break; // every point coincides with a centroid
    // D² sampling: the first point whose cumulative weight exceeds r.
    const r = random() * total;
    let acc = 0;
    pick = -1;
    for (let x = 0; x < n; x++) {
      acc += weights === undefined ? minD2[x]! : weights[x]! * minD2[x]!;
      if (acc > r && minD2[x]! > 0) {
        pick = x;
        break;
      }
    }
    if (pick < 0) {
      // Rounding left r at the very end: take the last point with positive weight.
      for (let x = n - 1; x >= 0; x--) {
        if (minD2[x]! > 0) {
          pick = x;
          break;
        }
      }
    }
  }
  return { centroids: found === k ? centroids : centroids.slice(0, found * dim), distances };
}

/**
 * k-means++ seeding alone (Arthur & Vassilvitskii 2007): k distinct data points (fewer when the
 * data has fewer distinct points), each drawn with probability ∝ weight × squared distance to the
 * nearest already chosen (under transforms: to the nearest transformed copy). Deterministic per seed;
 * {@link kmeans} starts from exactly these centroids.
 */
export function kmeansPlusPlus(
  points: Float64Array | Float32Array,
  dim: number,
  options: Pick<KMeansOptions, "k" | "seed" | "weights" | "transforms">,
): Float64Array {
  const n = Math.floor(points.length / dim);
  if (n === 0) return new Float64Array(0);
  const tr = options.transforms;
  return seedCentroids(
    points,
    n,
    dim,
    Math.min(options.k, n),
    tr?.count ?? 1,
    tr,
    options.seed ?? 0,
    options.weights,
  ).centroids;
}

/**
 * Clusters `points` (n rows of `dim` values) into at most k clusters. Deterministic for a given
 * seed. Throws `MCU_E_CLUSTER_OPTION` for k < 1.
 */
export function kmeans(
  points: Float64Array | Float32Array,
  dim: number,
  options: KMeansOptions,
): KMeansResult {
  const n = Math.floor(points.length / dim);
  if (!Number.isInteger(options.k) || options.k < 1) {
    throw new McuError("MCU_E_CLUSTER_OPTION", `k-means needs k ≥ 1, got ${options.k}`);
  }
  const tr = options.transforms;
  if (tr !== undefined && tr.kh * tr.kw !== dim) {
    throw new McuError(
      "MCU_E_CLUSTER_OPTION",
      `transforms of a ${tr.kh}x${tr.kw} window need ${tr.kh * tr.kw} dimensions, got ${dim}`,
    );
  }
  const nT = tr?.count ?? 1;
  const maxIterations = options.maxIterations ?? 300;
  if (n === 0) {
    return {
      k: 0,
      dim,
      centroids: new Float64Array(0),
      assignment: new Int32Array(0),
      transform: new Uint8Array(0),
      iterations: 0,
      converged: true,
      inertia: 0,
      lastReassigned: 0,
    };
  }
  const weights = options.weights;
  const seeded =
    options.initialCentroids === undefined
      ? seedCentroids(points, n, dim, Math.min(options.k, n), nT, tr, options.seed ?? 0, weights)
      : undefined;
  const centroids = seeded?.centroids ?? options.initialCentroids!.slice(0, options.k * dim);
  const k = centroids.length / dim;
  const m = k * nT;
  const expanded = new Float64Array(m * dim);
  const fillExpanded = (c: number): void => {
    for (let t = 0; t < nT; t++) {
      if (tr === undefined)
        for (let j = 0; j < dim; j++) expanded[(c * nT + t) * dim + j] = centroids[c * dim + j]!;
      else applyTransform(tr, t, centroids, c * dim, expanded, (c * nT + t) * dim);
    }
  };
  for (let c = 0; c < k; c++) fillExpanded(c);
  const tolerance = options.tolerance ?? 1e-4;

  // Yinyang grouping (Ding et al., ICML 2015): the expanded centers are split once into G
  // groups of about 16 by a few Lloyd steps on the centers themselves; each point keeps one
  // lower bound per group. G = 1 is Hamerly's algorithm.
  const groups = groupCenters(expanded, m, dim, Math.min(64, Math.ceil(m / 16)));
  const G = groups.count;
  const { groupOf } = groups;

  const assign = new Int32Array(n); // expanded center index c·nT + t
  const upper = new Float64Array(n);
  const lower = new Float64Array(n * G);
  const sums = new Float64Array(k * dim);
  const counts = new Int32Array(k);
  const mass = new Float64Array(k);
  const member = new Float64Array(dim);

  /** Adds (sign +1) or removes (−1) point x's inverse-transformed vector to/from its centroid's sum. */
  const accumulate = (x: number, e: number, sign: number): void => {
    const c = (e / nT) | 0;
    const t = e - c * nT;
    const base = c * dim;
    const f = weights === undefined ? sign : sign * weights[x]!;
    if (tr === undefined || t === 0) {
      for (let j = 0; j < dim; j++) sums[base + j] = sums[base + j]! + f * points[x * dim + j]!;
    } else {
      const inv = tr.inverse;
      const off = t * dim;
      for (let j = 0; j < dim; j++) member[j] = points[x * dim + inv[off + j]!]!;
      for (let j = 0; j < dim; j++) sums[base + j] = sums[base + j]! + f * member[j]!;
    }
    counts[c] = counts[c]! + sign;
    mass[c] = mass[c]! + f;
  };

  // Per-group minima of one point's scan: nearest (squared), its center, second nearest.
  const gMin1 = new Float64Array(G);
  const gArg1 = new Int32Array(G);
  const gMin2 = new Float64Array(G);
  const all = Int32Array.from({ length: G }, (_, g) => g);
  const scanned = new Int32Array(G);

  // Initial assignment. After k-means++ the seeding passes already hold every point's nearest
  // center and second-nearest distance (a valid lower bound for every group); otherwise every
  // group is scanned.
  if (seeded !== undefined) {
    const { minD2, best, second } = seeded.distances;
    for (let x = 0; x < n; x++) {
      assign[x] = best[x]!;
      upper[x] = Math.sqrt(minD2[x]!);
      lower.fill(Math.sqrt(second[x]!), x * G, x * G + G);
      accumulate(x, best[x]!, 1);
    }
  }
  for (let x = 0; x < n && seeded === undefined; x++) {
    scanGroups(points, x * dim, dim, groups, all, G, gMin1, gArg1, gMin2);
    let best = 0;
    let bestD = Number.POSITIVE_INFINITY;
    for (let g = 0; g < G; g++) {
      if (gMin1[g]! < bestD) {
        bestD = gMin1[g]!;
        best = gArg1[g]!;
      }
    }
    for (let g = 0; g < G; g++) lower[x * G + g] = gArg1[g] === best ? gMin2[g]! : gMin1[g]!;
    assign[x] = best;
    upper[x] = bestD;
    accumulate(x, best, 1);
  }

  const drift = new Float64Array(k);
  const groupDrift = new Float64Array(G);
  let iterations = 0;
  let converged = false;
  let previous = Number.POSITIVE_INFINITY;
  let inertia = 0;
  let lastReassigned = n;
  for (;;) {
    iterations++;
    // Empty clusters take the point farthest from its center, among clusters with more than
    // one member; its lower bounds are reset (0 is always a valid lower bound).
    for (let c = 0; c < k; c++) {
      if (counts[c]! > 0) continue;
      let far = -1;
      for (let x = 0; x < n; x++) {
        if (counts[(assign[x]! / nT) | 0]! > 1 && (far < 0 || upper[x]! > upper[far]!)) far = x;
      }
      if (far < 0) break;
      accumulate(far, assign[far]!, -1);
      assign[far] = c * nT;
      accumulate(far, c * nT, 1);
      lower.fill(0, far * G, far * G + G);
    }
    // Move the centroids to their members' means.
    for (let c = 0; c < k; c++) {
      const cnt = counts[c]!;
      let d = 0;
      if (cnt > 0) {
        for (let j = 0; j < dim; j++) {
          const v = sums[c * dim + j]! / mass[c]!;
          const dv = v - centroids[c * dim + j]!;
          d += dv * dv;
          centroids[c * dim + j] = v;
        }
      }
      drift[c] = Math.sqrt(d);
      if (d > 0) fillExpanded(c);
    }
    groupDrift.fill(0);
    for (let e = 0; e < m; e++) {
      const g = groupOf[e]!;
      const d = drift[(e / nT) | 0]!;
      if (d > groupDrift[g]!) groupDrift[g] = d;
    }
    groups.refresh(expanded);
    // The objective; every upper bound becomes exact on the way, every lower bound drops by
    // its group's largest drift.
    inertia = 0;
    for (let x = 0; x < n; x++) {
      const a = assign[x]!;
      const d = sqDist(points, x * dim, expanded, a * dim, dim);
      inertia += weights === undefined ? d : weights[x]! * d;
      upper[x] = Math.sqrt(d);
      const lo = x * G;
      for (let g = 0; g < G; g++) lower[lo + g] = lower[lo + g]! - groupDrift[g]!;
    }
    if (previous !== Number.POSITIVE_INFINITY && previous - inertia <= tolerance * previous) {
      converged = true;
      options.onIteration?.(iterations, 0);
      break;
    }
    previous = inertia;
    if (iterations >= maxIterations) break;

    let reassigned = 0;
    for (let x = 0; x < n; x++) {
      const u = upper[x]!;
      const lo = x * G;
      let glb = Number.POSITIVE_INFINITY;
      for (let g = 0; g < G; g++) if (lower[lo + g]! < glb) glb = lower[lo + g]!;
      if (u <= glb) continue;
      const a = assign[x]!;
      let nScanned = 0;
      for (let g = 0; g < G; g++) if (lower[lo + g]! < u) scanned[nScanned++] = g;
      scanGroups(points, x * dim, dim, groups, scanned, nScanned, gMin1, gArg1, gMin2);
      let best = a;
      let bestD = u;
      for (let i = 0; i < nScanned; i++) {
        const g = scanned[i]!;
        if (gMin1[g]! < bestD) {
          bestD = gMin1[g]!;
          best = gArg1[g]!;
        }
      }
      for (let i = 0; i < nScanned; i++) {
        const g = scanned[i]!;
        lower[lo + g] = gArg1[g] === best ? gMin2[g]! : gMin1[g]!;
      }
      if (best !== a) {
        // The old center now counts among the others of its group.
        const ga = groupOf[a]!;
        if (lower[lo + ga]! > u) lower[lo + ga] = u;
        accumulate(x, a, -1);
        accumulate(x, best, 1);
        assign[x] = best;
        upper[x] = bestD;
        reassigned++;
      }
    }
    options.onIteration?.(iterations, reassigned);
    lastReassigned = reassigned;
    if (reassigned === 0) {
      converged = true;
      break;
    }
  }

  const assignment = new Int32Array(n);
  const transform = new Uint8Array(n);
  for (let x = 0; x < n; x++) {
    const e = assign[x]!;
    assignment[x] = (e / nT) | 0;
    transform[x] = e - assignment[x]! * nT;
  }
  return {
    k,
    dim,
    centroids: centroids.slice(),
    assignment,
    transform,
    iterations,
    converged,
    inertia,
    lastReassigned,
  };
}

/**
 * Distances from one point to the centers of the listed groups: per group g, the nearest
 * (min1, its expanded center index arg1) and second nearest (min2) true distances.
 */
function scanGroups(
  points: ArrayLike<number>,
  xo: number,
  dim: number,
  groups: CenterGroups,
  list: Int32Array,
  count: number,
  min1: Float64Array,
  arg1: Int32Array,
  min2: Float64Array,
): void {
  const { start, members, centers } = groups;
  if (dim === 9) {
    const p0 = points[xo]!;
    const p1 = points[xo + 1]!;
    const p2 = points[xo + 2]!;
    const p3 = points[xo + 3]!;
    const p4 = points[xo + 4]!;
    const p5 = points[xo + 5]!;
    const p6 = points[xo + 6]!;
    const p7 = points[xo + 7]!;
    const p8 = points[xo + 8]!;
    for (let i = 0; i < count; i++) {
      const g = list[i]!;
      const to = start[g + 1]!;
      let b = 0;
      let s1 = Number.POSITIVE_INFINITY;
      let s2 = Number.POSITIVE_INFINITY;
      for (let e = start[g]!, c = e * 9; e < to; e++, c += 9) {
        let d = p0 - centers[c]!;
        let s = d * d;
        d = p1 - centers[c + 1]!;
        s += d * d;
        d = p2 - centers[c + 2]!;
        s += d * d;
        d = p3 - centers[c + 3]!;
        s += d * d;
        d = p4 - centers[c + 4]!;
        s += d * d;
        d = p5 - centers[c + 5]!;
        s += d * d;
        d = p6 - centers[c + 6]!;
        s += d * d;
        d = p7 - centers[c + 7]!;
        s += d * d;
        d = p8 - centers[c + 8]!;
        s += d * d;
        // Branch-free: which of the first few centers of a group win is unpredictable.
        const hi = s < s1 ? s1 : s;
        s2 = hi < s2 ? hi : s2;
        b = s < s1 ? e : b;
        s1 = s < s1 ? s : s1;
      }
      min1[g] = Math.sqrt(s1);
      arg1[g] = members[b]!;
      min2[g] = Math.sqrt(s2);
    }
    return;
  }
  const near: Nearest = { best: 0, s1: 0, s2: 0 };
  for (let i = 0; i < count; i++) {
    const g = list[i]!;
    nearestTwo(points, xo, centers, start[g + 1]! - start[g]!, dim, near, start[g]!);
    min1[g] = Math.sqrt(near.s1);
    arg1[g] = members[start[g]! + near.best]!;
    min2[g] = Math.sqrt(near.s2);
  }
}

/** Expanded centers split into groups, with a copy of the centers laid out group by group. */
interface CenterGroups {
  readonly count: number;
  /** Group of each expanded center. */
  readonly groupOf: Int32Array;
  /** Members of group g: members[start[g] .. start[g+1]). */
  readonly start: Int32Array;
  readonly members: Int32Array;
  /** centers[(start[g] + i)·dim ..]: the center members[start[g] + i], contiguous per group. */
  readonly centers: Float64Array;
  /** Copies the current centers into the grouped layout. */
  refresh(expanded: Float64Array): void;
}

/** Groups m centers into `count` groups by five Lloyd steps seeded with evenly spaced centers. */
function groupCenters(expanded: Float64Array, m: number, dim: number, count: number): CenterGroups {
  const g = Math.max(1, Math.min(count, m));
  const groupOf = new Int32Array(m);
  if (g > 1) {
    const seeds = new Float64Array(g * dim);
    for (let i = 0; i < g; i++) {
      const src = Math.floor((i * m) / g) * dim;
      for (let j = 0; j < dim; j++) seeds[i * dim + j] = expanded[src + j]!;
    }
    const sums = new Float64Array(g * dim);
    const counts = new Int32Array(g);
    const near: Nearest = { best: 0, s1: 0, s2: 0 };
    for (let step = 0; step < 5; step++) {
      sums.fill(0);
      counts.fill(0);
      for (let e = 0; e < m; e++) {
        nearestTwo(expanded, e * dim, seeds, g, dim, near);
        groupOf[e] = near.best;
        counts[near.best] = counts[near.best]! + 1;
        for (let j = 0; j < dim; j++)
          sums[near.best * dim + j] = sums[near.best * dim + j]! + expanded[e * dim + j]!;
      }
      for (let i = 0; i < g; i++) {
        if (counts[i]! > 0)
          for (let j = 0; j < dim; j++) seeds[i * dim + j] = sums[i * dim + j]! / counts[i]!;
      }
    }
  }
  // Drop empty groups and lay the members out contiguously.
  const sizes = new Int32Array(g);
  for (let e = 0; e < m; e++) sizes[groupOf[e]!] = sizes[groupOf[e]!]! + 1;
  const renumber = new Int32Array(g).fill(-1);
  let used = 0;
  for (let i = 0; i < g; i++) if (sizes[i]! > 0) renumber[i] = used++;
  const start = new Int32Array(used + 1);
  for (let e = 0; e < m; e++) {
    groupOf[e] = renumber[groupOf[e]!]!;
    start[groupOf[e]! + 1] = start[groupOf[e]! + 1]! + 1;
  }
  for (let i = 0; i < used; i++) start[i + 1] = start[i + 1]! + start[i]!;
  const members = new Int32Array(m);
  const fill = start.slice(0, used);
  for (let e = 0; e < m; e++) members[fill[groupOf[e]!]!++] = e;
  const centers = new Float64Array(m * dim);
  const refresh = (exp: Float64Array): void => {
    for (let i = 0; i < m; i++) {
      const src = members[i]! * dim;
      for (let j = 0; j < dim; j++) centers[i * dim + j] = exp[src + j]!;
    }
  };
  refresh(expanded);
  return { count: used, groupOf, start, members, centers, refresh };
}
