/**
 * Bytes of a clustered convolution as stored in flash by the generated C — the figure the op
 * contract's `paramBytes`, the hw-model cost contribution and the README table report:
 * - codebook: K·kh·kw values in the codebook format (counted once, by the node that owns it);
 * - codes: one ⌈log2 K⌉-bit index per kernel, plus a ⌈log2 T⌉-bit transform under
 *   transform-invariant clustering, packed LSB first in one bit stream;
 * - scales: one per kernel in the scale format (log8 adds the layer's float32 maximum);
 * - bias: as stored.
 */
import { type Attrs, type TensorInfo, tensorBytes } from "@mcu/tensor";
import { bitsFor, packedBytes } from "./bit-packing.js";
import { kernelTransforms } from "./transforms.js";

/** The stored bytes of one clustered convolution, by part. */
export interface ClusterConvStorage {
  readonly codebook: number;
  readonly codes: number;
  readonly scales: number;
  readonly bias: number;
  /** codebook + codes + scales: the compressed weights. */
  readonly weights: number;
  readonly total: number;
  /** Bits of one packed code (index, and transform when present). */
  readonly codeBits: number;
}

const FORMAT_BYTES: Readonly<Record<string, number>> = { float32: 4, fp16: 2, log8: 1, int8: 1 };

/** Bytes per value of a scale or codebook storage format. */
export function formatBytes(format: string): number {
  return FORMAT_BYTES[format] ?? 4;
}

/** The stored bytes of a `cluster.conv2d` node from its inputs and attributes. */
export function clusterConvStorage(ctx: {
  readonly inputs: readonly (TensorInfo | undefined)[];
  readonly attrs: Attrs;
}): ClusterConvStorage {
  const [, codebook, indices, , transforms, bias] = ctx.inputs;
  const [k, kh, kw] = codebook!.shape as [number, number, number];
  const kernels = indices!.shape[0]! * indices!.shape[1]!;
  const codeBits = bitsFor(k) + (transforms === undefined ? 0 : bitsFor(kernelTransforms(kh, kw).count));
  const owner = ctx.attrs.codebookOwner !== false;
  const codebookBytes = owner ? k * kh * kw * formatBytes(String(ctx.attrs.codebookFormat)) : 0;
  const codes = packedBytes(kernels, codeBits);
  const scaleFormat = String(ctx.attrs.scaleFormat);
  const scales = kernels * formatBytes(scaleFormat) + (scaleFormat === "log8" ? 4 : 0);
  const biasBytes = bias === undefined ? 0 : tensorBytes(bias);
  const weights = codebookBytes + codes + scales;
  return {
    codebook: codebookBytes,
    codes,
    scales,
    bias: biasBytes,
    weights,
    total: weights + biasBytes,
    codeBits,
  };
}
