/**
 * The @mcu/binary plugin: binary and power-of-two ops with their TS kernels, the passes that
 * produce them, C kernels for @mcu/codegen-c and storage/cost functions for @mcu/hw-model.
 */
import { definePlugin, PLUGIN_API_VERSION, type Plugin } from "@mcu/tensor";
import { binaryKernels } from "./kernels/index.js";
import { binaryOps } from "./ops/index.js";

/** Default export of @mcu/binary: register it with `createRegistry([corePlugin, binaryPlugin, ...])`. */
export const binaryPlugin: Plugin = definePlugin({
  name: "@mcu/binary",
  apiVersion: PLUGIN_API_VERSION,
  ops: binaryOps,
  kernels: binaryKernels,
});
