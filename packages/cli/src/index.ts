/** @mcu/cli: the `mcu` command (inspect, run, eval, convert, demo), also callable in-process. */
export type { EvalReport } from "./commands/eval.js";
export { buildDemoCnn, demoInput, seededRandom } from "./demo-model.js";
export type { CliIo, TextSink } from "./io.js";
export { EXIT_INTERNAL_ERROR, EXIT_OK, EXIT_USER_ERROR, main, type MainOptions } from "./main.js";
export {
  type LayerSummary,
  layerSummaries,
  type ModelSummary,
  summarizeModel,
  type TensorSummary,
} from "./model-summary.js";
export { isPlugin, KNOWN_PLUGIN_PACKAGES, loadPlugins, loadRegistry, pluginOfModule } from "./plugins.js";
