/** Float32 C kernels of softmax, log-softmax and inference-time batch normalization. */
import { batchNormOp, logSoftmaxOp, normalizeAxis, softmaxOp } from "@mcu/tensor";
import { type CKernelDef, type CSupportCode, defineCKernel } from "../../contract.js";
import { allFloat32 } from "../support.js";

/** The [outer, n, inner] view of a shape around `axis`. */
export function axisView(
  shape: readonly number[],
  axis: number,
): { outer: number; n: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return { outer, n: shape[axis]!, inner };
}

const softmaxF32: CSupportCode = {
  id: "core/softmax-f32",
  math: true,
  code: `
/* y = exp(beta*x - m) / sum exp(beta*x - m) along lines of n elements at stride inner; m = max(beta*x). */
static void mcu_softmax_f32(const float *x, float *y, int32_t outer, int32_t n, int32_t inner, float beta) {
  int32_t o, r, i;
  if (n <= 0) return;
  for (o = 0; o < outer; o++) {
    for (r = 0; r < inner; r++) {
      const size_t base = (size_t)o * (size_t)n * (size_t)inner + (size_t)r;
      float m = beta * x[base], sum = 0.0f;
      for (i = 1; i < n; i++) {
        const float v = beta * x[base + (size_t)i * (size_t)inner];
        if (v > m) m = v;
      }
      for (i = 0; i < n; i++) {
        const float e = expf(beta * x[base + (size_t)i * (size_t)inner] - m);
        y[base + (size_t)i * (size_t)inner] = e;
        sum += e;
      }
      for (i = 0; i < n; i++) y[base + (size_t)i * (size_t)inner] /= sum;
    }
  }
}`,
};

const logSoftmaxF32: CSupportCode = {
  id: "core/log-softmax-f32",
  math: true,
  code: `
/* y = x - m - log sum exp(x - m) along lines of n elements at stride inner; m = max(x). */
static void mcu_log_softmax_f32(const float *x, float *y, int32_t outer, int32_t n, int32_t inner) {
  int32_t o, r, i;
  if (n <= 0) return;
  for (o = 0; o < outer; o++) {
    for (r = 0; r < inner; r++) {
      const size_t base = (size_t)o * (size_t)n * (size_t)inner + (size_t)r;
      float m = x[base], sum = 0.0f, shift;
      for (i = 1; i < n; i++) {
        const float v = x[base + (size_t)i * (size_t)inner];
        if (v > m) m = v;
      }
      for (i = 0; i < n; i++) sum += expf(x[base + (size_t)i * (size_t)inner] - m);
      shift = m + logf(sum);
      for (i = 0; i < n; i++) y[base + (size_t)i * (size_t)inner] = x[base + (size_t)i * (size_t)inner] - shift;
    }
  }
}`,
};

const batchNormF32: CSupportCode = {
  id: "core/batch-norm-f32",
  code: `
/* y = (x - mean[c]) * factor[c] + bias[c], factor = scale / sqrt(variance + epsilon) precomputed. */
static void mcu_batch_norm_f32(const float *x, const float *factor, const float *bias, const float *mean, float *y,
                               int32_t outer, int32_t channels, int32_t inner) {
  int32_t o, c, r;
  for (o = 0; o < outer; o++) {
    for (c = 0; c < channels; c++) {
      const float k = factor[c], mu = mean[c], b = bias[c];
      for (r = 0; r < inner; r++) *y++ = (*x++ - mu) * k + b;
    }
  }
}`,
};

/** core.softmax on float32. */
export const softmaxFloat32C: CKernelDef = defineCKernel(softmaxOp, {
  variant: "core/float32",
  supports: allFloat32,
  emit(ctx) {
    const shape = ctx.inputs[0]!.shape;
    const { outer, n, inner } = axisView(shape, normalizeAxis(ctx.attrs.axis, shape.length, ctx.node.name));
    return {
      support: [softmaxF32],
      code: `mcu_softmax_f32(${ctx.input(0)}, ${ctx.output(0)}, ${outer}, ${n}, ${inner}, ${ctx.literal(ctx.attrs.beta, "float")});`,
    };
  },
});

/** core.log_softmax on float32. */
export const logSoftmaxFloat32C: CKernelDef = defineCKernel(logSoftmaxOp, {
  variant: "core/float32",
  supports: allFloat32,
  emit(ctx) {
    const shape = ctx.inputs[0]!.shape;
    const { outer, n, inner } = axisView(shape, normalizeAxis(ctx.attrs.axis, shape.length, ctx.node.name));
    return {
      support: [logSoftmaxF32],
      code: `mcu_log_softmax_f32(${ctx.input(0)}, ${ctx.output(0)}, ${outer}, ${n}, ${inner});`,
    };
  },
});

/** core.batch_norm on float32 with constant scale and variance (the factor is computed at generation). */
export const batchNormFloat32C: CKernelDef = defineCKernel(batchNormOp, {
  variant: "core/float32",
  supports: (ctx) =>
    allFloat32(ctx) && ctx.inputs[1]?.data !== undefined && ctx.inputs[4]?.data !== undefined,
  emit(ctx) {
    const x = ctx.inputs[0]!;
    const { outer, n, inner } = axisView(
      x.shape,
      normalizeAxis(ctx.attrs.axis, x.shape.length, ctx.node.name),
    );
    const scale = ctx.inputs[1]!.data as Float32Array;
    const variance = ctx.inputs[4]!.data as Float32Array;
    const factor = Float32Array.from(
      { length: n },
      (_, c) => scale[c]! / Math.sqrt(variance[c]! + ctx.attrs.epsilon),
    );
    const f = ctx.constArray("factor", "float", factor);
    return {
      support: [batchNormF32],
      code: `mcu_batch_norm_f32(${ctx.input(0)}, ${f}, ${ctx.input(2)}, ${ctx.input(3)}, ${ctx.output(0)}, ${outer}, ${n}, ${inner});`,
    };
  },
});

/** The float32 normalization C kernels. */
export const normalizationFloat32CKernels: readonly CKernelDef[] = [
  softmaxFloat32C,
  logSoftmaxFloat32C,
  batchNormFloat32C,
];
