/**
 * Data movement and shape plumbing. On constants every op here is evaluated at import time
 * (that is how exporters' Shape → Gather → Unsqueeze → Concat → Reshape chains disappear);
 * on runtime values they become core.reshape / flatten / transpose / concat / pad / slice.
 */
import { numElements } from "@mcu/tensor";
import {
  axisOf,
  broadcastShape,
  broadcastTo,
  castConst,
  checkConstSize,
  checkPerm,
  concatConst,
  gatherConst,
  makeConst,
  rangeConst,
  reshapeTarget,
  resolveSlice,
  sliceConst,
  squeezeShape,
  transposeConst,
  unsqueezeShape,
} from "../const-eval.js";
import { isIdentityPermutation, isReshapePermutation, permuteShape } from "../internal/ndarray.js";
import { irAxisOf, isChannelsLast, type Layout, ONNX_LAYOUT, onnxAxesOfIr, sameLayout } from "../layout.js";
import type { NodeContext, QuantizedRuntime } from "../node-context.js";
import type { HandlerTable, OpHandler } from "../op-handler.js";
import { irDTypeOf, type ConstTensor } from "../tensor-proto.js";
import type { RuntimeValue } from "../values.js";

/** The output spec of a data-movement op: the input's quantization carries over. */
function moveSpec(ctx: NodeContext, x: RuntimeValue, layout: Layout) {
  return ctx.outSpec(0, layout, x.quant !== undefined ? (x as QuantizedRuntime) : undefined);
}

/**
 * Flattening a channels-last [N, C, spatial...] value to [N, C·S]: the IR flattens NHWC data,
 * so the result is held in the `flat` layout (feature order s·C + c) unless C or S is 1.
 */
function flattenChannelsLast(ctx: NodeContext, x: RuntimeValue, op: "core.flatten" | "core.reshape"): void {
  const c = x.shape[1]!;
  const s = numElements(x.shape.slice(2));
  const layout: Layout = c === 1 || s === 1 ? ONNX_LAYOUT : { kind: "flat", c, s };
  const attrs = op === "core.flatten" ? { axis: 1 } : { shape: [x.shape[0]!, c * s] };
  const [y] = ctx.emit(op, [x.id], attrs, [moveSpec(ctx, x, layout)]);
  ctx.setRuntime(0, y!, layout);
}

function flatten(ctx: NodeContext): void {
  const shape = ctx.shape(0);
  const rank = shape.length;
  const attr = ctx.attrs.int("axis", 1);
  const axis = attr < 0 ? attr + rank : attr;
  if (axis < 0 || axis > rank)
    throw ctx.error("MCU_E_ONNX_ATTR", `axis ${attr} is out of range for rank ${rank}`);
  const target = [numElements(shape.slice(0, axis)), numElements(shape.slice(axis))];
  if (ctx.isConst(0)) {
    ctx.setConst(0, { ...ctx.constant(0, "input"), shape: target });
    return;
  }
  const x = ctx.runtime(0, "any");
  if (isChannelsLast(x.layout) && axis === 1) {
    flattenChannelsLast(ctx, x, "core.flatten");
    return;
  }
  const xo = ctx.toLayout(x, ONNX_LAYOUT);
  const [y] = ctx.emit("core.flatten", [xo.id], { axis }, [moveSpec(ctx, xo, ONNX_LAYOUT)]);
  ctx.setRuntime(0, y!, ONNX_LAYOUT);
}

function reshape(ctx: NodeContext): void {
  const shape = ctx.shape(0);
  const allowZero = ctx.opset >= 14 && ctx.attrs.int("allowzero", 0) !== 0;
  const target = reshapeTarget(shape, ctx.constInts(1, "shape"), allowZero, ctx.name);
  if (ctx.isConst(0)) {
    ctx.setConst(0, { ...ctx.constant(0, "data"), shape: target });
    return;
  }
  const x = ctx.runtime(0, "any");
  if (isChannelsLast(x.layout) && target.length === 2 && target[0] === shape[0]) {
    flattenChannelsLast(ctx, x, "core.reshape");
    return;
  }
  const xo = ctx.toLayout(x, ONNX_LAYOUT);
  const [y] = ctx.emit("core.reshape", [xo.id], { shape: target }, [moveSpec(ctx, xo, ONNX_LAYOUT)]);
  ctx.setRuntime(0, y!, ONNX_LAYOUT);
}

function transpose(ctx: NodeContext): void {
  const shape = ctx.shape(0);
  const rank = shape.length;
  const perm = checkPerm(ctx.attrs.ints("perm", [...shape.keys()].reverse()), rank, ctx.name);
  if (ctx.isConst(0)) {
    ctx.setConst(0, transposeConst(ctx.constant(0, "data"), perm));
    return;
  }
  let x = ctx.runtime(0, "any");
  if (x.layout.kind !== "onnx" && x.layout.kind !== "nhwc") x = ctx.toLayout(x, ONNX_LAYOUT);
  // The IR perm reads ONNX axis perm[i] from wherever the layout holds it.
  const irPerm = x.layout.kind === "nhwc" ? perm.map((p) => irAxisOf(p, x.layout)) : perm;
  const irShape = ctx.runtimeOf(x.id).shape;
  if (isIdentityPermutation(irPerm)) {
    // e.g. NCHW → NHWC right after a convolution: the IR tensor already is the result.
    ctx.setValue(0, { ...x, shape: permuteShape(shape, perm), layout: ONNX_LAYOUT });
    return;
  }
  const spec = moveSpec(ctx, x, ONNX_LAYOUT);
  const [y] = isReshapePermutation(irShape, irPerm)
    ? ctx.emit("core.reshape", [x.id], { shape: permuteShape(irShape, irPerm) }, [spec])
    : ctx.emit("core.transpose", [x.id], { perm: irPerm }, [spec]);
  ctx.setRuntime(0, y!, ONNX_LAYOUT);
}

/** Squeeze/Unsqueeze axes: an attribute before opset 13, an optional constant input after. */
function axesOf(ctx: NodeContext): number[] | undefined {
  if (ctx.opset >= 13) return ctx.has(1) ? ctx.constInts(1, "axes") : undefined;
  return ctx.attrs.ints("axes");
}

function squeezeLike(
  ctx: NodeContext,
  newShape: (shape: readonly number[], axes: number[] | undefined) => number[],
): void {
  const target = newShape(ctx.shape(0), axesOf(ctx));
  if (ctx.isConst(0)) {
    ctx.setConst(0, { ...ctx.constant(0, "data"), shape: target });
    return;
  }
  const x = ctx.runtime(0, "onnx");
  const [y] = ctx.emit("core.reshape", [x.id], { shape: target }, [moveSpec(ctx, x, ONNX_LAYOUT)]);
  ctx.setRuntime(0, y!, ONNX_LAYOUT);
}

function concat(ctx: NodeContext): void {
  const n = ctx.inputs.length;
  if (n === 0 || !ctx.inputs.every((_, i) => ctx.has(i)))
    throw ctx.error("MCU_E_ONNX_INVALID", "Concat needs inputs");
  const rank = ctx.shape(0).length;
  const attr = ctx.attrs.int("axis");
  if (attr === undefined) throw ctx.error("MCU_E_ONNX_ATTR", "axis is required");
  const axis = axisOf(attr, rank, ctx.name);
  const all = [...ctx.inputs.keys()];
  if (all.every((i) => ctx.isConst(i))) {
    ctx.setConst(
      0,
      concatConst(
        all.map((i) => ctx.constant(i, "input")),
        axis,
        ctx.name,
      ),
    );
    return;
  }
  const runtimes = all.filter((i) => !ctx.isConst(i)).map((i) => ctx.runtime(i, "any"));
  const first = runtimes[0]!.layout;
  const layout =
    isChannelsLast(first) &&
    runtimes.every((r) => sameLayout(r.layout, first)) &&
    all.every((i) => ctx.shape(i).length === rank)
      ? first
      : ONNX_LAYOUT;
  const ids = all.map((i) => {
    if (ctx.isConst(i)) {
      const t = ctx.constForLayout(ctx.constant(i, "input"), rank, layout);
      return ctx.irConstant(`concat:${ctx.inputs[i]}:${layout.kind}`, ctx.inputs[i]!, t);
    }
    return ctx.toLayout(ctx.runtime(i, "any"), layout).id;
  });
  const irAxis = isChannelsLast(layout) ? irAxisOf(axis, layout) : axis;
  const [y] = ctx.emit("core.concat", ids, { axis: irAxis }, [moveSpec(ctx, runtimes[0]!, layout)]);
  ctx.setRuntime(0, y!, layout);
}

function concatCanInt(ctx: NodeContext): boolean {
  const qs = ctx.inputs.map((_, i) => {
    const v = ctx.isDequantized(i) ? ctx.value(i) : undefined;
    return v?.kind === "dq" ? v.src.quant : undefined;
  });
  const q0 = qs[0];
  return (
    q0 !== undefined &&
    qs.every((q) => q !== undefined && q.scale[0] === q0.scale[0] && q.zeroPoint[0] === q0.zeroPoint[0])
  );
}

/** Per-axis [before, after] paddings in ONNX axis order. */
function padAmounts(ctx: NodeContext, rank: number): { before: number[]; after: number[]; value: number } {
  let pads: number[];
  let axes = [...Array(rank).keys()];
  let value: number;
  if (ctx.opset < 11) {
    pads = ctx.attrs.ints("pads") ?? [];
    value = ctx.attrs.float("value", 0);
  } else {
    pads = ctx.constInts(1, "pads");
    value = ctx.has(2) ? ctx.constScalar(2, "constant_value") : 0;
    if (ctx.has(3)) axes = ctx.constInts(3, "axes").map((a) => axisOf(a, rank, ctx.name));
  }
  if (pads.length !== 2 * axes.length)
    throw ctx.error("MCU_E_ONNX_INVALID", `pads must have ${2 * axes.length} values`);
  const before = new Array<number>(rank).fill(0);
  const after = new Array<number>(rank).fill(0);
  axes.forEach((a, i) => {
    before[a] = pads[i]!;
    after[a] = pads[i + axes.length]!;
  });
  if ([...before, ...after].some((p) => !Number.isSafeInteger(p) || p < 0))
    throw ctx.unsupported("negative or invalid pads");
  return { before, after, value };
}

function pad(ctx: NodeContext): void {
  const mode = ctx.attrs.string("mode", "constant");
  if (mode !== "constant" && mode !== "reflect" && mode !== "edge")
    throw ctx.unsupported(`Pad mode "${mode}"`);
  const rank = ctx.shape(0).length;
  const { before, after, value } = padAmounts(ctx, rank);
  let x = ctx.runtime(0, "any");
  if (x.layout.kind === "flat") x = ctx.toLayout(x, ONNX_LAYOUT);
  const onnxAxes = isChannelsLast(x.layout) ? onnxAxesOfIr(x.layout) : [...Array(rank).keys()];
  const paddings = onnxAxes.flatMap((a) => (a < 0 ? [0, 0] : [before[a]!, after[a]!]));
  const [y] = ctx.emit("core.pad", [x.id], { paddings, mode, value }, [moveSpec(ctx, x, x.layout)]);
  ctx.setRuntime(0, y!, x.layout);
}

function slice(ctx: NodeContext): void {
  const shape = ctx.shape(0);
  let starts: number[];
  let ends: number[];
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (ctx.opset < 10) {
    starts = ctx.attrs.ints("starts") ?? [];
    ends = ctx.attrs.ints("ends") ?? [];
    axes = ctx.attrs.ints("axes");
  } else {
    starts = ctx.constInts(1, "starts");
    ends = ctx.constInts(2, "ends");
    axes = ctx.has(3) ? ctx.constInts(3, "axes") : undefined;
    steps = ctx.has(4) ? ctx.constInts(4, "steps") : undefined;
  }
  const resolved = resolveSlice(shape, starts, ends, axes, steps, ctx.name);
  if (ctx.isConst(0)) {
    ctx.setConst(0, sliceConst(ctx.constant(0, "data"), resolved, ctx.name));
    return;
  }
  if (resolved.some((r) => r.size === 0)) throw ctx.unsupported("an empty Slice result");
  let x = ctx.runtime(0, "any");
  if (x.layout.kind === "flat") x = ctx.toLayout(x, ONNX_LAYOUT);
  const onnxAxes = isChannelsLast(x.layout) ? onnxAxesOfIr(x.layout) : [...Array(shape.length).keys()];
  const ir = onnxAxes.map((a) => (a < 0 ? { start: 0, end: 1, step: 1, size: 1 } : resolved[a]!));
  const spec = moveSpec(ctx, x, x.layout);
  let y: string;
  if (ir.every((r) => r.step === 1)) {
    [y] = ctx.emit("core.slice", [x.id], { begin: ir.map((r) => r.start), size: ir.map((r) => r.size) }, [
      spec,
    ]) as [string];
  } else {
    // A negative step that runs to the start has end −1, which TF-style slicing reads as the
    // last index: the end mask says "to the start" instead.
    let endMask = 0;
    ir.forEach((r, i) => {
      if (r.end < 0) endMask |= 1 << i;
    });
    const attrs = {
      begin: ir.map((r) => r.start),
      end: ir.map((r) => r.end),
      strides: ir.map((r) => r.step),
      endMask,
    };
    [y] = ctx.emit("core.strided_slice", [x.id], attrs, [spec]) as [string];
  }
  ctx.setRuntime(0, y, x.layout);
}

function identity(ctx: NodeContext): void {
  ctx.setValue(0, ctx.value(0));
}

function cast(ctx: NodeContext): void {
  const to = ctx.attrs.int("to");
  if (to === undefined) throw ctx.error("MCU_E_ONNX_ATTR", "to is required");
  const dtype = irDTypeOf(to, { node: ctx.name });
  const v = ctx.value(0);
  if (v.kind === "const") {
    ctx.setConst(0, castConst(v.t, dtype));
    return;
  }
  const from = v.kind === "dq" ? "float32" : v.dtype;
  if (from === dtype) {
    ctx.setValue(0, v);
    return;
  }
  // Element-wise: the value keeps its layout.
  const x = ctx.runtime(0, "any");
  const [y] = ctx.emit("core.cast", [x.id], { to: dtype }, [{ name: ctx.outName(0, x.layout) }]);
  ctx.setRuntime(0, y!, x.layout);
}

function shapeOp(ctx: NodeContext): void {
  const shape = ctx.shape(0);
  const rank = shape.length;
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const start = clamp(ctx.attrs.int("start", 0));
  const end = clamp(ctx.attrs.int("end", rank));
  const dims = shape.slice(start, Math.max(start, end));
  ctx.setConst(0, makeConst("int64", [dims.length], dims));
}

function size(ctx: NodeContext): void {
  ctx.setConst(0, makeConst("int64", [], [numElements(ctx.shape(0))]));
}

function gather(ctx: NodeContext): void {
  const axis = ctx.attrs.int("axis", 0);
  const indices = ctx.constant(1, "indices");
  if (ctx.isConst(0)) {
    ctx.setConst(0, gatherConst(ctx.constant(0, "data"), indices, axis, ctx.name));
    return;
  }
  // A single index on a runtime tensor: a slice of size 1, then the axis is dropped.
  const shape = ctx.shape(0);
  const a = axisOf(axis, shape.length, ctx.name);
  if (indices.data.length !== 1)
    throw ctx.unsupported("Gather of several indices from a non-constant tensor");
  const dim = shape[a]!;
  let k = Number(indices.data[0]!);
  if (k < 0) k += dim;
  if (!Number.isInteger(k) || k < 0 || k >= dim)
    throw ctx.error("MCU_E_ONNX_INVALID", `Gather index is out of range`);
  const x = ctx.runtime(0, "onnx");
  const out = ctx.outName(0);
  const begin = shape.map((_, i) => (i === a ? k : 0));
  const sizes = shape.map((d, i) => (i === a ? 1 : d));
  const q = x.quant !== undefined ? { quant: x.quant } : {};
  const [s] = ctx.emit("core.slice", [x.id], { begin, size: sizes }, [{ name: `${out}:slice`, ...q }]);
  const target = [...shape.slice(0, a), ...indices.shape, ...shape.slice(a + 1)];
  const [y] = ctx.emitAux("core.reshape", [s!], { shape: target }, [{ name: out, ...q }]);
  ctx.setRuntime(0, y!, ONNX_LAYOUT);
}

function constantOfShape(ctx: NodeContext): void {
  const dims = ctx.constInts(0, "shape");
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0))
    throw ctx.error("MCU_E_ONNX_INVALID", "invalid shape");
  const count = numElements(dims);
  checkConstSize(count, ctx.name);
  const value: ConstTensor = ctx.attrs.tensor("value") ?? makeConst("float32", [1], [0]);
  if (value.data.length !== 1) throw ctx.error("MCU_E_ONNX_ATTR", "value must hold one element");
  ctx.setConst(0, broadcastTo({ ...value, shape: [] }, dims, ctx.name));
}

function range(ctx: NodeContext): void {
  ctx.setConst(
    0,
    rangeConst(ctx.constant(0, "start"), ctx.constant(1, "limit"), ctx.constant(2, "delta"), ctx.name),
  );
}

/** The value of a Constant node (tensor, float(s) or int(s) attribute). */
function constantValue(ctx: NodeContext): ConstTensor {
  const t = ctx.attrs.tensor("value");
  if (t !== undefined) return t;
  if (ctx.attrs.has("value_float")) return makeConst("float32", [], [ctx.attrs.float("value_float", 0)]);
  const fs = ctx.attrs.floats("value_floats");
  if (fs !== undefined) return makeConst("float32", [fs.length], fs);
  const i = ctx.attrs.int("value_int");
  if (i !== undefined) return makeConst("int64", [], [i]);
  const is = ctx.attrs.ints("value_ints");
  if (is !== undefined) return makeConst("int64", [is.length], is);
  throw ctx.unsupported(`a Constant with ${ctx.attrs.names().join(", ") || "no value"}`);
}

function constant(ctx: NodeContext): void {
  ctx.setConst(0, constantValue(ctx));
}

function expand(ctx: NodeContext): void {
  const t = ctx.constant(0, "input");
  const shape = broadcastShape(t.shape, ctx.constInts(1, "shape"), ctx.name);
  ctx.setConst(0, broadcastTo(t, shape, ctx.name));
}

const movement = (run: (ctx: NodeContext) => void, canInt?: (ctx: NodeContext) => boolean): OpHandler => ({
  run,
  int: "movement",
  canInt: canInt ?? ((ctx) => ctx.isDequantized(0)),
});

/** Shape and data-movement handlers. */
export const shapeHandlers: HandlerTable = {
  Flatten: movement(flatten),
  Reshape: movement(reshape),
  Transpose: movement(transpose),
  Squeeze: movement((ctx) => squeezeLike(ctx, (s, axes) => squeezeShape(s, axes, ctx.name))),
  Unsqueeze: movement((ctx) => {
    const axes = axesOf(ctx);
    if (axes === undefined) throw ctx.error("MCU_E_ONNX_INVALID", "Unsqueeze needs axes");
    squeezeLike(ctx, (s) => unsqueezeShape(s, axes, ctx.name));
  }),
  Concat: movement(concat, concatCanInt),
  Pad: { run: pad },
  Slice: movement(slice),
  Identity: { run: identity },
  Dropout: { run: identity },
  Cast: { run: cast },
  Shape: { run: shapeOp },
  Size: { run: size },
  Gather: { run: gather },
  ConstantOfShape: { run: constantOfShape },
  Range: { run: range },
  Constant: { run: constant },
  Expand: { run: expand },
};
