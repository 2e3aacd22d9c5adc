/** Every integer kernel of @mcu/quant. */
import type { KernelDef } from "@mcu/tensor";
import { hardSwishKernels, leakyReluKernels, relu6Kernels, reluKernels } from "./activations.js";
import { addKernels, subKernels } from "./add-sub.js";
import { batchMatmulKernels } from "./batch-matmul.js";
import { convKernels } from "./conv.js";
import { depthwiseConvKernels } from "./depthwise-conv.js";
import { fullyConnectedKernels } from "./fully-connected.js";
import { logSoftmaxKernels } from "./log-softmax.js";
import { logisticKernels, tanhKernels } from "./logistic-tanh.js";
import { lstmKernels } from "./lstm.js";
import { meanKernels } from "./mean.js";
import { mulKernels } from "./mul.js";
import type { QuantKernelOptions } from "./options.js";
import { concatKernels, padKernels } from "./pad-concat.js";
import { avgPoolKernels, maxPoolKernels } from "./pool.js";
import { requantizeKernels } from "./requantize.js";
import { softmaxKernels } from "./softmax.js";
import { svdfKernels } from "./svdf.js";
import { transposeConvKernels } from "./transpose-conv.js";

/** All integer kernels ("quant/int8" and "quant/int16x8"), with the given rounding. */
export function quantKernels(options?: QuantKernelOptions): KernelDef[] {
  return [
    ...convKernels(options),
    ...depthwiseConvKernels(options),
    ...transposeConvKernels(options),
    ...fullyConnectedKernels(options),
    ...batchMatmulKernels(options),
    ...addKernels(options),
    ...subKernels(options),
    ...mulKernels(options),
    ...avgPoolKernels(options),
    ...maxPoolKernels(options),
    ...meanKernels(options),
    ...softmaxKernels(options),
    ...logSoftmaxKernels(options),
    ...logisticKernels(options),
    ...tanhKernels(options),
    ...leakyReluKernels(options),
    ...hardSwishKernels(options),
    ...reluKernels(options),
    ...relu6Kernels(options),
    ...padKernels(options),
    ...concatKernels(options),
    ...requantizeKernels(options),
    ...svdfKernels(options),
    ...lstmKernels(options),
  ];
}
