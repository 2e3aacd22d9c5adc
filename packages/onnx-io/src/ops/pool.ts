/** MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool over channels-last activations. */
import type { NodeContext, QuantizedRuntime } from "../node-context.js";
import type { HandlerTable } from "../op-handler.js";
import { canonicalPadding, readWindow, window2d } from "./window.js";

function pool(ctx: NodeContext, kind: "max" | "avg"): void {
  const rank = ctx.shape(0).length;
  const layout = ctx.channelsLast(rank);
  const x = ctx.runtime(0, "channels-last");
  const spatial = ctx.shape(0).slice(2);
  if (ctx.attrs.ints("kernel_shape") === undefined)
    throw ctx.error("MCU_E_ONNX_ATTR", "kernel_shape is required");
  const ceil = ctx.attrs.int("ceil_mode", 0) !== 0;
  const w = readWindow(ctx, spatial, undefined, ceil);
  if (w.dilations.some((d) => d !== 1)) throw ctx.unsupported("pooling with dilations");
  const includePad = kind === "avg" && ctx.attrs.int("count_include_pad", 0) !== 0;
  if (includePad && ceil) {
    const plain = readWindow(ctx, spatial, undefined, false);
    if (plain.end.some((e, i) => e !== w.end[i]))
      throw ctx.unsupported("AveragePool with ceil_mode and count_include_pad");
  }
  const win = window2d(w);
  const inHW: [number, number] = rank === 4 ? [spatial[0]!, spatial[1]!] : [1, spatial[0]!];
  const pad = includePad
    ? { padding: "EXPLICIT", pads: win.pads }
    : canonicalPadding(inHW, win.kernel, win.strides, [1, 1], win.pads);
  const attrs = {
    filter: win.kernel,
    strides: win.strides,
    padding: pad.padding,
    pads: pad.pads,
    ...(kind === "avg" ? { countIncludePad: includePad } : {}),
  };
  const spec = ctx.outSpec(0, layout, x.quant !== undefined ? (x as QuantizedRuntime) : undefined);
  const [y] = ctx.emit(kind === "max" ? "core.max_pool2d" : "core.avg_pool2d", [x.id], attrs, [spec]);
  ctx.setRuntime(0, y!, layout);
}

function globalPool(ctx: NodeContext, kind: "max" | "avg"): void {
  const rank = ctx.shape(0).length;
  const layout = ctx.channelsLast(rank);
  const x = ctx.runtime(0, "channels-last");
  const spec = ctx.outSpec(0, layout, x.quant !== undefined ? (x as QuantizedRuntime) : undefined);
  const [, h, w] = ctx.runtimeOf(x.id).shape as [number, number, number, number];
  const [y] =
    kind === "avg"
      ? ctx.emit("core.mean", [x.id], { axes: [1, 2], keepDims: true }, [spec])
      : ctx.emit("core.max_pool2d", [x.id], { filter: [h, w], strides: [1, 1], padding: "VALID" }, [spec]);
  ctx.setRuntime(0, y!, layout);
}

const canInt = (ctx: NodeContext): boolean => ctx.isDequantized(0);

/** Pooling handlers. */
export const poolHandlers: HandlerTable = {
  MaxPool: { run: (ctx) => pool(ctx, "max"), int: "movement", canInt },
  AveragePool: { run: (ctx) => pool(ctx, "avg"), int: "movement", canInt },
  GlobalAveragePool: { run: (ctx) => globalPool(ctx, "avg"), int: "movement", canInt },
  GlobalMaxPool: { run: (ctx) => globalPool(ctx, "max"), int: "movement", canInt },
};
