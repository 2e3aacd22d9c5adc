/**
 * Layouts: how an activation's IR tensor holds an ONNX value. ONNX convolutions are NCHW; the IR
 * is NHWC (TFLite's layout), so values produced by convolution-like ops are held channels-last
 * and converted back only where something needs ONNX's element order.
 *
 * | kind | ONNX value | IR tensor |
 * |---|---|---|
 * | onnx | any shape | the same shape and element order |
 * | nhwc | [N,C,H,W] | [N,H,W,C] |
 * | nwc | [N,C,L] (1-D conv) | [N,1,L,C] (a 1-D conv is a conv2d over H = 1) |
 * | flat | [N, C·S] (a channels-last value flattened) | [N, S·C]: feature c·S + s is held at s·C + c |
 */
import { InternalError } from "@mcu/tensor";

/** How an IR tensor holds an ONNX value. */
export type Layout =
  | { readonly kind: "onnx" }
  | { readonly kind: "nhwc" }
  | { readonly kind: "nwc" }
  | { readonly kind: "flat"; readonly c: number; readonly s: number };

/** ONNX's own layout. */
export const ONNX_LAYOUT: Layout = Object.freeze({ kind: "onnx" });
/** Channels-last 2-D. */
export const NHWC: Layout = Object.freeze({ kind: "nhwc" });
/** Channels-last 1-D, held as 2-D with H = 1. */
export const NWC: Layout = Object.freeze({ kind: "nwc" });

/** The channels-last layout for an ONNX activation of this rank (3: 1-D, 4: 2-D). */
export function channelsLastFor(rank: number): Layout | undefined {
  return rank === 4 ? NHWC : rank === 3 ? NWC : undefined;
}

/** True for nhwc and nwc. */
export function isChannelsLast(l: Layout): boolean {
  return l.kind === "nhwc" || l.kind === "nwc";
}

/** True if two layouts are the same. */
export function sameLayout(a: Layout, b: Layout): boolean {
  if (a.kind === "flat" && b.kind === "flat") return a.c === b.c && a.s === b.s;
  return a.kind === b.kind;
}

/** The IR shape that holds an ONNX shape in a layout. */
export function irShapeOf(onnxShape: readonly number[], l: Layout): number[] {
  switch (l.kind) {
    case "nhwc": {
      const [n, c, h, w] = onnxShape as [number, number, number, number];
      return [n, h, w, c];
    }
    case "nwc": {
      const [n, c, len] = onnxShape as [number, number, number];
      return [n, 1, len, c];
    }
    default:
      return [...onnxShape];
  }
}

/** The ONNX shape an IR shape holds in a layout. */
export function onnxShapeOf(irShape: readonly number[], l: Layout): number[] {
  switch (l.kind) {
    case "nhwc": {
      const [n, h, w, c] = irShape as [number, number, number, number];
      return [n, c, h, w];
    }
    case "nwc": {
      const [n, one, len, c] = irShape as [number, number, number, number];
      if (one !== 1) throw new InternalError(`nwc tensor with H = ${one}`);
      return [n, c, len];
    }
    default:
      return [...irShape];
  }
}

/**
 * The IR axis that holds ONNX axis `a` (already non-negative) in a channels-last layout.
 * nhwc: N→0, C→3, H→1, W→2. nwc: N→0, C→3, L→2 (IR axis 1 is the inserted H = 1).
 */
export function irAxisOf(a: number, l: Layout): number {
  switch (l.kind) {
    case "nhwc":
      return [0, 3, 1, 2][a]!;
    case "nwc":
      return [0, 3, 2][a]!;
    default:
      return a;
  }
}

/**
 * For each IR axis of a channels-last tensor, the ONNX axis it holds (−1 for nwc's inserted
 * H = 1 axis).
 */
export function onnxAxesOfIr(l: Layout): number[] {
  switch (l.kind) {
    case "nhwc":
      return [0, 2, 3, 1];
    case "nwc":
      return [0, -1, 2, 1];
    default:
      throw new InternalError(`onnxAxesOfIr on a ${l.kind} layout`);
  }
}

/**
 * Index map of a flat layout: IR feature j holds ONNX feature map[j] (j = s·C + c holds c·S + s).
 */
export function flatFeatureMap(c: number, s: number): Int32Array {
  const map = new Int32Array(c * s);
  for (let si = 0; si < s; si++) for (let ci = 0; ci < c; ci++) map[si * c + ci] = ci * s + si;
  return map;
}

/** Describes a layout for names and messages. */
export function layoutName(l: Layout): string {
  return l.kind === "flat" ? `flat(${l.c}x${l.s})` : l.kind;
}
