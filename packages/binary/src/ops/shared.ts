/**
 * What the binary ops share: the convolution window attributes (as `core.conv2d`'s), the fused
 * max-pool, and the output stage ("epilogue") that turns an integer or float dot product into
 * int32, float32 (per-channel scale and bias) or bits (per-channel threshold, comparison flipped
 * per channel).
 */
import { attr, McuError, numElements, PADDINGS, type TensorInfo, window2d } from "@mcu/tensor";

/** Convolution window attributes, as `core.conv2d` has them. */
export const convWindowAttrs = {
  strides: attr.ints([1, 1], "[strideH, strideW]"),
  dilations: attr.ints([1, 1], "[dilationH, dilationW]"),
  padding: attr.enum(PADDINGS, "VALID"),
  pads: attr.ints([0, 0, 0, 0], "[top, bottom, left, right], used with EXPLICIT padding"),
};

/** A max-pool fused after the convolution (VALID windows over the convolution's output). */
export const poolAttrs = {
  pool: attr.ints([], "[poolH, poolW] of a max-pool over the dot products, or [] for none"),
  poolStrides: attr.ints([], "[strideH, strideW] of the fused max-pool ([] = the pool size)"),
};

/** The output stages. */
export const OUTPUT_KINDS = ["int32", "float32", "bit"] as const;
export type OutputKind = (typeof OUTPUT_KINDS)[number];

/** Throws `MCU_E_SHAPE` (or `code`) with the node's name unless `ok`. */
export function check(ok: boolean, message: string, node: string, code = "MCU_E_SHAPE"): asserts ok {
  if (!ok) throw new McuError(code, message, { node });
}

/** The geometry of a convolution with an optional fused max-pool. */
export interface PooledWindow {
  /** Convolution output size and padding. */
  readonly convH: number;
  readonly convW: number;
  readonly padTop: number;
  readonly padLeft: number;
  /** Pool window and strides (1×1 / 1 when there is no pool). */
  readonly poolH: number;
  readonly poolW: number;
  readonly poolStrideH: number;
  readonly poolStrideW: number;
  /** Output size after the pool. */
  readonly outH: number;
  readonly outW: number;
}

/** Window attributes of a binary convolution, as nodes carry them. */
export interface ConvWindowAttrs {
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padding: "SAME" | "VALID" | "EXPLICIT";
  readonly pads: readonly number[];
  readonly pool: readonly number[];
  readonly poolStrides: readonly number[];
}

/** Convolution window (TFLite's SAME/VALID rules, as `core.conv2d`) followed by a VALID max-pool. */
export function pooledWindow(
  inH: number,
  inW: number,
  kH: number,
  kW: number,
  attrs: ConvWindowAttrs,
  node: string,
): PooledWindow {
  const win = window2d(inH, inW, kH, kW, attrs.strides, attrs.dilations, attrs.padding, attrs.pads, node);
  check(
    attrs.pool.length === 0 || attrs.pool.length === 2,
    `pool must be [] or [poolH, poolW], got [${attrs.pool.join(",")}]`,
    node,
    "MCU_E_ATTR",
  );
  const [poolH, poolW] = attrs.pool.length === 2 ? (attrs.pool as [number, number]) : [1, 1];
  const ps = attrs.poolStrides.length === 2 ? (attrs.poolStrides as [number, number]) : [poolH, poolW];
  check(
    attrs.poolStrides.length === 0 || attrs.poolStrides.length === 2,
    "poolStrides must be [] or [strideH, strideW]",
    node,
    "MCU_E_ATTR",
  );
  check(
    poolH >= 1 && poolW >= 1 && ps[0]! >= 1 && ps[1]! >= 1,
    "pool sizes and strides must be positive",
    node,
    "MCU_E_ATTR",
  );
  const outH = Math.floor((win.outH - poolH) / ps[0]!) + 1;
  const outW = Math.floor((win.outW - poolW) / ps[1]!) + 1;
  check(
    outH >= 1 && outW >= 1,
    `a ${poolH}x${poolW} pool does not fit the ${win.outH}x${win.outW} convolution output`,
    node,
  );
  return {
    convH: win.outH,
    convW: win.outW,
    padTop: win.padTop,
    padLeft: win.padLeft,
    poolH,
    poolW,
    poolStrideH: ps[0]!,
    poolStrideW: ps[1]!,
    outH,
    outW,
  };
}

/**
 * Checks the epilogue inputs (scale, bias, threshold, flip at positions 2–5) against the output
 * kind and returns the output dtype. `thresholdDtype` is int32 for integer dot products and
 * float32 for the real-valued input convolution.
 */
export function checkEpilogue(
  inputs: readonly (TensorInfo | undefined)[],
  output: OutputKind,
  channels: number,
  thresholdDtype: "int32" | "float32",
  node: string,
): "int32" | "float32" | "bit" {
  const [, , scale, bias, threshold, flip] = inputs;
  const perChannel = (t: TensorInfo | undefined, name: string, dtype: string): void => {
    if (t === undefined) return;
    check(numElements(t.shape) === channels, `${name} must have ${channels} values`, node);
    check(t.dtype === dtype, `${name} must be ${dtype}, got ${t.dtype}`, node, "MCU_E_DTYPE");
  };
  perChannel(scale, "scale", "float32");
  perChannel(bias, "bias", "float32");
  perChannel(threshold, "threshold", thresholdDtype);
  perChannel(flip, "flip", "bit");
  if (output === "bit") {
    check(threshold !== undefined, "a bit output needs the per-channel threshold input", node, "MCU_E_ARITY");
    check(
      scale === undefined && bias === undefined,
      "a bit output takes no scale or bias",
      node,
      "MCU_E_ARITY",
    );
  } else {
    check(
      threshold === undefined && flip === undefined,
      `an ${output} output takes no threshold or flip`,
      node,
      "MCU_E_ARITY",
    );
  }
  if (output === "int32") {
    check(
      scale === undefined && bias === undefined,
      "an int32 output takes no scale or bias",
      node,
      "MCU_E_ARITY",
    );
  }
  return output;
}
