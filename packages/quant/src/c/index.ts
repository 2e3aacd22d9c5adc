/**
 * The integer C kernels of @mcu/quant for @mcu/codegen-c (int8, with a DSP path for Armv7E-M /
 * Armv8-M Mainline cores, and int16 pooling and ADD/SUB), contributed through the plugin's
 * `cKernels`. Each reuses the precomputation of its TS kernel, so both give the same bytes.
 */
import type { CKernelDef } from "@mcu/codegen-c";
import type { QuantKernelOptions } from "../kernels/options.js";
import { addDspCKernels } from "./add-dsp.js";
import { conv2dCKernels, depthwiseCKernels, fullyConnectedCKernels } from "./conv.js";
import { poolAddSoftmaxCKernels } from "./pool-add-softmax.js";

export { INT8_C, INT8_DSP_C } from "./conv.js";

/** Every integer C kernel, with the given rounding (TFLite's default double rounding when omitted). */
export function quantCKernels(options?: QuantKernelOptions): CKernelDef[] {
  return [
    ...conv2dCKernels(options),
    ...depthwiseCKernels(options),
    ...fullyConnectedCKernels(options),
    ...poolAddSoftmaxCKernels(options),
    ...addDspCKernels(options),
  ];
}
