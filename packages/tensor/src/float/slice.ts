/**
 * Slicing kernels for any dtype (values are copied, never requantized): core.slice and
 * core.strided_slice, plus core.pad (./slice-pad.ts).
 */
import { defineKernel, type KernelDef } from "../kernel.js";
import { stridesOf } from "../ops/shape-utils.js";
import { sliceOp, stridedSliceOp } from "../ops/shape.js";
import { resolveStridedSlice } from "../ops/strided-slice.js";
import { copiesValues, copyStridedBox, elementsOf } from "./slice-copy.js";
import { padAnyDType } from "./slice-pad.js";

/** core.slice for any dtype: y = x[begin[a] : begin[a] + size[a]] per axis (size −1: to the end). */
export const sliceAnyDType = defineKernel(sliceOp, {
  name: "core/any",
  supports: copiesValues,
  prepare({ attrs, inputs }) {
    const shape = inputs[0]!.shape;
    const begin = [...attrs.begin];
    const sizes = shape.map((d, a) => (attrs.size[a] === -1 ? d - begin[a]! : attrs.size[a]!));
    const steps = shape.map(() => 1);
    const strides = stridesOf(shape);
    const index = new Int32Array(shape.length);
    return ({ inputs: [xv], outputs: [yv] }) =>
      copyStridedBox(elementsOf(xv), strides, begin, steps, sizes, elementsOf(yv), index);
  },
});

/**
 * core.strided_slice for any dtype, with TensorFlow's masks (tf.strided_slice, TFLite
 * STRIDED_SLICE). resolveStridedSlice turns the sparse spec into one (begin, stride, count)
 * per input axis; new and shrunk axes only reshape, so the output is that box in row-major
 * order.
 */
export const stridedSliceAnyDType = defineKernel(stridedSliceOp, {
  name: "core/any",
  supports: copiesValues,
  prepare({ node, attrs, inputs }) {
    const shape = inputs[0]!.shape;
    const r = resolveStridedSlice(shape, attrs, node.name);
    const strides = stridesOf(shape);
    const index = new Int32Array(shape.length);
    return ({ inputs: [xv], outputs: [yv] }) =>
      copyStridedBox(elementsOf(xv), strides, r.begin, r.strides, r.sizes, elementsOf(yv), index);
  },
});

/** The dtype-agnostic slicing and padding kernels of the core plugin. */
export const sliceKernels: readonly KernelDef[] = [sliceAnyDType, stridedSliceAnyDType, padAnyDType];
