/**
 * int8 ADD/SUB of two tensors of the same shape on the DSP path, bit-exact with the TS kernel
 * (../kernels/add-sub.ts): TFLite's three MultiplyByQuantizedMultiplier calls per element, each in
 * the one-multiply form of ./requant.ts — a' = MBQM((a − z_a)·2^20, M_a, S_a) with
 * (a − z_a)·2^20 = (a << 20) + (−z_a << 20) in one shifted add, the same for b, then
 * y = clamp(MBQM(a' ± b', M_y, S_y) + z_y). The input with the larger scale has the multiplier 1/2
 * exactly (M = 2^30, shift 0), where MBQM of the even (a − z_a)·2^20 is an exact halving. Broadcasting operands and layers whose requantization
 * cannot be proven exact take the portable kernel.
 */
import type { CEmitContext, CKernelContext, CKernelDef, CSupportCode } from "@mcu/codegen-c";
import { addOp, numElements, subOp } from "@mcu/tensor";
import { type AddSubParams, prepareAddSubParams } from "../kernels/add-sub.js";
import { type QuantKernelOptions, roundingOf } from "../kernels/options.js";
import type { RoundingMode } from "../multiplier.js";
import { isPerTensor } from "../quant-info.js";
import { INT8_DSP_C } from "./conv.js";
import { fastRequantSupport, fastRequantTable } from "./requant.js";

/** |(x − z)·2^20| for int8 x and z. */
const INPUT_BOUND = 255 * 2 ** 20;

/** How one input is rescaled: the fast form, or — multiplier 1/2 (M = 2^30, shift 0) — an exact halving. */
type InputRescale = { readonly half: true } | { readonly half: false; readonly table: Int32Array };

function inputRescale(m: number, shift: number): InputRescale | undefined {
  // MBQM(x, 2^30, 0) = SRDHM(x, 2^30) = floor((x + 1) / 2) = x / 2 for the even x = (a − z)·2^20.
  if (m === 2 ** 30 && shift === 0) return { half: true };
  const table = fastRequantTable([m], [shift], 0, [INPUT_BOUND], "gemm");
  return table === undefined ? undefined : { half: false, table };
}

/** An ADD/SUB layer as the DSP kernel computes it. */
export interface AddDspPlan {
  readonly a: InputRescale;
  readonly b: InputRescale;
  /** {−z_a·2^L_a, −z_b·2^L_b, {M', c, e} of a, of b (zeros when halved), of y}; L = 19 when halved, else 20. */
  readonly table: Int32Array;
}

/** The DSP plan of an int8 ADD/SUB, or undefined when a requantization is not provably exact. */
export function addDspPlan(p: AddSubParams): AddDspPlan | undefined {
  if (p.leftShift !== 20) return undefined;
  const a = inputRescale(p.input1Multiplier, p.input1Shift);
  const b = inputRescale(p.input2Multiplier, p.input2Shift);
  if (a === undefined || b === undefined) return undefined;
  // |a'| ≤ |x|·M/2^(31+e) + 2 (SRDHM and RDBP each move the value by at most one half).
  const scaled = (m: number, shift: number) => (INPUT_BOUND * m) / 2 ** (31 - shift) + 2;
  const bound = scaled(p.input1Multiplier, p.input1Shift) + scaled(p.input2Multiplier, p.input2Shift);
  const to = fastRequantTable([p.outputMultiplier], [p.outputShift], p.outputOffset, [bound], "gemm");
  if (to === undefined) return undefined;
  const offset = (r: InputRescale, o: number) => o * 2 ** (r.half ? 19 : 20);
  const rq = (r: InputRescale) => (r.half ? [0, 0, 0] : Array.from(r.table));
  return {
    a,
    b,
    table: Int32Array.from([offset(a, p.input1Offset), offset(b, p.input2Offset), ...rq(a), ...rq(b), ...to]),
  };
}

/** The kernel for one combination of operation and input rescalings. */
function addDspSupport(rounding: RoundingMode, plan: AddDspPlan, subtract: boolean): CSupportCode {
  const name = `mcu_q_${subtract ? "sub" : "add"}_s8_dsp${plan.a.half ? "_ha" : ""}${plan.b.half ? "_hb" : ""}`;
  const input = (v: string, r: InputRescale, o: string, t: string) =>
    r.half
      ? `(int32_t)(${o} + ((uint32_t)(int32_t)${v} << 19))`
      : `mcu_q_rqg((int32_t)(${o} + ((uint32_t)(int32_t)${v} << 20)), ${t})`;
  return {
    id: `quant/${name}-${rounding}`,
    requires: [fastRequantSupport(rounding)],
    code: `
/* y[i] = clamp(MBQM(A(a[i]) ${subtract ? "-" : "+"} B(b[i])) + z_y) with A(v) = MBQM((v - z_a) * 2^20)${plan.a.half || plan.b.half ? " (an exact halving where the multiplier is 1/2)" : ""}, from
   t = {-z_a * 2^L, -z_b * 2^L, then {M', c, e} of a, b and y}. */
static void ${name}(const int8_t *a, const int8_t *b, int8_t *y, int32_t n, const int32_t *t, int32_t lo, int32_t hi) {
  const uint32_t oa = (uint32_t)t[0], ob = (uint32_t)t[1];
  int32_t i;
  for (i = 0; i < n; i++) {
    const int32_t sa = ${input("a[i]", plan.a, "oa", "t + 2")};
    const int32_t sb = ${input("b[i]", plan.b, "ob", "t + 5")};
    const int32_t v = mcu_q_ssat8(mcu_q_rqg(sa ${subtract ? "-" : "+"} sb, t + 8));
    y[i] = (int8_t)MCU_Q_CLAMP8(v, lo, hi);
  }
}`,
  };
}

/** The DSP int8 ADD and SUB C kernels (same-shape operands). */
export function addDspCKernels(options?: QuantKernelOptions): CKernelDef[] {
  const rounding = roundingOf(options);
  const make = (op: typeof addOp): CKernelDef => {
    const params = (ctx: CKernelContext) =>
      prepareAddSubParams(
        ctx.inputs[0]!,
        ctx.inputs[1]!,
        ctx.outputs[0]!,
        ctx.attrs as never,
        op.name === subOp.name,
        options,
      );
    return {
      op: op.name,
      variant: INT8_DSP_C,
      priority: 10,
      supports: (ctx: CKernelContext) => {
        const [a, b] = ctx.inputs;
        const y = ctx.outputs[0];
        const n = y === undefined ? 0 : numElements(y.shape);
        return (
          ctx.target.dsp &&
          isPerTensor(a, ["int8"]) &&
          isPerTensor(b, ["int8"]) &&
          isPerTensor(y, ["int8"]) &&
          numElements(a!.shape) === n &&
          numElements(b!.shape) === n &&
          addDspPlan(params(ctx)) !== undefined
        );
      },
      emit: (ctx: CEmitContext) => {
        const p = params(ctx);
        const plan = addDspPlan(p)!;
        const support = addDspSupport(rounding, plan, p.subtract);
        const table = ctx.constArray("t", "int32_t", plan.table);
        const n = numElements(ctx.outputs[0]!.shape);
        const fn = support.id.slice("quant/".length, support.id.lastIndexOf("-"));
        return {
          support: [support],
          code: `${fn}(${ctx.input(0)}, ${ctx.input(1)}, ${ctx.output(0)}, ${n}, ${table}, ${p.actMin}, ${p.actMax});`,
        };
      },
    };
  };
  return [make(addOp), make(subOp as typeof addOp)];
}
