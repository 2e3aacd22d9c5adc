/**
 * The @mcu/quant plugin. Its kernels run quantized graphs integer-only: the registry picks them
 * by dtype (`supports()`), so a graph of int8 / int16 tensors needs nothing but this plugin next
 * to the core one. Its passes (`quant/int8`, `quant/int16x8`, `quant/int4-weights`) quantize
 * float graphs after training.
 */
import { definePlugin, PLUGIN_API_VERSION, type Plugin } from "@mcu/tensor";
import { quantCKernels } from "./c/index.js";
import { quantKernels } from "./kernels/index.js";
import type { QuantKernelOptions } from "./kernels/options.js";
import { ptqPasses } from "./ptq/ptq-passes.js";

/** The plugin with kernels built for `options` (e.g. `{ rounding: "single" }` for TFLITE_SINGLE_ROUNDING). */
export function createQuantPlugin(options?: QuantKernelOptions): Plugin {
  return definePlugin({
    name: "@mcu/quant",
    apiVersion: PLUGIN_API_VERSION,
    kernels: quantKernels(options),
    cKernels: quantCKernels(options),
    passes: ptqPasses,
  });
}

/** The plugin with TFLite's default (double-rounding) arithmetic. */
export const quantPlugin: Plugin = createQuantPlugin();
