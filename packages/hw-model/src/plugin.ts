/** The @mcu/hw-model plugin: the builtin cost contributions for the core ops. */
import { definePlugin, PLUGIN_API_VERSION } from "@mcu/tensor";
import { builtinCosts } from "./builtin-costs.js";
import { HW_MODEL_PLUGIN_NAME } from "./estimate.js";

/** The plugin value (the package's default export). */
export const hwModelPlugin = definePlugin({
  name: HW_MODEL_PLUGIN_NAME,
  apiVersion: PLUGIN_API_VERSION,
  costs: builtinCosts,
});
