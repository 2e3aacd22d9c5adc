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
import { predictGeneratedLayer } from "./generated-calibration.js";
import { generatedLayerFeatures } from "./generated-features.js";
import { codeSizeTableOf, generatedCoefficientsOf } from "./generated-models.js";
import { type KernelClass, dtypeVariant, kernelClassOf, layerFeatures } from "./layer-features.js";
import { type InstructionModel, layerInstructions } from "./linear-cost.js";
import { RUNTIME_MODELS } from "./runtime-models.js";

/** The numeric variants of the builtin contributions. */
export const BUILTIN_VARIANTS = ["int8", "int16", "float32", "other"] as const;
type Variant = (typeof BUILTIN_VARIANTS)[number];

const MAC_CLASSES = new Set<KernelClass>(["conv-1x1", "conv", "depthwise", "depthwise-mult", "dense"]);

/**
 * Flash bytes of a kernel's implementation by class when no C kernel can be asked (the registry has
 * none for the node): the measured code of the C kernel that runs a layer of that class on the
 * family (`classBytes` of the code-size table), else these initial figures (Thumb-2, -O2).
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

function classCodeBytes(cls: KernelClass, family: CoreFamily): number {
  return codeSizeTableOf(family).classBytes?.[cls] ?? KERNEL_CODE_BYTES[cls];
}

/** Flash bytes of one layer's call site and constant descriptor (fallback without C kernels). */
const LAYER_CODE_BYTES = 64;

/** True: the code sizes are measured from codegen-c builds (per family, `GENERATED_CODE_SIZES`). */
export const KERNEL_CODE_CALIBRATED = true;

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

/**
 * im2col scratch of a DSP path (two columns of kh·kw·cin int16 values, CMSIS-NN's layout): the
 * fallback when no C kernel declares its own scratch (then the kernel's is used, as codegen-c does).
 */
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

/**
 * Whether a node runs a DSP kernel when no C kernel says so: int8 convolutions, depthwise
 * (multiplier 1, channels a multiple of 4) and fully connected layers on a core with the DSP
 * extension — what @mcu/quant's C kernels take.
 */
function defaultDspPath(ctx: CoreCostContext): boolean {
  if (!ctx.dsp || dtypeVariant(ctx) !== "int8") return false;
  const cls = kernelClassOf(ctx);
  if (cls === "conv" || cls === "conv-1x1" || cls === "dense") return true;
  if (cls === "depthwise") {
    const c = ctx.inputs[0]?.shape[3] ?? 1;
    return c === 1 || c % 4 === 0;
  }
  return cls === "depthwise-mult" && (ctx.inputs[0]?.shape[3] ?? 0) === 1;
}

/** Instructions of codegen-c's kernel for a node (latency model a, see generated-features.ts). */
export function generatedLayerInstructions(ctx: CoreCostContext): number {
  const f = generatedLayerFeatures(ctx, { soleUser: ctx.generated?.soleUser ?? false });
  if (f === undefined) return 0;
  return predictGeneratedLayer(
    generatedCoefficientsOf(ctx.family),
    f,
    ctx.generated?.dspOnly ?? defaultDspPath(ctx),
  );
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
    kernelCodeBytes: (family) => {
      // One implementation per op and variant; the largest class the op can dispatch to.
      const c = (cls: KernelClass) => classCodeBytes(cls, family);
      if (op === "core.conv2d") return Math.max(c("conv"), c("conv-1x1"));
      if (op === "core.depthwise_conv2d") return Math.max(c("depthwise"), c("depthwise-mult"));
      if (op === "core.transpose_conv2d") return c("conv");
      if (op === "core.fully_connected" || op === "core.matmul" || op === "core.batch_matmul")
        return c("dense");
      if (op === "core.max_pool2d" || op === "core.avg_pool2d") return c("pool");
      if (op === "core.mean") return c("reduce");
      if (op === "core.softmax" || op === "core.log_softmax") return c("softmax");
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
        return c("copy");
      if (op === "core.svdf" || op === "core.unidirectional_sequence_lstm") return c("recurrent");
      return c("elementwise");
    },
    layerCodeBytes: (ctx) => (kernelClassOf(ctx) === "view" ? 0 : LAYER_CODE_BYTES),
    scratchBytes,
    generatedInstructions: generatedLayerInstructions,
    tflmInstructions: instructionsWith((ctx) => tflmModel(variant, ctx.family)),
  });
}

/** Every builtin contribution: one per core op and numeric variant. */
export const builtinCosts: readonly HwCostContribution[] = BUILTIN_COST_OPS.flatMap((op) =>
  BUILTIN_VARIANTS.map((v) => contribution(op, v)),
);

/**
 * Per-inference instructions outside the layers: TFLM's invoke loop (model b), or the generated
 * invoke's copies of `ioBytes` bytes of inputs and outputs and its call (model a).
 */
export function runtimeInvokeInstructions(
  kind: "generated" | "tflm",
  family: CoreFamily,
  anyFloat: boolean,
  ioBytes = 0,
): number {
  if (kind === "generated") {
    const t = generatedCoefficientsOf(family).portable;
    return t.invoke + t.ioByte * ioBytes;
  }
  const dsp = CORE_FAMILY_SPECS[family].dsp && !anyFloat;
  return (dsp ? RUNTIME_MODELS.tflmCmsisNnDsp : RUNTIME_MODELS.tflmReference).perInvoke;
}
