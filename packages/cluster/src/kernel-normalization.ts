/**
 * Kernel normalization (Son, Nah, Lee, ECCV 2018, §3.1): every kh×kw kernel w of a conv layer
 * (one per output/input channel pair) is split into a scale s = ‖w‖₂ · sign(w_center) and a
 * unit kernel w / s, so that kernels differing only in magnitude and sign share a centroid.
 *
 * The sign comes from the center tap, which every symmetry of the window keeps in place; for
 * windows without a center tap (even sizes) it comes from the sum of the taps, also invariant
 * under every symmetry. A zero center (or sum) counts as positive. An all-zero kernel has scale
 * 0 and takes no part in clustering.
 */

/** The kernels of a layer, normalized. Kernel n is (output o, input i) with n = o·I + i. */
export interface NormalizedKernels {
  readonly count: number;
  /** kh·kw. */
  readonly taps: number;
  /** Unit kernels, row-major taps: units[n·taps + j] (zeros for a zero kernel). */
  readonly units: Float64Array;
  /** The scale of each kernel, s = ‖w‖₂ · sign. */
  readonly scales: Float64Array;
}

/** The index of the sign tap of a kh×kw window, or −1 when the window has no center. */
export function centerTap(kh: number, kw: number): number {
  return kh % 2 === 1 && kw % 2 === 1 ? ((kh - 1) / 2) * kw + (kw - 1) / 2 : -1;
}

/** The sign a kernel's scale takes: sign of its center tap, or of its sum without one (+1 for 0). */
export function kernelSign(kernel: ArrayLike<number>, offset: number, taps: number, center: number): number {
  let v = 0;
  if (center >= 0) v = kernel[offset + center]!;
  if (v === 0) {
    for (let j = 0; j < taps; j++) v += kernel[offset + j]!;
  }
  return v < 0 ? -1 : 1;
}

/**
 * Gathers the kernels of OHWI conv weights [O, kh, kw, I] into rows of kh·kw taps:
 * out[(o·I + i)·taps + r·kw + c] = w[o, r, c, i].
 */
export function gatherKernels(weights: ArrayLike<number>, shape: readonly number[]): Float64Array {
  const [o, kh, kw, ci] = shape as [number, number, number, number];
  const taps = kh * kw;
  const out = new Float64Array(o * ci * taps);
  for (let oc = 0; oc < o; oc++) {
    for (let j = 0; j < taps; j++) {
      const src = (oc * taps + j) * ci;
      for (let i = 0; i < ci; i++) out[(oc * ci + i) * taps + j] = weights[src + i]!;
    }
  }
  return out;
}

/** Normalizes kernel rows (`taps` values each) into unit kernels and signed scales. */
export function normalizeKernels(kernels: ArrayLike<number>, kh: number, kw: number): NormalizedKernels {
  const taps = kh * kw;
  const count = kernels.length / taps;
  const center = centerTap(kh, kw);
  const units = new Float64Array(count * taps);
  const scales = new Float64Array(count);
  for (let n = 0; n < count; n++) {
    const base = n * taps;
    let ss = 0;
    for (let j = 0; j < taps; j++) ss += kernels[base + j]! * kernels[base + j]!;
    if (ss === 0) continue;
    const s = Math.sqrt(ss) * kernelSign(kernels, base, taps, center);
    scales[n] = s;
    for (let j = 0; j < taps; j++) units[base + j] = kernels[base + j]! / s;
  }
  return { count, taps, units, scales };
}
