/** Float32 reference kernels of pooling and reductions over NHWC activations. */
import { invariant } from "../errors.js";
import { defineKernel, type KernelDef } from "../kernel.js";
import { applyActivation } from "../ops/activation.js";
import { window2d } from "../ops/geometry.js";
import { avgPool2dOp, maxPool2dOp } from "../ops/pool.js";
import { formatShape } from "../tensor-info.js";
import { allFloat32 } from "./common.js";
import { tapBounds } from "./conv-window.js";
import { meanFloat32 } from "./pool-mean.js";

/**
 * core.max_pool2d on float32 (TFLite MAX_POOL_2D): the maximum over the in-bounds part of each
 * window; padded positions never win. A window made only of padding (possible only with
 * EXPLICIT pads at least as large as the filter) yields −∞, the identity of max.
 */
export const maxPool2dFloat32 = defineKernel(maxPool2dOp, {
  name: "core/float32",
  supports: allFloat32,
  prepare({ node, attrs, inputs, outputs }) {
    const [n, h, w, c] = inputs[0]!.shape as [number, number, number, number];
    const [fh, fw] = attrs.filter as [number, number];
    const [sh, sw] = attrs.strides as [number, number];
    const win = window2d(h, w, fh, fw, attrs.strides, [1, 1], attrs.padding, attrs.pads, node.name);
    const { outH, outW, padTop, padLeft } = win;
    invariant(
      outputs[0]!.shape[1] === outH && outputs[0]!.shape[2] === outW,
      `max_pool2d kernel: output ${formatShape(outputs[0]!.shape)} disagrees with the window`,
    );
    const rows = tapBounds(outH, h, fh, sh, 1, padTop);
    const cols = tapBounds(outW, w, fw, sw, 1, padLeft);
    const act = attrs.fusedActivation;
    const best = new Float64Array(c);
    return ({ inputs: [xv], outputs: [yv] }) => {
      const x = xv!.data as Float32Array;
      const y = yv!.data as Float32Array;
      let yo = 0;
      for (let b = 0; b < n; b++) {
        const xBatch = b * h * w * c;
        for (let oy = 0; oy < outH; oy++) {
          const iy0 = oy * sh - padTop;
          for (let ox = 0; ox < outW; ox++) {
            const ix0 = ox * sw - padLeft;
            best.fill(Number.NEGATIVE_INFINITY);
            for (let ky = rows.lo[oy]!; ky < rows.hi[oy]!; ky++) {
              const xRow = xBatch + (iy0 + ky) * w * c;
              for (let kx = cols.lo[ox]!; kx < cols.hi[ox]!; kx++) {
                const xi = xRow + (ix0 + kx) * c;
                // `v > best` keeps the running max on NaN, like TFLite's std::max(max, v).
                for (let j = 0; j < c; j++) {
                  const v = x[xi + j]!;
                  if (v > best[j]!) best[j] = v;
                }
              }
            }
            for (let j = 0; j < c; j++) y[yo++] = applyActivation(best[j]!, act);
          }
        }
      }
    };
  },
});

/**
 * core.avg_pool2d on float32. With `countIncludePad` false the sum is divided by the number of
 * in-bounds elements (TFLite AVERAGE_POOL_2D, ONNX count_include_pad=0); with true by the
 * window size kh·kw (ONNX count_include_pad=1). ONNX Runtime divides by the window clipped to
 * the padded input, but window2d never lets a window cross the padded extent (no ceil mode),
 * so that clipped window is always the full kh·kw. A window made only of padding yields 0.
 */
export const avgPool2dFloat32 = defineKernel(avgPool2dOp, {
  name: "core/float32",
  supports: allFloat32,
  prepare({ node, attrs, inputs, outputs }) {
    const [n, h, w, c] = inputs[0]!.shape as [number, number, number, number];
    const [fh, fw] = attrs.filter as [number, number];
    const [sh, sw] = attrs.strides as [number, number];
    const win = window2d(h, w, fh, fw, attrs.strides, [1, 1], attrs.padding, attrs.pads, node.name);
    const { outH, outW, padTop, padLeft } = win;
    invariant(
      outputs[0]!.shape[1] === outH && outputs[0]!.shape[2] === outW,
      `avg_pool2d kernel: output ${formatShape(outputs[0]!.shape)} disagrees with the window`,
    );
    const rows = tapBounds(outH, h, fh, sh, 1, padTop);
    const cols = tapBounds(outW, w, fw, sw, 1, padLeft);
    const act = attrs.fusedActivation;
    const includePad = attrs.countIncludePad;
    const sum = new Float64Array(c);
    return ({ inputs: [xv], outputs: [yv] }) => {
      const x = xv!.data as Float32Array;
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
            sum.fill(0);
            for (let ky = kyLo; ky < kyHi; ky++) {
              const xRow = xBatch + (iy0 + ky) * w * c;
              for (let kx = kxLo; kx < kxHi; kx++) {
                const xi = xRow + (ix0 + kx) * c;
                for (let j = 0; j < c; j++) sum[j]! += x[xi + j]!;
              }
            }
            const count = includePad ? fh * fw : (kyHi - kyLo) * (kxHi - kxLo);
            for (let j = 0; j < c; j++) y[yo++] = applyActivation(count > 0 ? sum[j]! / count : 0, act);
          }
        }
      }
    };
  },
});

/** The float32 pooling and reduction kernels of the core plugin. */
export const poolKernels: readonly KernelDef[] = [maxPool2dFloat32, avgPool2dFloat32, meanFloat32];
