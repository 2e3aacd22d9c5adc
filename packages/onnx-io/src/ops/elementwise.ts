/**
 * Element-wise ops. Unary activations keep their input's layout. Binary ops broadcast as
 * NumPy does: a constant operand is rearranged into the runtime operand's layout at import
 * time; two runtime operands meet in one layout (ONNX order when their ranks differ).
 * HardSigmoid has no IR op and is decomposed into mul, add and clip.
 */
import type { Attrs } from "@mcu/tensor";
import { binaryConst, makeConst, unaryConst } from "../const-eval.js";
import { isChannelsLast, type Layout, ONNX_LAYOUT, sameLayout } from "../layout.js";
import type { NodeContext, QuantizedRuntime } from "../node-context.js";
import type { HandlerTable, OpHandler } from "../op-handler.js";
import type { ConstTensor } from "../tensor-proto.js";
import type { RuntimeValue } from "../values.js";

/** Emits a unary IR op on input 0 in its own layout, or folds it on a constant. */
function unary(
  op: string,
  attrsOf: (ctx: NodeContext) => Attrs,
  fold: (ctx: NodeContext) => (x: number) => number,
): OpHandler {
  return {
    ...(op === "core.relu" || op === "core.relu6" || op === "core.clip" ? { int: "movement" as const } : {}),
    canInt: (ctx) => ctx.isDequantized(0),
    run(ctx) {
      if (ctx.isConst(0)) {
        const t = ctx.constant(0, "input");
        if (t.dtype !== "float32") throw ctx.unsupported(`${ctx.opType} of a ${t.dtype} constant`);
        ctx.setConst(0, unaryConst(t, fold(ctx)));
        return;
      }
      const x = ctx.runtime(0, "any");
      if (x.dtype !== "float32" && ctx.intMode === undefined)
        throw ctx.unsupported(`${ctx.opType} of a ${x.dtype} tensor`);
      const spec = ctx.outSpec(0, x.layout, x.quant !== undefined ? (x as QuantizedRuntime) : undefined);
      const [y] = ctx.emit(op, [x.id], attrsOf(ctx), [spec]);
      ctx.setRuntime(0, y!, x.layout);
    },
  };
}

const noAttrs = (): Attrs => ({});

/** Clip's bounds: attributes before opset 11, optional constant inputs after. */
function clipBounds(ctx: NodeContext): { min: number; max: number } {
  if (ctx.opset < 11) {
    return {
      min: ctx.attrs.float("min", -3.4028234663852886e38),
      max: ctx.attrs.float("max", 3.4028234663852886e38),
    };
  }
  return {
    min: ctx.has(1) ? ctx.constScalar(1, "min") : Number.NEGATIVE_INFINITY,
    max: ctx.has(2) ? ctx.constScalar(2, "max") : Number.POSITIVE_INFINITY,
  };
}

/** Clip(0, 6) is relu6 and Clip(0, ∞) relu (what TFLite has kernels for); other bounds stay a clip. */
function clip(ctx: NodeContext): void {
  const { min, max } = clipBounds(ctx);
  const op =
    min === 0 && max === 6
      ? "core.relu6"
      : min === 0 && max >= 3.4028234663852886e38
        ? "core.relu"
        : "core.clip";
  unary(
    op,
    () => (op === "core.clip" ? { min, max } : {}),
    () => (x) => Math.min(Math.max(x, min), max),
  ).run(ctx);
}

/** HardSigmoid: y = max(0, min(1, alpha·x + beta)), as core.mul, core.add and core.clip. */
function hardSigmoid(ctx: NodeContext): void {
  const alpha = ctx.attrs.float("alpha", 0.2);
  const beta = ctx.attrs.float("beta", 0.5);
  if (ctx.isConst(0)) {
    ctx.setConst(
      0,
      unaryConst(ctx.constant(0, "input"), (x) => Math.min(Math.max(alpha * x + beta, 0), 1)),
    );
    return;
  }
  const x = ctx.runtime(0, "any");
  const out = ctx.outName(0, x.layout);
  const a = ctx.irConstant(`f32:${alpha}`, `${ctx.name}:alpha`, makeConst("float32", [], [alpha]));
  const b = ctx.irConstant(`f32:${beta}`, `${ctx.name}:beta`, makeConst("float32", [], [beta]));
  const [m] = ctx.emitAux("core.mul", [x.id, a], {}, [{ name: `${out}:scaled` }]);
  const [s] = ctx.emitAux("core.add", [m!, b], {}, [{ name: `${out}:shifted` }]);
  const [y] = ctx.emit("core.clip", [s!], { min: 0, max: 1 }, [{ name: out }]);
  ctx.setRuntime(0, y!, x.layout);
}

const BINARY: Readonly<
  Record<string, { op: string; f: (a: number, b: number) => number; g: (a: bigint, b: bigint) => bigint }>
> = {
  Add: { op: "core.add", f: (a, b) => a + b, g: (a, b) => a + b },
  Sub: { op: "core.sub", f: (a, b) => a - b, g: (a, b) => a - b },
  Mul: { op: "core.mul", f: (a, b) => a * b, g: (a, b) => a * b },
  Div: { op: "core.div", f: (a, b) => a / b, g: (a, b) => (b === 0n ? 0n : a / b) },
};

/** A constant operand as an IR tensor for a binary op whose runtime operand is in `layout`. */
function constOperand(ctx: NodeContext, i: number, rank: number, layout: Layout): string {
  const t = ctx.constant(i, "operand");
  const r = ctx.constForLayout(t, rank, layout);
  return ctx.irConstant(`bin:${ctx.inputs[i]}:${layout.kind}:${rank}`, ctx.inputs[i]!, r);
}

/** The layout both operands of a binary op use. */
function commonLayout(a: RuntimeValue, b: RuntimeValue): Layout {
  if (sameLayout(a.layout, b.layout) && a.shape.length === b.shape.length) return a.layout;
  if (a.shape.length !== b.shape.length) return ONNX_LAYOUT;
  if (isChannelsLast(a.layout)) return a.layout;
  if (isChannelsLast(b.layout)) return b.layout;
  return ONNX_LAYOUT;
}

/** True if a constant can meet a value in `layout` without leaving it. */
function constFits(t: ConstTensor, v: RuntimeValue): boolean {
  if (t.shape.length > v.shape.length) return false;
  if (v.layout.kind === "flat") {
    const last = t.shape.length === 0 ? 1 : t.shape[t.shape.length - 1]!;
    return last === 1 || last === v.layout.c * v.layout.s;
  }
  return true;
}

function binary(ctx: NodeContext): void {
  const spec = BINARY[ctx.opType]!;
  if (ctx.isConst(0) && ctx.isConst(1)) {
    const a = ctx.constant(0, "A");
    const b = ctx.constant(1, "B");
    if (a.dtype !== b.dtype)
      throw ctx.error("MCU_E_ONNX_INVALID", `operands of ${ctx.opType} have types ${a.dtype} and ${b.dtype}`);
    const r = binaryConst(a, b, spec.f, spec.g, ctx.name);
    ctx.setConst(0, r);
    return;
  }
  let ids: [string, string];
  let layout: Layout;
  const constIndex = ctx.isConst(0) ? 0 : ctx.isConst(1) ? 1 : -1;
  if (constIndex >= 0) {
    const other = 1 - constIndex;
    let v = ctx.runtime(other, "any");
    const t = ctx.constant(constIndex, "operand");
    if (!constFits(t, v)) v = ctx.toLayout(v, ONNX_LAYOUT);
    layout = v.layout;
    const c = constOperand(ctx, constIndex, v.shape.length, layout);
    ids = constIndex === 0 ? [c, v.id] : [v.id, c];
    checkFloat(ctx, v);
  } else {
    const a0 = ctx.runtime(0, "any");
    const b0 = ctx.runtime(1, "any");
    layout = commonLayout(a0, b0);
    const a = ctx.toLayout(a0, layout);
    const b = ctx.toLayout(b0, layout);
    checkFloat(ctx, a);
    checkFloat(ctx, b);
    ids = [a.id, b.id];
  }
  const [y] = ctx.emit(spec.op, ids, {}, [ctx.outSpec(0, layout)]);
  ctx.setRuntime(0, y!, layout);
}

function checkFloat(ctx: NodeContext, v: RuntimeValue): void {
  if (ctx.intMode === undefined && v.dtype !== "float32")
    throw ctx.unsupported(`${ctx.opType} on ${v.dtype} tensors`);
}

const binaryHandler: OpHandler = {
  run: binary,
  int: "compute",
  canInt: (ctx) => ctx.isDequantized(0) && ctx.isDequantized(1),
};

/** Element-wise handlers. */
export const elementwiseHandlers: HandlerTable = {
  Relu: unary("core.relu", noAttrs, () => (x) => Math.max(x, 0)),
  Sigmoid: unary("core.logistic", noAttrs, () => (x) => 1 / (1 + Math.exp(-x))),
  Tanh: unary("core.tanh", noAttrs, () => Math.tanh),
  Sign: unary("core.sign", noAttrs, () => Math.sign),
  HardSwish: unary("core.hard_swish", noAttrs, () => (x) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6),
  LeakyRelu: unary(
    "core.leaky_relu",
    (ctx) => ({ alpha: ctx.attrs.float("alpha", 0.01) }),
    (ctx) => {
      const alpha = ctx.attrs.float("alpha", 0.01);
      return (x) => (x >= 0 ? x : alpha * x);
    },
  ),
  Clip: { run: clip, int: "movement", canInt: (ctx) => ctx.isDequantized(0) },
  HardSigmoid: { run: hardSigmoid },
  Add: binaryHandler,
  Sub: binaryHandler,
  Mul: binaryHandler,
  Div: binaryHandler,
};
