/**
 * @mcu/binary: binarized networks — bit-packed ±1 convolutions and dense layers, eBNN threshold
 * folding, post-hoc XNOR-Net and power-of-two weights — from an ONNX file to a 16 KB
 * microcontroller.
 */
import { binaryPlugin } from "./plugin.js";

export { type BinaryPluginOptions, createBinaryPlugin } from "./plugin.js";

export { isPlusMinusOne, packSigns, popcount32, unpackSigns } from "./bits.js";
export {
  binaryConv2dOp,
  binaryFullyConnectedOp,
  binaryOps,
  binarySignOp,
  inputConv2dOp,
  OUTPUT_KINDS,
  type OutputKind,
  PAD_VALUES,
  POW2_ACTIVATIONS,
  POW2_MAX_CODE,
  POW2_MAX_TAPS,
  type ConvWindowAttrs,
  type PooledWindow,
  pooledWindow,
  pow2Conv2dOp,
  pow2FullyConnectedOp,
} from "./ops/index.js";
export { binaryKernels } from "./kernels/index.js";
export { binaryCKernels, POPCOUNT_KINDS, type PopcountKind } from "./c/index.js";
export {
  binaryPasses,
  channelMeanAbs,
  foldThreshold,
  fromSign,
  int8Params,
  pow2Pass,
  pow2Weights,
  xnorPass,
} from "./passes/index.js";
export {
  BINARY_COST_COEFFICIENTS,
  binaryCostFeatures,
  binaryCosts,
  binaryInstructions,
  type CostFeatures,
} from "./costs.js";
export { binaryPlugin };
export default binaryPlugin;
