/**
 * The C kernel of `cluster.lookup`: the weights are decoded into the node's output (an arena
 * buffer) from the packed indices and the codebook, both in flash.
 */
import type { CKernelDef, CSupportCode } from "@mcu/codegen-c";
import { numElements } from "@mcu/tensor";
import { packBits } from "../bit-packing.js";
import { clusterCode } from "./support.js";

const lookupCode: CSupportCode = {
  id: "cluster/lookup",
  requires: [clusterCode],
  code: `
/* y[i] = codebook[c(i) * entries + code(i)], c(i) = (i / inner) % channels (0 with one codebook). */
#define MCU_CLUSTER_LOOKUP(NAME, T) \\
  static void NAME(const uint8_t *codes, int32_t bits, const T *codebook, int32_t entries, int32_t count, \\
                   int32_t inner, int32_t channels, T *y) { \\
    int32_t i; \\
    for (i = 0; i < count; i++) { \\
      const int32_t c = channels == 1 ? 0 : (i / inner) % channels; \\
      y[i] = codebook[c * entries + (int32_t)mcu_cluster_code(codes, bits, i)]; \\
    } \\
  }`,
};

const lookupF32: CSupportCode = {
  id: "cluster/lookup-f32",
  requires: [lookupCode],
  code: "\nMCU_CLUSTER_LOOKUP(mcu_cluster_lookup_f32, float)",
};
const lookupI8: CSupportCode = {
  id: "cluster/lookup-i8",
  requires: [lookupCode],
  code: "\nMCU_CLUSTER_LOOKUP(mcu_cluster_lookup_i8, int8_t)",
};

/** `cluster/lookup` in C (float32 and int8 codebooks). */
export const lookupCKernel: CKernelDef = {
  op: "cluster.lookup",
  variant: "cluster/lookup",
  supports: ({ inputs: [indices, codebook], outputs: [y] }) =>
    indices?.dtype === "uint8" &&
    indices.data !== undefined &&
    codebook?.data !== undefined &&
    (codebook.dtype === "float32" || codebook.dtype === "int8") &&
    y?.dtype === codebook.dtype,
  emit(ctx) {
    const [indices, codebook] = ctx.inputs;
    const bits = Number(ctx.attrs.bits);
    const axis = Number(ctx.attrs.axis);
    const [channels, entries] = codebook!.shape as [number, number];
    const inner = indices!.shape.slice(axis + 1).reduce((a, d) => a * d, 1);
    const codes = ctx.constArray("codes", "uint8_t", packBits(indices!.data as Uint8Array, bits));
    const float = codebook!.dtype === "float32";
    return {
      support: [float ? lookupF32 : lookupI8],
      code: `${float ? "mcu_cluster_lookup_f32" : "mcu_cluster_lookup_i8"}(${codes}, ${bits}, ${ctx.input(1)}, ${entries}, ${numElements(indices!.shape)}, ${inner}, ${channels}, ${ctx.output(0)});`,
    };
  },
};
