/**
 * Clustering an int8 convolution so that add-then-conv stays exact in integers.
 *
 * Decoded int8 weights are products W[o,·,·,i] = a[o,i] · T(C'[idx[o,i]]) of an integer factor a
 * and an integer centroid C' (|a|·max|C'| ≤ 127, so W fits int8), with the per-channel weight
 * scale sw[o]: real weights ≈ sw[o] · W. Then for every (centroid, transform) group of an output
 * channel, Σ_i W_i ⊛ (x_i − z_x) = T(C') ⊛ Σ_i a_i · (x_i − z_x) holds exactly in integers, so
 * add-then-conv yields the accumulator of the uncompressed int8 convolution whose weights are W.
 *
 * The integer centroids are C' = round(C · Cmax / max|C|) over the whole codebook; the factors
 * a = round(ŝ / sw[o]) with ŝ = ⟨w, T(C')⟩ / ‖C'‖² (least squares) and sw[o] = max_i |ŝ| / A,
 * A = ⌊127 / Cmax⌋. Cmax is chosen (1…127) to minimize the squared error of the real weights,
 * trading centroid resolution against factor resolution. The bias is requantized to the new
 * scale s_x · sw[o] (TFLite's bias scale).
 */
import { numElements, type QuantParams, type TensorInfo } from "@mcu/tensor";
import type { KernelClustering } from "../kernel-clustering.js";
import { gatherKernels } from "../kernel-normalization.js";
import { kernelTransforms } from "../transforms.js";

/** What clustering an int8 conv needs from it. */
export interface Int8ConvParts {
  readonly inputScale: number;
  /** Dequantized weights (OHWI): sw[o] · w_q. */
  readonly realWeights: Float32Array;
  readonly shape: readonly number[];
  /** The bias as real numbers (int32 value · s_x · sw_old[o]), when present. */
  readonly realBias: Float64Array | undefined;
}

/** One int8 layer's factors, weight and bias quantization. */
export interface Int8LayerFactors {
  readonly factors: Int8Array;
  readonly weightQuant: QuantParams;
  readonly bias: Int32Array | undefined;
  readonly biasQuant: QuantParams | undefined;
}

/** The integer codebook of an int8 clustering and every layer's factors. */
export interface Int8Factorization {
  readonly codebook: Int8Array;
  /** The largest |centroid value|; factors are bounded by ⌊127 / cmax⌋. */
  readonly cmax: number;
  readonly layers: readonly Int8LayerFactors[];
}

function perChannelScales(w: TensorInfo, channels: number): Float32Array | undefined {
  const q = w.quant;
  if (q === undefined || !q.zeroPoint.every((z) => z === 0)) return undefined;
  if (q.scale.length === 1) return new Float32Array(channels).fill(q.scale[0]!);
  if (q.axis !== 0 || q.scale.length !== channels) return undefined;
  return Float32Array.from(q.scale);
}

/** The int8 parts of a conv, or why it is not an int8 conv this pass can cluster. */
export function int8ConvEligibility(
  x: TensorInfo | undefined,
  w: TensorInfo | undefined,
  b: TensorInfo | undefined,
  y: TensorInfo | undefined,
): Int8ConvParts | string {
  const perTensor = (t: TensorInfo | undefined): boolean =>
    t !== undefined && t.dtype === "int8" && t.quant !== undefined && t.quant.scale.length === 1;
  if (!(perTensor(x) && perTensor(y))) return "it is neither float32 nor int8 with per-tensor activations";
  if (w?.dtype !== "int8" || w.data === undefined) return "its weights are not int8 constants";
  const channels = w.shape[0]!;
  const sw = perChannelScales(w, channels);
  if (sw === undefined) return "its weights are not symmetric int8 (per tensor or per output channel)";
  if (b !== undefined && (b.dtype !== "int32" || b.data === undefined || b.quant === undefined)) {
    return "its bias is not a quantized int32 constant";
  }
  const sx = Math.fround(x!.quant!.scale[0]!);
  const wq = w.data as Int8Array;
  const per = numElements(w.shape) / channels;
  const realWeights = new Float32Array(wq.length);
  for (let o = 0; o < channels; o++)
    for (let j = 0; j < per; j++) realWeights[o * per + j] = sw[o]! * wq[o * per + j]!;
  let realBias: Float64Array | undefined;
  if (b !== undefined) {
    const bq = b.data as Int32Array;
    const bs = b.quant!.scale;
    realBias = Float64Array.from(bq, (v, o) => v * (bs.length === 1 ? bs[0]! : bs[o]!));
  }
  return { inputScale: sx, realWeights, shape: w.shape, realBias };
}

/** Integer centroids with the largest |value| equal to cmax. */
function integerCodebook(codebook: Float32Array, cmax: number): Int8Array {
  let m = 0;
  for (const v of codebook) m = Math.max(m, Math.abs(v));
  return Int8Array.from(codebook, (v) => (m === 0 ? 0 : Math.round((v * cmax) / m)));
}

/** Factors of every kernel of one layer for an integer codebook; returns the squared error too. */
function layerFactors(
  real: Float64Array,
  count: number,
  inC: number,
  taps: number,
  indices: Int32Array,
  transforms: Uint8Array,
  codebook: Int8Array,
  perm: Int32Array,
  limit: number,
): { factors: Int8Array; sw: Float32Array; error: number } {
  const outC = count / inC;
  const star = new Float64Array(count);
  for (let n = 0; n < count; n++) {
    const c = indices[n]!;
    const t = transforms[n]!;
    let dot = 0;
    let norm = 0;
    for (let j = 0; j < taps; j++) {
      const v = codebook[c * taps + perm[t * taps + j]!]!;
      dot += real[n * taps + j]! * v;
      norm += v * v;
    }
    star[n] = norm === 0 ? 0 : dot / norm;
  }
  const factors = new Int8Array(count);
  const sw = new Float32Array(outC);
  let error = 0;
  for (let o = 0; o < outC; o++) {
    let m = 0;
    for (let i = 0; i < inC; i++) m = Math.max(m, Math.abs(star[o * inC + i]!));
    // A zero channel keeps a positive scale (quantization scales must be > 0).
    const s = Math.fround(m === 0 ? 1 : m / limit);
    sw[o] = s;
    for (let i = 0; i < inC; i++) {
      const n = o * inC + i;
      const a = Math.max(-limit, Math.min(limit, Math.round(star[n]! / s)));
      factors[n] = a;
      const c = indices[n]!;
      const t = transforms[n]!;
      for (let j = 0; j < taps; j++) {
        const d = real[n * taps + j]! - s * a * codebook[c * taps + perm[t * taps + j]!]!;
        error += d * d;
      }
    }
  }
  return { factors, sw, error };
}

/**
 * The integer codebook and factors of an int8 clustering: Cmax (1…127) minimizes the squared
 * error of the real weights summed over every layer that shares the codebook.
 */
export function factorizeInt8(
  parts: readonly Int8ConvParts[],
  clustering: KernelClustering,
): Int8Factorization {
  const shapes = parts.map((p) => {
    const [outC, kh, kw, inC] = p.shape as [number, number, number, number];
    return { outC, inC, taps: kh * kw, real: gatherKernels(p.realWeights, p.shape) };
  });
  const [, kh, kw] = parts[0]!.shape as [number, number, number, number];
  // The transform codes index the square's (or rectangle's) symmetries; without TIC they are all 0.
  const perm = kernelTransforms(kh, kw, true).perm;
  const factorsFor = (codebook: Int8Array, cmax: number) =>
    shapes.map((sh, l) => {
      const layer = clustering.layers[l]!;
      return layerFactors(
        sh.real,
        sh.outC * sh.inC,
        sh.inC,
        sh.taps,
        layer.indices,
        layer.transforms,
        codebook,
        perm,
        Math.floor(127 / cmax),
      );
    });
  let best = 1;
  let bestError = Number.POSITIVE_INFINITY;
  for (let cmax = 1; cmax <= 127; cmax++) {
    const error = factorsFor(integerCodebook(clustering.codebook, cmax), cmax).reduce(
      (s, f) => s + f.error,
      0,
    );
    if (error < bestError) {
      bestError = error;
      best = cmax;
    }
  }
  const codebook = integerCodebook(clustering.codebook, best);
  const layers = factorsFor(codebook, best).map(({ factors, sw }, l): Int8LayerFactors => {
    const realBias = parts[l]!.realBias;
    let bias: Int32Array | undefined;
    let biasQuant: QuantParams | undefined;
    if (realBias !== undefined) {
      const scales = Array.from(sw, (s) => Math.fround(parts[l]!.inputScale * s));
      bias = Int32Array.from(realBias, (v, o) =>
        Math.max(-2147483648, Math.min(2147483647, Math.round(v / scales[o]!))),
      );
      biasQuant = { scale: scales, zeroPoint: scales.map(() => 0), axis: 0 };
    }
    return {
      factors,
      weightQuant: { scale: Array.from(sw), zeroPoint: Array.from(sw, () => 0), axis: 0 },
      bias,
      biasQuant,
    };
  });
  return { codebook, cmax: best, layers };
}
