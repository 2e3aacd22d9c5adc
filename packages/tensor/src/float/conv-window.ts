/** Precomputed tap ranges of sliding windows, shared by the convolution and pooling kernels. */

/** For each window position p, the kernel taps [lo[p], hi[p]) that land inside the data. */
export interface TapBounds {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
}

/**
 * Tap ranges along one axis. Window position p starts at p·stride − padBefore and tap k lands
 * on start + k·dilation; only taps with 0 ≤ start + k·dilation < size are kept. Computing
 * them once lets the inner loops run without bounds checks.
 */
export function tapBounds(
  positions: number,
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  padBefore: number,
): TapBounds {
  const lo = new Int32Array(positions);
  const hi = new Int32Array(positions);
  for (let p = 0; p < positions; p++) {
    const start = p * stride - padBefore;
    const first = start >= 0 ? 0 : Math.ceil(-start / dilation);
    const last = start > size - 1 ? 0 : Math.min(kernel, Math.floor((size - 1 - start) / dilation) + 1);
    lo[p] = first;
    hi[p] = Math.max(first, last);
  }
  return { lo, hi };
}
