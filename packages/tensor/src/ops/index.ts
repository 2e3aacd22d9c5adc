/** The core op contracts. */
import type { OpContract } from "../op.js";
import { castOp } from "./cast.js";
import { conv2dOp, depthwiseConv2dOp, transposeConv2dOp } from "./conv.js";
import { customOp } from "./custom.js";
import { batchMatmulOp, fullyConnectedOp, matmulOp } from "./dense.js";
import { elementwiseOps } from "./elementwise.js";
import { batchNormOp, logSoftmaxOp, softmaxOp } from "./normalization.js";
import { avgPool2dOp, maxPool2dOp, meanOp } from "./pool.js";
import { dequantizeOp, quantizeOp } from "./quantize.js";
import { svdfOp, unidirectionalSequenceLstmOp } from "./recurrent.js";
import {
  concatOp,
  expandDimsOp,
  flattenOp,
  padOp,
  reshapeOp,
  sliceOp,
  squeezeOp,
  stridedSliceOp,
  transposeOp,
} from "./shape.js";

export * from "./activation.js";
export * from "./cast.js";
export * from "./conv.js";
export * from "./custom.js";
export * from "./dense.js";
export * from "./elementwise.js";
export * from "./geometry.js";
export * from "./normalization.js";
export * from "./pool.js";
export * from "./quantize.js";
export * from "./recurrent.js";
export * from "./shape.js";
export * from "./shape-utils.js";
export * from "./strided-slice.js";

/** Every op contract of the core plugin. */
export const coreOps: readonly OpContract[] = [
  conv2dOp,
  depthwiseConv2dOp,
  transposeConv2dOp,
  fullyConnectedOp,
  matmulOp,
  batchMatmulOp,
  ...elementwiseOps,
  maxPool2dOp,
  avgPool2dOp,
  meanOp,
  reshapeOp,
  flattenOp,
  squeezeOp,
  expandDimsOp,
  transposeOp,
  concatOp,
  padOp,
  sliceOp,
  stridedSliceOp,
  softmaxOp,
  logSoftmaxOp,
  batchNormOp,
  quantizeOp,
  dequantizeOp,
  castOp,
  svdfOp,
  unidirectionalSequenceLstmOp,
  customOp,
] as readonly OpContract[];
