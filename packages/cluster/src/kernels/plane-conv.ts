/**
 * Single-plane convolution, the inner step of add-then-conv: one H×W input plane, one kh×kw
 * kernel, accumulated into an outH×outW plane. Window geometry is TFLite's (the same
 * `window2d` as core.conv2d); taps outside the input are skipped (zero padding).
 */
import { type Padding, window2d } from "@mcu/tensor";

/** Geometry of one clustered layer's planes, with the in-bounds tap ranges precomputed. */
export interface PlaneGeometry {
  readonly inH: number;
  readonly inW: number;
  readonly outH: number;
  readonly outW: number;
  readonly kh: number;
  readonly kw: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly padTop: number;
  readonly padLeft: number;
  /** For output row oy, taps ky in [kyLo[oy], kyHi[oy]) land inside the input. */
  readonly kyLo: Int32Array;
  readonly kyHi: Int32Array;
  readonly kxLo: Int32Array;
  readonly kxHi: Int32Array;
}

function tapRange(
  positions: number,
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  pad: number,
) {
  const lo = new Int32Array(positions);
  const hi = new Int32Array(positions);
  for (let p = 0; p < positions; p++) {
    const start = p * stride - pad;
    let a = 0;
    while (a < kernel && start + a * dilation < 0) a++;
    let b = kernel;
    while (b > a && start + (b - 1) * dilation >= size) b--;
    lo[p] = a;
    hi[p] = b;
  }
  return { lo, hi };
}

/** The plane geometry of a convolution over NHWC input [n, h, w, c] with a kh×kw window. */
export function planeGeometry(
  inH: number,
  inW: number,
  kh: number,
  kw: number,
  attrs: {
    readonly strides: readonly number[];
    readonly dilations: readonly number[];
    readonly padding: Padding;
    readonly pads: readonly number[];
  },
  node?: string,
): PlaneGeometry {
  const win = window2d(inH, inW, kh, kw, attrs.strides, attrs.dilations, attrs.padding, attrs.pads, node);
  const [strideH, strideW] = attrs.strides as [number, number];
  const [dilationH, dilationW] = attrs.dilations as [number, number];
  const rows = tapRange(win.outH, inH, kh, strideH, dilationH, win.padTop);
  const cols = tapRange(win.outW, inW, kw, strideW, dilationW, win.padLeft);
  return {
    inH,
    inW,
    outH: win.outH,
    outW: win.outW,
    kh,
    kw,
    strideH,
    strideW,
    dilationH,
    dilationW,
    padTop: win.padTop,
    padLeft: win.padLeft,
    kyLo: rows.lo,
    kyHi: rows.hi,
    kxLo: cols.lo,
    kxHi: cols.hi,
  };
}

/** acc[oy·outW + ox] += Σ_{ky,kx in bounds} kernel[kOff + ky·kw + kx] · src[srcOff + iy·inW + ix]. */
export function convPlaneFloat(
  g: PlaneGeometry,
  src: Float64Array | Float32Array,
  srcOff: number,
  kernel: Float64Array,
  kOff: number,
  acc: Float64Array,
): void {
  const {
    inW,
    outH,
    outW,
    kw,
    strideH,
    strideW,
    dilationH,
    dilationW,
    padTop,
    padLeft,
    kyLo,
    kyHi,
    kxLo,
    kxHi,
  } = g;
  for (let oy = 0; oy < outH; oy++) {
    const iy0 = oy * strideH - padTop;
    const ky0 = kyLo[oy]!;
    const ky1 = kyHi[oy]!;
    const row = oy * outW;
    for (let ox = 0; ox < outW; ox++) {
      const ix0 = ox * strideW - padLeft;
      const kx0 = kxLo[ox]!;
      const kx1 = kxHi[ox]!;
      let s = 0;
      for (let ky = ky0; ky < ky1; ky++) {
        const rowIn = srcOff + (iy0 + ky * dilationH) * inW + ix0;
        const kr = kOff + ky * kw;
        for (let kx = kx0; kx < kx1; kx++) s += kernel[kr + kx]! * src[rowIn + kx * dilationW]!;
      }
      acc[row + ox] = acc[row + ox]! + s;
    }
  }
}

/**
 * The integer version: products and sums wrap to int32 (`Math.imul`, `| 0`), which is exact
 * modulo 2^32 — the arithmetic of TFLite's int32 accumulator.
 */
export function convPlaneInt(
  g: PlaneGeometry,
  src: Int32Array,
  srcOff: number,
  kernel: Int32Array,
  kOff: number,
  acc: Int32Array,
): void {
  const {
    inW,
    outH,
    outW,
    kw,
    strideH,
    strideW,
    dilationH,
    dilationW,
    padTop,
    padLeft,
    kyLo,
    kyHi,
    kxLo,
    kxHi,
  } = g;
  for (let oy = 0; oy < outH; oy++) {
    const iy0 = oy * strideH - padTop;
    const ky0 = kyLo[oy]!;
    const ky1 = kyHi[oy]!;
    const row = oy * outW;
    for (let ox = 0; ox < outW; ox++) {
      const ix0 = ox * strideW - padLeft;
      const kx0 = kxLo[ox]!;
      const kx1 = kxHi[ox]!;
      let s = acc[row + ox]!;
      for (let ky = ky0; ky < ky1; ky++) {
        const rowIn = srcOff + (iy0 + ky * dilationH) * inW + ix0;
        const kr = kOff + ky * kw;
        for (let kx = kx0; kx < kx1; kx++)
          s = (s + Math.imul(kernel[kr + kx]!, src[rowIn + kx * dilationW]!)) | 0;
      }
      acc[row + ox] = s;
    }
  }
}
