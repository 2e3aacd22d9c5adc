/**
 * Window geometry shared by convolutions and pools: output sizes and padding, computed the
 * way TensorFlow Lite does (`ComputeOutSize`, `ComputePaddingHeightWidth` in
 * tensorflow/lite/kernels/padding.h), so that SAME/VALID agree with TFLite bit for bit.
 */
import { McuError } from "../errors.js";

/** Padding modes: TFLite's SAME and VALID, or explicit per-side pads (ONNX). */
export const PADDINGS = ["SAME", "VALID", "EXPLICIT"] as const;
export type Padding = (typeof PADDINGS)[number];

/** Output size and padding of one spatial axis. */
export interface AxisWindow {
  readonly out: number;
  readonly padBefore: number;
  readonly padAfter: number;
}

/** Output size and padding of a 2-D window over NHWC data. */
export interface Window2d {
  readonly outH: number;
  readonly outW: number;
  readonly padTop: number;
  readonly padBottom: number;
  readonly padLeft: number;
  readonly padRight: number;
}

/** Extent of a dilated kernel: (k − 1)·d + 1. */
export function effectiveKernel(k: number, dilation: number): number {
  return (k - 1) * dilation + 1;
}

/** One axis of a sliding window (convolution or pool). */
export function axisWindow(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  padding: Padding,
  explicitBefore = 0,
  explicitAfter = 0,
): AxisWindow {
  const eff = effectiveKernel(kernel, dilation);
  if (padding === "EXPLICIT") {
    const out = Math.floor((size + explicitBefore + explicitAfter - eff) / stride) + 1;
    return { out, padBefore: explicitBefore, padAfter: explicitAfter };
  }
  const out = padding === "SAME" ? Math.ceil(size / stride) : Math.ceil((size - eff + 1) / stride);
  // TFLite: total = max((out − 1)·stride + eff − size, 0); before = floor(total / 2).
  const total = Math.max((out - 1) * stride + eff - size, 0);
  const padBefore = padding === "SAME" ? Math.floor(total / 2) : 0;
  const padAfter = padding === "SAME" ? total - padBefore : 0;
  return { out, padBefore, padAfter };
}

/** A 2-D window. `pads` is `[top, bottom, left, right]` (used with EXPLICIT). */
export function window2d(
  inH: number,
  inW: number,
  kH: number,
  kW: number,
  strides: readonly number[],
  dilations: readonly number[],
  padding: Padding,
  pads: readonly number[],
  node?: string,
): Window2d {
  const h = axisWindow(inH, kH, strides[0]!, dilations[0]!, padding, pads[0] ?? 0, pads[1] ?? 0);
  const w = axisWindow(inW, kW, strides[1]!, dilations[1]!, padding, pads[2] ?? 0, pads[3] ?? 0);
  if (h.out <= 0 || w.out <= 0) {
    throw new McuError(
      "MCU_E_SHAPE",
      `a ${kH}x${kW} window (dilation ${dilations.join("x")}) does not fit a ${inH}x${inW} input with ${padding} padding`,
      node !== undefined ? { node } : {},
    );
  }
  return {
    outH: h.out,
    outW: w.out,
    padTop: h.padBefore,
    padBottom: h.padAfter,
    padLeft: w.padBefore,
    padRight: w.padAfter,
  };
}
