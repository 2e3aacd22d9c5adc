/** Float32 reference kernel of core.depthwise_conv2d. */
import { invariant } from "../errors.js";
import { defineKernel } from "../kernel.js";
import { applyActivation } from "../ops/activation.js";
import { depthwiseConv2dOp } from "../ops/conv.js";
import { window2d } from "../ops/geometry.js";
import { formatShape } from "../tensor-info.js";
import { allFloat32 } from "./common.js";
import { tapBounds } from "./conv-window.js";

/**
 * core.depthwise_conv2d on float32 with channel multiplier m (TFLite DEPTHWISE_CONV_2D):
 * y[n,oy,ox,c·m+k] = act(bias[c·m+k] + Σ_{ky,kx} x[n, oy·sh − padTop + ky·dh,
 * ox·sw − padLeft + kx·dw, c] · w[0,ky,kx,c·m+k]). The in-bounds taps of every output row and
 * column are precomputed, so the tap loops run without bounds checks; each output channel is
 * summed in a JS number (double) over its few taps, which measured faster than accumulating
 * all channels of a pixel in a buffer.
 */
export const depthwiseConv2dFloat32 = defineKernel(depthwiseConv2dOp, {
  name: "core/float32",
  supports: allFloat32,
  prepare({ node, attrs, inputs, outputs }) {
    const [n, h, w, c] = inputs[0]!.shape as [number, number, number, number];
    const [, kh, kw, cm] = inputs[1]!.shape as [number, number, number, number];
    const m = attrs.depthMultiplier;
    const [sh, sw] = attrs.strides as [number, number];
    const [dh, dw] = attrs.dilations as [number, number];
    const win = window2d(h, w, kh, kw, attrs.strides, attrs.dilations, attrs.padding, attrs.pads, node.name);
    const { outH, outW, padTop, padLeft } = win;
    const outShape = outputs[0]!.shape;
    invariant(
      outShape[1] === outH && outShape[2] === outW && outShape[3] === cm && cm === c * m,
      `depthwise_conv2d kernel: output ${formatShape(outShape)} disagrees with the window`,
    );
    const rows = tapBounds(outH, h, kh, sh, dh, padTop);
    const cols = tapBounds(outW, w, kw, sw, dw, padLeft);
    const act = attrs.fusedActivation;
    const rowStep = dh * w * c;
    const colStep = dw * c;
    const tapRowStep = kw * cm;
    const hasBias = inputs[2] !== undefined;
    return ({ inputs: [xv, wv, bv], outputs: [yv] }) => {
      const x = xv!.data as Float32Array;
      const wt = wv!.data as Float32Array;
      const bias = hasBias ? (bv!.data as Float32Array) : undefined;
      const y = yv!.data as Float32Array;
      let yo = 0;
      for (let b = 0; b < n; b++) {
        const xBatch = b * h * w * c;
        for (let oy = 0; oy < outH; oy++) {
          const iy0 = oy * sh - padTop;
          const kyLo = rows.lo[oy]!;
          const kyHi = rows.hi[oy]!;
          for (let ox = 0; ox < outW; ox++) {
            const ix0 = ox * sw - padLeft;
            const kxLo = cols.lo[ox]!;
            const kxHi = cols.hi[ox]!;
            const x0 = xBatch + ((iy0 + kyLo * dh) * w + ix0 + kxLo * dw) * c;
            const w0 = (kyLo * kw + kxLo) * cm;
            for (let j = 0; j < cm; j++) {
              // One output channel at a time: the accumulator stays in a register.
              let s = 0;
              let xr = x0 + ((j / m) | 0);
              let wr = w0 + j;
              for (let ky = kyLo; ky < kyHi; ky++, xr += rowStep, wr += tapRowStep) {
                let xi = xr;
                let wi = wr;
                for (let kx = kxLo; kx < kxHi; kx++, xi += colStep, wi += cm) s += x[xi]! * wt[wi]!;
              }
              if (bias !== undefined) s += bias[j]!;
              y[yo++] = applyActivation(s, act);
            }
          }
        }
      }
    };
  },
});
