/** Element-wise ops: binary ops with NumPy broadcasting, and unary activations. */
import { type AttrSchema, attr } from "../attrs.js";
import { defineOp, type OpContract } from "../op.js";
import { fusedActivationAttr } from "./activation.js";
import { broadcastShapes } from "./shape-utils.js";

const binaryAttrs = { fusedActivation: fusedActivationAttr };

// Every binary op has the type of `binaryAttrs` so that kernels can treat them alike; an op's
// `extra` attributes are in its schema (checked, defaults filled) but not in that type.
function binaryOp(name: string, doc: string, extra: AttrSchema = {}) {
  return defineOp({
    name: `core.${name}`,
    doc,
    attrs: { ...binaryAttrs, ...extra } as typeof binaryAttrs,
    inputs: ["a", "b"],
    inferShape: ({ node, inputs: [a, b] }) => [
      { shape: broadcastShapes(a!.shape, b!.shape, node), dtype: a!.dtype },
    ],
  });
}

/**
 * TFLite AddOptions/SubOptions `pot_scale_int16`: for int16 tensors, false selects TFLite's
 * general-scale kernel, true the power-of-two-scale one (tensorflow/lite/kernels/add.cc).
 */
const potScaleInt16 = {
  potScaleInt16: attr.bool(
    true,
    "int16 quantized: TFLite's power-of-two-scale kernel (false: general scales)",
  ),
};
/** a + b */
export const addOp = binaryOp("add", "y = a + b (broadcast)", potScaleInt16);
/** a − b */
export const subOp = binaryOp("sub", "y = a − b (broadcast)", potScaleInt16);
/** a · b */
export const mulOp = binaryOp("mul", "y = a · b (broadcast)");
/** a / b */
export const divOp = binaryOp("div", "y = a / b (broadcast)");
/** max(a, b) */
export const maximumOp = binaryOp("maximum", "y = max(a, b) (broadcast)");
/** min(a, b) */
export const minimumOp = binaryOp("minimum", "y = min(a, b) (broadcast)");

function unaryOp<const S extends Record<string, ReturnType<(typeof attr)[keyof typeof attr]>>>(
  name: string,
  doc: string,
  attrs: S,
) {
  return defineOp({
    name: `core.${name}`,
    doc,
    attrs,
    inputs: ["x"],
    inferShape: ({ inputs: [x] }) => [{ shape: x!.shape }],
  });
}

/** max(x, 0) */
export const reluOp = unaryOp("relu", "y = max(x, 0)", {});
/** min(max(x, 0), 6) */
export const relu6Op = unaryOp("relu6", "y = min(max(x, 0), 6)", {});
/** x ≥ 0 ? x : alpha·x */
export const leakyReluOp = unaryOp("leaky_relu", "y = x ≥ 0 ? x : alpha·x", { alpha: attr.float(0.01) });
/** 1 / (1 + e^−x) */
export const logisticOp = unaryOp("logistic", "y = 1 / (1 + exp(−x)) (sigmoid)", {});
/** tanh(x) */
export const tanhOp = unaryOp("tanh", "y = tanh(x)", {});
/** x · relu6(x + 3) / 6 */
export const hardSwishOp = unaryOp("hard_swish", "y = x · min(max(x + 3, 0), 6) / 6", {});
/** min(max(x, min), max) */
export const clipOp = unaryOp("clip", "y = min(max(x, min), max)", {
  min: attr.float(Number.NEGATIVE_INFINITY),
  max: attr.float(Number.POSITIVE_INFINITY),
});
/** sign(x) ∈ {−1, 0, 1} */
export const signOp = unaryOp("sign", "y = −1, 0 or 1 by the sign of x (sign(0) = 0, as ONNX Sign)", {});

/** Every element-wise op contract. */
export const elementwiseOps: readonly OpContract[] = [
  addOp,
  subOp,
  mulOp,
  divOp,
  maximumOp,
  minimumOp,
  reluOp,
  relu6Op,
  leakyReluOp,
  logisticOp,
  tanhOp,
  hardSwishOp,
  clipOp,
  signOp,
] as readonly OpContract[];
