/**
 * The constant parts of a `cluster.conv2d` node, read and checked once (by kernels, the C
 * generator and the cost functions), and the decoding of its kernels into dense OHWI weights.
 */
import { type Attrs, McuError, type TensorInfo, type Value } from "@mcu/tensor";
import { type KernelTransforms, kernelTransforms } from "./transforms.js";

/** A clustered convolution's geometry and constant data. */
export interface ClusterLayer {
  /** Codebook size K. */
  readonly k: number;
  readonly kh: number;
  readonly kw: number;
  readonly taps: number;
  /** Output channels O. */
  readonly outC: number;
  /** Input channels per group I. */
  readonly inC: number;
  readonly groups: number;
  /** The window symmetries the transform codes refer to (identity only without transforms). */
  readonly transforms: KernelTransforms;
  readonly codebook: Float32Array | Int8Array;
  readonly indices: ArrayLike<number>;
  readonly scales: Float32Array | Int8Array;
  /** Transform code per kernel, when transform-invariant. */
  readonly kernelTransform: Uint8Array | undefined;
  /** True for the integer variant (int8 codebook and scales). */
  readonly integer: boolean;
}

/** Reads a cluster.conv2d node's constants; `MCU_E_CLUSTER_DATA` when they are missing or out of range. */
export function readClusterLayer(
  inputs: readonly (TensorInfo | undefined)[],
  attrs: Attrs,
  node: string,
): ClusterLayer {
  const [, codebook, indices, scales, transforms] = inputs;
  const fail = (msg: string): never => {
    throw new McuError("MCU_E_CLUSTER_DATA", `cluster.conv2d: ${msg}`, { node });
  };
  for (const [name, t] of [
    ["codebook", codebook],
    ["indices", indices],
    ["scales", scales],
    ["transforms", transforms],
  ] as const) {
    if (t !== undefined && t.data === undefined) fail(`${name} must be a constant`);
  }
  const [k, kh, kw] = codebook!.shape as [number, number, number];
  const [outC, inC] = indices!.shape as [number, number];
  const integer = codebook!.dtype === "int8";
  if (!(codebook!.dtype === "float32" || integer))
    fail(`codebook must be float32 or int8, got ${codebook!.dtype}`);
  if (scales!.dtype !== (integer ? "int8" : "float32")) {
    fail(
      `scales must be ${integer ? "int8" : "float32"} with a${integer ? "n int8" : " float32"} codebook, got ${scales!.dtype}`,
    );
  }
  if (!["uint8", "int16", "int32"].includes(indices!.dtype))
    fail(`indices must be uint8, int16 or int32, got ${indices!.dtype}`);
  const idx = indices!.data as ArrayLike<number>;
  for (let n = 0; n < idx.length; n++) {
    if (!(idx[n]! >= 0 && idx[n]! < k))
      fail(`index ${idx[n]} of kernel ${n} is outside the ${k}-entry codebook`);
  }
  const tr = kernelTransforms(kh, kw, transforms !== undefined);
  if (transforms !== undefined) {
    if (transforms.dtype !== "uint8") fail(`transforms must be uint8, got ${transforms.dtype}`);
    const td = transforms.data as Uint8Array;
    for (let n = 0; n < td.length; n++) {
      if (td[n]! >= tr.count)
        fail(
          `transform ${td[n]} of kernel ${n} is not one of the ${tr.count} symmetries of a ${kh}x${kw} window`,
        );
    }
  }
  return {
    k,
    kh,
    kw,
    taps: kh * kw,
    outC,
    inC,
    groups: Number(attrs.groups ?? 1),
    transforms: tr,
    codebook: codebook!.data as Float32Array | Int8Array,
    indices: idx,
    scales: scales!.data as Float32Array | Int8Array,
    kernelTransform: transforms?.data as Uint8Array | undefined,
    integer,
  };
}

/**
 * The transformed centroids: table[(c·T + t)·taps + j] = T_t(C_c)[j] for every centroid and
 * transform, the kernels add-then-conv convolves with.
 */
export function transformedCodebook(layer: ClusterLayer): Float64Array {
  const { k, taps, transforms: tr } = layer;
  const out = new Float64Array(k * tr.count * taps);
  for (let c = 0; c < k; c++) {
    for (let t = 0; t < tr.count; t++) {
      const dst = (c * tr.count + t) * taps;
      for (let j = 0; j < taps; j++) out[dst + j] = layer.codebook[c * taps + tr.perm[t * taps + j]!]!;
    }
  }
  return out;
}

/**
 * Dense OHWI weights of the layer: w[o, r, c, i] = s[o,i] · C[idx[o,i]][perm_t(r·kw + c)].
 * Float layers multiply in float32 (as the C decoder does); integer layers give the exact
 * integer products, which must fit int8 (`MCU_E_CLUSTER_DATA` otherwise).
 */
export function decodeWeights(layer: ClusterLayer, node = ""): Float32Array | Int8Array {
  const { outC, inC, taps, transforms: tr } = layer;
  const out = layer.integer ? new Int8Array(outC * taps * inC) : new Float32Array(outC * taps * inC);
  for (let o = 0; o < outC; o++) {
    for (let i = 0; i < inC; i++) {
      const n = o * inC + i;
      const base = layer.indices[n]! * taps;
      const t = layer.kernelTransform === undefined ? 0 : layer.kernelTransform[n]!;
      const s = layer.scales[n]!;
      for (let j = 0; j < taps; j++) {
        const v = s * layer.codebook[base + tr.perm[t * taps + j]!]!;
        if (layer.integer && (v < -128 || v > 127)) {
          throw new McuError(
            "MCU_E_CLUSTER_DATA",
            `cluster.conv2d: decoded weight ${v} of kernel ${n} does not fit int8`,
            node === "" ? {} : { node },
          );
        }
        out[(o * taps + j) * inC + i] = v;
      }
    }
  }
  return out;
}

/**
 * The dense OHWI weights of a `cluster.conv2d` node as a constant tensor — float32, or int8 with
 * the per-channel quantization of the factors — i.e. the weights of the uncompressed
 * `core.conv2d` the clustered layer computes exactly (int8) or to rounding (float32).
 */
export function decodeClusterWeights(
  inputs: readonly (TensorInfo | undefined)[],
  attrs: Attrs,
  node: string,
): Value {
  const layer = readClusterLayer(inputs, attrs, node);
  const scales = inputs[3]!;
  return {
    name: `${node}:decoded`,
    shape: [layer.outC, layer.kh, layer.kw, layer.inC],
    dtype: layer.integer ? "int8" : "float32",
    data: decodeWeights(layer, node),
    ...(layer.integer && scales.quant !== undefined ? { quant: scales.quant } : {}),
  };
}
