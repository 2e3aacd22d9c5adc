/**
 * @mcu/hw-model — will it fit, and how fast: per layer, per board. A board catalog with cited
 * datasheet figures, the cost/storage contract plugins contribute through, two calibrated
 * latency models (our generated code; TFLite Micro + CMSIS-NN), and a Pareto helper.
 */
import { hwModelPlugin } from "./plugin.js";

export { type ActivePower, type Board, type BoardFigure, BOARDS, boardById } from "./boards.js";
export type { Citation, CitedFigure } from "./citation.js";
export {
  CORE_FAMILIES,
  CORE_FAMILY_SPECS,
  type CoreFamily,
  type CoreFamilySpec,
  relativeCpi,
} from "./cores.js";
export {
  type CoreCostContext,
  type CostNodeContext,
  constantBytesAsStored,
  type GeneratedKernelInfo,
  defineCost,
  type HwCostContribution,
  type HwCostSpec,
  isHwCostContribution,
} from "./cost-contract.js";
export {
  BUILTIN_COST_OPS,
  builtinCosts,
  generatedLayerInstructions,
  KERNEL_CODE_CALIBRATED,
  runtimeInvokeInstructions,
} from "./builtin-costs.js";
export {
  KERNEL_CLASSES,
  type KernelClass,
  kernelClassOf,
  type LayerFeatures,
  layerFeatures,
  dtypeVariant,
} from "./layer-features.js";
export { type ClassCoefficients, type InstructionModel, layerInstructions } from "./linear-cost.js";
export { costContexts, builtinLayers } from "./graph-layers.js";
export {
  type Calibration,
  type CalibrationInput,
  calibrate,
  type InstructionMeasurement,
  instructionModelOf,
  type LatencyMeasurement,
  type Parameter,
  PARAMETERS,
  parameterFeatures,
} from "./calibration.js";
export { type FitRow, goldenSection, type MapFit, mapLinearFit, mapLoss, type Prior } from "./map-fit.js";
export {
  CMSIS_NN_M4_PRIORS,
  MLPERF_L4R5ZI_CLOCK_HZ,
  MLPERF_TINY_V05_L4R5ZI_MS,
  type ReferenceFigure,
  TFLM_CMSIS_NN_M4_INSTRUCTIONS,
  TFLM_REFERENCE_M4_INSTRUCTIONS,
  TFLM_REFERENCE_M4_PRIORS,
} from "./reference-data.js";
export { type BuiltinCalibration, calibrateBuiltin, type FixtureReader } from "./builtin-calibration.js";
export {
  L4R5ZI_CYCLES_PER_INSTRUCTION,
  TFLM_CMSIS_NN_M4_THETA,
  TFLM_REFERENCE_M4_THETA,
} from "./fitted-coefficients.js";
export { cyclesPerInstruction, RUNTIME_MODELS, type RuntimeModels } from "./runtime-models.js";
export {
  assertFits,
  costContributions,
  type EstimateJson,
  type EstimateOptions,
  type EstimateReport,
  estimateJson,
  estimateModel,
  HW_MODEL_PLUGIN_NAME,
  type LatencyPair,
  type LayerEstimate,
} from "./estimate.js";
export { dominates, type ParetoPoint, paretoFront, paretoVariants, type Variant } from "./pareto.js";
export {
  type CEmitContextView,
  type CKernelContextView,
  type CKernelView,
  type CNodeEmissionView,
  type CScalarTypeView,
  type CSupportCodeView,
  type CTargetView,
  cScalarBytes,
  cTargetOfFamily,
  isCKernelView,
  selectCKernelView,
} from "./c-kernel-view.js";
export {
  cTokenCount,
  declarationBytes,
  definesFunction,
  type DescribeOptions,
  describeGeneratedProgram,
  type GeneratedNodeView,
  type GeneratedProgramView,
} from "./generated-program.js";
export {
  activationClamps,
  GENERATED_PARAMETERS,
  type GeneratedParameter,
  type GeneratedTheta,
  generatedInstructionsOf,
  generatedInvokeFeatures,
  generatedLayerFeatures,
} from "./generated-features.js";
export {
  calibrateGenerated,
  type GeneratedCalibration,
  type GeneratedCoefficients,
  type GeneratedInvokeMeasurement,
  type GeneratedLayerMeasurement,
  type GeneratedModelLayers,
  type GeneratedModelMeasurement,
  predictGeneratedLayer,
  predictGeneratedModel,
  scaleGenerated,
} from "./generated-calibration.js";
export {
  type CodeSizeFit,
  type CodeSizeMeasurement,
  type CodeSizeTable,
  calibrateCodeSizes,
  codeLayers,
  definedFunctions,
  type GeneratedFlash,
  generatedFlash,
  ioDescriptorBytes,
  pieceBytes,
  pieceTokens,
} from "./generated-code-size.js";
export {
  codeSizeTableOf,
  generatedCoefficientsOf,
  generatedModelSource,
  M0PLUS_PER_M3_INSTRUCTIONS,
} from "./generated-models.js";
export {
  GENERATED_CALIBRATION_INFO,
  GENERATED_CODE_SIZES,
  GENERATED_INSTRUCTIONS,
} from "./generated-coefficients.js";
export { formatEstimate, formatBoardList } from "./format.js";
export { hwModelPlugin };

export default hwModelPlugin;
