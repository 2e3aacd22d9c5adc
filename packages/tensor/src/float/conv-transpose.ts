/** Float32 reference kernel of core.transpose_conv2d. */
import { invariant, McuError } from "../errors.js";
import { defineKernel, type KernelPrepareContext } from "../kernel.js";
import { applyActivation } from "../ops/activation.js";
import { transposeConv2dOp, transposeConvAxis } from "../ops/conv.js";
import { formatShape, type TensorInfo } from "../tensor-info.js";
import { tapBounds } from "./conv-window.js";

/**
 * core.transpose_conv2d on float32 (TFLite TRANSPOSE_CONV, ONNX ConvTranspose): every input
 * pixel scatters into a stride-spaced window of the output,
 * y[n, iy·sh − padTop + ky·dh, ix·sw − padLeft + kx·dw, o] += Σ_c x[n,iy,ix,c] · w[o,ky,kx,c],
 * then bias and the fused activation are applied. The output size is the output tensor's
 * (shape inference already applied `outputShape`, from the attribute or a constant input, and
 * `outputPadding`); the leading padding comes from {@link transposeConvAxis} for that size.
 * The scatter accumulates in a double-precision buffer allocated once in prepare().
 */
export const transposeConv2dFloat32 = defineKernel(transposeConv2dOp, {
  name: "core/float32",
  supports: float32WithShapeInput,
  prepare({ node, attrs, inputs, outputs }) {
    const [n, h, w, c] = inputs[0]!.shape as [number, number, number, number];
    const [o, kh, kw] = inputs[1]!.shape as [number, number, number, number];
    const [sh, sw] = attrs.strides as [number, number];
    const [dh, dw] = attrs.dilations as [number, number];
    const [pt, pb, pl, pr] = attrs.pads as [number, number, number, number];
    const [oph, opw] = attrs.outputPadding as [number, number];
    const outShape = outputs[0]!.shape;
    invariant(
      outShape.length === 4 && outShape[0] === n && outShape[3] === o,
      `transpose_conv2d kernel: output ${formatShape(outShape)} disagrees with the input and weights`,
    );
    const outH = outShape[1]!;
    const outW = outShape[2]!;
    const padTop = transposeConvAxis(h, kh, sh, dh, attrs.padding, pt, pb, oph, outH).padBefore;
    const padLeft = transposeConvAxis(w, kw, sw, dw, attrs.padding, pl, pr, opw, outW).padBefore;
    // Taps of input row iy that land inside the output: the same arithmetic as a forward
    // window, with the output as the "data" being indexed.
    const rows = tapBounds(h, outH, kh, sh, dh, padTop);
    const cols = tapBounds(w, outW, kw, sw, dw, padLeft);
    const act = attrs.fusedActivation;
    const acc = new Float64Array(n * outH * outW * o);
    const hasBias = inputs[2] !== undefined;
    const wStrideO = kh * kw * c;
    return ({ inputs: [xv, wv, bv, shapeValue], outputs: [yv] }) => {
      if (shapeValue !== undefined) {
        // A runtime output_shape must be the static shape the graph was built with.
        const d = shapeValue.data;
        if (d.length !== 4 || outShape.some((v, i) => Number(d[i]) !== v)) {
          throw new McuError(
            "MCU_E_SHAPE",
            `transpose_conv2d output_shape [${Array.from(d, Number).join(",")}] differs from the static output ${formatShape(outShape)}`,
            { node: node.name },
          );
        }
      }
      const x = xv!.data as Float32Array;
      const wt = wv!.data as Float32Array;
      const y = yv!.data as Float32Array;
      if (hasBias) {
        const bias = bv!.data as Float32Array;
        for (let i = 0; i < acc.length; i += o) for (let q = 0; q < o; q++) acc[i + q] = bias[q]!;
      } else {
        acc.fill(0);
      }
      let xi = 0;
      for (let b = 0; b < n; b++) {
        const yBatch = b * outH * outW * o;
        for (let iy = 0; iy < h; iy++) {
          const oy0 = iy * sh - padTop;
          const kyLo = rows.lo[iy]!;
          const kyHi = rows.hi[iy]!;
          for (let ix = 0; ix < w; ix++, xi += c) {
            const ox0 = ix * sw - padLeft;
            const kxLo = cols.lo[ix]!;
            const kxHi = cols.hi[ix]!;
            for (let ky = kyLo; ky < kyHi; ky++) {
              const yRow = yBatch + (oy0 + ky * dh) * outW * o;
              for (let kx = kxLo; kx < kxHi; kx++) {
                const yi = yRow + (ox0 + kx * dw) * o;
                let wi = (ky * kw + kx) * c;
                for (let q = 0; q < o; q++, wi += wStrideO) {
                  let s = 0;
                  for (let j = 0; j < c; j++) s += x[xi + j]! * wt[wi + j]!;
                  acc[yi + q]! += s;
                }
              }
            }
          }
        }
      }
      for (let i = 0; i < acc.length; i++) y[i] = applyActivation(acc[i]!, act);
    };
  },
});

/**
 * Float32 data, weights, bias and output (unquantized); the optional output_shape input is the
 * integer shape vector, not data.
 */
function float32WithShapeInput(ctx: KernelPrepareContext): boolean {
  const isFloat = (t: TensorInfo | undefined): boolean =>
    t === undefined || (t.dtype === "float32" && t.quant === undefined);
  const [x, w, b] = ctx.inputs;
  return isFloat(x) && isFloat(w) && isFloat(b) && ctx.outputs.every(isFloat);
}
