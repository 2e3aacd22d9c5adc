/**
 * Kernel clustering of one or more conv layers with a common codebook (Son, Nah, Lee, ECCV
 * 2018): normalize every kh×kw kernel, run k-means over the unit kernels (transform-invariant
 * if asked), round the centroids to the codebook format and give each kernel its index,
 * transform and scale in the scale format.
 *
 * The scale of a kernel is its norm with the center tap's sign (the paper's normalization), or
 * with `rescale` the least-squares factor ⟨w, T(C)⟩ / ‖C‖² that best reproduces w from its
 * centroid (the mean of unit kernels is shorter than 1, so the norm alone shrinks the kernel).
 */
import { McuError } from "@mcu/tensor";
import { gatherKernels, normalizeKernels } from "./kernel-normalization.js";
import { kmeans } from "./kmeans.js";
import { log8Code, log8Value, roundToFloat16 } from "./scale-formats.js";
import { kernelTransforms } from "./transforms.js";

/** Options of {@link clusterKernels}. */
export interface KernelClusteringOptions {
  /** Codebook size (fewer centroids when there are fewer distinct kernels). */
  readonly k: number;
  readonly seed?: number;
  /** Transform-invariant clustering over the window's symmetries. */
  readonly tic?: boolean;
  readonly scaleFormat?: "float32" | "fp16" | "log8";
  readonly codebookFormat?: "float32" | "fp16";
  /**
   * Weight each unit kernel by its squared norm in k-means (default true): the objective is then
   * Σ s² ‖u − T(C)‖² = Σ ‖w − s·T(C)‖², the error of the reconstructed weights themselves.
   */
  readonly weighted?: boolean;
  /**
   * Mean square of each input channel of each layer (from calibration data): kernel (o, i) then
   * weighs s² · E[x_i²] in k-means, the first-order share of the output error it causes.
   */
  readonly inputEnergy?: readonly (ArrayLike<number> | undefined)[];
  /** Least-squares scales instead of kernel norms (default true). */
  readonly rescale?: boolean;
  readonly maxIterations?: number;
  readonly tolerance?: number;
  readonly onIteration?: (iteration: number, reassigned: number) => void;
}

/** One layer's weights: OHWI float32 [O, kh, kw, I]. */
export interface KernelLayerInput {
  readonly weights: ArrayLike<number>;
  readonly shape: readonly number[];
}

/** One layer's codes: per kernel (o·I + i) its centroid, transform and scale. */
export interface ClusteredKernels {
  readonly indices: Int32Array;
  readonly transforms: Uint8Array;
  /** Scales, exact in the scale format. */
  readonly scales: Float32Array;
}

/** The result of {@link clusterKernels}. */
export interface KernelClustering {
  /** Centroids [K, kh, kw], exact in the codebook format. */
  readonly codebook: Float32Array;
  readonly k: number;
  readonly kh: number;
  readonly kw: number;
  readonly layers: readonly ClusteredKernels[];
  readonly iterations: number;
  readonly converged: boolean;
  /** k-means objective over the unit kernels. */
  readonly inertia: number;
}

/** Rounds scales to their storage format; log8 takes the layer's largest magnitude as reference. */
export function quantizeScales(scales: ArrayLike<number>, format: "float32" | "fp16" | "log8"): Float32Array {
  const out = new Float32Array(scales.length);
  if (format === "log8") {
    let m = 0;
    for (let i = 0; i < scales.length; i++) m = Math.max(m, Math.abs(scales[i]!));
    const smax = Math.fround(m);
    for (let i = 0; i < scales.length; i++) out[i] = log8Value(log8Code(scales[i]!, smax), smax);
  } else {
    for (let i = 0; i < scales.length; i++)
      out[i] = format === "fp16" ? roundToFloat16(scales[i]!) : scales[i]!;
  }
  return out;
}

/** Clusters the kernels of layers that share a kh×kw window into one codebook. */
export function clusterKernels(
  layers: readonly KernelLayerInput[],
  options: KernelClusteringOptions,
): KernelClustering {
  if (layers.length === 0) throw new McuError("MCU_E_CLUSTER_OPTION", "no layers to cluster");
  const [, kh, kw] = layers[0]!.shape as [number, number, number, number];
  for (const l of layers) {
    if (l.shape.length !== 4 || l.shape[1] !== kh || l.shape[2] !== kw) {
      throw new McuError(
        "MCU_E_CLUSTER_OPTION",
        `a shared codebook needs one window size; got ${kh}x${kw} and ${l.shape[1]}x${l.shape[2]}`,
      );
    }
  }
  const taps = kh * kw;
  const rows = layers.map((l) => gatherKernels(l.weights, l.shape));
  const normalized = rows.map((r) => normalizeKernels(r, kh, kw));
  // k-means over the nonzero unit kernels of every layer.
  let nonzero = 0;
  for (const nk of normalized) for (let n = 0; n < nk.count; n++) if (nk.scales[n] !== 0) nonzero++;
  const units = new Float64Array(nonzero * taps);
  const weights = new Float64Array(nonzero);
  let at = 0;
  normalized.forEach((nk, l) => {
    const energy = options.inputEnergy?.[l];
    const inC = layers[l]!.shape[3]!;
    for (let n = 0; n < nk.count; n++) {
      if (nk.scales[n] === 0) continue;
      units.set(nk.units.subarray(n * taps, n * taps + taps), at * taps);
      weights[at] = nk.scales[n]! ** 2 * (energy === undefined ? 1 : Math.max(energy[n % inC]!, 1e-12));
      at++;
    }
  });
  const tr = kernelTransforms(kh, kw, options.tic ?? false);
  const result = kmeans(units, taps, {
    k: options.k,
    seed: options.seed ?? 0,
    ...(options.tic === true ? { transforms: tr } : {}),
    ...((options.weighted ?? true) ? { weights } : {}),
    ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}),
    ...(options.tolerance !== undefined ? { tolerance: options.tolerance } : {}),
    ...(options.onIteration !== undefined ? { onIteration: options.onIteration } : {}),
  });
  const k = Math.max(1, result.k);
  const codebook = new Float32Array(k * taps);
  for (let i = 0; i < result.k * taps; i++) {
    codebook[i] =
      options.codebookFormat === "float32" ? result.centroids[i]! : roundToFloat16(result.centroids[i]!);
  }
  const norms = new Float64Array(k);
  for (let c = 0; c < k; c++)
    for (let j = 0; j < taps; j++) norms[c] = norms[c]! + codebook[c * taps + j]! ** 2;

  const rescale = options.rescale ?? true;
  let point = 0;
  const out = normalized.map((nk, l): ClusteredKernels => {
    const indices = new Int32Array(nk.count);
    const transforms = new Uint8Array(nk.count);
    const raw = new Float64Array(nk.count);
    const w = rows[l]!;
    for (let n = 0; n < nk.count; n++) {
      if (nk.scales[n] === 0) continue;
      const c = result.assignment[point]!;
      const t = result.transform[point]!;
      point++;
      indices[n] = c;
      transforms[n] = t;
      if (!rescale || norms[c] === 0) {
        raw[n] = nk.scales[n]!;
      } else {
        let dot = 0;
        for (let j = 0; j < taps; j++) dot += w[n * taps + j]! * codebook[c * taps + tr.perm[t * taps + j]!]!;
        raw[n] = dot / norms[c]!;
      }
    }
    return { indices, transforms, scales: quantizeScales(raw, options.scaleFormat ?? "fp16") };
  });
  return {
    codebook,
    k,
    kh,
    kw,
    layers: out,
    iterations: result.iterations,
    converged: result.converged,
    inertia: result.inertia,
  };
}
