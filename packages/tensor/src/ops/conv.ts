/**
 * Convolutions. Layouts are TFLite's: activations NHWC, conv weights OHWI, depthwise weights
 * 1HWC, transposed-conv weights OHWI. A 1-D convolution is a conv2d over H = 1.
 */
import { attr } from "../attrs.js";
import { numElements } from "../dtype.js";
import { defineOp } from "../op.js";
import { formatShape } from "../tensor-info.js";
import { fusedActivationAttr } from "./activation.js";
import { effectiveKernel, PADDINGS, window2d } from "./geometry.js";
import { expectRank, expectShape } from "./shape-utils.js";

const windowAttrs = {
  strides: attr.ints([1, 1], "[strideH, strideW]"),
  dilations: attr.ints([1, 1], "[dilationH, dilationW]"),
  padding: attr.enum(PADDINGS, "VALID"),
  pads: attr.ints([0, 0, 0, 0], "[top, bottom, left, right], used with EXPLICIT padding"),
  fusedActivation: fusedActivationAttr,
};

/** 2-D convolution, with groups (groups = 1 is a plain conv). */
export const conv2dOp = defineOp({
  name: "core.conv2d",
  doc: "2-D convolution: y[n,oy,ox,o] = bias[o] + Σ x[n,iy,ix,g·I+i] · w[o,ky,kx,i] over the group g of o.",
  attrs: { ...windowAttrs, groups: attr.int(1) },
  inputs: ["x", "weights", "bias?"],
  inferShape({ node, inputs: [x, w, b], attrs }) {
    expectRank(x!.shape, 4, "conv2d input", node);
    expectRank(w!.shape, 4, "conv2d weights", node);
    const [n, h, wd, c] = x!.shape as [number, number, number, number];
    const [o, kh, kw, i] = w!.shape as [number, number, number, number];
    const g = attrs.groups;
    expectShape(
      g >= 1 && c === i * g && o % g === 0,
      `conv2d with ${g} group(s): input ${formatShape(x!.shape)} and weights ${formatShape(w!.shape)} disagree`,
      node,
    );
    if (b !== undefined) expectShape(numElements(b.shape) === o, `conv2d bias must have ${o} values`, node);
    const win = window2d(h, wd, kh, kw, attrs.strides, attrs.dilations, attrs.padding, attrs.pads, node);
    return [{ shape: [n, win.outH, win.outW, o] }];
  },
  macs: ({ inputs: [, w], outputs: [y] }) => {
    const [, kh, kw, i] = w!.shape as [number, number, number, number];
    return numElements(y!.shape) * kh * kw * i;
  },
});

/** Depthwise 2-D convolution: output channel c·m + k reads input channel c only. */
export const depthwiseConv2dOp = defineOp({
  name: "core.depthwise_conv2d",
  doc: "Depthwise convolution with channel multiplier m; weights [1,kh,kw,C·m].",
  attrs: { ...windowAttrs, depthMultiplier: attr.int(1) },
  inputs: ["x", "weights", "bias?"],
  inferShape({ node, inputs: [x, w, b], attrs }) {
    expectRank(x!.shape, 4, "depthwise_conv2d input", node);
    expectRank(w!.shape, 4, "depthwise_conv2d weights", node);
    const [n, h, wd, c] = x!.shape as [number, number, number, number];
    const [one, kh, kw, cm] = w!.shape as [number, number, number, number];
    expectShape(
      one === 1 && cm === c * attrs.depthMultiplier,
      `depthwise weights ${formatShape(w!.shape)} do not match ${c} channels × multiplier ${attrs.depthMultiplier}`,
      node,
    );
    if (b !== undefined) expectShape(numElements(b.shape) === cm, `depthwise bias must have ${cm} values`, node);
    const win = window2d(h, wd, kh, kw, attrs.strides, attrs.dilations, attrs.padding, attrs.pads, node);
    return [{ shape: [n, win.outH, win.outW, cm] }];
  },
  macs: ({ inputs: [, w], outputs: [y] }) => numElements(y!.shape) * w!.shape[1]! * w!.shape[2]!,
});

/**
 * Output size of a transposed convolution along one axis (the inverse of a conv's window).
 * With an explicit output size, padding follows TFLite: computed as if the output were the
 * input of the forward convolution.
 */
export function transposeConvAxis(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  padding: "SAME" | "VALID" | "EXPLICIT",
  padBefore: number,
  padAfter: number,
  outputPadding: number,
  outputSize?: number,
): { readonly out: number; readonly padBefore: number } {
  const eff = effectiveKernel(kernel, dilation);
  if (padding === "EXPLICIT") {
    return { out: outputSize ?? (size - 1) * stride + eff - padBefore - padAfter + outputPadding, padBefore };
  }
  const out = outputSize ?? (padding === "SAME" ? size * stride : (size - 1) * stride + eff);
  if (padding === "VALID") return { out, padBefore: 0 };
  const fwd = Math.ceil(out / stride);
  const total = Math.max((fwd - 1) * stride + eff - out, 0);
  return { out, padBefore: Math.floor(total / 2) };
}

/** Transposed convolution (the gradient of conv2d with respect to its input). */
export const transposeConv2dOp = defineOp({
  name: "core.transpose_conv2d",
  doc: "Transposed 2-D convolution: each input pixel scatters x·w into a stride-spaced output window.",
  attrs: {
    ...windowAttrs,
    outputPadding: attr.ints([0, 0], "extra rows/cols at the bottom/right (ONNX output_padding)"),
    outputShape: attr.ints([], "[N,H,W,C] of the output when given by the model (TFLite output_shape)"),
  },
  // outputShape: TFLite's int32[4] output_shape when it is a runtime value (a model input), as
  // in tflite-micro's seanet transpose_conv models; the output's static shape is then
  // attrs.outputShape. A constant outputShape input gives the shape by its values.
  inputs: ["x", "weights", "bias?", "outputShape?"],
  inferShape({ node, inputs: [x, w, b, shapeInput], attrs }) {
    expectRank(x!.shape, 4, "transpose_conv2d input", node);
    expectRank(w!.shape, 4, "transpose_conv2d weights", node);
    const [n, h, wd, c] = x!.shape as [number, number, number, number];
    const [o, kh, kw, i] = w!.shape as [number, number, number, number];
    expectShape(c === i, `transpose_conv2d input has ${c} channels, weights expect ${i}`, node);
    if (b !== undefined) expectShape(numElements(b.shape) === o, `transpose_conv2d bias must have ${o} values`, node);
    if (shapeInput !== undefined) {
      expectShape(
        numElements(shapeInput.shape) === 4 && (shapeInput.dtype === "int32" || shapeInput.dtype === "int64"),
        "transpose_conv2d outputShape input must be int32[4]",
        node,
      );
    }
    const fromInput = shapeInput?.data !== undefined ? Array.from(shapeInput.data, Number) : undefined;
    const given = fromInput ?? (attrs.outputShape.length === 4 ? attrs.outputShape : undefined);
    expectShape(
      shapeInput === undefined || given !== undefined,
      "transpose_conv2d with a runtime outputShape input needs the outputShape attribute (the static output shape)",
      node,
    );
    const [sh, sw] = attrs.strides as [number, number];
    const [dh, dw] = attrs.dilations as [number, number];
    const [pt, pb, pl, pr] = attrs.pads as [number, number, number, number];
    const [oph, opw] = attrs.outputPadding as [number, number];
    const oh = transposeConvAxis(h, kh, sh, dh, attrs.padding, pt, pb, oph, given?.[1]).out;
    const ow = transposeConvAxis(wd, kw, sw, dw, attrs.padding, pl, pr, opw, given?.[2]).out;
    expectShape(oh > 0 && ow > 0, "transpose_conv2d output would be empty", node);
    if (given !== undefined) {
      expectShape(given[0] === n && given[3] === o, `outputShape ${formatShape(given)} disagrees with the weights`, node);
    }
    return [{ shape: [n, oh, ow, o] }];
  },
  macs: ({ inputs: [x, w] }) => numElements(x!.shape) * w!.shape[0]! * w!.shape[1]! * w!.shape[2]!,
});
