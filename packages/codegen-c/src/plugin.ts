/** The @mcu/codegen-c plugin: the `c` and `cortex-m*` engines and the builtin float32 / data-movement C kernels. */
import { definePlugin, PLUGIN_API_VERSION, type Plugin } from "@mcu/tensor";
import { cortexMEngines, hostCEngine } from "./engines.js";
import { builtinCKernels } from "./kernels/index.js";

/** Default export of @mcu/codegen-c: register it with `createRegistry([corePlugin, codegenPlugin, ...])`. */
export const codegenPlugin: Plugin = definePlugin({
  name: "@mcu/codegen-c",
  apiVersion: PLUGIN_API_VERSION,
  engines: [hostCEngine, ...cortexMEngines],
  cKernels: builtinCKernels,
});
