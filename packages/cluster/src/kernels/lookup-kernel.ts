/**
 * The TS kernel of `cluster.lookup`: its inputs are constants, so the weights are decoded once
 * when the interpreter prepares the node and copied out on every run.
 */
import { defineKernel, type KernelDef, McuError, numElements, type TensorInfo } from "@mcu/tensor";
import { clusterLookupOp } from "../lookup-op.js";

/** Decodes a lookup: out[n] = codebook[channel(n) · entries + indices[n]]. */
export function decodeLookup(
  indices: TensorInfo,
  codebook: TensorInfo,
  axis: number,
  node = "",
): Float32Array | Int8Array {
  const idx = indices.data as Uint8Array;
  const cb = codebook.data as Float32Array | Int8Array;
  const [channels, entries] = codebook.shape as [number, number];
  const inner = indices.shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  const out = cb instanceof Int8Array ? new Int8Array(idx.length) : new Float32Array(idx.length);
  for (let n = 0; n < idx.length; n++) {
    if (idx[n]! >= entries) {
      throw new McuError(
        "MCU_E_CLUSTER_DATA",
        `cluster.lookup: index ${idx[n]} outside the ${entries}-entry codebook`,
        node === "" ? {} : { node },
      );
    }
    const c = channels === 1 ? 0 : Math.floor(n / inner) % channels;
    out[n] = cb[c * entries + idx[n]!]!;
  }
  return out;
}

/** `cluster/lookup`: float32 or int8 codebooks, constant uint8 indices. */
export const lookupKernel: KernelDef = defineKernel(clusterLookupOp, {
  name: "cluster/lookup",
  supports: ({ inputs: [indices, codebook], outputs: [y] }) =>
    indices?.dtype === "uint8" &&
    indices.data !== undefined &&
    codebook?.data !== undefined &&
    (codebook.dtype === "float32" || codebook.dtype === "int8") &&
    y?.dtype === codebook.dtype &&
    numElements(y.shape) === numElements(indices.shape),
  prepare({ node, attrs, inputs: [indices, codebook] }) {
    const decoded = decodeLookup(indices!, codebook!, attrs.axis, node.name);
    return ({ outputs: [y] }) => {
      (y!.data as Float32Array | Int8Array).set(decoded as never);
    };
  },
});
