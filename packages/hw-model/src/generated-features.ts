/**
 * Features of latency model (a): the numbers the instruction count of @mcu/codegen-c's kernels
 * is linear in, per layer. They follow the structure of the generated C rather than TFLM's
 * (model b uses {@link layerFeatures}):
 *
 * - conv2d, a depthwise conv of one input channel, and fully connected layers of ≥ 2 rows run on
 *   the gemm core, which packs K = kh·kw·cin weights in ⌈K/4⌉ words and works on two pixels at
 *   a time, two channels at a time: cost ≈ a·(pixels·cout·4⌈K/4⌉ padded MACs) + b·outputs
 *   (requantize + store) + c·pixels·⌈K/4⌉ (widening the patch) + d·pixels + e·pixels with an
 *   odd last channel (its own loop), plus the im2col gather when the
 *   receptive field is not the input pixel itself: per window row, per tap inside the image one
 *   byte copy (one channel) or one memcpy (several; plus its bytes), per tap outside one memset;
 * - fully connected (one row): the one-pixel gemm, a·rows·cout·4⌈K/4⌉ + b·outputs;
 * - depthwise (multiplier 1 with several channels): per MAC, per output (requantize), per output
 *   pixel and tap (tap pointers, borders), per pixel; multiplier > 1 runs another kernel with its
 *   own coefficients;
 * - pooling (per window element and per output), mean (per input and output element), softmax
 *   (per output and per row), integer element-wise ops (per output), quantize and dequantize
 *   between float and integer (per element each: float arithmetic, software double on cores
 *   without a double-precision FPU), data movement (per output; padding apart), float32 layers
 *   (codegen-c's float kernels: per MAC of convolutions and of dense layers, per window element,
 *   per output — software floating point on cores without an FPU);
 * - a store that clamps to a fused activation range narrower than the integer type costs more
 *   than one that saturates only (per output);
 * - a constant per layer (call, descriptor loads), and per inference the copies of inputs and
 *   outputs in and out of the arena (per byte) and a constant.
 */
import { numElements, type TensorInfo, window2d } from "@mcu/tensor";
import type { CostNodeContext } from "./cost-contract.js";
import { dtypeVariant, kernelClassOf } from "./layer-features.js";

/** The coefficients of latency model (a), in instructions. */
export const GENERATED_PARAMETERS = [
  "gemmMac",
  "gemmMacClamp",
  "gemmOutput",
  "gemmWiden",
  "gemmPixel",
  "gemmTail",
  "patchTapByte",
  "patchTapCopy",
  "patchTapPad",
  "patchRow",
  "patchByte",
  "soloPatchTapByte",
  "soloPatchTapCopy",
  "soloPatchTapPad",
  "soloPatchRow",
  "denseMac",
  "denseOutput",
  "denseRowPad",
  "denseTail",
  "dwMac",
  "dwOutput",
  "dwPixelTap",
  "dwPixel",
  "dwRow",
  "dwBorderTap",
  "dwBorderByte",
  "dwMultMac",
  "dwMultOutput",
  "dwMultPixelTap",
  "clampOutput",
  "eltOutput",
  "quantizeOutput",
  "dequantizeOutput",
  "poolElement",
  "poolOutput",
  "reduceElement",
  "reduceOutput",
  "softmaxOutput",
  "softmaxRow",
  "copyOutput",
  "padOutput",
  "floatConvMac",
  "floatDenseMac",
  "floatOutput",
  "layer",
  "ioByte",
  "invoke",
] as const;

/** A coefficient of model (a). */
export type GeneratedParameter = (typeof GENERATED_PARAMETERS)[number];

/** Coefficients of model (a) for one core family. */
export type GeneratedTheta = Readonly<Record<GeneratedParameter, number>>;

const INDEX: Readonly<Record<GeneratedParameter, number>> = Object.fromEntries(
  GENERATED_PARAMETERS.map((p, i) => [p, i]),
) as Record<GeneratedParameter, number>;

function zeros(): number[] {
  return new Array<number>(GENERATED_PARAMETERS.length).fill(0);
}

function lastDim(t: TensorInfo | undefined): number {
  return t === undefined || t.shape.length === 0 ? 1 : t.shape[t.shape.length - 1]!;
}

const CONVERT_OPS = new Set(["core.quantize", "core.dequantize"]);

/** Elements a pooling window or a reduction reads. */
function layerElements(ctx: CostNodeContext, cls: string, outputs: number): number {
  if (cls === "reduce") return ctx.inputs[0] === undefined ? 0 : numElements(ctx.inputs[0].shape);
  const f = (ctx.attrs.filter as readonly number[] | undefined) ?? [1, 1];
  return outputs * (f[0] ?? 1) * (f[1] ?? 1);
}

/** A convolution window over the input: output size and where it starts (padding). */
interface WindowGeometry {
  readonly inH: number;
  readonly inW: number;
  readonly outH: number;
  readonly outW: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  readonly padTop: number;
  readonly padLeft: number;
}

function windowOf(ctx: CostNodeContext, kh: number, kw: number): WindowGeometry | undefined {
  const x = ctx.inputs[0];
  if (x === undefined || x.shape.length !== 4) return undefined;
  const strides = (ctx.attrs.strides as readonly number[] | undefined) ?? [1, 1];
  const dilations = (ctx.attrs.dilations as readonly number[] | undefined) ?? [1, 1];
  const padding = (ctx.attrs.padding as "SAME" | "VALID" | "EXPLICIT" | undefined) ?? "VALID";
  const pads = (ctx.attrs.pads as readonly number[] | undefined) ?? [0, 0, 0, 0];
  const [, inH, inW] = x.shape as [number, number, number, number];
  try {
    const w = window2d(inH, inW, kh, kw, strides, dilations, padding, pads);
    return {
      inH,
      inW,
      outH: w.outH,
      outW: w.outW,
      kh,
      kw,
      sh: strides[0]!,
      sw: strides[1]!,
      dh: dilations[0]!,
      dw: dilations[1]!,
      padTop: w.padTop,
      padLeft: w.padLeft,
    };
  } catch {
    return undefined;
  }
}

/** Per axis: taps inside the input summed over outputs, and outputs whose whole window is inside. */
function axisCounts(inLen: number, outLen: number, k: number, s: number, d: number, pad: number) {
  let inside = 0;
  let whole = 0;
  for (let o = 0; o < outLen; o++) {
    let n = 0;
    for (let t = 0; t < k; t++) {
      const i = o * s - pad + t * d;
      if (i >= 0 && i < inLen) n++;
    }
    inside += n;
    if (n === k) whole++;
  }
  return { inside, whole };
}

/** Taps of all windows that fall inside the input, and windows that leave it (border windows). */
function windowCounts(g: WindowGeometry): { insideTaps: number; borderWindows: number } {
  const h = axisCounts(g.inH, g.outH, g.kh, g.sh, g.dh, g.padTop);
  const w = axisCounts(g.inW, g.outW, g.kw, g.sw, g.dw, g.padLeft);
  return { insideTaps: h.inside * w.inside, borderWindows: g.outH * g.outW - h.whole * w.whole };
}

/**
 * True when the layer's fused activation clamps the output to less than its integer type's range
 * (TFLite's CalculateActivationRangeQuantized: RELU from the zero point, RELU6 to
 * zero point + round(6 / scale), RELU_N1_TO_1 to ±1): the kernels' stores then clamp.
 */
export function activationClamps(ctx: CostNodeContext): boolean {
  const y = ctx.outputs[0];
  const act = ctx.attrs.fusedActivation as string | undefined;
  if (y === undefined || act === undefined || act === "NONE" || y.quant === undefined) return false;
  const bits = y.dtype === "int8" ? 8 : y.dtype === "int16" ? 16 : 0;
  if (bits === 0) return false;
  const qmin = -(2 ** (bits - 1));
  const qmax = 2 ** (bits - 1) - 1;
  const scale = y.quant.scale[0] ?? 1;
  const zp = y.quant.zeroPoint[0] ?? 0;
  const quantize = (f: number) => zp + Math.round(f / scale);
  let lo = qmin;
  let hi = qmax;
  if (act === "RELU" || act === "RELU6") lo = Math.max(qmin, quantize(0));
  if (act === "RELU6") hi = Math.min(qmax, quantize(6));
  if (act === "RELU_N1_TO_1") {
    lo = Math.max(qmin, quantize(-1));
    hi = Math.min(qmax, quantize(1));
  }
  return lo > qmin || hi < qmax;
}

/** Features of a convolution on the gemm core (see the file comment). */
function gemmConv(
  x: number[],
  ctx: CostNodeContext,
  k: { kh: number; kw: number; cinPerGroup: number; groups: number; direct: boolean; solo: boolean },
): void {
  const y = ctx.outputs[0]!;
  const cout = lastDim(y);
  const pixels = numElements(y.shape) / cout;
  const K = k.kh * k.kw * k.cinPerGroup;
  const words = Math.ceil(K / 4);
  // The gemm's fastest inner loop saturates to the whole int8 range only; a narrower activation
  // range takes another loop: its own coefficient.
  x[activationClamps(ctx) ? INDEX.gemmMacClamp : INDEX.gemmMac] = pixels * cout * 4 * words;
  x[INDEX.gemmOutput] = pixels * cout;
  x[INDEX.gemmWiden] = pixels * words * k.groups;
  x[INDEX.gemmPixel] = pixels * k.groups;
  x[INDEX.gemmTail] = (cout / k.groups) % 2 === 1 ? pixels * k.groups : 0;
  if (k.direct) return;
  const g = windowOf(ctx, k.kh, k.kw);
  const batches = g === undefined ? 1 : pixels / (g.outH * g.outW);
  const taps = pixels * k.kh * k.kw * k.groups;
  const inside = g === undefined ? taps : windowCounts(g).insideTaps * batches * k.groups;
  // A kernel only this layer calls is specialized by the compiler for its constant geometry: its
  // im2col loop gets its own coefficients.
  if (k.cinPerGroup === 1) x[k.solo ? INDEX.soloPatchTapByte : INDEX.patchTapByte] = inside;
  else x[k.solo ? INDEX.soloPatchTapCopy : INDEX.patchTapCopy] = inside;
  x[k.solo ? INDEX.soloPatchTapPad : INDEX.patchTapPad] = taps - inside;
  x[k.solo ? INDEX.soloPatchRow : INDEX.patchRow] = pixels * k.kh * k.groups;
  x[INDEX.patchByte] = k.cinPerGroup === 1 ? taps - inside : taps * k.cinPerGroup;
}

/**
 * The layer features of a node for model (a) (one entry per {@link GENERATED_PARAMETERS}; the
 * per-inference entries are 0), or undefined for a node the model does not know (a plugin's op).
 * `soleUser`: no other layer calls the node's kernel (see `GeneratedNodeView.soleUser`).
 */
export function generatedLayerFeatures(
  ctx: CostNodeContext,
  options: { readonly soleUser?: boolean } = {},
): number[] | undefined {
  const solo = options.soleUser === true;
  const cls = kernelClassOf(ctx);
  if (cls === undefined) return undefined;
  const x = zeros();
  if (cls === "view") return x;
  x[INDEX.layer] = 1;
  const op = ctx.node.op;
  const y = ctx.outputs[0];
  const outputs = ctx.outputs.reduce((s, t) => s + numElements(t.shape), 0);
  if (CONVERT_OPS.has(op) && ctx.inputs[0]?.dtype !== y?.dtype) {
    x[op === "core.quantize" ? INDEX.quantizeOutput : INDEX.dequantizeOutput] = outputs;
    return x;
  }
  if (dtypeVariant(ctx) === "float32") {
    if (cls === "conv" || cls === "conv-1x1" || cls === "depthwise" || cls === "depthwise-mult")
      x[INDEX.floatConvMac] = ctx.macs;
    else if (cls === "dense") x[INDEX.floatDenseMac] = ctx.macs;
    else if (cls === "pool" || cls === "reduce") x[INDEX.poolElement] = layerElements(ctx, cls, outputs);
    x[INDEX.floatOutput] = outputs;
    return x;
  }
  if (activationClamps(ctx)) x[INDEX.clampOutput] = outputs;
  const w = ctx.inputs[1];
  const xin = ctx.inputs[0];
  if ((op === "core.conv2d" || op === "core.transpose_conv2d") && w !== undefined && w.shape.length === 4) {
    const [, kh, kw, cinPerGroup] = w.shape as [number, number, number, number];
    const groups = Math.max(1, (ctx.attrs.groups as number | undefined) ?? 1);
    const strides = (ctx.attrs.strides as readonly number[] | undefined) ?? [1, 1];
    const inPixels = xin === undefined ? 0 : numElements(xin.shape) / lastDim(xin);
    const outPixels = y === undefined ? 0 : numElements(y.shape) / lastDim(y);
    // codegen's direct case: each patch is the input pixel (1×1, stride 1, no padding, K % 4 == 0).
    const direct =
      op === "core.conv2d" &&
      kh === 1 &&
      kw === 1 &&
      groups === 1 &&
      cinPerGroup % 4 === 0 &&
      strides[0] === 1 &&
      strides[1] === 1 &&
      inPixels === outPixels;
    gemmConv(x, ctx, { kh, kw, cinPerGroup, groups, direct, solo });
    return x;
  }
  if (op === "core.depthwise_conv2d" && w !== undefined && w.shape.length === 4 && xin !== undefined) {
    const [, kh, kw] = w.shape as [number, number, number, number];
    const cin = lastDim(xin);
    if (cin === 1) {
      // One input channel: a conv2d of `multiplier` filters (codegen's depthwise-as-conv kernel).
      gemmConv(x, ctx, { kh, kw, cinPerGroup: 1, groups: 1, direct: kh === 1 && kw === 1, solo });
      return x;
    }
    const pixels = outputs / lastDim(y);
    const mult = (ctx.attrs.depthMultiplier as number | undefined) ?? 1;
    if (mult === 1) {
      const g = windowOf(ctx, kh, kw);
      const border = g === undefined ? 0 : windowCounts(g).borderWindows * (pixels / (g.outH * g.outW));
      x[INDEX.dwMac] = ctx.macs;
      x[INDEX.dwOutput] = outputs;
      x[INDEX.dwPixelTap] = pixels * kh * kw;
      x[INDEX.dwPixel] = pixels;
      x[INDEX.dwRow] = g === undefined ? 0 : pixels / g.outW;
      x[INDEX.dwBorderTap] = border * kh * kw;
      x[INDEX.dwBorderByte] = border * kh * kw * cin;
    } else {
      x[INDEX.dwMultMac] = ctx.macs;
      x[INDEX.dwMultOutput] = outputs;
      x[INDEX.dwMultPixelTap] = pixels * kh * kw;
    }
    return x;
  }
  if (cls === "dense" && w !== undefined && w.shape.length === 2) {
    const [cout, K] = w.shape as [number, number];
    const rows = outputs / cout;
    if (op === "core.fully_connected" && rows >= 2) {
      // Two rows at a time on the gemm core; no im2col (a short row is zero-padded, rarely).
      const words = Math.ceil(K / 4);
      x[activationClamps(ctx) ? INDEX.gemmMacClamp : INDEX.gemmMac] = rows * cout * 4 * words;
      x[INDEX.gemmOutput] = outputs;
      x[INDEX.gemmWiden] = rows * words;
      x[INDEX.gemmPixel] = rows;
      x[INDEX.gemmTail] = cout % 2 === 1 ? rows : 0;
      return x;
    }
    x[INDEX.denseMac] = rows * cout * 4 * Math.ceil(K / 4);
    x[INDEX.denseOutput] = outputs;
    if (K % 4 !== 0) x[INDEX.denseRowPad] = rows;
    // Channels go in pairs; an odd last channel runs its own loop.
    if (cout % 2 === 1) x[INDEX.denseTail] = rows;
    return x;
  }
  switch (cls) {
    case "pool":
      x[INDEX.poolElement] = layerElements(ctx, cls, outputs);
      x[INDEX.poolOutput] = outputs;
      break;
    case "reduce":
      x[INDEX.reduceElement] = layerElements(ctx, cls, outputs);
      x[INDEX.reduceOutput] = outputs;
      break;
    case "softmax":
      x[INDEX.softmaxOutput] = outputs;
      x[INDEX.softmaxRow] = outputs / lastDim(y);
      break;
    case "copy":
      // Padding also writes the border (a fill per output row); the others copy runs of input.
      x[op === "core.pad" ? INDEX.padOutput : INDEX.copyOutput] = outputs;
      break;
    default:
      // Element-wise (add, sub, activations), recurrent and anything else per output element.
      x[INDEX.eltOutput] = outputs;
  }
  return x;
}

/** The per-inference features of a graph: bytes of its inputs and outputs (copied by invoke), and 1. */
export function generatedInvokeFeatures(ioBytes: number): number[] {
  const x = zeros();
  x[INDEX.ioByte] = ioBytes;
  x[INDEX.invoke] = 1;
  return x;
}

/** Instructions of a feature vector under a coefficient set. */
export function generatedInstructionsOf(theta: GeneratedTheta, features: readonly number[]): number {
  let s = 0;
  GENERATED_PARAMETERS.forEach((p, j) => {
    s += (features[j] ?? 0) * theta[p];
  });
  return s;
}
