/**
 * @mcu/cli: the `mcu` command (inspect, run, eval, convert, compress, codegen, estimate, compile,
 * demo), also callable in-process; and the compile flow behind `mcu compile` and `mcu demo`.
 */
export { type CompileSummary, verificationWarnings } from "./commands/compile.js";
export type { DemoScore, DemoSummary } from "./commands/demo.js";
export type { EvalReport } from "./commands/eval.js";
export {
  boardTarget,
  type CompileOptions,
  type CompileResult,
  compileModel,
  DEFAULT_VERIFY_SAMPLES,
} from "./compile/compile-flow.js";
export type { TargetMeasurement, TargetSizes } from "./compile/measure-target.js";
export {
  choosePipeline,
  FLOAT_PIPELINE,
  hasFloatCompute,
  INT8_PIPELINE,
  type PipelineChoice,
} from "./compile/pipeline-choice.js";
export {
  arenaBuffers,
  type CompileReport,
  compileReport,
  graphWeights,
  type ReportArenaBuffer,
  type ReportContext,
  type ReportLatency,
  type ReportLayer,
  type ReportWeight,
} from "./compile/report.js";
export { renderReportHtml } from "./compile/report-html.js";
export {
  type EngineVerification,
  FLOAT_TOLERANCE,
  type HostVerification,
  type QemuVerification,
  randomInputs,
  type Verification,
  verificationMode,
  type VerifyInputs,
  type VerifyMismatch,
  type VerifyOptions,
  type VerifyResult,
  verifyGeneratedC,
} from "./compile/verify-c.js";
export { REPORT_HTML, REPORT_JSON, writeCompileOutput } from "./compile/write-output.js";
export { type DemoAssets, digitsToInputs, readDemoAssets } from "./demo-assets.js";
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
