/**
 * Layer features: the few numbers a kernel's cost is linear in, and the kernel class that
 * decides which coefficients apply. Classes follow the kernel variants that TFLM + CMSIS-NN and
 * codegen-c actually dispatch to (CMSIS-NN `arm_convolve_wrapper_s8` picks a 1×1 fast path,
 * `arm_depthwise_conv_wrapper_s8` an optimized path for channel multiplier 1), because per-MAC
 * cost differs several-fold between them (MicroNets, Banbury et al. 2021, §4: latency is linear
 * in op count *per op type*).
 */
import { numElements } from "@mcu/tensor";
import type { CostNodeContext } from "./cost-contract.js";

/** The kernel classes of the builtin cost model. */
export const KERNEL_CLASSES = [
  "conv-1x1",
  "conv",
  "depthwise",
  "depthwise-mult",
  "dense",
  "pool",
  "elementwise",
  "softmax",
  "reduce",
  "copy",
  "view",
  "recurrent",
] as const;

/** A kernel class. */
export type KernelClass = (typeof KERNEL_CLASSES)[number];

/** The numbers a layer's cost is linear in. */
export interface LayerFeatures {
  /** Multiply-accumulates (for pooling: window elements read). */
  readonly macs: number;
  /** Output elements written. */
  readonly outputs: number;
  /** Elements an im2col step copies (non-1×1 convolutions): output pixels × kh·kw·cin. */
  readonly im2col: number;
}

const VIEW_OPS = new Set(["core.reshape", "core.flatten", "core.squeeze", "core.expand_dims"]);
const COPY_OPS = new Set([
  "core.transpose",
  "core.concat",
  "core.pad",
  "core.slice",
  "core.strided_slice",
  "core.cast",
]);
const SOFTMAX_OPS = new Set(["core.softmax", "core.log_softmax"]);
const DENSE_OPS = new Set(["core.fully_connected", "core.matmul", "core.batch_matmul"]);
const RECURRENT_OPS = new Set(["core.svdf", "core.unidirectional_sequence_lstm"]);

function outputsOf(ctx: CostNodeContext): number {
  let n = 0;
  for (const t of ctx.outputs) n += numElements(t.shape);
  return n;
}

/** The kernel class of a core op node (undefined for ops the builtin model does not know). */
export function kernelClassOf(ctx: CostNodeContext): KernelClass | undefined {
  const op = ctx.node.op;
  if (op === "core.conv2d" || op === "core.transpose_conv2d") {
    const w = ctx.inputs[1];
    const strides = (ctx.attrs.strides as readonly number[] | undefined) ?? [1, 1];
    const pointwise =
      op === "core.conv2d" &&
      w !== undefined &&
      w.shape[1] === 1 &&
      w.shape[2] === 1 &&
      strides[0] === 1 &&
      strides[1] === 1 &&
      (ctx.attrs.groups ?? 1) === 1;
    return pointwise ? "conv-1x1" : "conv";
  }
  if (op === "core.depthwise_conv2d")
    return (ctx.attrs.depthMultiplier ?? 1) === 1 ? "depthwise" : "depthwise-mult";
  if (DENSE_OPS.has(op)) return "dense";
  if (op === "core.max_pool2d" || op === "core.avg_pool2d") return "pool";
  if (op === "core.mean") return "reduce";
  if (SOFTMAX_OPS.has(op)) return "softmax";
  if (VIEW_OPS.has(op)) return "view";
  if (COPY_OPS.has(op)) return "copy";
  if (RECURRENT_OPS.has(op)) return "recurrent";
  if (op === "core.custom") return undefined;
  if (op.startsWith("core.")) return "elementwise";
  return undefined;
}

/** The features of a node for the builtin linear cost model. */
export function layerFeatures(ctx: CostNodeContext): LayerFeatures {
  const outputs = outputsOf(ctx);
  const op = ctx.node.op;
  let macs = ctx.macs;
  let im2col = 0;
  if (op === "core.max_pool2d" || op === "core.avg_pool2d") {
    const f = (ctx.attrs.filter as readonly number[] | undefined) ?? [1, 1];
    macs = outputs * (f[0] ?? 1) * (f[1] ?? 1);
  } else if (op === "core.mean") {
    const x = ctx.inputs[0];
    macs = x === undefined ? 0 : numElements(x.shape);
  } else if (op === "core.conv2d" && kernelClassOf(ctx) === "conv") {
    const w = ctx.inputs[1];
    const y = ctx.outputs[0];
    if (w !== undefined && y !== undefined) {
      const [o, kh, kw, i] = w.shape as [number, number, number, number];
      im2col = (numElements(y.shape) / o) * kh * kw * i;
    }
  }
  return { macs, outputs, im2col };
}

/** The numeric variant of a node from its dtypes: what activations flow through it. */
export function dtypeVariant(ctx: CostNodeContext): "int8" | "int16" | "float32" | "other" {
  const x =
    ctx.inputs.find((t) => t !== undefined && t.data === undefined) ?? ctx.inputs[0] ?? ctx.outputs[0];
  const d = x?.dtype;
  if (d === "int8" || d === "uint8") return "int8";
  if (d === "int16") return "int16";
  if (d === "float32") return "float32";
  return "other";
}
