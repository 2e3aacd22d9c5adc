/** Pooling and reductions over NHWC activations. */
import { attr } from "../attrs.js";
import { defineOp } from "../op.js";
import { fusedActivationAttr } from "./activation.js";
import { PADDINGS, window2d } from "./geometry.js";
import { expectRank, expectShape, normalizeAxis } from "./shape-utils.js";

const poolAttrs = {
  filter: attr.ints(undefined, "[filterH, filterW]"),
  strides: attr.ints([1, 1]),
  padding: attr.enum(PADDINGS, "VALID"),
  pads: attr.ints([0, 0, 0, 0], "[top, bottom, left, right], used with EXPLICIT padding"),
  fusedActivation: fusedActivationAttr,
};

function poolOp(name: string, doc: string, extra: { countIncludePad?: ReturnType<typeof attr.bool> }) {
  return defineOp({
    name: `core.${name}`,
    doc,
    attrs: { ...poolAttrs, ...extra },
    inputs: ["x"],
    inferShape({ node, inputs: [x], attrs }) {
      expectRank(x!.shape, 4, `${name} input`, node);
      const [n, h, w, c] = x!.shape as [number, number, number, number];
      const [fh, fw] = attrs.filter as [number, number];
      const win = window2d(h, w, fh, fw, attrs.strides, [1, 1], attrs.padding, attrs.pads, node);
      return [{ shape: [n, win.outH, win.outW, c] }];
    },
  });
}

/** Max pooling; padded positions never win. */
export const maxPool2dOp = poolOp("max_pool2d", "y = max over each window (padding ignored)", {});

/** Average pooling; TFLite divides by the count of in-bounds elements, ONNX may include pads. */
export const avgPool2dOp = poolOp("avg_pool2d", "y = mean over each window", {
  countIncludePad: attr.bool(false, "divide by the full window size, pads included (ONNX count_include_pad)"),
});

/** Mean over axes (global average pooling is mean over [1, 2] with keepDims). */
export const meanOp = defineOp({
  name: "core.mean",
  doc: "y = mean of x over `axes`",
  attrs: { axes: attr.ints(undefined), keepDims: attr.bool(false) },
  inputs: ["x"],
  inferShape({ node, inputs: [x], attrs }) {
    const rank = x!.shape.length;
    const axes = new Set(attrs.axes.map((a) => normalizeAxis(a, rank, node)));
    expectShape(axes.size === attrs.axes.length, "mean axes repeat", node);
    const shape: number[] = [];
    x!.shape.forEach((d, i) => {
      if (!axes.has(i)) shape.push(d);
      else if (attrs.keepDims) shape.push(1);
    });
    return [{ shape }];
  },
});
