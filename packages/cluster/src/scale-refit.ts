/**
 * Data-aware scales: with calibration inputs, the scales of a clustered layer are refitted so
 * that the layer's outputs — not its weights — stay close to the uncompressed layer's.
 *
 * For output channel o, kernel (o, i) contributes s_i · f_i with f_i = x_i ⊛ T(C) the input
 * plane convolved with its transformed centroid. Least squares over every output position of
 * every calibration sample gives the scales s and a bias shift δ:
 *     min Σ_p (Σ_i s_i f_i(p) + δ − y(p))²  + λ Σ_i G_ii (s_i − s⁰_i)²
 * with y = Σ_i w_i ⊛ x_i the uncompressed output (of the uncompressed model's inputs, when the
 * features come from a model whose earlier layers are already clustered) and s⁰ the weight-space scales (a light ridge
 * that keeps channels with little calibration signal where the weights put them). The
 * codebook, indices and transforms are unchanged, so storage is unchanged. This is post-training
 * calibration in closed form (like bias correction), not retraining.
 */
import { McuError, type Padding } from "@mcu/tensor";
import { Matrix, solve } from "ml-matrix";
import type { ClusteredKernels } from "./kernel-clustering.js";
import { gatherKernels } from "./kernel-normalization.js";
import { convPlaneFloat, planeGeometry } from "./kernels/plane-conv.js";
import { applyTransform, kernelTransforms } from "./transforms.js";

/** One clustered layer with its calibration inputs. */
export interface ScaleRefitInput {
  /** The layer's input on each calibration sample: real values, NHWC [1, H, W, I]. */
  readonly samples: readonly ArrayLike<number>[];
  /**
   * The uncompressed model's input to the layer on the same samples, when `samples` come from a
   * model whose earlier layers are already compressed: the target is then the uncompressed
   * output, and the refit compensates the earlier layers' error. Default: `samples`.
   */
  readonly referenceSamples?: readonly ArrayLike<number>[];
  readonly inH: number;
  readonly inW: number;
  readonly attrs: {
    readonly strides: readonly number[];
    readonly dilations: readonly number[];
    readonly padding: Padding;
    readonly pads: readonly number[];
  };
  /** The uncompressed weights, OHWI [O, kh, kw, I] real values. */
  readonly weights: ArrayLike<number>;
  readonly shape: readonly number[];
  /** Real centroids [K, kh, kw] (as decoded). */
  readonly codebook: ArrayLike<number>;
  readonly clustered: ClusteredKernels;
  /** Ridge strength relative to the output channel's mean feature energy (default 1e-3). */
  readonly ridge?: number;
}

/** Refitted scales (unrounded) and the output statistics to correct a bias after rounding them. */
export interface ScaleRefit {
  /** Scales per kernel (o·I + i), before rounding to the storage format. */
  readonly scales: Float64Array;
  /**
   * The bias shift that makes the mean output equal the uncompressed layer's for given scales:
   * δ_o = mean(y_o) − Σ_i s_i · mean(f_{o,i}).
   */
  biasShift(scales: ArrayLike<number>): Float64Array;
}

/** Least-squares scales and bias statistics of one clustered layer (see the module comment). */
export function refitScales(input: ScaleRefitInput): ScaleRefit {
  const [outC, kh, kw, inC] = input.shape as [number, number, number, number];
  const taps = kh * kw;
  const { inH, inW, clustered } = input;
  if (input.samples.length === 0)
    throw new McuError("MCU_E_CLUSTER_OPTION", "scale refit needs calibration data");
  const g = planeGeometry(inH, inW, kh, kw, input.attrs);
  const plane = g.outH * g.outW;
  const tr = kernelTransforms(kh, kw, true);
  const kernels = gatherKernels(input.weights, input.shape);
  const ridge = input.ridge ?? 1e-3;

  // The transformed centroid of every (centroid, transform) pair in use, as a kernel row.
  // A zero kernel stays zero (it took no part in clustering).
  const live = new Uint8Array(outC * inC);
  for (let n = 0; n < outC * inC; n++)
    for (let j = 0; j < taps; j++) if (kernels[n * taps + j] !== 0) live[n] = 1;
  const pairKey = (n: number) => clustered.indices[n]! * 8 + clustered.transforms[n]!;
  const pairRows = new Map<number, number>();
  for (let n = 0; n < outC * inC; n++)
    if (live[n] === 1 && !pairRows.has(pairKey(n))) pairRows.set(pairKey(n), pairRows.size);
  const pairKernels = new Float64Array(pairRows.size * taps);
  for (const [key, row] of pairRows)
    applyTransform(tr, key % 8, input.codebook, Math.floor(key / 8) * taps, pairKernels, row * taps);

  // Per output channel: normal equations over [f_0 … f_{I−1}, 1], and the sums for the bias.
  const dim = inC + 1;
  const gram = Array.from({ length: outC }, () => new Float64Array(dim * dim));
  const rhs = Array.from({ length: outC }, () => new Float64Array(dim));
  const featureSums = new Float64Array(outC * inC);
  const targetSums = new Float64Array(outC);
  let positions = 0;

  const reference = input.referenceSamples ?? input.samples;
  if (reference.length !== input.samples.length)
    throw new McuError(
      "MCU_E_CLUSTER_OPTION",
      "scale refit: as many reference samples as samples are needed",
    );
  const planes = new Float64Array(inC * inH * inW);
  const refPlanes = reference === input.samples ? planes : new Float64Array(inC * inH * inW);
  const target = new Float64Array(plane);
  const features = new Float64Array(inC * plane);
  const pairPlanes = new Map<number, Float64Array>();
  for (const [sample, x] of input.samples.entries()) {
    for (let p = 0; p < inH * inW; p++)
      for (let i = 0; i < inC; i++) planes[i * inH * inW + p] = x[p * inC + i]!;
    if (refPlanes !== planes) {
      const r = reference[sample]!;
      for (let p = 0; p < inH * inW; p++)
        for (let i = 0; i < inC; i++) refPlanes[i * inH * inW + p] = r[p * inC + i]!;
    }
    pairPlanes.clear();
    for (let o = 0; o < outC; o++) {
      target.fill(0);
      features.fill(0);
      for (let i = 0; i < inC; i++) {
        const n = o * inC + i;
        convPlaneFloat(g, refPlanes, i * inH * inW, kernels, n * taps, target);
        if (live[n] === 0) continue;
        const key = pairKey(n) * inC + i;
        let f = pairPlanes.get(key);
        if (f === undefined) {
          f = new Float64Array(plane);
          convPlaneFloat(g, planes, i * inH * inW, pairKernels, pairRows.get(pairKey(n))! * taps, f);
          pairPlanes.set(key, f);
        }
        features.set(f, i * plane);
      }
      const G = gram[o]!;
      const r = rhs[o]!;
      for (let a = 0; a < inC; a++) {
        if (live[o * inC + a] === 0) continue;
        const fa = a * plane;
        let sa = 0;
        let ra = 0;
        for (let p = 0; p < plane; p++) {
          sa += features[fa + p]!;
          ra += features[fa + p]! * target[p]!;
        }
        featureSums[o * inC + a] = featureSums[o * inC + a]! + sa;
        G[a * dim + inC] = G[a * dim + inC]! + sa;
        r[a] = r[a]! + ra;
        for (let b = a; b < inC; b++) {
          if (live[o * inC + b] === 0) continue;
          const fb = b * plane;
          let s = 0;
          for (let p = 0; p < plane; p++) s += features[fa + p]! * features[fb + p]!;
          G[a * dim + b] = G[a * dim + b]! + s;
        }
      }
      let st = 0;
      for (let p = 0; p < plane; p++) st += target[p]!;
      targetSums[o] = targetSums[o]! + st;
      r[inC] = r[inC]! + st;
      G[inC * dim + inC] = G[inC * dim + inC]! + plane;
    }
    positions += plane;
  }

  const scales = Float64Array.from(clustered.scales);
  for (let o = 0; o < outC; o++) {
    const G = gram[o]!;
    const r = rhs[o]!;
    // Unknowns: the nonzero kernels of this channel and the bias.
    const used: number[] = [];
    for (let i = 0; i < inC; i++) if (live[o * inC + i] === 1) used.push(i);
    if (used.length === 0) continue;
    const m = used.length + 1;
    const A = new Matrix(m, m);
    const b = new Matrix(m, 1);
    const at = (u: number) => (u < used.length ? used[u]! : inC);
    for (let u = 0; u < m; u++) {
      for (let v = 0; v < m; v++) {
        const [p, q] = at(u) <= at(v) ? [at(u), at(v)] : [at(v), at(u)];
        A.set(u, v, G[p * dim + q]!);
      }
      b.set(u, 0, r[at(u)]!);
    }
    // One ridge strength per channel, relative to its mean feature energy: an input channel the
    // calibration data never excites (a dead ReLU) keeps its weight-space scale instead of an
    // arbitrary one, and nearly collinear features cannot push scales to large opposite values.
    let energy = 0;
    for (let u = 0; u < used.length; u++) energy += A.get(u, u);
    const lambda = (ridge * energy) / used.length + 1e-30;
    for (let u = 0; u < used.length; u++) {
      const i = used[u]!;
      A.set(u, u, A.get(u, u) + lambda);
      b.set(u, 0, b.get(u, 0) + lambda * clustered.scales[o * inC + i]!);
    }
    const s = solve(A, b, true);
    for (let u = 0; u < used.length; u++) {
      const v = s.get(u, 0);
      if (Number.isFinite(v)) scales[o * inC + used[u]!] = v;
    }
  }

  return {
    scales,
    biasShift(rounded) {
      const shift = new Float64Array(outC);
      if (positions === 0) return shift;
      for (let o = 0; o < outC; o++) {
        let predicted = 0;
        for (let i = 0; i < inC; i++) predicted += rounded[o * inC + i]! * featureSums[o * inC + i]!;
        shift[o] = (targetSums[o]! - predicted) / positions;
      }
      return shift;
    },
  };
}
