/**
 * TS kernels of the power-of-two layers: Σ (x − z_x)·q(w) with every product a shift, then
 * y = act(fl(fl(m[o]·fl(acc)) + bias[o])) in float32 with m[o] = fl(s_x·scale[o]) — the same
 * operations, in the same order, as the C kernels.
 */
import { defineKernel, numElements, type TensorInfo, window2d } from "@mcu/tensor";
import { pow2Conv2dOp, pow2FullyConnectedOp } from "../ops/pow2.js";

/** The per-channel float32 output stage of a pow2 layer. */
export interface Pow2OutputStage {
  /** fl(s_x · scale[o]) */
  readonly multiplier: Float32Array;
  readonly bias: Float32Array | undefined;
  readonly zeroPoint: number;
  readonly relu: boolean;
  readonly relu6: boolean;
}

/** The output-stage constants of a pow2 node (shared with the C kernels so both use the same floats). */
export function pow2OutputStage(
  inputs: readonly (TensorInfo | undefined)[],
  activation: string,
): Pow2OutputStage {
  const x = inputs[0]!;
  const scale = inputs[2]!.data as Float32Array;
  const sx = x.quant!.scale[0]!;
  return {
    multiplier: Float32Array.from(scale, (s) => Math.fround(Math.fround(sx) * s)),
    bias: inputs[3]?.data as Float32Array | undefined,
    zeroPoint: x.quant!.zeroPoint[0]!,
    relu: activation === "RELU",
    relu6: activation === "RELU6",
  };
}

/** The shift and sign of each code: shift = |c| − 1, or −1 for a zero weight. */
function decode(codes: Int8Array): { shift: Int8Array; negative: Uint8Array } {
  const shift = new Int8Array(codes.length);
  const negative = new Uint8Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    shift[i] = c === 0 ? -1 : Math.abs(c) - 1;
    negative[i] = c < 0 ? 1 : 0;
  }
  return { shift, negative };
}

function finish(stage: Pow2OutputStage, o: number, acc: number): number {
  const f = Math.fround;
  let v = f(stage.multiplier[o]! * f(acc));
  if (stage.bias !== undefined) v = f(v + stage.bias[o]!);
  if ((stage.relu || stage.relu6) && v < 0) v = 0;
  if (stage.relu6 && v > 6) v = 6;
  return v;
}

/** binary.pow2_conv2d on int8 input. */
export const pow2Conv2dKernel = defineKernel(pow2Conv2dOp, {
  name: "binary/pow2",
  supports: ({ inputs: [x, w] }) => x?.dtype === "int8" && w?.data !== undefined,
  prepare({ node, inputs, attrs }) {
    const [n, h, wd, c] = inputs[0]!.shape as [number, number, number, number];
    const [o, kh, kw] = inputs[1]!.shape as [number, number, number, number];
    const win = window2d(h, wd, kh, kw, attrs.strides, attrs.dilations, attrs.padding, attrs.pads, node.name);
    const { shift, negative } = decode(inputs[1]!.data as Int8Array);
    const stage = pow2OutputStage(inputs, attrs.fusedActivation);
    const [sh, sw] = attrs.strides as [number, number];
    const [dh, dw] = attrs.dilations as [number, number];
    return ({ inputs: [xv], outputs: [yv] }) => {
      const xd = xv!.data as Int8Array;
      const y = yv!.data as Float32Array;
      let out = 0;
      for (let b = 0; b < n; b++) {
        for (let oy = 0; oy < win.outH; oy++) {
          for (let ox = 0; ox < win.outW; ox++) {
            for (let oc = 0; oc < o; oc++) {
              let acc = 0;
              for (let ky = 0; ky < kh; ky++) {
                const iy = oy * sh - win.padTop + ky * dh;
                if (iy < 0 || iy >= h) continue;
                for (let kx = 0; kx < kw; kx++) {
                  const ix = ox * sw - win.padLeft + kx * dw;
                  if (ix < 0 || ix >= wd) continue;
                  const xp = ((b * h + iy) * wd + ix) * c;
                  const wp = ((oc * kh + ky) * kw + kx) * c;
                  for (let i = 0; i < c; i++) {
                    const s = shift[wp + i]!;
                    if (s < 0) continue;
                    const t = (xd[xp + i]! - stage.zeroPoint) << s;
                    acc += negative[wp + i] ? -t : t;
                  }
                }
              }
              y[out++] = finish(stage, oc, acc);
            }
          }
        }
      }
    };
  },
});

/** binary.pow2_fully_connected on int8 input. */
export const pow2FullyConnectedKernel = defineKernel(pow2FullyConnectedOp, {
  name: "binary/pow2",
  supports: ({ inputs: [x, w] }) => x?.dtype === "int8" && w?.data !== undefined,
  prepare({ inputs, attrs }) {
    const [o, k] = inputs[1]!.shape as [number, number];
    const batches = numElements(inputs[0]!.shape) / k;
    const { shift, negative } = decode(inputs[1]!.data as Int8Array);
    const stage = pow2OutputStage(inputs, attrs.fusedActivation);
    return ({ inputs: [xv], outputs: [yv] }) => {
      const xd = xv!.data as Int8Array;
      const y = yv!.data as Float32Array;
      for (let b = 0; b < batches; b++) {
        for (let oc = 0; oc < o; oc++) {
          let acc = 0;
          for (let i = 0; i < k; i++) {
            const s = shift[oc * k + i]!;
            if (s < 0) continue;
            const t = (xd[b * k + i]! - stage.zeroPoint) << s;
            acc += negative[oc * k + i] ? -t : t;
          }
          y[b * o + oc] = finish(stage, oc, acc);
        }
      }
    };
  },
});
