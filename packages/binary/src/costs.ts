/**
 * Storage and cost functions for @mcu/hw-model (its `HwCostContribution` contract, written out
 * here so that hw-model is needed for the types only).
 *
 * Storage is the bytes the generated C keeps in flash: 1 bit per binary weight (rows of 32-bit
 * words), int32 thresholds and a flip bit per output channel, float32 scales and biases, 4-bit
 * pow2 codes (two per byte). Cost is counted in the kernels' own units — 32-bit popcount words
 * for the binary layers — and turned into Cortex-M4 instructions with coefficients fitted to
 * QEMU instruction counts of the generated kernels (bench/binary-mnist.bench.ts re-measures
 * them; `binaryCostFeatures` gives the units). TFLite Micro runs none of these ops, so no TFLM
 * cost is given and hw-model's TFLM total is null for a binary model.
 */
import type { CoreCostContext, CostNodeContext, HwCostContribution } from "@mcu/hw-model";
import { bitRowWords, numElements, storageLength, type TensorInfo, tensorBytes, window2d } from "@mcu/tensor";
import { pooledWindow } from "./ops/shared.js";

/** The work of one node in the kernel's units, by name. */
export type CostFeatures = Readonly<Record<string, number>>;

function convGeometry(ctx: Pick<CostNodeContext, "inputs" | "attrs" | "node">) {
  const [x, w] = ctx.inputs as readonly TensorInfo[];
  const [n, h, wd, c] = x!.shape as [number, number, number, number];
  const [o, kh, kw] = w!.shape as [number, number, number, number];
  const a = ctx.attrs as unknown as Parameters<typeof pooledWindow>[4];
  const win = pooledWindow(
    h,
    wd,
    kh,
    kw,
    { ...a, pool: a.pool ?? [], poolStrides: a.poolStrides ?? [] },
    ctx.node.name,
  );
  // Convolution positions the kernel evaluates (every pool window position), and those with a
  // tap outside the image (the border path of the zero-padding convention).
  let positions = 0;
  let border = 0;
  for (let py = 0; py < win.outH; py++)
    for (let px = 0; px < win.outW; px++)
      for (let qy = 0; qy < win.poolH; qy++)
        for (let qx = 0; qx < win.poolW; qx++) {
          const oy = py * win.poolStrideH + qy;
          const ox = px * win.poolStrideW + qx;
          const y0 = oy * a.strides[0]! - win.padTop;
          const x0 = ox * a.strides[1]! - win.padLeft;
          const y1 = y0 + (kh - 1) * a.dilations[0]!;
          const x1 = x0 + (kw - 1) * a.dilations[1]!;
          positions++;
          if (y0 < 0 || x0 < 0 || y1 >= h || x1 >= wd) border++;
        }
  return {
    n,
    c,
    o,
    taps: kh * kw,
    words: bitRowWords([c]),
    positions: n * positions,
    border: n * border,
    outputs: n * win.outH * win.outW * o,
  };
}

/** The work of a binary-package node in its kernel's units (what the coefficients multiply). */
export function binaryCostFeatures(
  ctx: Pick<CostNodeContext, "inputs" | "outputs" | "attrs" | "node">,
): CostFeatures {
  const op = ctx.node.op;
  if (op === "binary.conv2d") {
    const g = convGeometry(ctx);
    const padOne = ctx.attrs.padValue === "one";
    return {
      popcountWords: g.positions * g.o * g.taps * g.words,
      borderWords: padOne ? 0 : g.border * g.o * g.taps * g.words,
      channelPositions: g.positions * g.o,
      gatheredWords: g.positions * g.taps * g.words,
      outputs: g.outputs,
    };
  }
  if (op === "binary.input_conv2d") {
    const g = convGeometry(ctx);
    return {
      macs: g.positions * g.o * g.taps * g.c,
      channelPositions: g.positions * g.o,
      outputs: g.outputs,
    };
  }
  if (op === "binary.fully_connected") {
    const x = ctx.inputs[0]!;
    const o = ctx.inputs[1]!.shape[0]!;
    const b = x.shape[0]!;
    return { popcountWords: b * o * storageLength("bit", x.shape.slice(1)), outputs: b * o };
  }
  if (op === "binary.sign") return { elements: numElements(ctx.inputs[0]!.shape), calls: 1 };
  if (op === "binary.pow2_conv2d") {
    const [x, w] = ctx.inputs as readonly TensorInfo[];
    const [, h, wd, c] = x!.shape as [number, number, number, number];
    const [o, kh, kw] = w!.shape as [number, number, number, number];
    const a = ctx.attrs as unknown as {
      strides: number[];
      dilations: number[];
      padding: "SAME" | "VALID" | "EXPLICIT";
      pads: number[];
    };
    const win = window2d(h, wd, kh, kw, a.strides, a.dilations, a.padding, a.pads);
    const outputs = numElements(ctx.outputs[0]!.shape);
    return { macs: outputs * kh * kw * c, tapRows: win.outH * win.outW * o * kh * kw, outputs };
  }
  if (op === "binary.pow2_fully_connected") {
    const k = ctx.inputs[1]!.shape[1]!;
    const outputs = numElements(ctx.outputs[0]!.shape);
    return { macs: outputs * k, outputs, calls: 1 };
  }
  return {};
}

/**
 * Cortex-M4 instructions per unit, fitted (least squares) to the QEMU instruction counts of
 * layers of many shapes (bench/binary-kernels.bench.ts re-measures and refits them): SWAR
 * popcount, arm-none-eabi-gcc -O2.
 */
export const BINARY_COST_COEFFICIENTS: Readonly<Record<string, CostFeatures>> = {
  "binary.conv2d": {
    popcountWords: 12.63,
    borderWords: 4.05,
    channelPositions: 7.75,
    gatheredWords: 36.87,
    outputs: 119.43,
  },
  "binary.input_conv2d": { macs: 8.22, channelPositions: 63.16, outputs: 6.57 },
  "binary.fully_connected": { popcountWords: 14.63, outputs: 77.37 },
  "binary.sign": { elements: 11.21, calls: 320.56 },
  "binary.pow2_conv2d": { macs: 18.58, tapRows: 16.79, outputs: 337.3 },
  "binary.pow2_fully_connected": { macs: 22.32, outputs: 12.84, calls: 472.18 },
};

/** Instructions on a Cortex-M4 (the generated C) from the features and coefficients. */
export function binaryInstructions(op: string, features: CostFeatures): number {
  const k = BINARY_COST_COEFFICIENTS[op] ?? {};
  let sum = 0;
  for (const [name, v] of Object.entries(features)) sum += (k[name] ?? 0) * v;
  return sum;
}

/** Relative instructions on other families: the M0+ has no Thumb-2 shifted-operand AND (Armv6-M) and no 3-register XOR form. */
const FAMILY_FACTOR: Readonly<Record<string, number>> = {
  "cortex-m0plus": 1.6,
  "cortex-m4": 1,
  "cortex-m7": 1,
  "cortex-m33": 1,
};

/** Kernel code bytes on a Cortex-M4 (arm-none-eabi-size of single-kernel models, -O2). */
const CODE_BYTES: Readonly<Record<string, number>> = {
  "binary.conv2d": 1200,
  "binary.input_conv2d": 700,
  "binary.fully_connected": 350,
  "binary.sign": 120,
  "binary.pow2_conv2d": 520,
  "binary.pow2_fully_connected": 520,
};

/** Flash bytes of the node's constants as the C kernels store them. */
function storedBytes(ctx: CostNodeContext): number {
  let bytes = 0;
  for (const t of ctx.inputs) {
    if (t?.data === undefined) continue;
    // pow2 codes: two per byte; bits: 32 per word; the rest as their dtype.
    bytes += tensorBytes(t);
  }
  return bytes;
}

function contribution(
  op: string,
  variant: string,
  scratch?: (ctx: CoreCostContext) => number,
): HwCostContribution {
  return {
    op,
    variant,
    supports: () => true,
    weightBytes: storedBytes,
    kernelCodeBytes: () => CODE_BYTES[op] ?? 400,
    // pow2 conv and dense share one support block; the others have a function each.
    codeKey: op.startsWith("binary.pow2") ? "binary/pow2" : `${op}:${variant}`,
    layerCodeBytes: () => 48,
    ...(scratch !== undefined ? { scratchBytes: scratch } : {}),
    generatedInstructions: (ctx: CoreCostContext) =>
      binaryInstructions(op, binaryCostFeatures(ctx)) * (FAMILY_FACTOR[ctx.family] ?? 1),
  };
}

/** The storage/cost contributions of @mcu/binary. */
export const binaryCosts: readonly HwCostContribution[] = [
  contribution("binary.conv2d", "binary/popcount", (ctx) => {
    const g = convGeometry(ctx);
    const npool = g.positions / Math.max(1, g.outputs / g.o);
    return Math.round(npool) * g.taps * g.words * 8;
  }),
  contribution("binary.input_conv2d", "binary/float32", (ctx) => {
    const g = convGeometry(ctx);
    const npool = g.positions / Math.max(1, g.outputs / g.o);
    return Math.round(npool) * g.taps * (g.c + 1) * 4;
  }),
  contribution("binary.fully_connected", "binary/popcount"),
  contribution("binary.sign", "binary/any"),
  contribution("binary.pow2_conv2d", "binary/pow2"),
  contribution("binary.pow2_fully_connected", "binary/pow2"),
];
