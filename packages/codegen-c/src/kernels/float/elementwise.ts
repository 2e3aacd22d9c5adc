/**
 * Float32 C kernels of the element-wise ops: binary ops with NumPy broadcasting and a fused
 * activation, and the unary activations. +, −, ·, / of two float32 values are correctly
 * rounded in C as in the TS reference (which rounds a double result once), so those are exact.
 */
import {
  addOp,
  broadcastStrides,
  clipOp,
  divOp,
  hardSwishOp,
  leakyReluOp,
  logisticOp,
  maximumOp,
  minimumOp,
  mulOp,
  numElements,
  type OpContract,
  relu6Op,
  reluOp,
  signOp,
  subOp,
  tanhOp,
} from "@mcu/tensor";
import { type CEmitContext, type CKernelDef, type CSupportCode, defineCKernel } from "../../contract.js";
import { activationCode, actF32, allFloat32, fusedTanh } from "../support.js";

/** Maximum rank of a broadcast after merging axes. */
export const MAX_BROADCAST_RANK = 8;

const broadcastType: CSupportCode = {
  id: "core/broadcast-t",
  code: `
/* A broadcast walk: output shape and element strides of a and b (0 along broadcast axes). */
typedef struct {
  int32_t rank, act;
  int32_t shape[8], a_stride[8], b_stride[8];
} mcu_bcast_t;`,
};

const binaryMacro: CSupportCode = {
  id: "core/binary-f32-macro",
  requires: [broadcastType, actF32],
  code: `
#define MCU_BINARY_F32(NAME, EXPR)                                                  \\
  static void NAME(const float *a, const float *b, float *y, const mcu_bcast_t *p) { \\
    int32_t idx[8];                                                                  \\
    const int32_t r = p->rank, inner = p->shape[r - 1];                              \\
    const int32_t sa = p->a_stride[r - 1], sb = p->b_stride[r - 1];                  \\
    int32_t rows = 1, d, j;                                                          \\
    for (d = 0; d < r - 1; d++) {                                                    \\
      idx[d] = 0;                                                                    \\
      rows *= p->shape[d];                                                           \\
    }                                                                                \\
    while (rows-- > 0) {                                                             \\
      int32_t ao = 0, bo = 0;                                                        \\
      for (d = 0; d < r - 1; d++) {                                                  \\
        ao += idx[d] * p->a_stride[d];                                               \\
        bo += idx[d] * p->b_stride[d];                                               \\
      }                                                                              \\
      for (j = 0; j < inner; j++) {                                                  \\
        const float av = a[ao + j * sa], bv = b[bo + j * sb];                        \\
        *y++ = mcu_act_f32((EXPR), p->act);                                          \\
      }                                                                              \\
      for (d = r - 2; d >= 0; d--) {                                                 \\
        if (++idx[d] < p->shape[d]) break;                                           \\
        idx[d] = 0;                                                                  \\
      }                                                                              \\
    }                                                                                \\
  }`,
};

function binarySupport(fn: string, expr: string): CSupportCode {
  return { id: `core/${fn}`, requires: [binaryMacro], code: `MCU_BINARY_F32(${fn}, ${expr})` };
}

/**
 * The broadcast walk of `out` from `a` and `b`, with size-1 axes dropped and neighbouring axes
 * merged where both operands are contiguous across them (at least one axis).
 */
export function broadcastPlan(
  a: readonly number[],
  b: readonly number[],
  out: readonly number[],
): { shape: number[]; aStride: number[]; bStride: number[] } {
  const rank = out.length;
  const sa = broadcastStrides(a, rank);
  const sb = broadcastStrides(b, rank);
  const shape: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < rank; i++) {
    const n = out[i]!;
    if (n === 1) continue;
    const last = shape.length - 1;
    if (last >= 0 && as[last] === sa[i]! * n && bs[last] === sb[i]! * n) {
      shape[last] = shape[last]! * n;
      as[last] = sa[i]!;
      bs[last] = sb[i]!;
    } else {
      shape.push(n);
      as.push(sa[i]!);
      bs.push(sb[i]!);
    }
  }
  if (shape.length === 0) return { shape: [1], aStride: [0], bStride: [0] };
  return { shape, aStride: as, bStride: bs };
}

function pad8(v: readonly number[]): string {
  return `{${[...v, ...new Array<number>(8 - v.length).fill(0)].join(", ")}}`;
}

function binaryKernel(op: OpContract, fn: string, expr: string): CKernelDef {
  const support = binarySupport(fn, expr);
  return defineCKernel(op as typeof addOp, {
    variant: "core/float32",
    supports: (ctx) => {
      if (!allFloat32(ctx)) return false;
      const [a, b] = ctx.inputs;
      return broadcastPlan(a!.shape, b!.shape, ctx.outputs[0]!.shape).shape.length <= MAX_BROADCAST_RANK;
    },
    emit(ctx) {
      const [a, b] = ctx.inputs;
      const outShape = ctx.outputs[0]!.shape;
      const plan = broadcastPlan(a!.shape, b!.shape, outShape);
      const act = ctx.attrs.fusedActivation;
      const y = ctx.output(0);
      const tail = fusedTanh(act, y, numElements(outShape));
      const decl = `static const mcu_bcast_t ${ctx.symbol}_bc = {${plan.shape.length}, ${activationCode(act)}, ${pad8(plan.shape)}, ${pad8(plan.aStride)}, ${pad8(plan.bStride)}};`;
      return {
        support: [support, ...tail.support],
        declarations: decl,
        code: `${fn}(${ctx.input(0)}, ${ctx.input(1)}, ${y}, &${ctx.symbol}_bc);\n${tail.code}`,
      };
    },
  });
}

// Maximum and minimum propagate NaN, like Math.max/min in the TS kernels.
const binaryKernels = [
  binaryKernel(addOp, "mcu_add_f32", "av + bv"),
  binaryKernel(subOp, "mcu_sub_f32", "av - bv"),
  binaryKernel(mulOp, "mcu_mul_f32", "av * bv"),
  binaryKernel(divOp, "mcu_div_f32", "av / bv"),
  binaryKernel(maximumOp, "mcu_maximum_f32", "(av != av || bv != bv) ? av + bv : (av > bv ? av : bv)"),
  binaryKernel(minimumOp, "mcu_minimum_f32", "(av != av || bv != bv) ? av + bv : (av < bv ? av : bv)"),
];

/** A unary C function `fn(const float *x, float *y, int32_t n, <params>)` with body `y[i] = EXPR(v)`. */
function unarySupport(fn: string, params: string, body: string, math = false): CSupportCode {
  return {
    id: `core/${fn}`,
    ...(math ? { math: true } : {}),
    code: `
static void ${fn}(const float *x, float *y, int32_t n${params}) {
  int32_t i;
  for (i = 0; i < n; i++) {
    const float v = x[i];
${body}
  }
}`,
  };
}

function unaryKernel(
  op: OpContract,
  support: CSupportCode,
  args: (ctx: CEmitContext) => string = () => "",
): CKernelDef {
  const fn = support.id.slice("core/".length);
  return defineCKernel(op, {
    variant: "core/float32",
    supports: allFloat32,
    emit(ctx) {
      const n = numElements(ctx.outputs[0]!.shape);
      return { support: [support], code: `${fn}(${ctx.input(0)}, ${ctx.output(0)}, ${n}${args(ctx)});` };
    },
  });
}

const unaryKernels = [
  unaryKernel(reluOp, unarySupport("mcu_relu_f32", "", "    y[i] = v < 0.0f ? 0.0f : v;")),
  unaryKernel(
    relu6Op,
    unarySupport("mcu_relu6_f32", "", "    y[i] = v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v);"),
  ),
  unaryKernel(
    leakyReluOp,
    unarySupport("mcu_leaky_relu_f32", ", float alpha", "    y[i] = v >= 0.0f ? v : alpha * v;"),
    (ctx) => `, ${ctx.literal(ctx.attrs.alpha as number, "float")}`,
  ),
  // 1/(1+e^-x), or e^x/(1+e^x) for x < 0 so that exp never overflows.
  unaryKernel(
    logisticOp,
    unarySupport(
      "mcu_logistic_f32",
      "",
      "    if (v >= 0.0f) {\n      y[i] = 1.0f / (1.0f + expf(-v));\n    } else {\n      const float e = expf(v);\n      y[i] = e / (1.0f + e);\n    }",
      true,
    ),
  ),
  unaryKernel(tanhOp, unarySupport("mcu_tanh_f32", "", "    y[i] = tanhf(v);", true)),
  unaryKernel(
    hardSwishOp,
    unarySupport(
      "mcu_hard_swish_f32",
      "",
      "    const float r = v + 3.0f;\n    y[i] = v * (r < 0.0f ? 0.0f : (r > 6.0f ? 6.0f : r)) / 6.0f;",
    ),
  ),
  // min(max(x, lo), hi) literally: with lo > hi every value becomes hi (ONNX Clip).
  unaryKernel(
    clipOp,
    unarySupport(
      "mcu_clip_f32",
      ", float lo, float hi",
      "    const float c = v < lo ? lo : v;\n    y[i] = c > hi ? hi : c;",
    ),
    (ctx) =>
      `, ${ctx.literal(ctx.attrs.min as number, "float")}, ${ctx.literal(ctx.attrs.max as number, "float")}`,
  ),
  // sign(±0) = 0, sign(NaN) = NaN (ONNX Sign).
  unaryKernel(
    signOp,
    unarySupport(
      "mcu_sign_f32",
      "",
      "    y[i] = v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : (v == 0.0f ? 0.0f : v));",
    ),
  ),
];

/** The float32 element-wise C kernels. */
export const elementwiseFloat32CKernels: readonly CKernelDef[] = [...binaryKernels, ...unaryKernels];
