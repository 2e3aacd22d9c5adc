/**
 * Cost contributions for the core ops: float32 kernels and the builtin int8 / int16 kernels
 * (TFLite builtin numerics). The numeric variant of a node is read from its dtypes, never from
 * the package that produced it. Compression plugins contribute their own variants the same way
 * (see the README's plugin contract).
 */
import {
  type CoreCostContext,
  type CostNodeContext,
  constantBytesAsStored,
  defineCost,
  type HwCostContribution,
} from "./cost-contract.js";
import { CORE_FAMILY_SPECS, type CoreFamily } from "./cores.js";
import { type KernelClass, dtypeVariant, kernelClassOf, layerFeatures } from "./layer-features.js";
import { type InstructionModel, layerInstructions } from "./linear-cost.js";
import { RUNTIME_MODELS } from "./runtime-models.js";

/** The numeric variants of the builtin contributions. */
export const BUILTIN_VARIANTS = ["int8", "int16", "float32", "other"] as const;
type Variant = (typeof BUILTIN_VARIANTS)[number];

const MAC_CLASSES = new Set<KernelClass>(["conv-1x1", "conv", "depthwise", "depthwise-mult", "dense"]);

/**
 * Flash bytes of a kernel's implementation, by class (Thumb-2, -O2). Initial estimates sized
 * on CMSIS-NN-like loops; `KERNEL_CODE_CALIBRATED` says whether codegen-c's arm-none-eabi-size
 * figures have replaced them.
 */
const KERNEL_CODE_BYTES: Readonly<Record<KernelClass, number>> = {
  "conv-1x1": 900,
  conv: 1400,
  depthwise: 1000,
  "depthwise-mult": 800,
  dense: 600,
  pool: 400,
  elementwise: 350,
  softmax: 700,
  reduce: 300,
  copy: 250,
  view: 0,
  recurrent: 1500,
};

/** Flash bytes of one layer's call site and constant descriptor. */
const LAYER_CODE_BYTES = 64;

/** True once codegen-c's measured code sizes replace the initial per-kernel estimates. */
export const KERNEL_CODE_CALIBRATED = false;

function outputChannels(ctx: CostNodeContext): number {
  const y = ctx.outputs[0];
  return y === undefined || y.shape.length === 0 ? 1 : y.shape[y.shape.length - 1]!;
}

/**
 * Constants as stored, plus the int32 requantization multiplier and shift per output channel
 * that integer MAC kernels precompute (TFLite `QuantizeMultiplier` per channel).
 */
function weightBytesFor(variant: Variant) {
  return (ctx: CostNodeContext): number => {
    const base = constantBytesAsStored(ctx);
    const cls = kernelClassOf(ctx);
    if ((variant === "int8" || variant === "int16") && cls !== undefined && MAC_CLASSES.has(cls)) {
      return base + 8 * outputChannels(ctx);
    }
    return base;
  };
}

/** im2col scratch of the DSP path: two columns of kh·kw·cin int16 values (CMSIS-NN's layout). */
function scratchBytes(ctx: CoreCostContext): number {
  if (!ctx.dsp || kernelClassOf(ctx) !== "conv") return 0;
  const w = ctx.inputs[1];
  if (w === undefined || w.shape.length !== 4) return 0;
  return 2 * 2 * w.shape[1]! * w.shape[2]! * w.shape[3]!;
}

function instructionsWith(pick: (ctx: CoreCostContext) => InstructionModel) {
  return (ctx: CoreCostContext): number => {
    const cls = kernelClassOf(ctx);
    if (cls === undefined) return 0;
    return layerInstructions(pick(ctx), cls, layerFeatures(ctx));
  };
}

function tflmModel(variant: Variant, family: CoreFamily): InstructionModel {
  if (variant === "float32" || variant === "other" || !CORE_FAMILY_SPECS[family].dsp)
    return RUNTIME_MODELS.tflmReference;
  return RUNTIME_MODELS.tflmCmsisNnDsp;
}

function generatedModel(variant: Variant, family: CoreFamily): InstructionModel {
  if (variant === "float32" || variant === "other" || !CORE_FAMILY_SPECS[family].dsp)
    return RUNTIME_MODELS.generatedPortable;
  return RUNTIME_MODELS.generatedDsp;
}

/** The core ops the builtin contributions cover (every core op but `core.custom`). */
export const BUILTIN_COST_OPS: readonly string[] = [
  "core.conv2d",
  "core.depthwise_conv2d",
  "core.transpose_conv2d",
  "core.fully_connected",
  "core.matmul",
  "core.batch_matmul",
  "core.add",
  "core.sub",
  "core.mul",
  "core.div",
  "core.maximum",
  "core.minimum",
  "core.relu",
  "core.relu6",
  "core.leaky_relu",
  "core.clip",
  "core.logistic",
  "core.tanh",
  "core.hard_swish",
  "core.sign",
  "core.max_pool2d",
  "core.avg_pool2d",
  "core.mean",
  "core.reshape",
  "core.flatten",
  "core.squeeze",
  "core.expand_dims",
  "core.transpose",
  "core.concat",
  "core.pad",
  "core.slice",
  "core.strided_slice",
  "core.softmax",
  "core.log_softmax",
  "core.batch_norm",
  "core.quantize",
  "core.dequantize",
  "core.cast",
  "core.svdf",
  "core.unidirectional_sequence_lstm",
];

function contribution(op: string, variant: Variant): HwCostContribution {
  return defineCost({
    op,
    variant,
    supports: (ctx) => dtypeVariant(ctx) === variant && kernelClassOf(ctx) !== undefined,
    weightBytes: weightBytesFor(variant),
    codeKey: `builtin:${op}:${variant}`,
    kernelCodeBytes: () => {
      const probe = KERNEL_CODE_BYTES; // bytes per class
      // One implementation per op and variant; the largest class the op can dispatch to.
      if (op === "core.conv2d") return probe.conv + probe["conv-1x1"];
      if (op === "core.depthwise_conv2d") return probe.depthwise + probe["depthwise-mult"];
      if (op === "core.transpose_conv2d") return probe.conv;
      if (op === "core.fully_connected" || op === "core.matmul" || op === "core.batch_matmul")
        return probe.dense;
      if (op === "core.max_pool2d" || op === "core.avg_pool2d") return probe.pool;
      if (op === "core.mean") return probe.reduce;
      if (op === "core.softmax" || op === "core.log_softmax") return probe.softmax;
      if (["core.reshape", "core.flatten", "core.squeeze", "core.expand_dims"].includes(op)) return 0;
      if (
        [
          "core.transpose",
          "core.concat",
          "core.pad",
          "core.slice",
          "core.strided_slice",
          "core.cast",
        ].includes(op)
      )
        return probe.copy;
      if (op === "core.svdf" || op === "core.unidirectional_sequence_lstm") return probe.recurrent;
      return probe.elementwise;
    },
    layerCodeBytes: (ctx) => (kernelClassOf(ctx) === "view" ? 0 : LAYER_CODE_BYTES),
    scratchBytes,
    generatedInstructions: instructionsWith((ctx) => generatedModel(variant, ctx.family)),
    tflmInstructions: instructionsWith((ctx) => tflmModel(variant, ctx.family)),
  });
}

/** Every builtin contribution: one per core op and numeric variant. */
export const builtinCosts: readonly HwCostContribution[] = BUILTIN_COST_OPS.flatMap((op) =>
  BUILTIN_VARIANTS.map((v) => contribution(op, v)),
);

/** Per-inference instructions of a runtime outside the layers (invoke loop, I/O). */
export function runtimeInvokeInstructions(
  kind: "generated" | "tflm",
  family: CoreFamily,
  anyFloat: boolean,
): number {
  const dsp = CORE_FAMILY_SPECS[family].dsp && !anyFloat;
  if (kind === "tflm") return (dsp ? RUNTIME_MODELS.tflmCmsisNnDsp : RUNTIME_MODELS.tflmReference).perInvoke;
  return (dsp ? RUNTIME_MODELS.generatedDsp : RUNTIME_MODELS.generatedPortable).perInvoke;
}
