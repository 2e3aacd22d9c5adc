/**
 * C kernels of the power-of-two layers. Codes are stored two per byte (4 bits each, low nibble
 * first) — the flash format the storage cost counts — and each product is a shift:
 * acc ± ((x − z) << (|c| − 1)), done on uint32 so that shifting a negative value is defined.
 * The output stage is the TS kernel's: v = m[o]·(float)acc, v = v + bias[o], then the activation.
 */
import type { CEmitContext, CKernelDef, CSupportCode } from "@mcu/codegen-c";
import { numElements, type TensorInfo, window2d } from "@mcu/tensor";
import { pow2OutputStage } from "../kernels/pow2.js";
import { pow2Conv2dOp, pow2FullyConnectedOp } from "../ops/pow2.js";

const pow2Support: CSupportCode = {
  id: "binary/pow2",
  code: `
typedef struct {
  int32_t batches, in_h, in_w, in_c, out_h, out_w, out_c;
  int32_t k_h, k_w, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left;
  int32_t zero_point, act; /* act: 0 none, 1 relu, 2 relu6 */
} mcu_pow2_t;

/* sum over n codes (nibbles from index i0 of q) of (x[i] - z) * sign(c) * 2^(|c| - 1) */
static int32_t mcu_pow2_dot(const int8_t *x, const uint8_t *q, int32_t i0, int32_t n, int32_t z) {
  int32_t i, acc = 0;
  for (i = 0; i < n; i++) {
    const int32_t idx = i0 + i;
    const uint32_t nib = ((uint32_t)q[idx >> 1] >> ((idx & 1) * 4)) & 15u;
    if (nib != 0u) {
      const int32_t code = (int32_t)(nib ^ 8u) - 8;
      const uint32_t v = (uint32_t)((int32_t)x[i] - z);
      if (code > 0) acc += (int32_t)(v << (code - 1));
      else acc -= (int32_t)(v << (-code - 1));
    }
  }
  return acc;
}

static float mcu_pow2_out(int32_t acc, float m, const float *bias, int32_t o, int32_t act) {
  float v = (float)acc;
  v = m * v;
  if (bias != NULL) v = v + bias[o];
  if (act != 0 && v < 0.0f) v = 0.0f;
  if (act == 2 && v > 6.0f) v = 6.0f;
  return v;
}`,
};

const pow2ConvSupport: CSupportCode = {
  id: "binary/pow2-conv2d",
  requires: [pow2Support],
  code: `
static void mcu_pow2_conv2d(const int8_t *x, const uint8_t *q, const float *m, const float *bias, float *y,
                            const mcu_pow2_t *p) {
  int32_t b, oy, ox, o, ky, kx;
  const int32_t c = p->in_c;
  for (b = 0; b < p->batches; b++)
    for (oy = 0; oy < p->out_h; oy++)
      for (ox = 0; ox < p->out_w; ox++)
        for (o = 0; o < p->out_c; o++) {
          int32_t acc = 0;
          for (ky = 0; ky < p->k_h; ky++) {
            const int32_t iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
            if (iy < 0 || iy >= p->in_h) continue;
            for (kx = 0; kx < p->k_w; kx++) {
              const int32_t ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
              if (ix < 0 || ix >= p->in_w) continue;
              acc += mcu_pow2_dot(x + ((size_t)(b * p->in_h + iy) * (size_t)p->in_w + (size_t)ix) * (size_t)c, q,
                                  ((o * p->k_h + ky) * p->k_w + kx) * c, c, p->zero_point);
            }
          }
          *y++ = mcu_pow2_out(acc, m[o], bias, o, p->act);
        }
}`,
};

const pow2FcSupport: CSupportCode = {
  id: "binary/pow2-fc",
  requires: [pow2Support],
  code: `
static void mcu_pow2_fc(const int8_t *x, const uint8_t *q, const float *m, const float *bias, float *y, int32_t batches,
                        int32_t outs, int32_t k, int32_t z, int32_t act) {
  int32_t b, o;
  for (b = 0; b < batches; b++)
    for (o = 0; o < outs; o++) *y++ = mcu_pow2_out(mcu_pow2_dot(x + (size_t)b * (size_t)k, q, o * k, k, z), m[o], bias, o, act);
}`,
};

/** int4 codes packed two per byte, low nibble first. */
export function packNibbles(codes: Int8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(codes.length / 2));
  for (let i = 0; i < codes.length; i++) out[i >> 1] = out[i >> 1]! | ((codes[i]! & 15) << ((i & 1) * 4));
  return out;
}

const ACT: Readonly<Record<string, number>> = { NONE: 0, RELU: 1, RELU6: 2 };

function stageArrays(ctx: CEmitContext): { m: string; bias: string; zp: number; act: number } {
  const stage = pow2OutputStage(
    ctx.inputs as readonly (TensorInfo | undefined)[],
    String(ctx.attrs.fusedActivation),
  );
  return {
    m: ctx.constArray("m", "float", stage.multiplier),
    bias: stage.bias !== undefined ? ctx.constArray("bias", "float", stage.bias) : "NULL",
    zp: stage.zeroPoint,
    act: ACT[String(ctx.attrs.fusedActivation)] ?? 0,
  };
}

/** The C kernels of binary.pow2_conv2d and binary.pow2_fully_connected. */
export function pow2CKernels(): CKernelDef[] {
  const conv: CKernelDef = {
    op: pow2Conv2dOp.name,
    variant: "binary/pow2",
    supports: (ctx) => ctx.inputs[0]?.dtype === "int8" && ctx.inputs[1]?.data !== undefined,
    emit: (ctx) => {
      const [n, h, w, c] = ctx.inputs[0]!.shape as [number, number, number, number];
      const [o, kh, kw] = ctx.inputs[1]!.shape as [number, number, number, number];
      const a = ctx.attrs as {
        strides: number[];
        dilations: number[];
        padding: "SAME" | "VALID" | "EXPLICIT";
        pads: number[];
      };
      const win = window2d(h, w, kh, kw, a.strides, a.dilations, a.padding, a.pads);
      const q = ctx.constArray("q", "uint8_t", packNibbles(ctx.inputs[1]!.data as Int8Array));
      const s = stageArrays(ctx);
      const fields = [
        n,
        h,
        w,
        c,
        win.outH,
        win.outW,
        o,
        kh,
        kw,
        a.strides[0]!,
        a.strides[1]!,
        a.dilations[0]!,
        a.dilations[1]!,
        win.padTop,
        win.padLeft,
        s.zp,
        s.act,
      ];
      return {
        support: [pow2ConvSupport],
        declarations: `static const mcu_pow2_t ${ctx.symbol}_p = {${fields.join(", ")}};`,
        code: `mcu_pow2_conv2d(${ctx.input(0)}, ${q}, ${s.m}, ${s.bias}, ${ctx.output(0)}, &${ctx.symbol}_p);`,
      };
    },
  };
  const fc: CKernelDef = {
    op: pow2FullyConnectedOp.name,
    variant: "binary/pow2",
    supports: (ctx) => ctx.inputs[0]?.dtype === "int8" && ctx.inputs[1]?.data !== undefined,
    emit: (ctx) => {
      const [o, k] = ctx.inputs[1]!.shape as [number, number];
      const q = ctx.constArray("q", "uint8_t", packNibbles(ctx.inputs[1]!.data as Int8Array));
      const s = stageArrays(ctx);
      const batches = numElements(ctx.inputs[0]!.shape) / k;
      return {
        support: [pow2FcSupport],
        code: `mcu_pow2_fc(${ctx.input(0)}, ${q}, ${s.m}, ${s.bias}, ${ctx.output(0)}, ${batches}, ${o}, ${k}, ${s.zp}, ${s.act});`,
      };
    },
  };
  return [conv, fc];
}
