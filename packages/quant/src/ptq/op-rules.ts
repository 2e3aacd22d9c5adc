/**
 * How post-training quantization treats each op, from the TensorFlow Lite quantization
 * specification (tensorflow/lite/g3doc/performance/quantization_spec.md) and its 16x8 variant:
 * which input is a per-axis weight (and on which axis), which is the bias, which ops must keep
 * their input's parameters, and which outputs have fixed parameters.
 */
import type { ActivationDType, AffineParams } from "./params.js";

/** The quantization rule of one op. */
export interface OpQuantRule {
  /** Input index of the weights and the axis of their per-channel scales. */
  readonly weights?: { readonly input: number; readonly axis: number };
  /** Input index of the bias (scale s_in · s_w[c], zero point 0). */
  readonly bias?: number;
  /**
   * "Input and outputs must all have same scale/zero_point": every (non-absent) input and the
   * output share one set of parameters.
   */
  readonly sameParams?: boolean;
  /** Output parameters the kernels require, by activation type. */
  readonly fixedOutput?: Readonly<Partial<Record<ActivationDType, AffineParams>>>;
  /** Inputs PTQ leaves as they are (e.g. a transposed convolution's int32 output shape). */
  readonly keepInputs?: readonly number[];
}

const conv = (axis: number): OpQuantRule => ({ weights: { input: 1, axis }, bias: 2 });
const same: OpQuantRule = { sameParams: true };
const free: OpQuantRule = {};

/**
 * The rules of every op PTQ quantizes. Output parameters: SOFTMAX and LOGISTIC (1/256, −128),
 * TANH (1/128, 0), LOG_SOFTMAX (16/256, 127) for int8; the int16 kernels (TFLite's 16x8
 * SOFTMAX, LOGISTIC and TANH) output scale 1/32768 with zero point 0.
 */
export const OP_QUANT_RULES: Readonly<Record<string, OpQuantRule>> = {
  // Weights per axis: conv OHWI on axis 0, depthwise 1HWC on axis 3, fully connected [out, in]
  // on axis 0, transposed conv OHWI on axis 0.
  "core.conv2d": conv(0),
  "core.depthwise_conv2d": conv(3),
  "core.fully_connected": conv(0),
  "core.transpose_conv2d": { ...conv(0), keepInputs: [3] },
  "core.batch_matmul": free,
  "core.add": free,
  "core.sub": free,
  "core.mul": free,
  "core.mean": free,
  "core.relu": free,
  "core.relu6": free,
  "core.leaky_relu": free,
  "core.hard_swish": free,
  "core.avg_pool2d": same,
  "core.max_pool2d": same,
  "core.concat": same,
  "core.pad": same,
  "core.reshape": same,
  "core.flatten": same,
  "core.squeeze": same,
  "core.expand_dims": same,
  "core.transpose": same,
  "core.slice": same,
  "core.strided_slice": same,
  "core.softmax": {
    fixedOutput: { int8: { scale: 1 / 256, zeroPoint: -128 }, int16: { scale: 1 / 32768, zeroPoint: 0 } },
  },
  "core.logistic": {
    fixedOutput: { int8: { scale: 1 / 256, zeroPoint: -128 }, int16: { scale: 1 / 32768, zeroPoint: 0 } },
  },
  "core.tanh": {
    fixedOutput: { int8: { scale: 1 / 128, zeroPoint: 0 }, int16: { scale: 1 / 32768, zeroPoint: 0 } },
  },
  "core.log_softmax": { fixedOutput: { int8: { scale: 16 / 256, zeroPoint: 127 } } },
};

/** The rule of an op, or undefined when PTQ leaves the op in float. */
export function opQuantRule(op: string): OpQuantRule | undefined {
  return OP_QUANT_RULES[op];
}
