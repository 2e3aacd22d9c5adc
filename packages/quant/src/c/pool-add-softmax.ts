/**
 * Integer C kernels of average/max pooling (int8, int16), ADD/SUB with broadcasting (int8,
 * int16) and SOFTMAX (int8 input, int8 or int16 output), bit-exact with the TS kernels whose
 * precomputation they reuse (preparePoolParams, prepareAddSubParams, prepareSoftmaxParams).
 *
 * SOFTMAX's exponentials depend only on the difference x − max(row) ∈ [−255, 0] of int8
 * values, so they are tabulated at generation time with the TS fixed-point functions
 * (expOnNegativeValues, MultiplyByQuantizedMultiplier) — one 256-entry table, identical to what
 * TFLite computes — and the C does the per-row sum, reciprocal and scaling.
 */
import type { CEmitContext, CKernelContext, CKernelDef, CSupportCode } from "@mcu/codegen-c";
import {
  addOp,
  avgPool2dOp,
  broadcastStrides,
  maxPool2dOp,
  meanOp,
  numElements,
  softmaxOp,
  subOp,
} from "@mcu/tensor";
import { roundingDivideByPot } from "../fixed-point.js";
import { expOnNegativeValues } from "../fixed-point-math.js";
import { prepareAddSubParams } from "../kernels/add-sub.js";
import { prepareMeanParams } from "../kernels/mean.js";
import { type QuantKernelOptions, roundingOf } from "../kernels/options.js";
import { preparePoolParams } from "../kernels/pool.js";
import { prepareSoftmaxParams, SCALED_DIFF_INTEGER_BITS } from "../kernels/softmax.js";
import { multiplyByQuantizedMultiplierFor, type RoundingMode } from "../multiplier.js";
import { isPerTensor, sameQuantParams } from "../quant-info.js";
import { INT8_C } from "./conv.js";
import { mbqmSupport, rdbpSupport, requantSupport, srdhmSupport } from "./support.js";

type Ctx = CKernelContext;

const poolType: CSupportCode = {
  id: "quant/pool-t",
  code: `
typedef struct {
  int32_t batches, in_h, in_w, c, out_h, out_w, f_h, f_w, stride_h, stride_w, pad_top, pad_left;
  int32_t act_min, act_max, include_pad;
} mcu_q_pool_t;`,
};

function poolSupport(kind: "avg" | "max", ctype: "int8_t" | "int16_t"): CSupportCode {
  const fn = `mcu_q_${kind}_pool_${ctype === "int8_t" ? "s8" : "s16"}`;
  const body =
    kind === "avg"
      ? `int32_t s = 0;
          for (fy = fy0; fy < fy1; fy++)
            for (fx = fx0; fx < fx1; fx++) s += x[((size_t)(b * p->in_h + y0 + fy) * (size_t)p->in_w + (size_t)(x0 + fx)) * (size_t)p->c + (size_t)ch];
          if (count > 0) v = s > 0 ? (s + count / 2) / count : (s - count / 2) / count;
          else v = 0;`
      : `v = count > 0 ? -2147483647 - 1 : p->act_min;
          for (fy = fy0; fy < fy1; fy++)
            for (fx = fx0; fx < fx1; fx++) {
              const int32_t e = x[((size_t)(b * p->in_h + y0 + fy) * (size_t)p->in_w + (size_t)(x0 + fx)) * (size_t)p->c + (size_t)ch];
              if (e > v) v = e;
            }`;
  return {
    id: `quant/${fn}`,
    requires: [poolType],
    code: `
/* ${kind === "avg" ? "Average over the window's in-image part, rounded half away from zero (TFLite's integer AveragePool)" : "Maximum over the window's in-image part (TFLite's integer MaxPool)"}. */
static void ${fn}(const ${ctype} *x, ${ctype} *y, const mcu_q_pool_t *p) {
  int32_t b, oy, ox, ch, fy, fx;
  for (b = 0; b < p->batches; b++) {
    for (oy = 0; oy < p->out_h; oy++) {
      const int32_t y0 = oy * p->stride_h - p->pad_top;
      const int32_t fy0 = y0 < 0 ? -y0 : 0, fy1 = p->f_h < p->in_h - y0 ? p->f_h : p->in_h - y0;
      for (ox = 0; ox < p->out_w; ox++) {
        const int32_t x0 = ox * p->stride_w - p->pad_left;
        const int32_t fx0 = x0 < 0 ? -x0 : 0, fx1 = p->f_w < p->in_w - x0 ? p->f_w : p->in_w - x0;
        const int32_t count = p->include_pad ? p->f_h * p->f_w : (fy1 - fy0) * (fx1 - fx0);
        for (ch = 0; ch < p->c; ch++) {
          int32_t v;
          ${body}
          *y++ = (${ctype})(v < p->act_min ? p->act_min : (v > p->act_max ? p->act_max : v));
        }
      }
    }
  }
}`,
  };
}

function poolKernels(): CKernelDef[] {
  const make = (op: typeof avgPool2dOp, kind: "avg" | "max", dtype: "int8" | "int16"): CKernelDef => ({
    op: op.name,
    variant: dtype === "int8" ? INT8_C : "quant/int16x8",
    supports: ({ inputs: [x], outputs: [y] }: Ctx) =>
      isPerTensor(x, [dtype]) && isPerTensor(y, [dtype]) && sameQuantParams(x!, y!),
    emit: (ctx: CEmitContext) => {
      const p = preparePoolParams(ctx.inputs[0]!, ctx.outputs[0]!, ctx.attrs as never);
      const support = poolSupport(kind, dtype === "int8" ? "int8_t" : "int16_t");
      const f = [
        p.batches,
        p.inH,
        p.inW,
        p.channels,
        p.outH,
        p.outW,
        p.filterH,
        p.filterW,
        p.strideH,
        p.strideW,
        p.padTop,
        p.padLeft,
        p.actMin,
        p.actMax,
        p.countIncludePad ? 1 : 0,
      ];
      return {
        support: [support],
        declarations: `static const mcu_q_pool_t ${ctx.symbol}_pool = {${f.join(", ")}};`,
        code: `${support.id.slice(6)}(${ctx.input(0)}, ${ctx.output(0)}, &${ctx.symbol}_pool);`,
      };
    },
  });
  return [
    make(avgPool2dOp, "avg", "int8"),
    make(avgPool2dOp, "avg", "int16"),
    make(maxPool2dOp as unknown as typeof avgPool2dOp, "max", "int8"),
    make(maxPool2dOp as unknown as typeof avgPool2dOp, "max", "int16"),
  ];
}

const addType: CSupportCode = {
  id: "quant/add-t",
  code: `
typedef struct {
  int32_t rank;
  int32_t shape[8], a_stride[8], b_stride[8];
  int32_t left_shift, in1_off, in2_off, m1, s1, m2, s2, mo, so, out_off, act_min, act_max, subtract;
} mcu_q_add_t;`,
};

function addSupport(ctype: "int8_t" | "int16_t", rounding: RoundingMode): CSupportCode {
  const fn = `mcu_q_add_${ctype === "int8_t" ? "s8" : "s16"}`;
  return {
    id: `quant/${fn}-${rounding}`,
    requires: [addType, requantSupport(rounding)],
    code: `
/* TFLite's quantized ADD/SUB: both inputs rescaled to a common scale with 2^left_shift headroom,
   added (or subtracted) with int32 wrap-around, rescaled to the output. Broadcast by strides. */
static void ${fn}(const ${ctype} *a, const ${ctype} *b, ${ctype} *y, const mcu_q_add_t *p) {
  int32_t idx[8];
  const int32_t r = p->rank, inner = p->shape[r - 1], sa = p->a_stride[r - 1], sb = p->b_stride[r - 1];
  const int32_t scale = 1 << p->left_shift, in1_off = p->in1_off, in2_off = p->in2_off, sub = p->subtract;
  const int32_t m1 = p->m1, s1 = p->s1, m2 = p->m2, s2 = p->s2, mo = p->mo, so = p->so;
  const int32_t out_off = p->out_off, lo = p->act_min, hi = p->act_max;
  int32_t rows = 1, d, j;
  for (d = 0; d < r - 1; d++) {
    idx[d] = 0;
    rows *= p->shape[d];
  }
  while (rows-- > 0) {
    int32_t ao = 0, bo = 0;
    for (d = 0; d < r - 1; d++) {
      ao += idx[d] * p->a_stride[d];
      bo += idx[d] * p->b_stride[d];
    }
    for (j = 0; j < inner; j++) {
      const int32_t x1 = mcu_q_rq((a[ao + j * sa] + in1_off) * scale, m1, s1);
      const int32_t x2 = mcu_q_rq((b[bo + j * sb] + in2_off) * scale, m2, s2);
      const int32_t raw = (int32_t)(sub ? (uint32_t)x1 - (uint32_t)x2 : (uint32_t)x1 + (uint32_t)x2);
      const int32_t v = mcu_q_rq(raw, mo, so) + out_off;
      *y++ = (${ctype})(v < lo ? lo : (v > hi ? hi : v));
    }
    for (d = r - 2; d >= 0; d--) {
      if (++idx[d] < p->shape[d]) break;
      idx[d] = 0;
    }
  }
}`,
  };
}

/** The broadcast walk of `out` from `a` and `b` with size-1 axes dropped and contiguous axes merged. */
function broadcastPlan(a: readonly number[], b: readonly number[], out: readonly number[]) {
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
  return shape.length === 0 ? { shape: [1], as: [0], bs: [0] } : { shape, as, bs };
}

const pad8 = (v: readonly number[]): string =>
  `{${[...v, ...new Array<number>(8 - v.length).fill(0)].join(", ")}}`;

function addKernels(options: QuantKernelOptions | undefined): CKernelDef[] {
  const rounding = roundingOf(options);
  const make = (op: typeof addOp, dtype: "int8" | "int16"): CKernelDef => ({
    op: op.name,
    variant: dtype === "int8" ? INT8_C : "quant/int16x8",
    supports: ({ inputs: [a, b], outputs: [y] }: Ctx) =>
      isPerTensor(a, [dtype]) &&
      isPerTensor(b, [dtype]) &&
      isPerTensor(y, [dtype]) &&
      broadcastPlan(a!.shape, b!.shape, y!.shape).shape.length <= 8,
    emit: (ctx: CEmitContext) => {
      const [a, b] = ctx.inputs;
      const y = ctx.outputs[0]!;
      const p = prepareAddSubParams(a!, b!, y, ctx.attrs as never, op.name === "core.sub", options);
      const plan = broadcastPlan(a!.shape, b!.shape, y.shape);
      const support = addSupport(dtype === "int8" ? "int8_t" : "int16_t", rounding);
      const f = [
        p.leftShift,
        p.input1Offset,
        p.input2Offset,
        p.input1Multiplier,
        p.input1Shift,
        p.input2Multiplier,
        p.input2Shift,
        p.outputMultiplier,
        p.outputShift,
        p.outputOffset,
        p.actMin,
        p.actMax,
        p.subtract ? 1 : 0,
      ];
      return {
        support: [support],
        declarations: `static const mcu_q_add_t ${ctx.symbol}_add = {${plan.shape.length}, ${pad8(plan.shape)}, ${pad8(plan.as)}, ${pad8(plan.bs)}, ${f.join(", ")}};`,
        code: `${support.id.slice(6, support.id.lastIndexOf("-"))}(${ctx.input(0)}, ${ctx.input(1)}, ${ctx.output(0)}, &${ctx.symbol}_add);`,
      };
    },
  });
  return [
    make(addOp, "int8"),
    make(addOp, "int16"),
    make(subOp as typeof addOp, "int8"),
    make(subOp as typeof addOp, "int16"),
  ];
}

const softmaxMath: CSupportCode = {
  id: "quant/softmax-math",
  requires: [rdbpSupport, srdhmSupport],
  code: `
/* gemmlowp SaturatingRoundingMultiplyByPOT for a positive exponent. */
static int32_t mcu_srmpot(int32_t x, int32_t e) {
  const int32_t threshold = (int32_t)(((uint32_t)1 << (31 - e)) - 1u);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (int32_t)((uint32_t)x << e);
}
/* gemmlowp one_over_one_plus_x_for_x_in_0_1: Newton-Raphson on (1 + a) / 2, Q0 in, Q0 out. */
static int32_t mcu_one_over_one_plus_x(int32_t a) {
  const int64_t sum = (int64_t)a + INT32_MAX;
  const int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
  int32_t x = (int32_t)((uint32_t)1515870810 + (uint32_t)mcu_srdhm(half_denominator, -1010580540));
  int32_t i;
  for (i = 0; i < 3; i++) {
    const int32_t hdx = mcu_srdhm(half_denominator, x);
    const int32_t one_minus = (int32_t)((uint32_t)(1 << 29) - (uint32_t)hdx);
    x = (int32_t)((uint32_t)x + (uint32_t)mcu_srmpot(mcu_srdhm(x, one_minus), 2));
  }
  return mcu_srmpot(x, 1);
}
static int32_t mcu_clz32(uint32_t x) {
  int32_t n = 0;
  if (x == 0u) return 32;
  while ((x & 0x80000000u) == 0u) {
    x <<= 1;
    n++;
  }
  return n;
}`,
};

function softmaxSupport(outCType: "int8_t" | "int16_t"): CSupportCode {
  const fn = `mcu_q_softmax_s8_${outCType === "int8_t" ? "s8" : "s16"}`;
  return {
    id: `quant/${fn}`,
    requires: [softmaxMath],
    code: `
/* TFLite's int8 softmax over rows of depth values: exp_lut[d] = exp(-d) in Q0.31 and sum_lut[d]
   its Q12.19 rescale for d = max - x; d beyond max_diff contributes nothing and outputs out_min. */
static void ${fn}(const int8_t *x, ${outCType} *y, int32_t rows, int32_t depth, const int32_t *exp_lut,
                  const int32_t *sum_lut, int32_t max_diff, int32_t out_bits, int32_t out_min, int32_t out_max) {
  int32_t r, c;
  for (r = 0; r < rows; r++, x += depth, y += depth) {
    int32_t max = -128, headroom, exponent, scale;
    uint32_t sum = 0u;
    for (c = 0; c < depth; c++)
      if (x[c] > max) max = x[c];
    for (c = 0; c < depth; c++) {
      const int32_t d = max - x[c];
      if (d <= max_diff) sum += (uint32_t)sum_lut[d];
    }
    headroom = mcu_clz32(sum);
    scale = mcu_one_over_one_plus_x((int32_t)((sum << headroom) ^ 0x80000000u));
    exponent = 12 - headroom + 31 - out_bits;
    for (c = 0; c < depth; c++) {
      const int32_t d = max - x[c];
      int32_t v = out_min;
      if (d <= max_diff) {
        v = mcu_rdbp(mcu_srdhm(scale, exp_lut[d]), exponent) + out_min;
        v = v > out_max ? out_max : (v < out_min ? out_min : v);
      }
      y[c] = (${outCType})v;
    }
  }
}`,
  };
}

function softmaxKernels(options: QuantKernelOptions | undefined): CKernelDef[] {
  return [
    {
      op: softmaxOp.name,
      variant: INT8_C,
      supports: ({ inputs: [x], outputs: [y], attrs }: Ctx) =>
        isPerTensor(x, ["int8"]) &&
        isPerTensor(y, ["int8", "int16"]) &&
        ((attrs.axis as number) === -1 || (attrs.axis as number) === x!.shape.length - 1),
      emit: (ctx: CEmitContext) => {
        const x = ctx.inputs[0]!;
        const y = ctx.outputs[0]!;
        const p = prepareSoftmaxParams(x, y, ctx.attrs as never, options);
        const mbqm = multiplyByQuantizedMultiplierFor(p.rounding);
        // Differences below diffMin (d = −diff > −diffMin) are left out, as in TFLite.
        const maxDiff = Math.min(255, -p.diffMin);
        const exps = Int32Array.from({ length: 256 }, (_, d) =>
          d <= maxDiff
            ? expOnNegativeValues(mbqm(-d, p.inputMultiplier, p.inputLeftShift), SCALED_DIFF_INTEGER_BITS)
            : 0,
        );
        const sums = Int32Array.from(exps, (e) => roundingDivideByPot(e, 12));
        const e = ctx.constArray("exp", "int32_t", exps);
        const s = ctx.constArray("sum", "int32_t", sums);
        const outC = y.dtype === "int16" ? "int16_t" : "int8_t";
        const support = softmaxSupport(outC);
        const rows = numElements(x.shape) / p.depth;
        return {
          support: [support],
          code: `${support.id.slice(6)}(${ctx.input(0)}, ${ctx.output(0)}, ${rows}, ${p.depth}, ${e}, ${s}, ${maxDiff}, ${p.outputBits}, ${p.outputMin}, ${p.outputMax});`,
        };
      },
    },
  ];
}

function meanSupport(ctype: "int8_t" | "int16_t", rounding: RoundingMode): CSupportCode {
  const fn = `mcu_q_mean_${ctype === "int8_t" ? "s8" : "s16"}`;
  return {
    id: `quant/${fn}-${rounding}`,
    requires: [mbqmSupport(rounding)],
    code: `
/* TFLite's integer MEAN: per output, the int32 sum of its inputs (x walked in order, out_stride[d] 0
   along reduced axes), minus z_x * count, rescaled by (m, shift) which include 1 / count. sums is scratch. */
static void ${fn}(const ${ctype} *x, ${ctype} *y, int32_t rank, const int32_t *shape, const int32_t *out_stride,
                  int32_t out_size, uint32_t *sums, int32_t m, int32_t shift, uint32_t zero_sum, int32_t zy,
                  int32_t lo, int32_t hi) {
  int32_t idx[8];
  int32_t d, rows = 1, j, o = 0;
  const int32_t last = shape[rank - 1], ls = out_stride[rank - 1];
  for (j = 0; j < out_size; j++) sums[j] = 0u;
  for (d = 0; d < rank - 1; d++) {
    idx[d] = 0;
    rows *= shape[d];
  }
  while (rows-- > 0) {
    for (j = 0; j < last; j++) sums[o + j * ls] += (uint32_t)(int32_t)x[j];
    x += last;
    for (d = rank - 2; d >= 0; d--) {
      o += out_stride[d];
      if (++idx[d] < shape[d]) break;
      o -= idx[d] * out_stride[d];
      idx[d] = 0;
    }
  }
  for (j = 0; j < out_size; j++) {
    const int32_t v = mcu_mbqm((int32_t)(sums[j] - zero_sum), m, shift) + zy;
    y[j] = (${ctype})(v < lo ? lo : (v > hi ? hi : v));
  }
}`,
  };
}

/** The reduction of a mean with axes merged: shape, output stride per axis (0 when reduced), output size. */
function meanPlan(shape0: readonly number[], axes: readonly number[]) {
  const rank0 = shape0.length;
  const reduced = new Set(axes.map((a) => (a < 0 ? a + rank0 : a)));
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
  const outStride: number[] = new Array<number>(shape.length).fill(0);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (!red[i]) {
      outStride[i] = acc;
      acc *= shape[i]!;
    }
  }
  return { shape, outStride, outSize: acc };
}

function meanKernels(options: QuantKernelOptions | undefined): CKernelDef[] {
  const rounding = roundingOf(options);
  const make = (dtype: "int8" | "int16"): CKernelDef => ({
    op: meanOp.name,
    variant: dtype === "int8" ? INT8_C : "quant/int16x8",
    supports: ({ inputs: [x], outputs: [y] }: Ctx) =>
      isPerTensor(x, [dtype]) && isPerTensor(y, [dtype]) && x!.shape.length <= 8,
    scratch: (ctx: Ctx) => [{ name: "sums", bytes: 4 * numElements(ctx.outputs[0]!.shape) }],
    emit: (ctx: CEmitContext) => {
      const x = ctx.inputs[0]!;
      const p = prepareMeanParams(x, ctx.outputs[0]!, ctx.attrs as never, options);
      const plan = meanPlan(x.shape, ctx.attrs.axes as number[]);
      const support = meanSupport(dtype === "int8" ? "int8_t" : "int16_t", rounding);
      const shape = ctx.constArray("shape", "int32_t", plan.shape);
      const stride = ctx.constArray("out_stride", "int32_t", plan.outStride);
      const zeroSum = Number(BigInt.asUintN(32, BigInt(p.inputZeroPoint) * BigInt(p.count)));
      return {
        support: [support],
        code: `${support.id.slice(6, support.id.lastIndexOf("-"))}(${ctx.input(0)}, ${ctx.output(0)}, ${plan.shape.length}, ${shape}, ${stride}, ${plan.outSize}, (uint32_t *)${ctx.scratch("sums")}, ${ctx.literal(p.multiplier, "int32_t")}, ${p.shift}, ${zeroSum}u, ${p.outputZeroPoint}, ${p.min}, ${p.max});`,
      };
    },
  });
  return [make("int8"), make("int16")];
}

/** The pool, add/sub, mean and softmax C kernels. */
export function poolAddSoftmaxCKernels(options?: QuantKernelOptions): CKernelDef[] {
  return [...poolKernels(), ...addKernels(options), ...meanKernels(options), ...softmaxKernels(options)];
}
