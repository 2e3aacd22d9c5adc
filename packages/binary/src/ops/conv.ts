/**
 * Binary convolutions. `binary.conv2d` works on bit-packed ±1 activations and weights:
 * dot = N − 2·popcount(x XOR w) over the N in-bounds taps (XNOR-Net, Rastegari et al. 2016,
 * §3.2; eBNN, McDanel et al. 2017). `binary.input_conv2d` is the first layer of a binarized
 * network (eBNN §3.3): real-valued input, real or ±1 weights, thresholded to bits.
 */
import { attr, defineOp, numElements } from "@mcu/tensor";
import { check, checkEpilogue, convWindowAttrs, OUTPUT_KINDS, pooledWindow, poolAttrs } from "./shared.js";

/** How a binary convolution treats taps outside the input. */
export const PAD_VALUES = ["zero", "one"] as const;

/** Binary 2-D convolution over packed ±1 values. */
export const binaryConv2dOp = defineOp({
  name: "binary.conv2d",
  doc:
    "dot[n,oy,ox,o] = Σ over in-bounds taps of x·w (x, w ∈ ±1, packed along channels) = N − 2·popcount(x XOR w); " +
    "optional max-pool of dot; then int32 dot, float32 scale·dot + bias, or bit +1 iff s·dot ≥ threshold (s = −1 where flip).",
  attrs: {
    ...convWindowAttrs,
    ...poolAttrs,
    padValue: attr.enum(
      PAD_VALUES,
      "zero",
      "zero: out-of-bounds taps contribute nothing (the float model's zero padding); one: they are +1 (larq)",
    ),
    output: attr.enum(OUTPUT_KINDS, "int32"),
  },
  inputs: ["x", "weights", "scale?", "bias?", "threshold?", "flip?"],
  inferShape({ node, inputs, attrs }) {
    const [x, w] = inputs;
    check(
      x!.shape.length === 4 && w!.shape.length === 4,
      "binary.conv2d takes NHWC input and OHWI weights",
      node,
    );
    check(
      x!.dtype === "bit" && w!.dtype === "bit",
      "binary.conv2d takes bit input and bit weights",
      node,
      "MCU_E_DTYPE",
    );
    const [n, h, wd, c] = x!.shape as [number, number, number, number];
    const [o, kh, kw, i] = w!.shape as [number, number, number, number];
    check(c === i, `input has ${c} channels, weights expect ${i}`, node);
    const dtype = checkEpilogue(inputs, attrs.output, o, "int32", node);
    const win = pooledWindow(h, wd, kh, kw, attrs, node);
    return [{ shape: [n, win.outH, win.outW, o], dtype }];
  },
  macs: ({ inputs: [, w], outputs: [y], attrs }) =>
    numElements(y!.shape) *
    numElements(w!.shape.slice(1)) *
    Math.max(1, (attrs.pool[0] ?? 1) * (attrs.pool[1] ?? 1)),
});

/** The first layer of a binarized network: real-valued input, thresholded (or scaled) output. */
export const inputConv2dOp = defineOp({
  name: "binary.input_conv2d",
  doc:
    "acc[n,oy,ox,o] = Σ x·w over in-bounds taps (float32, summed in filter row, column, channel order); w float32 or ±1 bits; " +
    "optional max-pool of acc; then float32 scale·acc + bias, or bit +1 iff s·acc ≥ threshold (s = −1 where flip).",
  attrs: { ...convWindowAttrs, ...poolAttrs, output: attr.enum(["float32", "bit"] as const, "bit") },
  inputs: ["x", "weights", "scale?", "bias?", "threshold?", "flip?"],
  inferShape({ node, inputs, attrs }) {
    const [x, w] = inputs;
    check(
      x!.shape.length === 4 && w!.shape.length === 4,
      "binary.input_conv2d takes NHWC input and OHWI weights",
      node,
    );
    check(x!.dtype === "float32", "binary.input_conv2d takes float32 input", node, "MCU_E_DTYPE");
    check(
      w!.dtype === "float32" || w!.dtype === "bit",
      "binary.input_conv2d weights are float32 or bit",
      node,
      "MCU_E_DTYPE",
    );
    const [n, h, wd, c] = x!.shape as [number, number, number, number];
    const [o, kh, kw, i] = w!.shape as [number, number, number, number];
    check(c === i, `input has ${c} channels, weights expect ${i}`, node);
    const dtype = checkEpilogue(inputs, attrs.output, o, "float32", node);
    const win = pooledWindow(h, wd, kh, kw, attrs, node);
    return [{ shape: [n, win.outH, win.outW, o], dtype }];
  },
  macs: ({ inputs: [, w], outputs: [y], attrs }) =>
    numElements(y!.shape) *
    numElements(w!.shape.slice(1)) *
    Math.max(1, (attrs.pool[0] ?? 1) * (attrs.pool[1] ?? 1)),
});
