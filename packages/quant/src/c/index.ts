/**
 * The integer C kernels of @mcu/quant for @mcu/codegen-c (int8, with a DSP path for Armv7E-M /
 * Armv8-M Mainline cores; int16x8 convolutions, pooling and ADD/SUB; 8-bit element-wise ops as
 * tables), contributed through the plugin's `cKernels`. Each reuses the precomputation (or the
 * function) of its TS kernel, so both give the same bytes.
 */
import type { CKernelDef } from "@mcu/codegen-c";
import type { QuantKernelOptions } from "../kernels/options.js";
import { addDspCKernels } from "./add-dsp.js";
import { conv2dCKernels, depthwiseCKernels, fullyConnectedCKernels } from "./conv.js";
import { int16x8CKernels } from "./int16x8.js";
import { lutCKernels } from "./lut.js";
import { poolAddSoftmaxCKernels } from "./pool-add-softmax.js";

export { INT8_C, INT8_DSP_C } from "./conv.js";
export { INT16X8_C } from "./int16x8.js";

/** Every integer C kernel, with the given rounding (TFLite's default double rounding when omitted). */
export function quantCKernels(options?: QuantKernelOptions): CKernelDef[] {
  return [
    ...conv2dCKernels(options),
    ...depthwiseCKernels(options),
    ...fullyConnectedCKernels(options),
    ...poolAddSoftmaxCKernels(options),
    ...addDspCKernels(options),
    ...int16x8CKernels(options),
    ...lutCKernels(options),
  ];
}
