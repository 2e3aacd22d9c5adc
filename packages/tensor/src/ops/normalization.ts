/** Softmax, log-softmax and inference-time batch normalization. */
import { attr } from "../attrs.js";
import { numElements } from "../dtype.js";
import { defineOp } from "../op.js";
import { expectShape, normalizeAxis } from "./shape-utils.js";

/** Softmax along an axis, with TFLite's `beta` (logits are multiplied by beta first). */
export const softmaxOp = defineOp({
  name: "core.softmax",
  doc: "y = exp(beta·x) / Σ exp(beta·x) along `axis`",
  attrs: { beta: attr.float(1), axis: attr.int(-1) },
  inputs: ["x"],
  inferShape({ node, inputs: [x], attrs }) {
    normalizeAxis(attrs.axis, x!.shape.length, node);
    return [{ shape: x!.shape }];
  },
});

/** Log-softmax along an axis. */
export const logSoftmaxOp = defineOp({
  name: "core.log_softmax",
  doc: "y = x − log Σ exp(x) along `axis`",
  attrs: { axis: attr.int(-1) },
  inputs: ["x"],
  inferShape({ node, inputs: [x], attrs }) {
    normalizeAxis(attrs.axis, x!.shape.length, node);
    return [{ shape: x!.shape }];
  },
});

/** Batch normalization with frozen statistics (inference). */
export const batchNormOp = defineOp({
  name: "core.batch_norm",
  doc: "y = scale · (x − mean) / sqrt(variance + epsilon) + bias, per channel along `axis`",
  attrs: { epsilon: attr.float(1e-5), axis: attr.int(-1, "the channel axis (NHWC: last)") },
  inputs: ["x", "scale", "bias", "mean", "variance"],
  inferShape({ node, inputs, attrs }) {
    const x = inputs[0]!;
    const c = x.shape[normalizeAxis(attrs.axis, x.shape.length, node)]!;
    for (const t of inputs.slice(1)) {
      expectShape(numElements(t!.shape) === c, `batch_norm parameters must have ${c} values`, node);
    }
    return [{ shape: x.shape }];
  },
});
