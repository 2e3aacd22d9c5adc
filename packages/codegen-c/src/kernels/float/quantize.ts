/**
 * Float32 ↔ integer C kernels: core.quantize from float32 and core.dequantize to float32, per
 * tensor and per axis, with the formulas of TFLite's reference kernels that the TS kernels
 * follow bit for bit (tensorflow/lite/kernels/internal/reference/quantize.h, dequantize.h):
 * q = clamp(round_half_away(x / scale) + zero_point) with the division in float32, and
 * x = (float)((double)scale · (q − zero_point)) per tensor, scale · (float)(q − zero_point) in
 * float32 per axis. Scales are float32 values, as TFLite stores them.
 */
import {
  type DType,
  dequantizeOp,
  dtypeRange,
  numElements,
  type QuantParams,
  quantizeOp,
  type TensorInfo,
} from "@mcu/tensor";
import { cTypeOf } from "../../c-literals.js";
import { type CEmitContext, type CKernelDef, type CSupportCode, defineCKernel } from "../../contract.js";

const INT_DTYPES: ReadonlySet<DType> = new Set<DType>(["int8", "int16", "uint8", "int32"]);

function isFloat(t: TensorInfo | undefined): boolean {
  return t !== undefined && t.dtype === "float32" && t.quant === undefined;
}

function isQuantized(t: TensorInfo | undefined): t is TensorInfo & { quant: QuantParams } {
  return t !== undefined && INT_DTYPES.has(t.dtype) && t.quant !== undefined && t.quant.scale.length > 0;
}

/** Channels, elements per channel run, and the per-channel parameters (scales as float32). */
function channelPlan(t: TensorInfo & { quant: QuantParams }) {
  const q = t.quant;
  const perAxis = q.scale.length > 1 && q.axis !== undefined;
  const channels = perAxis ? q.scale.length : 1;
  let inner = perAxis ? 1 : Math.max(numElements(t.shape), 1);
  if (perAxis) for (let i = q.axis! + 1; i < t.shape.length; i++) inner *= t.shape[i]!;
  return {
    perAxis,
    channels,
    inner,
    scale: Float32Array.from(q.scale.slice(0, channels)),
    zeroPoint: Int32Array.from(q.zeroPoint.slice(0, channels), (z) => z ?? 0),
  };
}

const SUFFIX: Readonly<Record<string, string>> = {
  int8_t: "s8",
  int16_t: "s16",
  uint8_t: "u8",
  int32_t: "s32",
};

function quantizeSupport(ctype: string): CSupportCode {
  const fn = `mcu_quantize_f32_${SUFFIX[ctype]}`;
  return {
    id: `core/${fn}`,
    math: true,
    code: `
static void ${fn}(const float *x, ${ctype} *y, int32_t n, int32_t inner, int32_t channels, const float *scale,
                  const int32_t *zero_point, double qmin, double qmax) {
  int32_t start, i, c = 0;
  for (start = 0; start < n; start += inner) {
    const float s = scale[c];
    const int32_t zp = zero_point[c];
    const int32_t end = start + inner < n ? start + inner : n;
    for (i = start; i < end; i++) {
      const double v = (double)roundf(x[i] / s) + (double)zp; /* roundf: halves away from zero, as std::round */
      y[i] = (${ctype})(v < qmin ? qmin : (v > qmax ? qmax : (v != v ? (double)zp : v)));
    }
    if (++c == channels) c = 0;
  }
}`,
  };
}

function dequantizeSupport(ctype: string): CSupportCode {
  const fn = `mcu_dequantize_${SUFFIX[ctype]}_f32`;
  return {
    id: `core/${fn}`,
    code: `
static void ${fn}(const ${ctype} *q, float *y, int32_t n, int32_t inner, int32_t channels, const float *scale,
                  const int32_t *zero_point, int32_t per_axis) {
  int32_t start, i, c = 0;
  for (start = 0; start < n; start += inner) {
    const float s = scale[c];
    const int32_t zp = zero_point[c];
    const int32_t end = start + inner < n ? start + inner : n;
    if (per_axis) {
      for (i = start; i < end; i++) y[i] = s * (float)((double)q[i] - (double)zp);
    } else {
      for (i = start; i < end; i++) y[i] = (float)((double)s * ((double)q[i] - (double)zp));
    }
    if (++c == channels) c = 0;
  }
}`,
  };
}

function planArrays(ctx: CEmitContext, t: TensorInfo & { quant: QuantParams }) {
  const p = channelPlan(t);
  return {
    ...p,
    scaleSym: ctx.constArray("scale", "float", p.scale),
    zpSym: ctx.constArray("zero_point", "int32_t", p.zeroPoint),
  };
}

/** core.quantize from float32 to int8/int16/uint8/int32. */
export const quantizeFloat32C: CKernelDef = defineCKernel(quantizeOp, {
  variant: "core/float32",
  supports: ({ inputs: [x], outputs: [y] }) => isFloat(x) && isQuantized(y),
  emit(ctx) {
    const y = ctx.outputs[0]! as TensorInfo & { quant: QuantParams };
    const ctype = cTypeOf(y.dtype);
    const support = quantizeSupport(ctype);
    const p = planArrays(ctx, y);
    const { min, max } = dtypeRange(y.dtype);
    const n = numElements(y.shape);
    return {
      support: [support],
      code: `${support.id.slice(5)}(${ctx.input(0)}, ${ctx.output(0)}, ${n}, ${p.inner}, ${p.channels}, ${p.scaleSym}, ${p.zpSym}, ${ctx.literal(min, "double")}, ${ctx.literal(max, "double")});`,
    };
  },
});

/** core.dequantize from int8/int16/uint8/int32 to float32. */
export const dequantizeFloat32C: CKernelDef = defineCKernel(dequantizeOp, {
  variant: "core/float32",
  supports: ({ inputs: [x], outputs: [y] }) => isQuantized(x) && isFloat(y),
  emit(ctx) {
    const x = ctx.inputs[0]! as TensorInfo & { quant: QuantParams };
    const ctype = cTypeOf(x.dtype);
    const support = dequantizeSupport(ctype);
    const p = planArrays(ctx, x);
    const n = numElements(x.shape);
    return {
      support: [support],
      code: `${support.id.slice(5)}(${ctx.input(0)}, ${ctx.output(0)}, ${n}, ${p.inner}, ${p.channels}, ${p.scaleSym}, ${p.zpSym}, ${p.perAxis ? 1 : 0});`,
    };
  },
});

/** The float32 ↔ integer C kernels. */
export const quantizeFloat32CKernels: readonly CKernelDef[] = [quantizeFloat32C, dequantizeFloat32C];
