/** The core plugin: core ops, their float kernels, core passes and analyses, `.mcuir` and the `ts` engine. */
import { coreKernels } from "./float/index.js";
import { mcuirFormat } from "./mcuir/format.js";
import { coreOps } from "./ops/index.js";
import { corePasses } from "./passes/index.js";
import { livenessAnalysis } from "./planner/index.js";
import { definePlugin, PLUGIN_API_VERSION } from "./plugin.js";
import { tsEngine } from "./ts-engine.js";

/** The plugin every registry starts with. */
export const corePlugin = definePlugin({
  name: "@mcu/tensor",
  apiVersion: PLUGIN_API_VERSION,
  ops: coreOps,
  kernels: coreKernels,
  passes: corePasses,
  analyses: [livenessAnalysis],
  formats: [mcuirFormat],
  engines: [tsEngine],
});
