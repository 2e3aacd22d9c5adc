/**
 * Sliding-window geometry of ONNX Conv, ConvTranspose and the pools: kernel_shape, strides,
 * dilations, pads ([x1_begin, x2_begin, ..., x1_end, x2_end]) and auto_pad, turned into the
 * IR's 2-D attributes (1-D windows run over H = 1).
 */
import { axisWindow, type Padding } from "@mcu/tensor";
import type { NodeContext } from "../node-context.js";

/** A resolved window over k spatial axes (k = 1 or 2). */
export interface OnnxWindow {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly begin: readonly number[];
  readonly end: readonly number[];
}

function positiveInts(
  ctx: NodeContext,
  name: string,
  values: readonly number[],
  k: number,
  min: number,
): number[] {
  if (values.length !== k || values.some((v) => !Number.isSafeInteger(v) || v < min)) {
    throw ctx.error("MCU_E_ONNX_ATTR", `${name} must be ${k} integer(s) ≥ ${min}, got [${values.join(",")}]`);
  }
  return [...values];
}

/**
 * Reads the window attributes. `kernel` comes from the weights for convolutions and from
 * `kernel_shape` for pools; `ceilMode` extends the end padding so the last partial window
 * counts (the window must start inside the input or its begin padding, as onnxruntime does).
 */
export function readWindow(
  ctx: NodeContext,
  inSpatial: readonly number[],
  kernelIn?: readonly number[],
  ceilMode = false,
): OnnxWindow {
  const k = inSpatial.length;
  const given = ctx.attrs.ints("kernel_shape");
  const kernel = positiveInts(ctx, "kernel_shape", given ?? kernelIn ?? [], k, 1);
  if (kernelIn !== undefined && given?.some((v, i) => v !== kernelIn[i])) {
    throw ctx.error("MCU_E_ONNX_ATTR", `kernel_shape [${given.join(",")}] disagrees with the weights`);
  }
  const strides = positiveInts(ctx, "strides", ctx.attrs.ints("strides", new Array<number>(k).fill(1)), k, 1);
  const dilations = positiveInts(
    ctx,
    "dilations",
    ctx.attrs.ints("dilations", new Array<number>(k).fill(1)),
    k,
    1,
  );
  const autoPad = ctx.attrs.string("auto_pad", "NOTSET");
  let begin: number[];
  let end: number[];
  if (autoPad === "NOTSET") {
    const pads = positiveInts(
      ctx,
      "pads",
      ctx.attrs.ints("pads", new Array<number>(2 * k).fill(0)),
      2 * k,
      0,
    );
    begin = pads.slice(0, k);
    end = pads.slice(k);
  } else if (autoPad === "VALID") {
    begin = new Array<number>(k).fill(0);
    end = new Array<number>(k).fill(0);
  } else if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
    begin = [];
    end = [];
    for (let i = 0; i < k; i++) {
      const eff = (kernel[i]! - 1) * dilations[i]! + 1;
      const out = Math.ceil(inSpatial[i]! / strides[i]!);
      const total = Math.max((out - 1) * strides[i]! + eff - inSpatial[i]!, 0);
      const small = Math.floor(total / 2);
      begin.push(autoPad === "SAME_UPPER" ? small : total - small);
      end.push(autoPad === "SAME_UPPER" ? total - small : small);
    }
  } else {
    throw ctx.error(
      "MCU_E_ONNX_ATTR",
      `auto_pad "${autoPad}" is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`,
    );
  }
  if (ceilMode) {
    for (let i = 0; i < k; i++) {
      const eff = (kernel[i]! - 1) * dilations[i]! + 1;
      const span = inSpatial[i]! + begin[i]! + end[i]! - eff;
      let out = Math.ceil(span / strides[i]!) + 1;
      if ((out - 1) * strides[i]! >= inSpatial[i]! + begin[i]!) out--;
      const extra = (out - 1) * strides[i]! + eff - (inSpatial[i]! + begin[i]! + end[i]!);
      if (extra > 0) end[i] = end[i]! + extra;
    }
  }
  return { kernel, strides, dilations, begin, end };
}

/** The IR's 2-D attributes for a window: [h, w] values, with 1-D windows over H = 1. */
export function window2d(w: OnnxWindow): {
  readonly kernel: [number, number];
  readonly strides: [number, number];
  readonly dilations: [number, number];
  readonly pads: [number, number, number, number];
} {
  if (w.kernel.length === 1) {
    return {
      kernel: [1, w.kernel[0]!],
      strides: [1, w.strides[0]!],
      dilations: [1, w.dilations[0]!],
      pads: [0, 0, w.begin[0]!, w.end[0]!],
    };
  }
  return {
    kernel: [w.kernel[0]!, w.kernel[1]!],
    strides: [w.strides[0]!, w.strides[1]!],
    dilations: [w.dilations[0]!, w.dilations[1]!],
    pads: [w.begin[0]!, w.end[0]!, w.begin[1]!, w.end[1]!],
  };
}

/**
 * The IR padding for explicit pads [top, bottom, left, right]: VALID when all are zero, SAME
 * when they equal TFLite's SAME padding for this geometry, else EXPLICIT. (The meaning is the
 * same either way; SAME/VALID let a TFLite writer avoid a separate PAD.)
 */
export function canonicalPadding(
  inHW: readonly [number, number],
  kernel: readonly [number, number],
  strides: readonly [number, number],
  dilations: readonly [number, number],
  pads: readonly [number, number, number, number],
): { readonly padding: Padding; readonly pads: [number, number, number, number] } {
  const p: [number, number, number, number] = [pads[0], pads[1], pads[2], pads[3]];
  if (p.every((v) => v === 0)) return { padding: "VALID", pads: p };
  const h = axisWindow(inHW[0], kernel[0], strides[0], dilations[0], "SAME");
  const w = axisWindow(inHW[1], kernel[1], strides[1], dilations[1], "SAME");
  const same = h.padBefore === p[0] && h.padAfter === p[1] && w.padBefore === p[2] && w.padAfter === p[3];
  return { padding: same ? "SAME" : "EXPLICIT", pads: p };
}
