/**
 * The plugin value: everything this package contributes, in one `definePlugin` call. Nothing
 * registers itself on import; an application (or the `mcu` command) passes this value to
 * `createRegistry([corePlugin, ..., hardSigmoidPlugin])`.
 */
import { definePlugin, PLUGIN_API_VERSION, type Plugin } from "@mcu/tensor";
import { hardSigmoidCKernel } from "./c-kernel.js";
import { hardSigmoidCost } from "./cost.js";
import { hardSigmoidFloat32Kernel } from "./kernel.js";
import { hardSigmoidOp } from "./op.js";
import { fuseHardSigmoid } from "./pass.js";

/** The plugin: op, pass, TS kernel, C kernel (@mcu/codegen-c) and cost model (@mcu/hw-model). */
export const hardSigmoidPlugin: Plugin = definePlugin({
  // The npm package name, so that errors about duplicates name the package to look at.
  name: "@mcu-example/hard-sigmoid",
  // The plugin API this code was written against; a registry of another version refuses it.
  apiVersion: PLUGIN_API_VERSION,
  ops: [hardSigmoidOp],
  passes: [fuseHardSigmoid],
  kernels: [hardSigmoidFloat32Kernel],
  cKernels: [hardSigmoidCKernel],
  costs: [hardSigmoidCost],
});
