/**
 * Conv and ConvTranspose (ONNX weights OIHW / IOHW) → core.conv2d, core.depthwise_conv2d and
 * core.transpose_conv2d (weights OHWI / 1HWC / OHWI). Activations are taken channels-last;
 * 1-D convolutions run as 2-D over H = 1.
 */
import type { QuantParams, TensorData } from "@mcu/tensor";
import { roundHalfEven } from "../const-eval.js";
import { transposeData } from "../internal/ndarray.js";
import type { NodeContext } from "../node-context.js";
import type { HandlerTable } from "../op-handler.js";
import type { ConstTensor } from "../tensor-proto.js";
import type { OnnxQuant } from "../values.js";
import { canonicalPadding, readWindow, window2d } from "./window.js";

/** ONNX conv weights as 4-D: a 1-D kernel [O, I, k] becomes [O, I, 1, k]. */
function as4d(t: ConstTensor): ConstTensor {
  if (t.shape.length === 4) return t;
  const [o, i, k] = t.shape as [number, number, number];
  return { ...t, shape: [o, i, 1, k] };
}

/** The IR's per-axis parameters of rearranged weights, or per-tensor ones. */
function weightQuant(q: OnnxQuant, irAxis: number): QuantParams {
  return q.scale.length > 1
    ? { scale: q.scale, zeroPoint: q.zeroPoint, axis: irAxis }
    : { scale: q.scale, zeroPoint: q.zeroPoint };
}

/**
 * The int32 bias of an integer op: scale s_in · s_w[o] and zero point 0 (TFLite's convention).
 * An int32 DequantizeLinear bias with those scales is kept; a float bias is quantized.
 */
export function integerBias(
  ctx: NodeContext,
  index: number,
  outChannels: number,
  inputScale: number,
  weightScales: readonly number[],
): { readonly t: ConstTensor; readonly quant: QuantParams } | undefined {
  if (!ctx.has(index)) return undefined;
  const scales = Array.from(
    { length: outChannels },
    (_, o) => inputScale * (weightScales[weightScales.length > 1 ? o : 0] ?? 0),
  );
  const perChannel = weightScales.length > 1;
  const quant: QuantParams = perChannel
    ? { scale: scales, zeroPoint: scales.map(() => 0), axis: 0 }
    : { scale: [scales[0]!], zeroPoint: [0] };
  const q = ctx.quantizedConstant(index);
  if (
    q !== undefined &&
    q.t.dtype === "int32" &&
    q.t.data.length === outChannels &&
    q.quant.zeroPoint.every((z) => z === 0) &&
    scales.every((s, o) => Math.abs((q.quant.scale[q.quant.scale.length > 1 ? o : 0] ?? 0) - s) <= 1e-6 * s)
  ) {
    // Keep the file's own (float32) scales: a dequantize then reproduces onnxruntime's bias.
    const own = scales.map((_, o) => q.quant.scale[q.quant.scale.length > 1 ? o : 0]!);
    const fileQuant: QuantParams = perChannel
      ? { scale: own, zeroPoint: own.map(() => 0), axis: 0 }
      : { scale: [own[0]!], zeroPoint: [0] };
    return { t: { dtype: "int32", shape: [outChannels], data: q.t.data }, quant: fileQuant };
  }
  const f = ctx.constant(index, "bias");
  if (f.data.length !== outChannels) throw ctx.error("MCU_E_SHAPE", `bias must have ${outChannels} values`);
  const data = new Int32Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    const v = roundHalfEven(Number(f.data[o]!) / scales[o]!);
    data[o] = Math.min(Math.max(v, -2147483648), 2147483647);
  }
  return { t: { dtype: "int32", shape: [outChannels], data }, quant };
}

/** True if the weights (and bias) of a conv-like node allow an integer op. */
function convCanInt(ctx: NodeContext): boolean {
  const w = ctx.quantizedConstant(1);
  if (w === undefined || (w.t.dtype !== "int8" && w.t.dtype !== "uint8")) return false;
  if (w.quant.scale.length > 1 && w.quant.axis !== (ctx.opType === "ConvTranspose" ? 1 : 0)) return false;
  if (!ctx.isDequantized(0)) return false;
  return !ctx.has(2) || ctx.isConst(2);
}

function conv(ctx: NodeContext): void {
  const rank = ctx.shape(0).length;
  const layout = ctx.channelsLast(rank);
  const x = ctx.runtime(0, "channels-last");
  const wFloat = ctx.constant(1, "weight");
  if (wFloat.shape.length !== rank)
    throw ctx.error("MCU_E_SHAPE", `weights of rank ${wFloat.shape.length} for a rank-${rank} input`);
  const int = ctx.intMode !== undefined ? ctx.quantizedConstant(1) : undefined;
  const w = as4d(int !== undefined ? int.t : wFloat);
  const [o, ig, kh, kw] = w.shape as [number, number, number, number];
  const c = ctx.shape(0)[1]!;
  const group = ctx.attrs.int("group", 1);
  if (!Number.isSafeInteger(group) || group < 1 || ig * group !== c || o % group !== 0) {
    throw ctx.error(
      "MCU_E_SHAPE",
      `${group} group(s) do not fit ${c} input channels and weights [${wFloat.shape.join(",")}]`,
    );
  }
  const spatial = ctx.shape(0).slice(2);
  const win = window2d(readWindow(ctx, spatial, rank === 4 ? [kh, kw] : [kw]));
  const inHW: [number, number] = rank === 4 ? [spatial[0]!, spatial[1]!] : [1, spatial[0]!];
  const pad = canonicalPadding(inHW, win.kernel, win.strides, win.dilations, win.pads);
  const depthwise = group > 1 && group === c;
  // OIHW → OHWI; depthwise [C·m, 1, kh, kw] → [1, kh, kw, C·m].
  const perm = depthwise ? [1, 2, 3, 0] : [0, 2, 3, 1];
  const data: TensorData = transposeData(w.data, w.shape, perm);
  const irShape = depthwise ? [1, kh, kw, o] : [o, kh, kw, ig];
  const wName = ctx.inputs[1]!;
  const wq = int !== undefined ? weightQuant(int.quant, depthwise ? 3 : 0) : undefined;
  const wId = ctx.irConstant(
    `conv:${wName}:${depthwise}:${int !== undefined}`,
    wName,
    { dtype: w.dtype, shape: irShape, data },
    wq,
  );
  const inputs = [x.id, wId];
  if (ctx.has(2)) inputs.push(biasId(ctx, o, x, int?.quant));
  const attrs = {
    strides: win.strides,
    dilations: win.dilations,
    padding: pad.padding,
    pads: pad.pads,
    ...(depthwise ? { depthMultiplier: o / c } : { groups: group }),
  };
  const [y] = ctx.emit(depthwise ? "core.depthwise_conv2d" : "core.conv2d", inputs, attrs, [
    ctx.outSpec(0, layout),
  ]);
  ctx.setRuntime(0, y!, layout);
}

/** The IR id of a conv-like node's bias input (int32 in integer mode). */
function biasId(
  ctx: NodeContext,
  outChannels: number,
  x: { readonly quant?: QuantParams },
  wq: OnnxQuant | undefined,
): string {
  const name = ctx.inputs[2]!;
  if (wq !== undefined && x.quant !== undefined) {
    const b = integerBias(ctx, 2, outChannels, x.quant.scale[0]!, wq.scale)!;
    return ctx.irConstant(`bias:${name}:int`, name, b.t, b.quant);
  }
  const f = ctx.constant(2, "bias");
  if (f.data.length !== outChannels) throw ctx.error("MCU_E_SHAPE", `bias must have ${outChannels} values`);
  return ctx.irConstant(`bias:${name}`, name, { ...f, shape: [outChannels] });
}

function convTranspose(ctx: NodeContext): void {
  const rank = ctx.shape(0).length;
  const layout = ctx.channelsLast(rank);
  const x = ctx.runtime(0, "channels-last");
  const wFloat = ctx.constant(1, "weight");
  if (wFloat.shape.length !== rank)
    throw ctx.error("MCU_E_SHAPE", `weights of rank ${wFloat.shape.length} for a rank-${rank} input`);
  const group = ctx.attrs.int("group", 1);
  if (group !== 1) throw ctx.unsupported(`ConvTranspose with group = ${group}`);
  const int = ctx.intMode !== undefined ? ctx.quantizedConstant(1) : undefined;
  const w = as4d(int !== undefined ? int.t : wFloat);
  const [ci, o, kh, kw] = w.shape as [number, number, number, number];
  const c = ctx.shape(0)[1]!;
  if (ci !== c)
    throw ctx.error("MCU_E_SHAPE", `weights [${wFloat.shape.join(",")}] do not fit ${c} input channels`);
  const spatial = ctx.shape(0).slice(2);
  const k = spatial.length;
  const kernel = rank === 4 ? [kh, kw] : [kw];
  // readWindow's SAME rule is the forward conv's; ConvTranspose computes its own below.
  const given = ctx.attrs.ints("kernel_shape");
  if (given !== undefined && (given.length !== k || given.some((v, i) => v !== kernel[i]))) {
    throw ctx.error("MCU_E_ONNX_ATTR", `kernel_shape [${given.join(",")}] disagrees with the weights`);
  }
  const ints = (name: string, dflt: number, n: number, min: number): number[] => {
    const v = ctx.attrs.ints(name, new Array<number>(n).fill(dflt));
    if (v.length !== n || v.some((e) => !Number.isSafeInteger(e) || e < min)) {
      throw ctx.error("MCU_E_ONNX_ATTR", `${name} must be ${n} integer(s) ≥ ${min}`);
    }
    return v;
  };
  const strides = ints("strides", 1, k, 1);
  const dilations = ints("dilations", 1, k, 1);
  const outPad = ints("output_padding", 0, k, 0);
  const autoPad = ctx.attrs.string("auto_pad", "NOTSET");
  const outputShape = ctx.attrs.ints("output_shape");
  let begin: number[];
  let end: number[];
  // ONNX ConvTranspose: out = s·(in − 1) + output_padding + ((k − 1)·d + 1) − pad_begin − pad_end;
  // with output_shape (or SAME_*: output = in · s) the total padding follows from the output.
  if (outputShape !== undefined || autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
    const target = outputShape !== undefined ? outputShape.slice(-k) : spatial.map((d, i) => d * strides[i]!);
    if (target.length !== k) throw ctx.error("MCU_E_ONNX_ATTR", "output_shape has the wrong length");
    begin = [];
    end = [];
    for (let i = 0; i < k; i++) {
      const eff = (kernel[i]! - 1) * dilations[i]! + 1;
      const total = strides[i]! * (spatial[i]! - 1) + outPad[i]! + eff - target[i]!;
      if (total < 0) throw ctx.unsupported("ConvTranspose output_shape larger than the full output");
      const half = Math.floor(total / 2);
      begin.push(autoPad === "SAME_UPPER" ? half : total - half);
      end.push(autoPad === "SAME_UPPER" ? total - half : half);
    }
  } else if (autoPad === "VALID") {
    begin = new Array<number>(k).fill(0);
    end = new Array<number>(k).fill(0);
  } else if (autoPad === "NOTSET") {
    const pads = ints("pads", 0, 2 * k, 0);
    begin = pads.slice(0, k);
    end = pads.slice(k);
  } else {
    throw ctx.error("MCU_E_ONNX_ATTR", `auto_pad "${autoPad}" is not valid`);
  }
  const win = window2d({ kernel, strides, dilations, begin, end });
  const outputPadding = rank === 4 ? outPad : [0, outPad[0]!];
  // IOHW → OHWI.
  const data = transposeData(w.data, w.shape, [1, 2, 3, 0]);
  const wName = ctx.inputs[1]!;
  const wq = int !== undefined ? weightQuant(int.quant, 0) : undefined;
  const wId = ctx.irConstant(
    `convT:${wName}:${int !== undefined}`,
    wName,
    { dtype: w.dtype, shape: [o, kh, kw, ci], data },
    wq,
  );
  const inputs = [x.id, wId];
  if (ctx.has(2)) inputs.push(biasId(ctx, o, x, int?.quant));
  const attrs = {
    strides: win.strides,
    dilations: win.dilations,
    padding: "EXPLICIT",
    pads: win.pads,
    outputPadding,
  };
  const [y] = ctx.emit("core.transpose_conv2d", inputs, attrs, [ctx.outSpec(0, layout)]);
  ctx.setRuntime(0, y!, layout);
}

/** Conv handlers. */
export const convHandlers: HandlerTable = {
  Conv: { run: conv, int: "compute", canInt: convCanInt },
  ConvTranspose: { run: convTranspose, int: "compute", canInt: convCanInt },
};
