/**
 * The @mcu/binary plugin: binary and power-of-two ops with their TS kernels, the passes that
 * produce them, C kernels for @mcu/codegen-c and storage/cost functions for @mcu/hw-model.
 */
import { definePlugin, PLUGIN_API_VERSION, type Plugin } from "@mcu/tensor";
import { binaryCKernels, type PopcountKind } from "./c/index.js";
import { binaryCosts } from "./costs.js";
import { binaryKernels } from "./kernels/index.js";
import { binaryOps } from "./ops/index.js";
import { binaryPasses } from "./passes/index.js";

/** Options of {@link createBinaryPlugin}. */
export interface BinaryPluginOptions {
  /** The popcount the C kernels use (default `swar`, the fastest measured on Cortex-M4). */
  readonly popcount?: PopcountKind;
}

/** The plugin with C kernels built for `options`. */
export function createBinaryPlugin(options: BinaryPluginOptions = {}): Plugin {
  return definePlugin({
    name: "@mcu/binary",
    apiVersion: PLUGIN_API_VERSION,
    ops: binaryOps,
    kernels: binaryKernels,
    passes: binaryPasses,
    cKernels: binaryCKernels(options.popcount),
    costs: binaryCosts,
  });
}

/** Default export of @mcu/binary: register it with `createRegistry([corePlugin, binaryPlugin, ...])`. */
export const binaryPlugin: Plugin = createBinaryPlugin();
