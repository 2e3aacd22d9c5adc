/**
 * Float32 C kernels of the convolutions: conv2d (groups, dilation, any padding), depthwise and
 * transposed convolution. Layouts are the IR's (TFLite's): NHWC activations, OHWI weights,
 * depthwise 1HWC. Sums run in float32 in the order of the TS reference kernels (filter row,
 * column, channel; bias last), whose double-precision sums they match to rounding.
 */
import {
  conv2dOp,
  depthwiseConv2dOp,
  type FusedActivation,
  numElements,
  transposeConv2dOp,
  transposeConvAxis,
  window2d,
} from "@mcu/tensor";
import { type CKernelDef, type CSupportCode, defineCKernel } from "../../contract.js";
import { activationCode, actF32, allFloat32, fusedTanh, windowDecl, windowType } from "../support.js";

const conv2dF32: CSupportCode = {
  id: "core/conv2d-f32",
  requires: [windowType, actF32],
  code: `
/* y[b,oy,ox,o] = act(bias[o] + sum_{ky,kx,i} x[b, oy*sh - pt + ky*dh, ox*sw - pl + kx*dw, g*I + i] * w[o,ky,kx,i]) */
static void mcu_conv2d_f32(const float *x, const float *w, const float *bias, float *y, const mcu_window_t *p) {
  const int32_t ig = p->in_c / p->groups, og = p->out_c / p->groups;
  int32_t b, oy, ox, o, ky, kx, i;
  for (b = 0; b < p->batches; b++) {
    const float *xb = x + (size_t)b * (size_t)(p->in_h * p->in_w * p->in_c);
    for (oy = 0; oy < p->out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      for (ox = 0; ox < p->out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        for (o = 0; o < p->out_c; o++) {
          const int32_t xc = (o / og) * ig;
          const float *wo = w + (size_t)o * (size_t)(p->k_h * p->k_w * ig);
          float acc = 0.0f;
          for (ky = 0; ky < p->k_h; ky++) {
            const int32_t iy = iy0 + ky * p->dil_h;
            if (iy < 0 || iy >= p->in_h) continue;
            for (kx = 0; kx < p->k_w; kx++) {
              const int32_t ix = ix0 + kx * p->dil_w;
              const float *xp, *wp;
              if (ix < 0 || ix >= p->in_w) continue;
              xp = xb + (size_t)(iy * p->in_w + ix) * (size_t)p->in_c + xc;
              wp = wo + (size_t)(ky * p->k_w + kx) * (size_t)ig;
              for (i = 0; i < ig; i++) acc += xp[i] * wp[i];
            }
          }
          if (bias != NULL) acc += bias[o];
          *y++ = mcu_act_f32(acc, p->act);
        }
      }
    }
  }
}`,
};

const depthwiseF32: CSupportCode = {
  id: "core/depthwise-conv2d-f32",
  requires: [windowType, actF32],
  code: `
/* y[b,oy,ox,c*m+k] = act(bias[c*m+k] + sum_{ky,kx} x[b, iy, ix, c] * w[0,ky,kx,c*m+k]) */
static void mcu_depthwise_conv2d_f32(const float *x, const float *w, const float *bias, float *y,
                                     const mcu_window_t *p) {
  const int32_t m = p->groups;
  int32_t b, oy, ox, c, k, ky, kx;
  for (b = 0; b < p->batches; b++) {
    const float *xb = x + (size_t)b * (size_t)(p->in_h * p->in_w * p->in_c);
    for (oy = 0; oy < p->out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      for (ox = 0; ox < p->out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        for (c = 0; c < p->in_c; c++) {
          for (k = 0; k < m; k++) {
            const int32_t o = c * m + k;
            float acc = 0.0f;
            for (ky = 0; ky < p->k_h; ky++) {
              const int32_t iy = iy0 + ky * p->dil_h;
              if (iy < 0 || iy >= p->in_h) continue;
              for (kx = 0; kx < p->k_w; kx++) {
                const int32_t ix = ix0 + kx * p->dil_w;
                if (ix < 0 || ix >= p->in_w) continue;
                acc += xb[(size_t)(iy * p->in_w + ix) * (size_t)p->in_c + c] * w[(size_t)(ky * p->k_w + kx) * (size_t)p->out_c + o];
              }
            }
            if (bias != NULL) acc += bias[o];
            *y++ = mcu_act_f32(acc, p->act);
          }
        }
      }
    }
  }
}`,
};

const transposeConvF32: CSupportCode = {
  id: "core/transpose-conv2d-f32",
  requires: [windowType, actF32],
  code: `
/* Each input pixel scatters x*w into a stride-spaced output window:
   y[b, iy*sh - pt + ky*dh, ix*sw - pl + kx*dw, o] += sum_c x[b,iy,ix,c] * w[o,ky,kx,c]; then bias, act.
   Here in_* is the input x and out_* the output y. */
static void mcu_transpose_conv2d_f32(const float *x, const float *w, const float *bias, float *y,
                                     const mcu_window_t *p) {
  const int32_t oc = p->out_c, ic = p->in_c;
  const size_t total = (size_t)p->batches * (size_t)(p->out_h * p->out_w) * (size_t)oc;
  size_t n;
  int32_t b, iy, ix, ky, kx, o, c;
  for (n = 0; n < total; n += (size_t)oc) {
    for (o = 0; o < oc; o++) y[n + (size_t)o] = bias != NULL ? bias[o] : 0.0f;
  }
  for (b = 0; b < p->batches; b++) {
    for (iy = 0; iy < p->in_h; iy++) {
      for (ix = 0; ix < p->in_w; ix++) {
        const float *xp = x + ((size_t)(b * p->in_h + iy) * (size_t)p->in_w + (size_t)ix) * (size_t)ic;
        for (ky = 0; ky < p->k_h; ky++) {
          const int32_t oy = iy * p->stride_h - p->pad_top + ky * p->dil_h;
          if (oy < 0 || oy >= p->out_h) continue;
          for (kx = 0; kx < p->k_w; kx++) {
            const int32_t ox = ix * p->stride_w - p->pad_left + kx * p->dil_w;
            float *yp;
            if (ox < 0 || ox >= p->out_w) continue;
            yp = y + ((size_t)(b * p->out_h + oy) * (size_t)p->out_w + (size_t)ox) * (size_t)oc;
            for (o = 0; o < oc; o++) {
              const float *wp = w + ((size_t)(o * p->k_h + ky) * (size_t)p->k_w + (size_t)kx) * (size_t)ic;
              float s = 0.0f;
              for (c = 0; c < ic; c++) s += xp[c] * wp[c];
              yp[o] += s;
            }
          }
        }
      }
    }
  }
  if (p->act != 0) {
    for (n = 0; n < total; n++) y[n] = mcu_act_f32(y[n], p->act);
  }
}`,
};

function tanhTail(act: FusedActivation, y: string, count: number) {
  return fusedTanh(act, y, count);
}

/** core.conv2d on float32. */
export const conv2dFloat32C: CKernelDef = defineCKernel(conv2dOp, {
  variant: "core/float32",
  supports: allFloat32,
  emit(ctx) {
    const { attrs, inputs, outputs, node } = ctx;
    const [n, h, w, c] = inputs[0]!.shape as [number, number, number, number];
    const [o, kh, kw] = inputs[1]!.shape as [number, number, number, number];
    const win = window2d(h, w, kh, kw, attrs.strides, attrs.dilations, attrs.padding, attrs.pads, node.name);
    const { name, decl } = windowDecl(ctx, {
      batches: n,
      inH: h,
      inW: w,
      inC: c,
      outH: win.outH,
      outW: win.outW,
      outC: o,
      kH: kh,
      kW: kw,
      strideH: attrs.strides[0]!,
      strideW: attrs.strides[1]!,
      dilH: attrs.dilations[0]!,
      dilW: attrs.dilations[1]!,
      padTop: win.padTop,
      padLeft: win.padLeft,
      groups: attrs.groups,
      act: activationCode(attrs.fusedActivation),
    });
    const y = ctx.output(0);
    const tail = tanhTail(attrs.fusedActivation, y, numElements(outputs[0]!.shape));
    return {
      support: [conv2dF32, ...tail.support],
      declarations: decl,
      code: `mcu_conv2d_f32(${ctx.input(0)}, ${ctx.input(1)}, ${ctx.input(2)}, ${y}, &${name});\n${tail.code}`,
    };
  },
});

/** core.depthwise_conv2d on float32. */
export const depthwiseConv2dFloat32C: CKernelDef = defineCKernel(depthwiseConv2dOp, {
  variant: "core/float32",
  supports: allFloat32,
  emit(ctx) {
    const { attrs, inputs, outputs, node } = ctx;
    const [n, h, w, c] = inputs[0]!.shape as [number, number, number, number];
    const [, kh, kw, cm] = inputs[1]!.shape as [number, number, number, number];
    const win = window2d(h, w, kh, kw, attrs.strides, attrs.dilations, attrs.padding, attrs.pads, node.name);
    const { name, decl } = windowDecl(ctx, {
      batches: n,
      inH: h,
      inW: w,
      inC: c,
      outH: win.outH,
      outW: win.outW,
      outC: cm,
      kH: kh,
      kW: kw,
      strideH: attrs.strides[0]!,
      strideW: attrs.strides[1]!,
      dilH: attrs.dilations[0]!,
      dilW: attrs.dilations[1]!,
      padTop: win.padTop,
      padLeft: win.padLeft,
      groups: attrs.depthMultiplier,
      act: activationCode(attrs.fusedActivation),
    });
    const y = ctx.output(0);
    const tail = tanhTail(attrs.fusedActivation, y, numElements(outputs[0]!.shape));
    return {
      support: [depthwiseF32, ...tail.support],
      declarations: decl,
      code: `mcu_depthwise_conv2d_f32(${ctx.input(0)}, ${ctx.input(1)}, ${ctx.input(2)}, ${y}, &${name});\n${tail.code}`,
    };
  },
});

/** core.transpose_conv2d on float32 (the optional runtime output-shape input is not read: shapes are static). */
export const transposeConv2dFloat32C: CKernelDef = defineCKernel(transposeConv2dOp, {
  variant: "core/float32",
  supports: (ctx) => {
    const [x, w, b] = ctx.inputs;
    return allFloat32({ ...ctx, inputs: [x, w, b] });
  },
  emit(ctx) {
    const { attrs, inputs, outputs } = ctx;
    const [n, h, w, c] = inputs[0]!.shape as [number, number, number, number];
    const [o, kh, kw] = inputs[1]!.shape as [number, number, number, number];
    const outShape = outputs[0]!.shape;
    const outH = outShape[1]!;
    const outW = outShape[2]!;
    const [sh, sw] = attrs.strides as [number, number];
    const [dh, dw] = attrs.dilations as [number, number];
    const [pt, pb, pl, pr] = attrs.pads as [number, number, number, number];
    const [oph, opw] = attrs.outputPadding as [number, number];
    const padTop = transposeConvAxis(h, kh, sh, dh, attrs.padding, pt, pb, oph, outH).padBefore;
    const padLeft = transposeConvAxis(w, kw, sw, dw, attrs.padding, pl, pr, opw, outW).padBefore;
    const { name, decl } = windowDecl(ctx, {
      batches: n,
      inH: h,
      inW: w,
      inC: c,
      outH,
      outW,
      outC: o,
      kH: kh,
      kW: kw,
      strideH: sh,
      strideW: sw,
      dilH: dh,
      dilW: dw,
      padTop,
      padLeft,
      groups: 1,
      act: activationCode(attrs.fusedActivation),
    });
    const y = ctx.output(0);
    const tail = tanhTail(attrs.fusedActivation, y, numElements(outShape));
    return {
      support: [transposeConvF32, ...tail.support],
      declarations: decl,
      code: `mcu_transpose_conv2d_f32(${ctx.input(0)}, ${ctx.input(1)}, ${ctx.input(2)}, ${y}, &${name});\n${tail.code}`,
    };
  },
});

/** The float32 convolution C kernels. */
export const convFloat32CKernels: readonly CKernelDef[] = [
  conv2dFloat32C,
  depthwiseConv2dFloat32C,
  transposeConv2dFloat32C,
];
