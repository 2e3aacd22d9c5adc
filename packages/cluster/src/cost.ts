/**
 * Storage and cost functions of `cluster.conv2d` for @mcu/hw-model (its `HwCostContribution`
 * contract; types only, nothing of that package is needed at run time).
 *
 * - weightBytes: the compressed weights as the generated C stores them (storage.ts: packed codes,
 *   scales, the codebook once, bias), plus the int8 kernels' per-channel multiplier and shift.
 * - generatedInstructions: linear models of the C kernels (c/support.ts) fitted on QEMU
 *   instruction counts of 72 synthetic layers per variant (3×3 windows, 6–14 px planes, 4–24
 *   input and 8–24 output channels, K = 4 and 32, with and without transforms), measured on
 *   mps2-an386 (Cortex-M4, hard float) and mps2-an385 (Cortex-M3, soft float). Features: the
 *   add-then-conv group-sum MACs, groups × output pixels, outputs, kernels (per-kernel decoding),
 *   and for decode-then-conv the direct MACs, outputs and kernels. Mean relative error 0.6–2.8 %,
 *   worst 32 % (small add-then-conv layers). Cortex-M7/M33 use the M4 fit (same Thumb-2 code);
 *   Cortex-M0+ uses the M3 soft-float fit (not measured: QEMU has no M0+ board).
 * - tflmInstructions: omitted — TFLite Micro cannot run a clustered kernel.
 * - kernelCodeBytes: arm-none-eabi-size of each variant's C code (-O2), per family.
 */
import type { CoreCostContext, CoreFamily, CostNodeContext, HwCostContribution } from "@mcu/hw-model";
import { numElements, tensorBytes, window2d } from "@mcu/tensor";
import { addThenConvPlan } from "./add-then-conv-plan.js";
import { bitsFor, packedBytes } from "./bit-packing.js";
import type { ClusterConvAttrs } from "./cluster-conv-op.js";
import { clusterConvStorage } from "./storage.js";
import { kernelTransforms } from "./transforms.js";

type Kind = "float32" | "int8";
export type Algorithm = "add-then-conv" | "decode-then-conv";

/** Fitted instruction coefficients (see the file comment): add [sum MACs, group pixels, outputs, kernels, 1], decode [MACs, outputs, kernels, 1]. */
const FITS: Readonly<
  Record<"hard" | "soft", Readonly<Record<Kind, Readonly<Record<Algorithm, readonly number[]>>>>>
> = {
  hard: {
    float32: {
      "add-then-conv": [5.963, 52.09, 14.62, 580.0, 5114],
      "decode-then-conv": [5.606, 216.7, 146.6, 0],
    },
    int8: {
      "add-then-conv": [6.144, 46.5, 71.78, 543.6, 4865],
      "decode-then-conv": [5.617, 317.3, 53.74, 0],
    },
  },
  soft: {
    float32: { "add-then-conv": [89.32, 801.0, 23.75, 0, 0], "decode-then-conv": [84.35, 303.2, 0, 30220] },
    int8: {
      "add-then-conv": [6.133, 48.73, 69.71, 547.2, 4935],
      "decode-then-conv": [5.615, 302.2, 55.2, 0],
    },
  },
};

/** arm-none-eabi-size text bytes of each variant's C code at -O2. */
const CODE_BYTES: Readonly<Record<CoreFamily, Readonly<Record<string, number>>>> = {
  "cortex-m4": {
    "float32-add-then-conv": 2356,
    "float32-decode-then-conv": 1648,
    "int8-add-then-conv": 1984,
    "int8-decode-then-conv": 1236,
  },
  "cortex-m7": {
    "float32-add-then-conv": 2360,
    "float32-decode-then-conv": 1640,
    "int8-add-then-conv": 1976,
    "int8-decode-then-conv": 1224,
  },
  "cortex-m33": {
    "float32-add-then-conv": 2356,
    "float32-decode-then-conv": 1624,
    "int8-add-then-conv": 1996,
    "int8-decode-then-conv": 1232,
  },
  "cortex-m0plus": {
    "float32-add-then-conv": 2456,
    "float32-decode-then-conv": 1772,
    "int8-add-then-conv": 2112,
    "int8-decode-then-conv": 1348,
  },
};

/** Bytes of one layer's descriptor (26 words), requantization descriptor and call site. */
const LAYER_CODE_BYTES: Readonly<Record<Kind, number>> = { float32: 104 + 48, int8: 104 + 24 + 56 };

/** The features of a node for the instruction models. */
export function clusterCostFeatures(
  ctx: Pick<CostNodeContext, "inputs" | "outputs" | "attrs">,
  algorithm: Algorithm,
): number[] {
  const [x, codebook, indices, , transforms] = ctx.inputs;
  const [n, h, w] = x!.shape as [number, number, number, number];
  const [, kh, kw] = codebook!.shape as [number, number, number];
  const [o, i] = indices!.shape as [number, number];
  const outPixels = numElements(ctx.outputs[0]!.shape) / o / n;
  const kernels = o * i;
  if (algorithm === "decode-then-conv")
    return [n * outPixels * o * kh * kw * i, n * outPixels * o, kernels, 1];
  const nT = transforms === undefined ? 1 : kernelTransforms(kh, kw).count;
  const plan = addThenConvPlan(
    indices!.data as ArrayLike<number>,
    transforms?.data as ArrayLike<number> | undefined,
    o,
    i,
    nT,
  );
  let sum = 0;
  for (let g = 0; g < plan.groupKey.length; g++) {
    const size = plan.memberStart[g + 1]! - plan.memberStart[g]!;
    if (size > 1) sum += size * h * w;
  }
  return [n * sum, n * plan.groupKey.length * outPixels, n * outPixels * o, kernels, 1];
}

function kindOf(ctx: CostNodeContext): Kind | undefined {
  const [x, codebook] = ctx.inputs;
  if (x?.dtype === "float32" && codebook?.dtype === "float32") return "float32";
  if (x?.dtype === "int8" && codebook?.dtype === "int8") return "int8";
  return undefined;
}

function contribution(kind: Kind, algorithm: Algorithm): HwCostContribution {
  const variant = `cluster/${kind}-${algorithm}`;
  return {
    op: "cluster.conv2d",
    variant,
    supports: (ctx) => kindOf(ctx) === kind && ctx.attrs.algorithm === algorithm,
    weightBytes(ctx) {
      const stored = clusterConvStorage(ctx).total;
      return kind === "int8" ? stored + 8 * ctx.inputs[2]!.shape[0]! : stored;
    },
    kernelCodeBytes: (family) => CODE_BYTES[family][`${kind}-${algorithm}`]!,
    layerCodeBytes: () => LAYER_CODE_BYTES[kind],
    scratchBytes(ctx: CoreCostContext) {
      const [x, codebook, indices, , transforms] = ctx.inputs;
      const [, h, w] = x!.shape as [number, number, number, number];
      const [k, kh, kw] = codebook!.shape as [number, number, number];
      const inC = indices!.shape[1]!;
      if (algorithm === "decode-then-conv") return kh * kw * inC * (kind === "int8" ? 1 : 4);
      const a = ctx.attrs as unknown as ClusterConvAttrs;
      const win = window2d(h, w, kh, kw, a.strides, a.dilations, a.padding, a.pads);
      const codeBits = bitsFor(k) + (transforms === undefined ? 0 : bitsFor(kernelTransforms(kh, kw).count));
      return 4 * h * w + 4 * win.outH * win.outW + 2 * 2 ** codeBits + 4 * inC + 4 * kh * kw;
    },
    generatedInstructions(ctx) {
      const fit = FITS[ctx.family === "cortex-m0plus" ? "soft" : "hard"][kind][algorithm];
      const f = clusterCostFeatures(ctx, algorithm);
      return Math.max(
        0,
        f.reduce((s, v, j) => s + v * fit[j]!, 0),
      );
    },
  };
}

/**
 * `cluster.lookup`: indices packed at `bits` plus the codebook; the C decoder reads each index bit
 * by bit — 11.5·bits − 3 instructions per weight on Cortex-M4 under QEMU (bits 2, 4, 8), four more
 * with per-channel codebooks (used for every family; not measured on M0+); the decoded weights occupy the arena while the layer runs (the
 * planner counts them as an activation).
 */
export const lookupCost: HwCostContribution = {
  op: "cluster.lookup",
  variant: "cluster/lookup",
  supports: (ctx) => ctx.inputs[0]?.dtype === "uint8",
  weightBytes: (ctx) =>
    packedBytes(numElements(ctx.inputs[0]!.shape), Number(ctx.attrs.bits)) + tensorBytes(ctx.inputs[1]!),
  kernelCodeBytes: () => 120,
  layerCodeBytes: () => 40,
  generatedInstructions: (ctx) =>
    numElements(ctx.inputs[0]!.shape) *
    (11.5 * Number(ctx.attrs.bits) - 3 + (ctx.inputs[1]!.shape[0] === 1 ? 0 : 4)),
};

/** The cost contributions of cluster.conv2d (every numeric kind and algorithm) and cluster.lookup. */
export const clusterCosts: readonly HwCostContribution[] = [
  contribution("float32", "add-then-conv"),
  contribution("float32", "decode-then-conv"),
  contribution("int8", "add-then-conv"),
  contribution("int8", "decode-then-conv"),
  lookupCost,
];
