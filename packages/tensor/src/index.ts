/**
 * @mcu/tensor — the IR of @mcu: graphs, op contracts, the registry, passes and plugins, the
 * float interpreter, the arena planner and the `.mcuir` format.
 */

// Errors
export { InternalError, invariant, isMcuError, McuError, type McuErrorLocation } from "./errors.js";

// Data types and tensors
export {
  allocateData,
  bitRowWords,
  type DataOf,
  DTYPES,
  type DType,
  dataMatchesDType,
  dtypeBits,
  dtypeRange,
  isDType,
  isIntegerDType,
  numElements,
  packedByteLength,
  parseDType,
  storageLength,
  type TensorData,
} from "./dtype.js";
export {
  formatShape,
  isConstant,
  isPerAxis,
  type QuantParams,
  quantParams,
  sameQuant,
  sameShape,
  type TensorInfo,
  tensorBytes,
  type Value,
} from "./tensor-info.js";

// Integer fixed-point arithmetic shared by the integer kernels of every plugin (TFLite's
// QuantizeMultiplier / MultiplyByQuantizedMultiplier, gemmlowp primitives, activation ranges)
export {
  countLeadingZeros32,
  INT32_MAX,
  INT32_MIN,
  roundingDivideByPot,
  roundingDivideByPot16,
  roundingHalfSum,
  saturatingAdd32,
  saturatingRoundingDoublingHighMul,
  saturatingRoundingDoublingHighMul16,
  saturatingRoundingMultiplyByPot,
  saturatingSub32,
  toInt8,
  toInt16,
  wrapAdd32,
  wrapSub32,
} from "./fixed-point/fixed-point.js";
export {
  frexp,
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierFor,
  multiplyByQuantizedMultiplierInt64,
  multiplyByQuantizedMultiplierSingleRounding,
  type QuantizedMultiplier,
  quantizeMultiplier,
  quantizeMultiplierGreaterThanOne,
  quantizeMultiplierSmallerThanOneExp,
  type RoundingMode,
  tfliteRound,
} from "./fixed-point/multiplier.js";
export {
  calculateActivationRangeQuantized,
  type QuantizedRange,
  quantizeActivationBound,
} from "./fixed-point/activation-range.js";

// Graphs
export { type AttrKind, type Attrs, type AttrSchema, type AttrSpec, type AttrsOf, type AttrValue, attr, normalizeAttrs } from "./attrs.js";
export {
  consumerMap,
  createGraph,
  type Graph,
  type GraphParts,
  getTensor,
  type Node,
  nodeInputs,
  nodeOutputs,
  producerMap,
  withParts,
} from "./graph.js";
export { GraphBuilder, graphBuilder } from "./builder.js";
export { editGraph, GraphEditor, topologicalOrder } from "./editor.js";
export type { NodeOptions, OutputSpec } from "./node-factory.js";
export { findProblems, verify } from "./verify.js";
export { graphMacs, type NodeCounts, nodeCounts } from "./counts.js";
export { printGraph } from "./print.js";

// Ops and kernels
export {
  constantInputBytes,
  defineOp,
  type InferredOutput,
  type OpContext,
  type OpContract,
  type OpCountContext,
  type OpDef,
} from "./op.js";
export {
  defineKernel,
  type KernelDef,
  type KernelPrepareContext,
  type KernelRun,
  type KernelRunArgs,
  type KernelSpec,
} from "./kernel.js";
export {
  activationRange,
  applyActivation,
  avgPool2dOp,
  type AxisWindow,
  axisWindow,
  batchMatmulOp,
  batchNormOp,
  broadcastShapes,
  broadcastStrides,
  clipOp,
  concatOp,
  conv2dOp,
  coreOps,
  customOp,
  depthwiseConv2dOp,
  dequantizeOp,
  effectiveKernel,
  expandDimsOp,
  FUSED_ACTIVATIONS,
  type FusedActivation,
  flattenOp,
  fullyConnectedOp,
  fusedActivationAttr,
  hardSwishOp,
  leakyReluOp,
  logisticOp,
  logSoftmaxOp,
  matmulOp,
  maxPool2dOp,
  maximumOp,
  meanOp,
  minimumOp,
  mulOp,
  normalizeAxis,
  PADDINGS,
  type Padding,
  padOp,
  quantizeOp,
  relu6Op,
  reluOp,
  reshapeOp,
  resolveReshape,
  resolveStridedSlice,
  type ResolvedSlice,
  signOp,
  sliceOp,
  softmaxOp,
  squeezeOp,
  stridedSliceOp,
  type StridedSliceAttrs,
  stridesOf,
  subOp,
  tanhOp,
  transposeConv2dOp,
  transposeConvAxis,
  transposeOp,
  type Window2d,
  window2d,
  addOp,
  divOp,
  castOp,
  LSTM_INPUTS,
  svdfOp,
  unidirectionalSequenceLstmOp,
} from "./ops/index.js";
export { coreKernels } from "./float/index.js";

// Registry, plugins, passes
export { type Analysis, AnalysisCache, defineAnalysis } from "./analysis.js";
export {
  type CKernelContribution,
  type CostContribution,
  definePlugin,
  type Engine,
  type ModelFormat,
  PLUGIN_API_VERSION,
  type Plugin,
  type PluginDef,
  type PreparedModel,
} from "./plugin.js";
export { createRegistry, type Registry } from "./registry.js";
export { type Diagnostic, definePass, type PassContext, type PassDef, type PipelineResources, type Progress } from "./pass.js";
export {
  irDumpInstrument,
  type PassInstrument,
  type PassTiming,
  type PipelineResult,
  type PipelineStep,
  type PipelineStepSpec,
  parsePipeline,
  type RunPipelineOptions,
  resolvePipeline,
  runPipeline,
  timingInstrument,
} from "./pipeline.js";
export { corePasses } from "./passes/index.js";
export { corePlugin } from "./core-plugin.js";

// Running
export {
  createInterpreter,
  type Interpreter,
  type InterpreterHooks,
  type InterpreterInputs,
  type InterpreterOptions,
  type NodeEvent,
  runGraph,
} from "./interpreter.js";
export { tsEngine } from "./ts-engine.js";

// Memory planning (liveness and the arena planner)
export {
  type ArenaBuffer,
  type ArenaPlan,
  DEFAULT_ARENA_ALIGNMENT,
  type GraphArenaPlan,
  greedyArenaPlan,
  livenessAnalysis,
  planArena,
  type TensorLifetime,
  tensorLifetimes,
} from "./planner/index.js";

// Serialization (.mcuir) and tensor files (.npy, .csv)
export { mcuirFormat } from "./mcuir/format.js";
export { readMcuir } from "./mcuir/read-mcuir.js";
export { MCUIR_VERSION } from "./mcuir/schema.js";
export { writeMcuir } from "./mcuir/write-mcuir.js";
export {
  decodeTensorFile,
  encodeTensorFile,
  formatFloat32,
  type ReadNpyOptions,
  readCsv,
  readNpy,
  type TensorFileExpectation,
  type TensorFileKind,
  type TensorFileValue,
  tensorFileKind,
  type WriteNpyOptions,
  writeCsv,
  writeNpy,
} from "./tensor-files/index.js";
