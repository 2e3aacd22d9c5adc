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

/** binary.conv2d on bit input and weights: dot = N − 2·popcount(x XOR w). */
export const binaryConv2dKernel = defineKernel(binaryConv2dOp, {
  name: "binary/popcount",
  supports: ({ inputs: [x, w] }) => x?.dtype === "bit" && w?.dtype === "bit" && w.data !== undefined,
  prepare({ node, inputs, attrs }): KernelRun {
    const g = geometry(inputs[0]!, inputs[1]!, attrs, node.name);
    const wd = inputs[1]!.data as Uint32Array;
    const words = bitRowWords([g.c]);
    const padOne = attrs.padValue === "one";
    const epi = prepareEpilogue(attrs.output, inputs, g.o);
    const acc = new Float64Array(g.o);
    const { win } = g;
    return ({ inputs: [xv], outputs: [yv] }) => {
      const xd = xv!.data as Uint32Array;
      const y = yv!.data;
      let row = 0;
      for (let b = 0; b < g.n; b++) {
        const xb = b * g.h * g.w * words;
        for (let py = 0; py < win.outH; py++) {
          for (let px = 0; px < win.outW; px++, row++) {
            for (let o = 0; o < g.o; o++) {
              let best = Number.NEGATIVE_INFINITY;
              for (let qy = 0; qy < win.poolH; qy++) {
                const oy = py * win.poolStrideH + qy;
                for (let qx = 0; qx < win.poolW; qx++) {
                  const ox = px * win.poolStrideW + qx;
                  let taps = 0;
                  let ones = 0;
                  for (let ky = 0; ky < g.kh; ky++) {
                    const iy = oy * g.sh - win.padTop + ky * g.dh;
                    const rowIn = iy >= 0 && iy < g.h;
                    for (let kx = 0; kx < g.kw; kx++) {
                      const ix = ox * g.sw - win.padLeft + kx * g.dw;
                      const wb = ((o * g.kh + ky) * g.kw + kx) * words;
                      if (rowIn && ix >= 0 && ix < g.w) {
                        const xp = xb + (iy * g.w + ix) * words;
                        for (let k = 0; k < words; k++) ones += popcount32(xd[xp + k]! ^ wd[wb + k]!);
                        taps++;
                      } else if (padOne) {
                        // A +1 pad value has no set bits: x XOR w = w.
                        for (let k = 0; k < words; k++) ones += popcount32(wd[wb + k]!);
                        taps++;
                      }
                    }
                  }
                  const dot = taps * g.c - 2 * ones;
                  if (dot > best) best = dot;
                }
              }
              acc[o] = best;
            }
            epi.write(y, row, acc);
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
    const taps = g.kh * g.kw * g.c;
    // ±1 weights as floats: x·(±1) is exact, so the sums are the same as with float ±1 weights.
    const wt = new Float32Array(g.o * taps);
    const w = inputs[1]!;
    if (w.dtype === "bit") {
      const words = bitRowWords([g.c]);
      const bits = w.data as Uint32Array;
      for (let r = 0; r < g.o * g.kh * g.kw; r++) {
        for (let i = 0; i < g.c; i++)
          wt[r * g.c + i] = (bits[r * words + (i >>> 5)]! >>> (i & 31)) & 1 ? -1 : 1;
      }
    } else {
      wt.set(w.data as Float32Array);
    }
    const epi = prepareEpilogue(attrs.output, inputs, g.o);
    const acc = new Float64Array(g.o);
    const { win } = g;
    return ({ inputs: [xv], outputs: [yv] }) => {
      const xd = xv!.data as Float32Array;
      const y = yv!.data;
      let row = 0;
      for (let b = 0; b < g.n; b++) {
        const xb = b * g.h * g.w * g.c;
        for (let py = 0; py < win.outH; py++) {
          for (let px = 0; px < win.outW; px++, row++) {
            for (let o = 0; o < g.o; o++) {
              let best = Number.NEGATIVE_INFINITY;
              for (let qy = 0; qy < win.poolH; qy++) {
                const oy = py * win.poolStrideH + qy;
                for (let qx = 0; qx < win.poolW; qx++) {
                  const ox = px * win.poolStrideW + qx;
                  let sum = 0;
                  for (let ky = 0; ky < g.kh; ky++) {
                    const iy = oy * g.sh - win.padTop + ky * g.dh;
                    if (iy < 0 || iy >= g.h) continue;
                    for (let kx = 0; kx < g.kw; kx++) {
                      const ix = ox * g.sw - win.padLeft + kx * g.dw;
                      if (ix < 0 || ix >= g.w) continue;
                      const xp = xb + (iy * g.w + ix) * g.c;
                      const wp = ((o * g.kh + ky) * g.kw + kx) * g.c;
                      for (let i = 0; i < g.c; i++) sum = f(sum + f(xd[xp + i]! * wt[wp + i]!));
                    }
                  }
                  if (sum > best) best = sum;
                }
              }
              acc[o] = best;
            }
            epi.write(y, row, acc);
          }
        }
      }
    };
  },
});
