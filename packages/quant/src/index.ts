/**
 * @mcu/quant — integer kernels bit-exact with TensorFlow Lite's reference kernels, the
 * fixed-point arithmetic they are built from, and post-training quantization (calibration, the
 * quant/int8, quant/int16x8 and quant/int4-weights passes, the quality report) on top of them.
 */
import { quantPlugin } from "./plugin.js";

// The plugin (default export: the CLI discovers plugins by their default export)
export { createQuantPlugin, quantPlugin } from "./plugin.js";
export default quantPlugin;

// Fixed-point arithmetic
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
} from "./fixed-point.js";
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
} from "./multiplier.js";
export {
  expOnIntervalBetweenNegativeOneQuarterAnd0Excl,
  expOnNegativeValues,
  fixedPointLogistic,
  fixedPointTanh,
  getReciprocal,
  logXForXGreaterThanOrEqualTo1,
  oneMinusXOverOnePlusXForXIn01,
  oneOverOnePlusXForXIn01,
  rescale,
} from "./fixed-point-math.js";
export {
  genLutInt16,
  lutLookupInt8,
  lutLookupInt16,
  lutPopulateInt8,
  lutPopulateInt16,
  type LutTransform,
  SIGMOID_TABLE_UINT16,
} from "./lut.js";
export {
  calculateActivationRangeQuantized,
  type QuantizedRange,
  quantizeActivationBound,
} from "./activation-range.js";
export {
  channelScales,
  isPerTensor,
  isQuantized,
  isSymmetric,
  type QuantizedTensor,
  sameQuantParams,
  scaleOf,
  zeroPointOf,
} from "./quant-info.js";

// Kernels and their precomputation (shared with the C generator)
export { INT8_KERNEL, INT16X8_KERNEL, type QuantKernelOptions } from "./kernels/options.js";
export { quantKernels } from "./kernels/index.js";
export { type Accumulator, type ChannelMultipliers, type IntArray, quantizeMultipliers } from "./kernels/common.js";
export type { BroadcastMaps } from "./kernels/broadcast.js";
export {
  type ConvParams,
  type ConvWindowAttrs,
  convolutionMultipliers,
  prepareConvParams,
  runConv,
} from "./kernels/conv.js";
export {
  type DepthwiseConvParams,
  prepareDepthwiseConvParams,
  runDepthwiseConv,
} from "./kernels/depthwise-conv.js";
export { prepareTransposeConvParams, runTransposeConv } from "./kernels/transpose-conv.js";
export {
  type FullyConnectedParams,
  prepareFullyConnectedParams,
  runFullyConnected,
} from "./kernels/fully-connected.js";
export { type BatchMatmulParams, prepareBatchMatmulParams, runBatchMatmul } from "./kernels/batch-matmul.js";
export { type AddSubParams, prepareAddSubParams, runAddSub } from "./kernels/add-sub.js";
export { type MulParams, prepareMulParams, runMul } from "./kernels/mul.js";
export { type PoolParams, preparePoolParams, runPool } from "./kernels/pool.js";
export { type MeanParams, prepareMeanParams, runMean } from "./kernels/mean.js";
export {
  calculateInputRadius,
  preprocessSoftmaxScaling,
  prepareSoftmaxParams,
  runSoftmax,
  type SoftmaxParams,
} from "./kernels/softmax.js";
export { type LogSoftmaxParams, prepareLogSoftmaxParams, runLogSoftmax } from "./kernels/log-softmax.js";
export {
  checkedLog2,
  type LogisticTanhParams,
  prepareLogisticTanhParams,
  runLogistic,
  runTanh,
} from "./kernels/logistic-tanh.js";
export {
  downScaleInt32ToInt16Multiplier,
  type HardSwishParams,
  type LeakyReluParams,
  prepareHardSwishParams,
  prepareLeakyReluParams,
  prepareReluParams,
  type ReluParams,
  runHardSwish,
  runLeakyRelu,
  runRelu,
} from "./kernels/activations.js";
export {
  type ConcatParams,
  type PadParams,
  prepareConcatParams,
  preparePadParams,
  runConcat,
  runPad,
} from "./kernels/pad-concat.js";
export { prepareRequantizeParams, type RequantizeParams, runRequantize } from "./kernels/requantize.js";

// Post-training quantization: calibration, the passes, and the quality report
export {
  CALIBRATION_METHODS,
  type CalibrationMethod,
  type CalibrationOptions,
  type CalibrationRanges,
  type CalibrationSample,
  calibrate,
  checkCalibrationSamples,
} from "./calibration/calibrate.js";
export { type Range, SymmetricHistogram } from "./calibration/histogram.js";
export {
  clipRange,
  histogramMse,
  klThreshold,
  mseRange,
  percentileThreshold,
} from "./calibration/range-estimators.js";
export {
  type ActivationDType,
  type AffineParams,
  activationLimits,
  activationParams,
  asymmetricParams,
  dequantizeValue,
  type QuantizedWeights,
  quantizeActivationConstant,
  quantizeBias,
  quantizeValue,
  quantizeWeights,
  symmetricParams,
  toQuantParams,
  type WeightBits,
  weightQmax,
} from "./ptq/params.js";
export { OP_QUANT_RULES, type OpQuantRule, opQuantRule } from "./ptq/op-rules.js";
export {
  type PtqNote,
  type PtqScheme,
  type QuantizeGraphOptions,
  quantizeGraph,
} from "./ptq/quantize-graph.js";
export { int4WeightsPass, int8Pass, int16x8Pass, ptqPasses } from "./ptq/ptq-passes.js";
export {
  formatQualityReport,
  type LayerQuality,
  type OutputQuality,
  type QualityReport,
  type QualityReportOptions,
  qualityReport,
} from "./report/quality-report.js";
