/**
 * Float32 reference kernels of softmax, log-softmax and inference-time batch normalization.
 * Each works on "lines" along one axis: a tensor of shape [outer, n, inner] (row-major) has
 * outer·inner lines of n elements at stride `inner`.
 */
import { defineKernel, type KernelDef } from "../kernel.js";
import { normalizeAxis } from "../ops/shape-utils.js";
import { batchNormOp, logSoftmaxOp, softmaxOp } from "../ops/normalization.js";
import type { Value } from "../tensor-info.js";
import { allFloat32 } from "./common.js";

/** The [outer, n, inner] view of a shape around `axis`. */
function axisView(shape: readonly number[], axis: number): { outer: number; n: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return { outer, n: shape[axis]!, inner };
}

/**
 * core.softmax: y = exp(beta·x − m) / Σ exp(beta·x − m) with m = max(beta·x) along the axis.
 * Subtracting the maximum of the scaled logits keeps exp from overflowing for any sign of
 * beta (TFLite's reference subtracts max(x) before scaling, the same for beta > 0).
 */
const softmaxFloat32 = defineKernel(softmaxOp, {
  name: "core/float32",
  supports: allFloat32,
  prepare({ inputs: [x], attrs }) {
    const { outer, n, inner } = axisView(x!.shape, normalizeAxis(attrs.axis, x!.shape.length));
    const beta = attrs.beta;
    const exps = new Float64Array(n);
    return ({ inputs: [xv], outputs: [yv] }) => {
      const xd = xv!.data as Float32Array;
      const yd = yv!.data as Float32Array;
      for (let o = 0; o < outer; o++) {
        for (let r = 0; r < inner; r++) {
          const base = o * n * inner + r;
          let m = Number.NEGATIVE_INFINITY;
          for (let i = 0; i < n; i++) {
            const v = beta * xd[base + i * inner]!;
            if (v > m) m = v;
          }
          let sum = 0;
          for (let i = 0; i < n; i++) {
            const e = Math.exp(beta * xd[base + i * inner]! - m);
            exps[i] = e;
            sum += e;
          }
          for (let i = 0; i < n; i++) yd[base + i * inner] = exps[i]! / sum;
        }
      }
    };
  },
});

/** core.log_softmax: y = x − m − log Σ exp(x − m) with m = max(x) along the axis. */
const logSoftmaxFloat32 = defineKernel(logSoftmaxOp, {
  name: "core/float32",
  supports: allFloat32,
  prepare({ inputs: [x], attrs }) {
    const { outer, n, inner } = axisView(x!.shape, normalizeAxis(attrs.axis, x!.shape.length));
    return ({ inputs: [xv], outputs: [yv] }) => {
      const xd = xv!.data as Float32Array;
      const yd = yv!.data as Float32Array;
      for (let o = 0; o < outer; o++) {
        for (let r = 0; r < inner; r++) {
          const base = o * n * inner + r;
          let m = Number.NEGATIVE_INFINITY;
          for (let i = 0; i < n; i++) {
            const v = xd[base + i * inner]!;
            if (v > m) m = v;
          }
          let sum = 0;
          for (let i = 0; i < n; i++) sum += Math.exp(xd[base + i * inner]! - m);
          const shift = m + Math.log(sum);
          for (let i = 0; i < n; i++) yd[base + i * inner] = xd[base + i * inner]! - shift;
        }
      }
    };
  },
});

/**
 * core.batch_norm (inference): y = scale·(x − mean)/sqrt(variance + epsilon) + bias per channel
 * of `axis`. The per-channel factor scale/sqrt(variance + epsilon) is computed once when the
 * parameters are constants, else on every run.
 */
const batchNormFloat32 = defineKernel(batchNormOp, {
  name: "core/float32",
  supports: allFloat32,
  prepare({ inputs, attrs }) {
    const x = inputs[0]!;
    const { outer, n: channels, inner } = axisView(x.shape, normalizeAxis(attrs.axis, x.shape.length));
    const eps = attrs.epsilon;
    const factor = new Float64Array(channels);
    const fill = (scale: Float32Array, variance: Float32Array): void => {
      for (let c = 0; c < channels; c++) factor[c] = scale[c]! / Math.sqrt(variance[c]! + eps);
    };
    const scaleT = inputs[1]!;
    const varT = inputs[4]!;
    const constant = scaleT.data !== undefined && varT.data !== undefined;
    if (constant) fill(scaleT.data as Float32Array, varT.data as Float32Array);
    return ({ inputs: values, outputs: [yv] }) => {
      const [xv, sv, bv, mv, vv] = values as readonly Value[];
      if (!constant) fill(sv!.data as Float32Array, vv!.data as Float32Array);
      const xd = xv!.data as Float32Array;
      const bias = bv!.data as Float32Array;
      const mean = mv!.data as Float32Array;
      const yd = yv!.data as Float32Array;
      let i = 0;
      for (let o = 0; o < outer; o++) {
        for (let c = 0; c < channels; c++) {
          const k = factor[c]!;
          const mu = mean[c]!;
          const b = bias[c]!;
          for (let r = 0; r < inner; r++, i++) yd[i] = (xd[i]! - mu) * k + b;
        }
      }
    };
  },
});

/** Float32 kernels of core.softmax, core.log_softmax and core.batch_norm. */
export const normalizationKernels: readonly KernelDef[] = [
  softmaxFloat32,
  logSoftmaxFloat32,
  batchNormFloat32,
];
