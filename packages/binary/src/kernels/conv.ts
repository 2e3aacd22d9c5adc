/**
 * TS kernels of `binary.conv2d` (XOR + popcount over packed channel words) and
 * `binary.input_conv2d` (float32 sums in a fixed order), both with the optional fused max-pool and
 * the shared output stage.
 */
import { bitRowWords, defineKernel, type KernelRun, type TensorInfo } from "@mcu/tensor";
import { popcount32 } from "../bits.js";
import { binaryConv2dOp, inputConv2dOp } from "../ops/conv.js";
import { type PooledWindow, pooledWindow } from "../ops/shared.js";
import { prepareEpilogue } from "./epilogue.js";

interface Geometry {
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly o: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  readonly win: PooledWindow;
}

function geometry(
  x: TensorInfo,
  weights: TensorInfo,
  attrs: Parameters<typeof pooledWindow>[4],
  node: string,
): Geometry {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [o, kh, kw] = weights.shape as [number, number, number, number];
  return {
    n,
    h,
    w,
    c,
    o,
    kh,
    kw,
    sh: attrs.strides[0]!,
    sw: attrs.strides[1]!,
    dh: attrs.dilations[0]!,
    dw: attrs.dilations[1]!,
    win: pooledWindow(h, w, kh, kw, attrs, node),
  };
}

/**
 * The words as int32: every element of an Int32Array is a small integer to the JIT, where
 * uint32 values ≥ 2^31 would be boxed doubles (popcount works on either).
 */
export function signedView(words: Uint32Array): Int32Array {
  return new Int32Array(words.buffer, words.byteOffset, words.length);
}

/**
 * The in-bounds taps of one convolution position: input element offsets (in units of one
 * pixel's storage) and tap indices (ky·kw + kx). Returns the number of taps found; `oob`
 * receives the out-of-bounds tap indices when given.
 */
function gatherTaps(
  g: Geometry,
  b: number,
  oy: number,
  ox: number,
  xOff: Int32Array,
  tapOf: Int32Array,
  oob?: { n: number; taps: Int32Array },
): number {
  let n = 0;
  if (oob !== undefined) oob.n = 0;
  for (let ky = 0; ky < g.kh; ky++) {
    const iy = oy * g.sh - g.win.padTop + ky * g.dh;
    for (let kx = 0; kx < g.kw; kx++) {
      const ix = ox * g.sw - g.win.padLeft + kx * g.dw;
      if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) {
        xOff[n] = (b * g.h + iy) * g.w + ix;
        tapOf[n++] = ky * g.kw + kx;
      } else if (oob !== undefined) {
        oob.taps[oob.n++] = ky * g.kw + kx;
      }
    }
  }
  return n;
}

/** binary.conv2d on bit input and weights: dot = N − 2·popcount(x XOR w). */
export const binaryConv2dKernel = defineKernel(binaryConv2dOp, {
  name: "binary/popcount",
  supports: ({ inputs: [x, w] }) => x?.dtype === "bit" && w?.dtype === "bit" && w.data !== undefined,
  prepare({ node, inputs, attrs }): KernelRun {
    const g = geometry(inputs[0]!, inputs[1]!, attrs, node.name);
    const wd = signedView(inputs[1]!.data as Uint32Array);
    const words = bitRowWords([g.c]);
    const taps = g.kh * g.kw;
    const padOne = attrs.padValue === "one";
    const epi = prepareEpilogue(attrs.output, inputs, g.o);
    const best = new Float64Array(g.o);
    const xOff = new Int32Array(taps);
    const tapOf = new Int32Array(taps);
    const oob = padOne ? { n: 0, taps: new Int32Array(taps) } : undefined;
    // popcount(w) of every (o, tap): a +1 pad value has no set bits, so x XOR w = w there.
    const wOnes = new Int32Array(g.o * taps);
    for (let r = 0; r < g.o * taps; r++) {
      let ones = 0;
      for (let k = 0; k < words; k++) ones += popcount32(wd[r * words + k]!);
      wOnes[r] = ones;
    }
    const { win } = g;
    const outs = g.o;
    const c = g.c;
    return ({ inputs: [xv], outputs: [yv] }) => {
      const xd = signedView(xv!.data as Uint32Array);
      const y = yv!.data;
      let row = 0;
      for (let b = 0; b < g.n; b++) {
        for (let py = 0; py < win.outH; py++) {
          for (let px = 0; px < win.outW; px++, row++) {
            for (let qy = 0; qy < win.poolH; qy++) {
              for (let qx = 0; qx < win.poolW; qx++) {
                const first = qy === 0 && qx === 0;
                const n = gatherTaps(
                  g,
                  b,
                  py * win.poolStrideH + qy,
                  px * win.poolStrideW + qx,
                  xOff,
                  tapOf,
                  oob,
                );
                const nOob = oob === undefined ? 0 : oob.n;
                const full = (n + nOob) * c;
                for (let t = 0; t < n; t++) xOff[t] = xOff[t]! * words;
                for (let o = 0; o < outs; o++) {
                  let ones = 0;
                  const wo = o * taps;
                  if (words === 1) {
                    for (let t = 0; t < n; t++) ones += popcount32(xd[xOff[t]!]! ^ wd[wo + tapOf[t]!]!);
                  } else {
                    for (let t = 0; t < n; t++) {
                      const xp = xOff[t]!;
                      const wp = (wo + tapOf[t]!) * words;
                      for (let k = 0; k < words; k++) ones += popcount32(xd[xp + k]! ^ wd[wp + k]!);
                    }
                  }
                  for (let t = 0; t < nOob; t++) ones += wOnes[wo + oob!.taps[t]!]!;
                  const dot = full - 2 * ones;
                  if (first || dot > best[o]!) best[o] = dot;
                }
              }
            }
            epi.write(y, row, best);
          }
        }
      }
    };
  },
});

/** binary.input_conv2d: float32 input, float32 or ±1 weights, float32 sums (filter row, column, channel order). */
export const inputConv2dKernel = defineKernel(inputConv2dOp, {
  name: "binary/float32",
  supports: ({ inputs: [x, w] }) => x?.dtype === "float32" && w?.data !== undefined,
  prepare({ node, inputs, attrs }): KernelRun {
    const g = geometry(inputs[0]!, inputs[1]!, attrs, node.name);
    const f = Math.fround;
    const taps = g.kh * g.kw;
    // ±1 weights as floats: x·(±1) is exact, so the sums are the same as with float ±1 weights.
    const wt = new Float32Array(g.o * taps * g.c);
    const w = inputs[1]!;
    if (w.dtype === "bit") {
      const words = bitRowWords([g.c]);
      const bits = w.data as Uint32Array;
      for (let r = 0; r < g.o * taps; r++) {
        for (let i = 0; i < g.c; i++)
          wt[r * g.c + i] = (bits[r * words + (i >>> 5)]! >>> (i & 31)) & 1 ? -1 : 1;
      }
    } else {
      wt.set(w.data as Float32Array);
    }
    const epi = prepareEpilogue(attrs.output, inputs, g.o);
    const best = new Float64Array(g.o);
    const xOff = new Int32Array(taps);
    const tapOf = new Int32Array(taps);
    const { win } = g;
    return ({ inputs: [xv], outputs: [yv] }) => {
      const xd = xv!.data as Float32Array;
      const y = yv!.data;
      let row = 0;
      for (let b = 0; b < g.n; b++) {
        for (let py = 0; py < win.outH; py++) {
          for (let px = 0; px < win.outW; px++, row++) {
            for (let qy = 0; qy < win.poolH; qy++) {
              for (let qx = 0; qx < win.poolW; qx++) {
                const first = qy === 0 && qx === 0;
                const n = gatherTaps(g, b, py * win.poolStrideH + qy, px * win.poolStrideW + qx, xOff, tapOf);
                for (let o = 0; o < g.o; o++) {
                  let sum = 0;
                  for (let t = 0; t < n; t++) {
                    const xp = xOff[t]! * g.c;
                    const wp = (o * taps + tapOf[t]!) * g.c;
                    for (let i = 0; i < g.c; i++) sum = f(sum + f(xd[xp + i]! * wt[wp + i]!));
                  }
                  // The first pool position always counts (as in C), so a NaN sum pools like C's.
                  if (first || sum > best[o]!) best[o] = sum;
                }
              }
            }
            epi.write(y, row, best);
          }
        }
      }
    };
  },
});
