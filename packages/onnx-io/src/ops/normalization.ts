/** BatchNormalization (inference form), Softmax and LogSoftmax. */
import { numElements } from "@mcu/tensor";
import { axisOf } from "../const-eval.js";
import { irAxisOf, isChannelsLast, ONNX_LAYOUT } from "../layout.js";
import { type NodeContext, permuteFeatures } from "../node-context.js";
import type { HandlerTable } from "../op-handler.js";
import type { ConstTensor } from "../tensor-proto.js";

/**
 * BatchNormalization: y = scale · (x − mean) / sqrt(var + epsilon) + B over channel axis 1,
 * i.e. the last IR axis for channels-last and rank-2 values. Only inference: training_mode
 * and the running-statistics outputs are refused.
 */
function batchNormalization(ctx: NodeContext): void {
  if (ctx.attrs.int("training_mode", 0) !== 0) throw ctx.unsupported("BatchNormalization in training mode");
  const rank = ctx.shape(0).length;
  let x = ctx.runtime(0, "any");
  if (rank >= 3) x = ctx.runtime(0, "channels-last");
  else if (rank !== 2) throw ctx.unsupported(`BatchNormalization of a rank-${rank} tensor`);
  else if (x.layout.kind !== "flat") x = ctx.toLayout(x, ONNX_LAYOUT);
  const c = ctx.shape(0)[1]!;
  const names = ["scale", "B", "mean", "var"];
  const params = [1, 2, 3, 4].map((i, k): string => {
    const t = ctx.constant(i, names[k]!);
    if (numElements(t.shape) !== c) throw ctx.error("MCU_E_SHAPE", `${names[k]} must have ${c} values`);
    if (t.dtype !== "float32") throw ctx.unsupported(`a ${t.dtype} ${names[k]}`);
    const data = x.layout.kind === "flat" ? permuteFeatures(t.data, x.layout.c, x.layout.s, 1) : t.data;
    const key = `bn:${ctx.inputs[i]}:${x.layout.kind}`;
    const asFloat: ConstTensor = { dtype: t.dtype, shape: [c], data };
    return ctx.irConstant(key, ctx.inputs[i]!, asFloat);
  });
  const epsilon = ctx.attrs.float("epsilon", 1e-5);
  const [y] = ctx.emit("core.batch_norm", [x.id, ...params], { epsilon, axis: -1 }, [
    ctx.outSpec(0, x.layout),
  ]);
  ctx.setRuntime(0, y!, x.layout);
}

/**
 * Softmax / LogSoftmax. From opset 13 along one axis (default −1); before, over the 2-D
 * coercion [prod(shape[:axis]), prod(shape[axis:])] (default axis 1), emitted as a reshape,
 * a softmax over the last axis and a reshape back.
 */
function softmax(ctx: NodeContext, op: "core.softmax" | "core.log_softmax"): void {
  const shape = ctx.shape(0);
  const rank = shape.length;
  const axis = axisOf(ctx.attrs.int("axis", ctx.opset >= 13 ? -1 : 1), rank, ctx.name);
  const extra = op === "core.softmax" ? { beta: 1 } : {};
  if (ctx.opset >= 13 || axis === rank - 1) {
    let x = ctx.runtime(0, "any");
    if (!isChannelsLast(x.layout) && x.layout.kind !== "onnx") x = ctx.toLayout(x, ONNX_LAYOUT);
    const irAxis = isChannelsLast(x.layout) ? irAxisOf(axis, x.layout) : axis;
    const [y] = ctx.emit(op, [x.id], { ...extra, axis: irAxis }, [ctx.outSpec(0, x.layout)]);
    ctx.setRuntime(0, y!, x.layout);
    return;
  }
  const x = ctx.runtime(0, "onnx");
  const rows = numElements(shape.slice(0, axis));
  const cols = numElements(shape.slice(axis));
  const out = ctx.outName(0);
  const [a] = ctx.emitAux("core.reshape", [x.id], { shape: [rows, cols] }, [{ name: `${out}:2d` }]);
  const [b] = ctx.emit(op, [a!], { ...extra, axis: -1 }, [{ name: `${out}:2d-softmax` }]);
  const [y] = ctx.emitAux("core.reshape", [b!], { shape: [...shape] }, [{ name: out }]);
  ctx.setRuntime(0, y!, ONNX_LAYOUT);
}

/** Normalization handlers. */
export const normalizationHandlers: HandlerTable = {
  BatchNormalization: { run: batchNormalization },
  Softmax: { run: (ctx) => softmax(ctx, "core.softmax") },
  LogSoftmax: { run: (ctx) => softmax(ctx, "core.log_softmax") },
};
