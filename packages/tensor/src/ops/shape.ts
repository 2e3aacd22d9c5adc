/** Data movement: reshapes, transposes, concatenation, padding and slicing. */
import { attr } from "../attrs.js";
import { numElements } from "../dtype.js";
import { McuError } from "../errors.js";
import { defineOp } from "../op.js";
import { formatShape } from "../tensor-info.js";
import { fusedActivationAttr } from "./activation.js";
import { expectShape, normalizeAxis } from "./shape-utils.js";
import { resolveStridedSlice } from "./strided-slice.js";

/** The output shape of a reshape: one −1 is inferred. */
export function resolveReshape(inShape: readonly number[], target: readonly number[], node?: string): number[] {
  const total = numElements(inShape);
  const unknown = target.filter((d) => d === -1).length;
  const known = target.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const bad = unknown > 1 || target.some((d) => d < -1 || !Number.isInteger(d));
  const out = target.map((d) => (d === -1 ? total / known : d));
  if (bad || numElements(out) !== total || out.some((d) => !Number.isInteger(d))) {
    throw new McuError(
      "MCU_E_SHAPE",
      `cannot reshape ${formatShape(inShape)} to ${formatShape(target)}`,
      node !== undefined ? { node } : {},
    );
  }
  return out;
}

/** Reshape (no data movement). */
export const reshapeOp = defineOp({
  name: "core.reshape",
  doc: "y = x with a new shape (one −1 inferred)",
  attrs: { shape: attr.ints(undefined) },
  inputs: ["x"],
  aliasesInput: 0,
  inferShape: ({ node, inputs: [x], attrs }) => [{ shape: resolveReshape(x!.shape, attrs.shape, node) }],
});

/** Flatten to 2-D around `axis` (ONNX Flatten). */
export const flattenOp = defineOp({
  name: "core.flatten",
  doc: "y = x reshaped to [prod(shape[:axis]), prod(shape[axis:])]",
  attrs: { axis: attr.int(1) },
  inputs: ["x"],
  aliasesInput: 0,
  inferShape({ node, inputs: [x], attrs }) {
    const rank = x!.shape.length;
    const axis = attrs.axis < 0 ? attrs.axis + rank : attrs.axis;
    expectShape(axis >= 0 && axis <= rank, `flatten axis ${attrs.axis} out of range for rank ${rank}`, node);
    return [{ shape: [numElements(x!.shape.slice(0, axis)), numElements(x!.shape.slice(axis))] }];
  },
});

/** Remove size-1 axes. */
export const squeezeOp = defineOp({
  name: "core.squeeze",
  doc: "y = x without the listed size-1 axes (all size-1 axes when none are listed)",
  attrs: { axes: attr.ints([]) },
  inputs: ["x"],
  aliasesInput: 0,
  inferShape({ node, inputs: [x], attrs }) {
    const rank = x!.shape.length;
    const axes = new Set(attrs.axes.map((a) => normalizeAxis(a, rank, node)));
    for (const a of axes) expectShape(x!.shape[a] === 1, `cannot squeeze axis ${a} of ${formatShape(x!.shape)}`, node);
    const shape = x!.shape.filter((d, i) => (axes.size === 0 ? d !== 1 : !axes.has(i)));
    return [{ shape }];
  },
});

/** Insert a size-1 axis. */
export const expandDimsOp = defineOp({
  name: "core.expand_dims",
  doc: "y = x with a new size-1 axis at `axis`",
  attrs: { axis: attr.int(undefined) },
  inputs: ["x"],
  aliasesInput: 0,
  inferShape({ node, inputs: [x], attrs }) {
    const rank = x!.shape.length;
    const axis = normalizeAxis(attrs.axis, rank + 1, node);
    return [{ shape: [...x!.shape.slice(0, axis), 1, ...x!.shape.slice(axis)] }];
  },
});

/** Permute axes. */
export const transposeOp = defineOp({
  name: "core.transpose",
  doc: "y = x with axes permuted: y.shape[i] = x.shape[perm[i]]",
  attrs: { perm: attr.ints(undefined) },
  inputs: ["x"],
  inferShape({ node, inputs: [x], attrs }) {
    const rank = x!.shape.length;
    const seen = new Set(attrs.perm);
    expectShape(
      attrs.perm.length === rank && seen.size === rank && attrs.perm.every((p) => p >= 0 && p < rank),
      `perm ${formatShape(attrs.perm)} is not a permutation of ${rank} axes`,
      node,
    );
    return [{ shape: attrs.perm.map((p) => x!.shape[p]!) }];
  },
});

/** Concatenate along an axis. */
export const concatOp = defineOp({
  name: "core.concat",
  doc: "y = the inputs joined along `axis`",
  attrs: { axis: attr.int(undefined), fusedActivation: fusedActivationAttr },
  inputs: ["x..."],
  inferShape({ node, inputs, attrs }) {
    expectShape(inputs.length >= 1, "concat needs at least one input", node);
    const first = inputs[0]!.shape;
    const axis = normalizeAxis(attrs.axis, first.length, node);
    let total = 0;
    for (const t of inputs) {
      const s = t!.shape;
      expectShape(
        s.length === first.length && s.every((d, i) => i === axis || d === first[i]),
        `concat inputs ${formatShape(first)} and ${formatShape(s)} differ off axis ${axis}`,
        node,
      );
      total += s[axis]!;
    }
    return [{ shape: first.map((d, i) => (i === axis ? total : d)) }];
  },
});

/** Pad with a constant (or mirror / edge values). */
export const padOp = defineOp({
  name: "core.pad",
  doc: "y = x padded by `paddings` = [before0, after0, before1, after1, ...]",
  attrs: {
    paddings: attr.ints(undefined),
    mode: attr.enum(["constant", "reflect", "edge"], "constant"),
    value: attr.float(0, "the real value padded in constant mode (quantized kernels quantize it)"),
  },
  inputs: ["x"],
  inferShape({ node, inputs: [x], attrs }) {
    const rank = x!.shape.length;
    expectShape(attrs.paddings.length === 2 * rank, `pad needs ${2 * rank} paddings`, node);
    expectShape(attrs.paddings.every((p) => p >= 0), "negative paddings are not supported", node);
    const shape = x!.shape.map((d, i) => d + attrs.paddings[2 * i]! + attrs.paddings[2 * i + 1]!);
    if (attrs.mode === "reflect") {
      x!.shape.forEach((d, i) => {
        const fits = attrs.paddings[2 * i]! < d && attrs.paddings[2 * i + 1]! < d;
        expectShape(fits, "reflect padding must be smaller than the axis", node);
      });
    }
    return [{ shape }];
  },
});

/** Contiguous slice: `size` −1 means to the end. */
export const sliceOp = defineOp({
  name: "core.slice",
  doc: "y = x[begin : begin + size] per axis",
  attrs: { begin: attr.ints(undefined), size: attr.ints(undefined) },
  inputs: ["x"],
  inferShape({ node, inputs: [x], attrs }) {
    const s = x!.shape;
    expectShape(attrs.begin.length === s.length && attrs.size.length === s.length, "slice begin/size rank", node);
    const shape = s.map((d, i) => {
      const b = attrs.begin[i]!;
      const n = attrs.size[i] === -1 ? d - b : attrs.size[i]!;
      expectShape(b >= 0 && n >= 0 && b + n <= d, `slice [${b}, ${b + n}) is outside axis ${i} of size ${d}`, node);
      return n;
    });
    return [{ shape }];
  },
});

/** Strided slice with TensorFlow's masks. */
export const stridedSliceOp = defineOp({
  name: "core.strided_slice",
  doc: "y = x[begin:end:strides] with TensorFlow's begin/end/ellipsis/new-axis/shrink masks",
  attrs: {
    begin: attr.ints(undefined),
    end: attr.ints(undefined),
    strides: attr.ints(undefined),
    beginMask: attr.int(0),
    endMask: attr.int(0),
    ellipsisMask: attr.int(0),
    newAxisMask: attr.int(0),
    shrinkAxisMask: attr.int(0),
    offset: attr.bool(false),
  },
  inputs: ["x"],
  inferShape: ({ node, inputs: [x], attrs }) => [{ shape: resolveStridedSlice(x!.shape, attrs, node).outShape }],
});
