/**
 * The C kernels of @mcu/binary for @mcu/codegen-c: bit-packed convolution (with the fused
 * max-pool and threshold), the real-input first layer, binary dense, sign, and the power-of-two
 * layers. Each does, operation for operation, what its TS kernel does, so the generated C and the
 * TS interpreter give the same bytes.
 */
import type { CKernelDef } from "@mcu/codegen-c";
import { convCKernels } from "./conv.js";
import { denseCKernels } from "./dense.js";
import type { PopcountKind } from "./popcount.js";
import { pow2CKernels } from "./pow2.js";

export { POPCOUNT_KINDS, type PopcountKind } from "./popcount.js";

/** Every binary C kernel, with the given popcount implementation (default SWAR). */
export function binaryCKernels(popcount: PopcountKind = "swar"): CKernelDef[] {
  return [...convCKernels(popcount), ...denseCKernels(popcount), ...pow2CKernels()];
}
