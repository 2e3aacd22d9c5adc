/**
 * @mcu/cluster — kernel clustering (Son, Nah, Lee, ECCV 2018) and scalar weight clustering (as
 * TensorFlow Model Optimization does it), as a plugin: the `cluster.conv2d` and `cluster.lookup`
 * ops, their TS and C kernels, their storage and cost functions for @mcu/hw-model, and the
 * `cluster/kernels` and `cluster/weights` passes.
 */
import { clusterPlugin } from "./plugin.js";

// The plugin (default export: the CLI discovers plugins by their default export)
export { type ClusterPluginOptions, clusterPlugin, createClusterPlugin } from "./plugin.js";
export default clusterPlugin;

export { type AddThenConvPlan, addThenConvMacs, addThenConvPlan } from "./add-then-conv-plan.js";
// Storage formats and decoding
export { bitsFor, packBits, packedBytes, unpackBits } from "./bit-packing.js";
export { clusterCKernels } from "./c/c-kernels.js";
export { lookupCKernel } from "./c/lookup-c-kernel.js";
// Ops and passes
export {
  CLUSTER_ALGORITHMS,
  type ClusterConvAttrs,
  clusterConvAttrs,
  CODEBOOK_FORMATS,
  type CodebookFormat,
  clusterConv2dOp,
  SCALE_FORMATS,
  type ScaleFormat,
} from "./cluster-conv-op.js";
export {
  type ClusterLayer,
  decodeClusterWeights,
  decodeWeights,
  readClusterLayer,
  transformedCodebook,
} from "./cluster-layer.js";
export { refitScales, type ScaleRefit, type ScaleRefitInput } from "./scale-refit.js";
export { type Algorithm, clusterCostFeatures, clusterCosts, lookupCost } from "./cost.js";
export {
  type ClusteredKernels,
  clusterKernels,
  type KernelClustering,
  type KernelClusteringOptions,
  type KernelLayerInput,
  quantizeScales,
} from "./kernel-clustering.js";
// The technique: normalization, k-means, symmetries, codebooks
export {
  centerTap,
  gatherKernels,
  kernelSign,
  type NormalizedKernels,
  normalizeKernels,
} from "./kernel-normalization.js";
// Kernels (TS and C) and cost functions
export { floatClusterKernels, isFloatClusterConv } from "./kernels/float-kernels.js";
export {
  type Int8Requantization,
  int8ClusterKernels,
  int8Requantization,
  isInt8ClusterConv,
} from "./kernels/int8-kernels.js";
export { decodeLookup, lookupKernel } from "./kernels/lookup-kernel.js";
export { type KMeansOptions, type KMeansResult, kmeans, kmeansPlusPlus } from "./kmeans.js";
export { clusterLookupOp } from "./lookup-op.js";
export { clusterKernelsPass } from "./passes/cluster-kernels.js";
export { clusterScalars, clusterWeightsPass } from "./passes/cluster-weights.js";
export {
  encodeFloat16,
  encodeLog8,
  float16Bits,
  float16Value,
  LOG8_MANTISSAS,
  log8Code,
  log8Max,
  log8Value,
  roundToFloat16,
} from "./scale-formats.js";
export { type ClusterConvStorage, clusterConvStorage, formatBytes } from "./storage.js";
export {
  applyInverseTransform,
  applyTransform,
  type KernelTransforms,
  kernelTransforms,
  TRANSFORM_NAMES,
} from "./transforms.js";
