/**
 * `cluster.lookup`: weights stored as b-bit indices into a small codebook of values — scalar
 * weight clustering as TensorFlow Model Optimization's `cluster_weights` does it, per layer (one
 * codebook) or per channel (one codebook per index of `axis`). The node decodes the weights; the
 * layer that reads them (conv2d, depthwise, fully_connected) is unchanged.
 *
 * Inputs: indices (uint8, the weights' shape), codebook [C, 2^bits] (C = 1 per layer, or the size
 * of `axis`). Output: codebook[c(n), indices[n]] for every element n, c(n) its index along axis;
 * float32, or int8 with the original weights' quantization (set on the output tensor).
 */
import { attr, defineOp, formatShape, McuError, numElements, tensorBytes } from "@mcu/tensor";
import { packedBytes } from "./bit-packing.js";

/** The op contract of a codebook lookup. */
export const clusterLookupOp = defineOp({
  name: "cluster.lookup",
  doc: "Decodes scalar-clustered weights: y[n] = codebook[channel(n), indices[n]].",
  attrs: {
    axis: attr.int(0, "channel axis of a per-channel codebook"),
    bits: attr.int(4, "bits per stored index (2–8)"),
  },
  inputs: ["indices", "codebook"],
  inferShape({ node, inputs: [indices, codebook], attrs }) {
    const fail = (msg: string): never => {
      throw new McuError("MCU_E_SHAPE", `cluster.lookup: ${msg}`, { node });
    };
    if (codebook!.shape.length !== 2)
      fail(`codebook must be [channels, 2^bits], got ${formatShape(codebook!.shape)}`);
    const [channels, entries] = codebook!.shape as [number, number];
    if (!(attrs.bits >= 1 && attrs.bits <= 8 && entries <= 2 ** attrs.bits))
      fail(`${entries} codebook entries do not fit ${attrs.bits} bits`);
    if (channels !== 1 && indices!.shape[attrs.axis] !== channels) {
      fail(`${channels} codebooks for axis ${attrs.axis} of ${formatShape(indices!.shape)}`);
    }
    return [{ shape: indices!.shape, dtype: codebook!.dtype }];
  },
  paramBytes: ({ inputs: [indices, codebook], attrs }) =>
    packedBytes(numElements(indices!.shape), attrs.bits) + tensorBytes(codebook!),
});
