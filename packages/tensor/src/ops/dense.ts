/** Dense layers and matrix products. Fully-connected weights are [out, in]. */
import { attr } from "../attrs.js";
import { numElements } from "../dtype.js";
import { defineOp } from "../op.js";
import { formatShape } from "../tensor-info.js";
import { fusedActivationAttr } from "./activation.js";
import { broadcastShapes, expectRank, expectShape } from "./shape-utils.js";

/** Fully connected (TFLite FULLY_CONNECTED): y = x · wᵀ + bias over the last axis. */
export const fullyConnectedOp = defineOp({
  name: "core.fully_connected",
  doc: "y[b,o] = bias[o] + Σ x[b,i] · w[o,i]; x is flattened to [numel/in, in].",
  attrs: { fusedActivation: fusedActivationAttr, keepNumDims: attr.bool(false) },
  inputs: ["x", "weights", "bias?"],
  inferShape({ node, inputs: [x, w, b], attrs }) {
    expectRank(w!.shape, 2, "fully_connected weights", node);
    const [o, i] = w!.shape as [number, number];
    const total = numElements(x!.shape);
    expectShape(i > 0 && total % i === 0, `input ${formatShape(x!.shape)} is not a multiple of ${i} features`, node);
    if (b !== undefined) expectShape(numElements(b.shape) === o, `fully_connected bias must have ${o} values`, node);
    if (attrs.keepNumDims) {
      expectShape(x!.shape[x!.shape.length - 1] === i, "keepNumDims needs the last axis to be the features", node);
      return [{ shape: [...x!.shape.slice(0, -1), o] }];
    }
    return [{ shape: [total / i, o] }];
  },
  macs: ({ inputs: [x, w] }) => numElements(x!.shape) * w!.shape[0]!,
});

const transposeAttrs = {
  transposeA: attr.bool(false, "use aᵀ (TFLite adj_x)"),
  transposeB: attr.bool(false, "use bᵀ (TFLite adj_y)"),
};

function matmulDims(a: readonly number[], b: readonly number[], ta: boolean, tb: boolean, node: string) {
  const ra = a.length;
  const rb = b.length;
  const m = ta ? a[ra - 1]! : a[ra - 2]!;
  const k = ta ? a[ra - 2]! : a[ra - 1]!;
  const k2 = tb ? b[rb - 1]! : b[rb - 2]!;
  const n = tb ? b[rb - 2]! : b[rb - 1]!;
  expectShape(k === k2, `matmul inner dimensions differ: ${formatShape(a)} · ${formatShape(b)}`, node);
  return { m, k, n };
}

/** Matrix product of two rank-2 tensors. */
export const matmulOp = defineOp({
  name: "core.matmul",
  doc: "y = op(a) · op(b) for rank-2 a and b.",
  attrs: transposeAttrs,
  inputs: ["a", "b"],
  inferShape({ node, inputs: [a, b], attrs }) {
    expectRank(a!.shape, 2, "matmul a", node);
    expectRank(b!.shape, 2, "matmul b", node);
    const { m, n } = matmulDims(a!.shape, b!.shape, attrs.transposeA, attrs.transposeB, node);
    return [{ shape: [m, n] }];
  },
  macs: ({ inputs: [a], outputs: [y], attrs }) =>
    numElements(y!.shape) * a!.shape[attrs.transposeA ? 0 : 1]!,
});

/** Batched matrix product with NumPy broadcasting of the leading (batch) axes. */
export const batchMatmulOp = defineOp({
  name: "core.batch_matmul",
  doc: "y[...] = op(a[...]) · op(b[...]) over broadcast batch axes (TFLite BATCH_MATMUL, ONNX MatMul).",
  attrs: transposeAttrs,
  inputs: ["a", "b"],
  inferShape({ node, inputs: [a, b], attrs }) {
    expectShape(a!.shape.length >= 2 && b!.shape.length >= 2, "batch_matmul needs rank ≥ 2 inputs", node);
    const { m, n } = matmulDims(a!.shape, b!.shape, attrs.transposeA, attrs.transposeB, node);
    const batch = broadcastShapes(a!.shape.slice(0, -2), b!.shape.slice(0, -2), node);
    return [{ shape: [...batch, m, n] }];
  },
  macs: ({ inputs: [a], outputs: [y], attrs }) =>
    numElements(y!.shape) * a!.shape[a!.shape.length - (attrs.transposeA ? 2 : 1)]!,
});
