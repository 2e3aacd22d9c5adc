/** Float32 C kernels of max/average pooling and mean. */
import {
  avgPool2dOp,
  maxPool2dOp,
  meanOp,
  normalizeAxis,
  numElements,
  stridesOf,
  window2d,
} from "@mcu/tensor";
import { type CEmitContext, type CKernelDef, type CSupportCode, defineCKernel } from "../../contract.js";
import { activationCode, actF32, allFloat32, fusedTanh, windowDecl, windowType } from "../support.js";

const maxPoolF32: CSupportCode = {
  id: "core/max-pool2d-f32",
  requires: [windowType, actF32],
  code: `
/* The maximum over the in-bounds part of each window; padding never wins, and a window of padding
   only (EXPLICIT pads at least as large as the filter) gives -inf, the identity of max. */
static const union { uint32_t u; float f; } mcu_f32_neg_inf_ = {0xFF800000u};
static void mcu_max_pool2d_f32(const float *x, float *y, const mcu_window_t *p) {
  int32_t b, oy, ox, c, ky, kx;
  for (b = 0; b < p->batches; b++) {
    const float *xb = x + (size_t)b * (size_t)(p->in_h * p->in_w * p->in_c);
    for (oy = 0; oy < p->out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      for (ox = 0; ox < p->out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        for (c = 0; c < p->in_c; c++) {
          float best = mcu_f32_neg_inf_.f;
          for (ky = 0; ky < p->k_h; ky++) {
            const int32_t iy = iy0 + ky;
            if (iy < 0 || iy >= p->in_h) continue;
            for (kx = 0; kx < p->k_w; kx++) {
              const int32_t ix = ix0 + kx;
              float v;
              if (ix < 0 || ix >= p->in_w) continue;
              v = xb[(size_t)(iy * p->in_w + ix) * (size_t)p->in_c + c];
              if (v > best) best = v; /* NaN never replaces the running max, as in TFLite's std::max */
            }
          }
          *y++ = mcu_act_f32(best, p->act);
        }
      }
    }
  }
}`,
};

const avgPoolF32: CSupportCode = {
  id: "core/avg-pool2d-f32",
  requires: [windowType, actF32],
  code: `
/* The mean over each window: divided by the in-bounds count, or by k_h*k_w when groups (count_include_pad) is 1. */
static void mcu_avg_pool2d_f32(const float *x, float *y, const mcu_window_t *p) {
  int32_t b, oy, ox, c, ky, kx;
  for (b = 0; b < p->batches; b++) {
    const float *xb = x + (size_t)b * (size_t)(p->in_h * p->in_w * p->in_c);
    for (oy = 0; oy < p->out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      for (ox = 0; ox < p->out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        for (c = 0; c < p->in_c; c++) {
          float sum = 0.0f;
          int32_t count = 0;
          for (ky = 0; ky < p->k_h; ky++) {
            const int32_t iy = iy0 + ky;
            if (iy < 0 || iy >= p->in_h) continue;
            for (kx = 0; kx < p->k_w; kx++) {
              const int32_t ix = ix0 + kx;
              if (ix < 0 || ix >= p->in_w) continue;
              sum += xb[(size_t)(iy * p->in_w + ix) * (size_t)p->in_c + c];
              count++;
            }
          }
          if (p->groups == 1) count = p->k_h * p->k_w;
          *y++ = mcu_act_f32(count > 0 ? sum / (float)count : 0.0f, p->act);
        }
      }
    }
  }
}`,
};

function poolKernel(op: typeof maxPool2dOp, fn: string, support: CSupportCode): CKernelDef {
  return defineCKernel(op, {
    variant: "core/float32",
    supports: allFloat32,
    emit(ctx: CEmitContext) {
      const attrs = ctx.attrs as unknown as {
        filter: number[];
        strides: number[];
        padding: "SAME" | "VALID" | "EXPLICIT";
        pads: number[];
        fusedActivation: "NONE" | "RELU" | "RELU6" | "RELU_N1_TO_1" | "TANH";
        countIncludePad?: boolean;
      };
      const [n, h, w, c] = ctx.inputs[0]!.shape as [number, number, number, number];
      const [fh, fw] = attrs.filter as [number, number];
      const win = window2d(h, w, fh, fw, attrs.strides, [1, 1], attrs.padding, attrs.pads, ctx.node.name);
      const { name, decl } = windowDecl(ctx, {
        batches: n,
        inH: h,
        inW: w,
        inC: c,
        outH: win.outH,
        outW: win.outW,
        outC: c,
        kH: fh,
        kW: fw,
        strideH: attrs.strides[0]!,
        strideW: attrs.strides[1]!,
        dilH: 1,
        dilW: 1,
        padTop: win.padTop,
        padLeft: win.padLeft,
        groups: attrs.countIncludePad === true ? 1 : 0,
        act: activationCode(attrs.fusedActivation),
      });
      const y = ctx.output(0);
      const tail = fusedTanh(attrs.fusedActivation, y, numElements(ctx.outputs[0]!.shape));
      return {
        support: [support, ...tail.support],
        declarations: decl,
        code: `${fn}(${ctx.input(0)}, ${y}, &${name});\n${tail.code}`,
      };
    },
  });
}

const meanF32: CSupportCode = {
  id: "core/mean-f32",
  code: `
/* y = mean of x over the reduced axes: x is walked in order, out_stride[d] is 0 along reduced axes. */
static void mcu_mean_f32(const float *x, float *y, int32_t rank, const int32_t *shape, const int32_t *out_stride,
                         int32_t out_size, float count) {
  int32_t idx[8];
  int32_t d, rows = 1, j, o = 0;
  const int32_t last = shape[rank - 1], ls = out_stride[rank - 1];
  for (j = 0; j < out_size; j++) y[j] = 0.0f;
  for (d = 0; d < rank - 1; d++) {
    idx[d] = 0;
    rows *= shape[d];
  }
  while (rows-- > 0) {
    if (ls == 0) {
      float s = 0.0f;
      for (j = 0; j < last; j++) s += x[j];
      y[o] += s;
    } else {
      for (j = 0; j < last; j++) y[o + j * ls] += x[j];
    }
    x += last;
    for (d = rank - 2; d >= 0; d--) {
      o += out_stride[d];
      if (++idx[d] < shape[d]) break;
      o -= idx[d] * out_stride[d];
      idx[d] = 0;
    }
  }
  for (j = 0; j < out_size; j++) y[j] /= count;
}`,
};

/** core.mean on float32, over any set of axes. */
export const meanFloat32C: CKernelDef = defineCKernel(meanOp, {
  variant: "core/float32",
  supports: (ctx) => allFloat32(ctx) && ctx.inputs[0]!.shape.length <= 8,
  emit(ctx) {
    const shape0 = ctx.inputs[0]!.shape;
    const rank0 = shape0.length;
    const reduced = new Set(ctx.attrs.axes.map((a) => normalizeAxis(a, rank0, ctx.node.name)));
    // Merge neighbouring axes that are both reduced or both kept (same memory order).
    const shape: number[] = [];
    const red: boolean[] = [];
    shape0.forEach((d, i) => {
      const r = reduced.has(i);
      if (d === 1) return;
      if (shape.length > 0 && red[red.length - 1] === r) shape[shape.length - 1]! *= d;
      else {
        shape.push(d);
        red.push(r);
      }
    });
    if (shape.length === 0) {
      shape.push(1);
      red.push(true);
    }
    const kept = shape.map((d, i) => (red[i] ? 1 : d));
    const keptStrides = stridesOf(kept);
    const outStride = shape.map((_, i) => (red[i] ? 0 : keptStrides[i]!));
    let count = 1;
    for (const a of reduced) count *= shape0[a]!;
    const outSize = numElements(kept);
    const s = ctx.constArray("shape", "int32_t", shape);
    const o = ctx.constArray("out_stride", "int32_t", outStride);
    return {
      support: [meanF32],
      code: `mcu_mean_f32(${ctx.input(0)}, ${ctx.output(0)}, ${shape.length}, ${s}, ${o}, ${outSize}, ${ctx.literal(count, "float")});`,
    };
  },
});

/** The float32 pooling C kernels. */
export const poolFloat32CKernels: readonly CKernelDef[] = [
  poolKernel(maxPool2dOp, "mcu_max_pool2d_f32", maxPoolF32),
  poolKernel(avgPool2dOp as unknown as typeof maxPool2dOp, "mcu_avg_pool2d_f32", avgPoolF32),
  meanFloat32C,
];
