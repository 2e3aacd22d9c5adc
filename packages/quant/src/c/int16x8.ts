/**
 * C kernels of the int16x8 convolutions — conv2d, depthwise_conv2d, fully_connected and
 * transpose_conv2d (int16 activations with zero point 0, int8 weights) — and of the int8
 * transpose_conv2d, bit-exact with the TS kernels (../kernels/conv.ts, depthwise-conv.ts,
 * fully-connected.ts, transpose-conv.ts) whose precomputation they reuse.
 *
 * Arithmetic (TFLite's reference_integer_ops): with an int64 bias (or none) the accumulator is
 * int64 and the requantization TFLite's int64 MultiplyByQuantizedMultiplier; with an int32 bias the
 * accumulator wraps modulo 2^32 and the requantization is the int32 one of the rounding mode. The C
 * accumulates in int64 (exact for any realistic layer: |Σ| ≤ K·2^22) and, for an int32
 * accumulator, takes the sum modulo 2^32 — the same bits as wrapping at every step.
 *
 * A depthwise convolution is a grouped conv2d (one input channel per group, the depth multiplier
 * output channels per group) with its weights re-laid as [outC][kH][kW][1]; a fully connected layer
 * is a 1x1 conv2d over `batches` pixels. A transposed convolution is computed output by output
 * (each gathers the input pixels whose scattered window covers it), so it needs no accumulator
 * buffer.
 */
import type { CEmitContext, CKernelContext, CKernelDef, CSupportCode } from "@mcu/codegen-c";
import {
  conv2dOp,
  depthwiseConv2dOp,
  fullyConnectedOp,
  type KernelPrepareContext,
  type TensorInfo,
  transposeConv2dOp,
} from "@mcu/tensor";
import { type ConvParams, prepareConvParams, supportsInt16x8Conv } from "../kernels/conv.js";
import { prepareDepthwiseConvParams } from "../kernels/depthwise-conv.js";
import { prepareFullyConnectedParams } from "../kernels/fully-connected.js";
import { type QuantKernelOptions, roundingOf } from "../kernels/options.js";
import { prepareTransposeConvParams } from "../kernels/transpose-conv.js";
import type { RoundingMode } from "../multiplier.js";
import { isPerTensor, isQuantized, isSymmetric, zeroPointOf } from "../quant-info.js";
import { INT8_C } from "./conv.js";
import { mbqm64Support, mbqmSupport } from "./support.js";

/** The variant name of the int16x8 C kernels. */
export const INT16X8_C = "quant/int16x8";

const convType: CSupportCode = {
  id: "quant/conv16-t",
  code: `
typedef struct {
  int32_t batches, in_h, in_w, in_c, out_h, out_w, out_c;
  int32_t k_h, k_w, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left;
  int32_t groups;     /* input channels per group: in_c / groups; output channels per group: out_c / groups */
  int32_t acc32;      /* 1: int32 accumulator (the sum modulo 2^32) and the int32 MBQM; 0: int64 and MBQM64 */
  int32_t in_offset, out_offset, act_min, act_max;
  const int8_t *w;    /* [out_c][k_h][k_w][in_c / groups] */
  const int64_t *bias;/* or NULL */
  const int32_t *mult, *shift;
} mcu_q_conv16_t;`,
};

function requantLine(rounding: RoundingMode): CSupportCode {
  return {
    id: `quant/conv16-rq-${rounding}`,
    requires: [convType, mbqm64Support, mbqmSupport(rounding)],
    code: `
/* Requantize, add the output offset and clamp (clamping first: no int32 overflow near the limits). */
static int32_t mcu_q_conv16_out(int64_t acc, int32_t oc, const mcu_q_conv16_t *c) {
  const int32_t r = c->acc32 ? mcu_mbqm((int32_t)(uint32_t)(uint64_t)acc, c->mult[oc], c->shift[oc])
                             : mcu_mbqm64(acc, c->mult[oc], c->shift[oc]);
  const int32_t lo = c->act_min - c->out_offset, hi = c->act_max - c->out_offset;
  return (r < lo ? lo : (r > hi ? hi : r)) + c->out_offset;
}`,
  };
}

function convSupport(rounding: RoundingMode): CSupportCode {
  return {
    id: `quant/conv-s16-${rounding}`,
    requires: [requantLine(rounding)],
    code: `
/* int16x8 conv2d (groups, dilation, padding): every output from its in-image taps. */
static void mcu_q_conv_s16(const int16_t *x, int16_t *y, const mcu_q_conv16_t *c) {
  const int32_t ig = c->in_c / c->groups, og = c->out_c / c->groups;
  int32_t b, oy, ox, oc, ky, kx, i;
  for (b = 0; b < c->batches; b++) {
    for (oy = 0; oy < c->out_h; oy++) {
      for (ox = 0; ox < c->out_w; ox++) {
        for (oc = 0; oc < c->out_c; oc++) {
          const int32_t g = oc / og;
          int64_t acc = c->bias != NULL ? c->bias[oc] : 0;
          for (ky = 0; ky < c->k_h; ky++) {
            const int32_t iy = oy * c->stride_h - c->pad_top + ky * c->dil_h;
            if (iy < 0 || iy >= c->in_h) continue;
            for (kx = 0; kx < c->k_w; kx++) {
              const int32_t ix = ox * c->stride_w - c->pad_left + kx * c->dil_w;
              const int16_t *xs;
              const int8_t *ws;
              int32_t s = 0;
              if (ix < 0 || ix >= c->in_w) continue;
              xs = x + (((size_t)b * (size_t)c->in_h + (size_t)iy) * (size_t)c->in_w + (size_t)ix) * (size_t)c->in_c +
                   (size_t)(g * ig);
              ws = c->w + (((size_t)oc * (size_t)c->k_h + (size_t)ky) * (size_t)c->k_w + (size_t)kx) * (size_t)ig;
              /* |sum of one tap| <= ig * 2^22: int32 for up to 511 channels per group, else int64 steps. */
              if (ig < 512) {
                for (i = 0; i < ig; i++) s += (int32_t)ws[i] * (int32_t)xs[i];
                acc += s;
              } else {
                for (i = 0; i < ig; i++) acc += (int32_t)ws[i] * (int32_t)xs[i];
              }
            }
          }
          *y++ = (int16_t)mcu_q_conv16_out(acc, oc, c);
        }
      }
    }
  }
}`,
  };
}

function transposeSupport(rounding: RoundingMode, ctype: "int8_t" | "int16_t"): CSupportCode {
  const sfx = ctype === "int8_t" ? "s8" : "s16";
  return {
    id: `quant/transpose-conv-${sfx}-${rounding}`,
    requires: [requantLine(rounding)],
    code: `
/* Transposed convolution, output by output: output (oy, ox) gathers input (iy, ix) through tap (ky, kx)
   when oy = iy * stride_h - pad_top + ky * dil_h (and likewise ox). */
static void mcu_q_transpose_conv_${sfx}(const ${ctype} *x, ${ctype} *y, const mcu_q_conv16_t *c) {
  int32_t b, oy, ox, oc, ky, kx, i;
  for (b = 0; b < c->batches; b++) {
    for (oy = 0; oy < c->out_h; oy++) {
      for (ox = 0; ox < c->out_w; ox++) {
        for (oc = 0; oc < c->out_c; oc++) {
          int64_t acc = c->bias != NULL ? c->bias[oc] : 0;
          for (ky = 0; ky < c->k_h; ky++) {
            const int32_t ny = oy + c->pad_top - ky * c->dil_h, iy = ny / c->stride_h;
            if (ny < 0 || ny % c->stride_h != 0 || iy >= c->in_h) continue;
            for (kx = 0; kx < c->k_w; kx++) {
              const int32_t nx = ox + c->pad_left - kx * c->dil_w, ix = nx / c->stride_w;
              const ${ctype} *xs;
              const int8_t *ws;
              if (nx < 0 || nx % c->stride_w != 0 || ix >= c->in_w) continue;
              xs = x + (((size_t)b * (size_t)c->in_h + (size_t)iy) * (size_t)c->in_w + (size_t)ix) * (size_t)c->in_c;
              ws = c->w + (((size_t)oc * (size_t)c->k_h + (size_t)ky) * (size_t)c->k_w + (size_t)kx) * (size_t)c->in_c;
              for (i = 0; i < c->in_c; i++) acc += (int32_t)ws[i] * ((int32_t)xs[i] + c->in_offset);
            }
          }
          *y++ = (${ctype})mcu_q_conv16_out(acc, oc, c);
        }
      }
    }
  }
}`,
  };
}

/** The bias as int64 values (an int16, int32 or int64 tensor), or undefined. */
function biasInt64(b: TensorInfo | undefined): BigInt64Array | undefined {
  if (b === undefined || b.data === undefined) return undefined;
  if (b.data instanceof BigInt64Array) return b.data;
  return BigInt64Array.from(b.data as ArrayLike<number>, (v) => BigInt(v));
}

/** Emits the descriptor of a conv-like layer; `kind` picks the C function. */
function emitConv16(
  ctx: CEmitContext,
  p: ConvParams,
  weights: ArrayLike<number>,
  bias: TensorInfo | undefined,
  support: CSupportCode,
  fn: string,
) {
  const perChannel = (v: ArrayLike<number>) =>
    Int32Array.from({ length: p.outC }, (_, o) => v[v.length > 1 ? o : 0]!);
  const b = biasInt64(bias);
  const fields = [
    p.batches,
    p.inH,
    p.inW,
    p.inC,
    p.outH,
    p.outW,
    p.outC,
    p.kH,
    p.kW,
    p.strideH,
    p.strideW,
    p.dilationH,
    p.dilationW,
    p.padTop,
    p.padLeft,
    p.groups,
    p.accumulator === "int32" ? 1 : 0,
    p.inputOffset,
    p.outputOffset,
    p.actMin,
    p.actMax,
    ctx.constArray("w", "int8_t", weights),
    b !== undefined ? ctx.constArray("bias", "int64_t", b) : "NULL",
    ctx.constArray("mult", "int32_t", perChannel(p.multiplier)),
    ctx.constArray("shift", "int32_t", perChannel(p.shift)),
  ];
  return {
    support: [convType, support],
    declarations: `static const mcu_q_conv16_t ${ctx.symbol}_c16 = {${fields.join(", ")}};`,
    code: `${fn}(${ctx.input(0)}, ${ctx.output(0)}, &${ctx.symbol}_c16);`,
  };
}

const constantData = (t: TensorInfo | undefined): boolean => t === undefined || t.data !== undefined;

function int16x8Supports(ctx: KernelPrepareContext): boolean {
  const [, w, b] = ctx.inputs;
  return supportsInt16x8Conv(ctx.inputs, ctx.outputs) && w!.data !== undefined && constantData(b);
}

/** The int16x8 conv2d, depthwise_conv2d and fully_connected C kernels, and transpose_conv2d (int8, int16x8). */
export function int16x8CKernels(options?: QuantKernelOptions): CKernelDef[] {
  const rounding = roundingOf(options);
  const conv: CKernelDef = {
    op: conv2dOp.name,
    variant: INT16X8_C,
    supports: int16x8Supports,
    emit: (ctx: CEmitContext) => {
      const [x, w, b] = ctx.inputs;
      const p = prepareConvParams(x!, w!, b, ctx.outputs[0]!, ctx.attrs as never, options);
      return emitConv16(ctx, p, w!.data as Int8Array, b, convSupport(rounding), "mcu_q_conv_s16");
    },
  };
  const depthwise: CKernelDef = {
    op: depthwiseConv2dOp.name,
    variant: INT16X8_C,
    supports: int16x8Supports,
    emit: (ctx: CEmitContext) => {
      const [x, w, b] = ctx.inputs;
      const p = prepareDepthwiseConvParams(x!, w!, b, ctx.outputs[0]!, ctx.attrs as never, options);
      // [1][kH][kW][outC] → [outC][kH][kW][1]: a conv2d with one input channel per group.
      const wd = w!.data as Int8Array;
      const taps = p.kH * p.kW;
      const rows = new Int8Array(p.outC * taps);
      for (let o = 0; o < p.outC; o++)
        for (let t = 0; t < taps; t++) rows[o * taps + t] = wd[t * p.outC + o]!;
      return emitConv16(ctx, p, rows, b, convSupport(rounding), "mcu_q_conv_s16");
    },
  };
  const fc: CKernelDef = {
    op: fullyConnectedOp.name,
    variant: INT16X8_C,
    supports: (ctx: CKernelContext) => {
      const [x, w, b] = ctx.inputs;
      const y = ctx.outputs[0];
      return (
        isPerTensor(x, ["int16"]) &&
        isSymmetric(x!) &&
        isQuantized(w, ["int8"]) &&
        w!.data !== undefined &&
        zeroPointOf(w!) === 0 &&
        (b === undefined || ((b.dtype === "int64" || b.dtype === "int32") && b.data !== undefined)) &&
        isPerTensor(y, ["int16"]) &&
        isSymmetric(y!)
      );
    },
    emit: (ctx: CEmitContext) => {
      const [x, w, b] = ctx.inputs;
      const f = prepareFullyConnectedParams(x!, w!, b, ctx.outputs[0]!, ctx.attrs as never, options);
      // A 1x1 conv2d over `batches` pixels of inDepth channels.
      const p: ConvParams = {
        variant: "int16x8",
        accumulator: f.accumulator,
        rounding: f.rounding,
        batches: 1,
        inH: f.batches,
        inW: 1,
        inC: f.inDepth,
        outH: f.batches,
        outW: 1,
        outC: f.outDepth,
        kH: 1,
        kW: 1,
        filterInC: f.inDepth,
        groups: 1,
        strideH: 1,
        strideW: 1,
        dilationH: 1,
        dilationW: 1,
        padTop: 0,
        padLeft: 0,
        inputOffset: 0,
        outputOffset: 0,
        actMin: f.actMin,
        actMax: f.actMax,
        bias: f.bias,
        multiplier: f.multiplier,
        shift: f.shift,
      };
      return emitConv16(ctx, p, w!.data as Int8Array, b, convSupport(rounding), "mcu_q_conv_s16");
    },
  };
  const transpose = (int8: boolean): CKernelDef => ({
    op: transposeConv2dOp.name,
    variant: int8 ? INT8_C : INT16X8_C,
    supports: (ctx: CKernelContext) => {
      const [x, w, b] = ctx.inputs;
      const y = ctx.outputs[0];
      const io = int8
        ? isPerTensor(x, ["int8"]) && isPerTensor(y, ["int8"])
        : isPerTensor(x, ["int16"]) && isSymmetric(x!) && isPerTensor(y, ["int16"]) && isSymmetric(y!);
      const biasTypes = int8 ? ["int32"] : ["int64", "int16"];
      return (
        io &&
        isQuantized(w, ["int8"]) &&
        w!.data !== undefined &&
        (b === undefined || (biasTypes.includes(b.dtype) && b.data !== undefined))
      );
    },
    emit: (ctx: CEmitContext) => {
      const [x, w, b] = ctx.inputs;
      const p = prepareTransposeConvParams(x!, w!, b, ctx.outputs[0]!, ctx.attrs as never, options);
      const ctype = int8 ? "int8_t" : "int16_t";
      const support = transposeSupport(rounding, ctype);
      return emitConv16(
        ctx,
        p,
        w!.data as Int8Array,
        b,
        support,
        `mcu_q_transpose_conv_${int8 ? "s8" : "s16"}`,
      );
    },
  });
  return [conv, depthwise, fc, transpose(true), transpose(false)];
}
