/**
 * Op coverage beyond the fixtures: small models built with the protobuf module, run in
 * onnxruntime (the oracle) and through readOnnx + the interpreter. Inputs are fixed-seed
 * random values; outputs must agree to 1e-5 (relative, floored at 1).
 */
import {
  buildModel,
  float,
  node,
  randomFloats,
  T,
  type TensorSpec,
  valueInfo,
} from "./testing/onnx-builder.js";
import { compareModel } from "./testing/compare.js";

const TOL = 1e-5;

interface Case {
  readonly model: Uint8Array;
  readonly inputs: { readonly dims: readonly number[] }[];
  /** IR ops that must (or must not) appear, to show which path was taken. */
  readonly ops?: readonly string[];
  /** The exact number of core.transpose nodes (layout conversions) in the imported graph. */
  readonly transposes?: number;
}

const f = (dims: readonly number[], seed: number, lo = -1, hi = 1) => ({
  dims,
  data: randomFloats(
    dims.reduce((a, b) => a * b, 1),
    seed,
    lo,
    hi,
  ),
});
const i64 = (values: readonly number[]) => ({ dims: [values.length], data: values });
const prod = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);

/** One op on one input (plus initializers), output shape `out`. */
function single(
  op: string,
  inDims: readonly number[],
  out: readonly (number | string)[],
  attrs: Parameters<typeof node>[3] = {},
  inits: Record<string, TensorSpec> = {},
  extraInputs: readonly string[] = [],
  opset = 13,
): Case {
  return {
    model: buildModel({
      opset,
      inputs: [valueInfo("x", inDims)],
      outputs: [valueInfo("y", out)],
      nodes: [node(op, ["x", ...extraInputs], ["y"], attrs)],
      initializers: inits,
    }),
    inputs: [{ dims: inDims }],
  };
}

/** A conv producing a channels-last value, then `op` on it (to exercise layout handling). */
function afterConv(
  op: string,
  c: number,
  hw: readonly number[],
  out: readonly (number | string)[],
  attrs: Parameters<typeof node>[3] = {},
  inits: Record<string, TensorSpec> = {},
  extraInputs: readonly string[] = [],
  opset = 13,
): Case {
  const k = hw.length === 2 ? [1, 1] : [1];
  return {
    model: buildModel({
      opset,
      inputs: [valueInfo("x", [1, 2, ...hw])],
      outputs: [valueInfo("y", out)],
      nodes: [
        node("Conv", ["x", "w", "b"], ["c"], { kernel_shape: k }),
        node(op, ["c", ...extraInputs], ["y"], attrs),
      ],
      initializers: { w: f([c, 2, ...k], 11), b: f([c], 12), ...inits },
    }),
    inputs: [{ dims: [1, 2, ...hw] }],
  };
}

const CASES: Readonly<Record<string, () => Case>> = {
  // Convolutions
  "Conv 1-D (strides, dilations, asymmetric pads)": () =>
    single(
      "Conv",
      [1, 3, 20],
      ["?"],
      { strides: [2], dilations: [2], pads: [2, 1] },
      { w: f([4, 3, 5], 1), b: f([4], 2) },
      ["w", "b"],
    ),
  "Conv 1-D depthwise (group = C)": () =>
    single("Conv", [1, 3, 16], ["?"], { group: 3, pads: [1, 1] }, { w: f([6, 1, 3], 3) }, ["w"]),
  "Conv 2-D with 2 groups, strides, dilations, pads": () =>
    single(
      "Conv",
      [1, 4, 9, 9],
      ["?"],
      { group: 2, strides: [2, 1], dilations: [1, 2], pads: [1, 0, 2, 1] },
      { w: f([6, 2, 3, 3], 4), b: f([6], 5) },
      ["w", "b"],
    ),
  "Conv 2-D depthwise, multiplier 2": () => ({
    ...single(
      "Conv",
      [1, 3, 8, 8],
      ["?"],
      { group: 3, pads: [1, 1, 1, 1] },
      { w: f([6, 1, 3, 3], 6), b: f([6], 7) },
      ["w", "b"],
    ),
    ops: ["core.depthwise_conv2d"],
  }),
  "Conv auto_pad SAME_UPPER, stride 2": () =>
    single(
      "Conv",
      [1, 2, 7, 8],
      ["?"],
      { auto_pad: "SAME_UPPER", strides: [2, 2] },
      { w: f([3, 2, 4, 3], 8) },
      ["w"],
    ),
  "Conv auto_pad SAME_LOWER, stride 2": () =>
    single(
      "Conv",
      [1, 2, 7, 8],
      ["?"],
      { auto_pad: "SAME_LOWER", strides: [2, 2] },
      { w: f([3, 2, 4, 3], 9) },
      ["w"],
    ),
  "Conv auto_pad VALID": () =>
    single("Conv", [1, 2, 7, 8], ["?"], { auto_pad: "VALID" }, { w: f([3, 2, 3, 3], 10) }, ["w"]),
  "ConvTranspose with pads and output_padding": () =>
    single(
      "ConvTranspose",
      [1, 3, 5, 5],
      ["?"],
      { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] },
      { w: f([3, 2, 3, 3], 13), b: f([2], 14) },
      ["w", "b"],
    ),
  "ConvTranspose with output_shape and dilations": () =>
    single(
      "ConvTranspose",
      [1, 2, 4, 4],
      ["?"],
      { strides: [2, 2], dilations: [2, 1], output_shape: [10, 9] },
      { w: f([2, 3, 3, 3], 15) },
      ["w"],
    ),
  "ConvTranspose 1-D": () =>
    single("ConvTranspose", [1, 2, 6], ["?"], { strides: [3], pads: [1, 0] }, { w: f([2, 4, 4], 16) }, ["w"]),
  "ConvTranspose auto_pad SAME_UPPER": () =>
    single(
      "ConvTranspose",
      [1, 2, 4, 5],
      ["?"],
      { strides: [2, 2], auto_pad: "SAME_UPPER" },
      { w: f([2, 3, 3, 3], 17) },
      ["w"],
    ),
  // Dense
  "Gemm transA, transB = 0, alpha, beta, C [N]": () =>
    single(
      "Gemm",
      [6, 3],
      ["?"],
      { transA: 1, alpha: float(0.5), beta: float(2) },
      { b: f([6, 4], 20), c: f([4], 21) },
      ["b", "c"],
    ),
  "Gemm transB, C [1,N]": () =>
    single("Gemm", [3, 6], ["?"], { transB: 1 }, { b: f([4, 6], 22), c: f([1, 4], 23) }, ["b", "c"]),
  "Gemm C [M,N] and a scalar alpha": () =>
    single(
      "Gemm",
      [3, 6],
      ["?"],
      { alpha: float(-1.5), beta: float(0.25) },
      { b: f([6, 4], 24), c: f([3, 4], 25) },
      ["b", "c"],
    ),
  "Gemm C scalar, no bias broadcast surprises": () =>
    single("Gemm", [2, 5], ["?"], { transB: 1 }, { b: f([3, 5], 26), c: f([], 27) }, ["b", "c"]),
  "Gemm with two runtime operands": () => ({
    model: buildModel({
      inputs: [valueInfo("a", [4, 3]), valueInfo("b", [5, 4])],
      outputs: [valueInfo("y", [3, 5])],
      nodes: [
        node("Gemm", ["a", "b", "c"], ["y"], { transA: 1, transB: 1, alpha: float(2), beta: float(0.5) }),
      ],
      initializers: { c: f([5], 28) },
    }),
    inputs: [{ dims: [4, 3] }, { dims: [5, 4] }],
  }),
  "MatMul rank 3 × constant [K,N]": () => single("MatMul", [2, 3, 5], ["?"], {}, { w: f([5, 4], 29) }, ["w"]),
  "MatMul × constant 1-D": () => single("MatMul", [3, 5], ["?"], {}, { w: f([5], 30) }, ["w"]),
  "MatMul of two runtime tensors with batch broadcasting": () => ({
    model: buildModel({
      inputs: [valueInfo("a", [2, 3, 4]), valueInfo("b", [4, 5])],
      outputs: [valueInfo("y", [2, 3, 5])],
      nodes: [node("MatMul", ["a", "b"], ["y"])],
    }),
    inputs: [{ dims: [2, 3, 4] }, { dims: [4, 5] }],
  }),
  // Normalization and activations
  "BatchNormalization 4-D": () =>
    afterConv(
      "BatchNormalization",
      3,
      [5, 5],
      ["?"],
      { epsilon: float(1e-3) },
      { s: f([3], 31), bb: f([3], 32), m: f([3], 33), v: f([3], 34, 0.5, 2) },
      ["s", "bb", "m", "v"],
    ),
  "BatchNormalization 1-D conv output": () =>
    afterConv(
      "BatchNormalization",
      3,
      [7],
      ["?"],
      {},
      { s: f([3], 35), bb: f([3], 36), m: f([3], 37), v: f([3], 38, 0.5, 2) },
      ["s", "bb", "m", "v"],
    ),
  "Clip, attribute form (opset 10)": () =>
    single("Clip", [2, 3, 4], ["?"], { min: float(-0.3), max: float(0.4) }, {}, [], 10),
  "Clip, input form (opset 13), max only": () =>
    single("Clip", [2, 3, 4], ["?"], {}, { hi: f([], 40, 0.2, 0.3) }, ["", "hi"]),
  "Clip(0, 6) is relu6": () => ({
    ...single(
      "Clip",
      [2, 12],
      ["?"],
      {},
      { lo: { dims: [], data: Float32Array.of(0) }, hi: { dims: [], data: Float32Array.of(6) } },
      ["lo", "hi"],
    ),
    ops: ["core.relu6"],
  }),
  LeakyRelu: () => afterConv("LeakyRelu", 3, [4, 4], ["?"], { alpha: float(0.1) }),
  "HardSwish (opset 14)": () => ({
    ...single("HardSwish", [2, 40], ["?"], {}, {}, [], 14),
    inputs: [{ dims: [2, 40] }],
  }),
  HardSigmoid: () => single("HardSigmoid", [3, 20], ["?"], { alpha: float(0.3), beta: float(0.4) }),
  Sigmoid: () => single("Sigmoid", [3, 7], ["?"]),
  Tanh: () => single("Tanh", [3, 7], ["?"]),
  Relu: () => afterConv("Relu", 3, [4, 4], ["?"]),
  Sign: () => single("Sign", [4, 5], ["?"]),
  "Softmax opset 13 over channels (channels-last)": () => afterConv("Softmax", 4, [3, 3], ["?"], { axis: 1 }),
  "Softmax opset 11 coerced to 2-D at axis 1": () =>
    single("Softmax", [2, 3, 4], ["?"], { axis: 1 }, {}, [], 11),
  // Pooling
  "MaxPool with pads, strides and ceil_mode": () =>
    afterConv("MaxPool", 3, [7, 7], ["?"], {
      kernel_shape: [3, 3],
      strides: [2, 2],
      pads: [1, 0, 0, 1],
      ceil_mode: 1,
    }),
  "AveragePool count_include_pad = 1": () =>
    afterConv("AveragePool", 3, [6, 6], ["?"], {
      kernel_shape: [3, 3],
      strides: [2, 2],
      pads: [1, 1, 1, 1],
      count_include_pad: 1,
    }),
  "AveragePool count_include_pad = 0": () =>
    afterConv("AveragePool", 3, [6, 6], ["?"], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
  "AveragePool 1-D": () => afterConv("AveragePool", 3, [9], ["?"], { kernel_shape: [3], strides: [2] }),
  "MaxPool 1-D": () => afterConv("MaxPool", 3, [9], ["?"], { kernel_shape: [2], strides: [2], pads: [1, 0] }),
  GlobalAveragePool: () => afterConv("GlobalAveragePool", 5, [4, 3], ["?"]),
  GlobalMaxPool: () => afterConv("GlobalMaxPool", 5, [4, 3], ["?"]),
  // Data movement
  "Pad constant (opset 13 inputs) on a channels-last value": () =>
    afterConv(
      "Pad",
      3,
      [4, 4],
      ["?"],
      { mode: "constant" },
      { p: i64([0, 1, 2, 0, 0, 0, 1, 3]), v: { dims: [], data: Float32Array.of(0.5) } },
      ["p", "v"],
    ),
  "Pad reflect": () =>
    single("Pad", [1, 2, 4, 5], ["?"], { mode: "reflect" }, { p: i64([0, 0, 1, 2, 0, 0, 2, 1]) }, ["p"]),
  "Pad edge": () => single("Pad", [2, 5], ["?"], { mode: "edge" }, { p: i64([1, 2, 0, 3]) }, ["p"]),
  "Pad attribute form (opset 10)": () =>
    single("Pad", [2, 3], ["?"], { pads: [1, 0, 0, 2], value: float(-2) }, {}, [], 10),
  "Slice with axes and negative steps (channels-last)": () =>
    afterConv(
      "Slice",
      4,
      [6, 7],
      ["?"],
      {},
      { s: i64([-1, 5, 1]), e: i64([-1000, 0, 3]), a: i64([3, 2, 1]), st: i64([-2, -1, 1]) },
      ["s", "e", "a", "st"],
    ),
  "Slice attribute form (opset 9)": () =>
    single("Slice", [3, 8], ["?"], { starts: [1, 2], ends: [3, 100], axes: [0, 1] }, {}, [], 9),
  "Slice with INT64_MAX end": () =>
    single(
      "Slice",
      [2, 9],
      ["?"],
      {},
      { s: i64([1]), e: { dims: [1], data: BigInt64Array.of(9223372036854775807n) }, a: i64([1]) },
      ["s", "e", "a"],
    ),
  "Squeeze (opset 11 attribute)": () => single("Squeeze", [1, 3, 1, 4], ["?"], { axes: [0, 2] }, {}, [], 11),
  "Squeeze (opset 13 input)": () => single("Squeeze", [1, 3, 1, 4], ["?"], {}, { a: i64([2]) }, ["a"]),
  "Unsqueeze (opset 11 attribute)": () => single("Unsqueeze", [3, 4], ["?"], { axes: [0, 3] }, {}, [], 11),
  "Unsqueeze (opset 13 input)": () => single("Unsqueeze", [3, 4], ["?"], {}, { a: i64([-1, 1]) }, ["a"]),
  "Transpose NCHW → NHWC after a conv (no IR node)": () =>
    // Only the input's NCHW → NHWC; the Transpose itself needs no IR node.
    ({ ...afterConv("Transpose", 3, [4, 5], ["?"], { perm: [0, 2, 3, 1] }), transposes: 1 }),
  "Transpose arbitrary perm": () => single("Transpose", [2, 3, 4, 5], ["?"], { perm: [3, 1, 0, 2] }),
  "Flatten axis 2 after a conv": () => afterConv("Flatten", 3, [4, 5], ["?"], { axis: 2 }),
  "Reshape with 0 (copy) and -1": () =>
    single("Reshape", [2, 3, 4], ["?"], {}, { s: i64([0, -1, 2]) }, ["s"]),
  "Concat of two convs and a constant along channels": () => ({
    model: buildModel({
      inputs: [valueInfo("x", [1, 2, 4, 4])],
      outputs: [valueInfo("y", ["?"])],
      nodes: [
        node("Conv", ["x", "w1"], ["a"], { kernel_shape: [1, 1] }),
        node("Conv", ["x", "w2"], ["b"], { kernel_shape: [1, 1] }),
        node("Concat", ["a", "k", "b"], ["y"], { axis: 1 }),
      ],
      initializers: { w1: f([3, 2, 1, 1], 50), w2: f([2, 2, 1, 1], 51), k: f([1, 1, 4, 4], 52) },
    }),
    inputs: [{ dims: [1, 2, 4, 4] }],
    // The input's and the output's; the concat runs channels-last.
    transposes: 2,
  }),
  "Add of a channels-last value and a [C,1,1] constant": () =>
    afterConv("Add", 3, [4, 4], ["?"], {}, { k: f([3, 1, 1], 53) }, ["k"]),
  "Sub with the constant on the left": () => ({
    model: buildModel({
      inputs: [valueInfo("x", [2, 3])],
      outputs: [valueInfo("y", [2, 3])],
      nodes: [node("Sub", ["k", "x"], ["y"])],
      initializers: { k: f([3], 54) },
    }),
    inputs: [{ dims: [2, 3] }],
  }),
  "Mul of two runtime values of different rank": () => ({
    model: buildModel({
      inputs: [valueInfo("x", [1, 2, 4, 4]), valueInfo("s", [4])],
      outputs: [valueInfo("y", ["?"])],
      nodes: [node("Conv", ["x", "w"], ["c"], { kernel_shape: [1, 1] }), node("Mul", ["c", "s"], ["y"])],
      initializers: { w: f([3, 2, 1, 1], 55) },
    }),
    inputs: [{ dims: [1, 2, 4, 4] }, { dims: [4] }],
  }),
  "Div by a scalar constant, and a runtime broadcast": () => ({
    model: buildModel({
      inputs: [valueInfo("x", [2, 3, 4]), valueInfo("d", [3, 1])],
      outputs: [valueInfo("y", ["?"])],
      nodes: [node("Div", ["x", "k"], ["t"]), node("Div", ["t", "d"], ["y"])],
      initializers: { k: f([], 56, 1, 2) },
    }),
    inputs: [{ dims: [2, 3, 4] }, { dims: [3, 1] }],
  }),
  "Flattened channels-last value through BatchNormalization, Add and Relu into Gemm": () => ({
    model: buildModel({
      inputs: [valueInfo("x", [1, 2, 3, 3])],
      outputs: [valueInfo("y", ["?"])],
      nodes: [
        node("Conv", ["x", "w"], ["c"], { kernel_shape: [1, 1] }),
        node("Flatten", ["c"], ["f"], { axis: 1 }),
        node("BatchNormalization", ["f", "s", "bb", "m", "v"], ["n"]),
        node("Add", ["n", "k"], ["a"]),
        node("Relu", ["a"], ["r"]),
        node("Gemm", ["r", "fc"], ["y"], { transB: 1 }),
      ],
      initializers: {
        w: f([4, 2, 1, 1], 70),
        s: f([36], 71),
        bb: f([36], 72),
        m: f([36], 73),
        v: f([36], 74, 0.5, 2),
        k: f([36], 75),
        fc: f([5, 36], 76),
      },
    }),
    inputs: [{ dims: [1, 2, 3, 3] }],
    // The input's only: the flattened value stays in NHWC order up to the permuted Gemm weights.
    transposes: 1,
  }),
  "Flattened channels-last value as a graph output (converted back to ONNX order)": () => ({
    ...afterConv("Flatten", 3, [2, 3], ["?"], { axis: 1 }),
    transposes: 2,
  }),
  // Shape plumbing, folded at import
  "Reshape via Shape → Gather → Unsqueeze → Concat (PyTorch view(n, -1))": () => ({
    model: buildModel({
      inputs: [valueInfo("x", [1, 2, 5, 5])],
      outputs: [valueInfo("y", ["?"])],
      nodes: [
        node("Conv", ["x", "w"], ["c"], { kernel_shape: [3, 3] }),
        node("Shape", ["c"], ["shape"]),
        node("Gather", ["shape", "zero"], ["n"], { axis: 0 }),
        node("Unsqueeze", ["n", "axes0"], ["n1"]),
        node("Concat", ["n1", "minus1"], ["target"], { axis: 0 }),
        node("Reshape", ["c", "target"], ["flat"]),
        node("Gemm", ["flat", "fc"], ["y"], { transB: 1 }),
      ],
      initializers: {
        w: f([4, 2, 3, 3], 60),
        zero: { dims: [], data: [0] },
        axes0: i64([0]),
        minus1: i64([-1]),
        fc: f([3, 36], 61),
      },
    }),
    inputs: [{ dims: [1, 2, 5, 5] }],
    // Only the input's: the reshape keeps NHWC order and the Gemm weights are permuted.
    transposes: 1,
  }),
  "ConstantOfShape, Range, Cast, Constant, Identity and Dropout folded away": () => ({
    model: buildModel({
      inputs: [valueInfo("x", [2, 4])],
      outputs: [valueInfo("y", [2, 4])],
      nodes: [
        node("Constant", [], ["four"], { value: { t: { dims: [], data: [4] } } }),
        node("Constant", [], ["one"], { value_int: 1 }),
        node("Constant", [], ["zero"], { value_int: 0 }),
        node("Range", ["zero", "four", "one"], ["r"]),
        node("Cast", ["r"], ["rf"], { to: T.FLOAT }),
        node("Shape", ["x"], ["sx"]),
        node("ConstantOfShape", ["sx"], ["half"], {
          value: { t: { dims: [1], data: Float32Array.of(0.5) } },
        }),
        node("Mul", ["rf", "half"], ["k"]),
        node("Identity", ["x"], ["xi"]),
        node("Dropout", ["xi"], ["xd"]),
        node("Add", ["xd", "k"], ["y"]),
      ],
    }),
    inputs: [{ dims: [2, 4] }],
    ops: ["core.add"],
  }),
  "Cast float → int32 → float at run time (truncation toward zero)": () => ({
    model: buildModel({
      inputs: [valueInfo("x", [2, 3, 4, 4])],
      outputs: [valueInfo("y", ["?"])],
      nodes: [
        node("Conv", ["x", "w"], ["c"], { kernel_shape: [1, 1] }),
        node("Cast", ["c"], ["i"], { to: T.INT32 }),
        node("Cast", ["i"], ["y"], { to: T.FLOAT }),
      ],
      initializers: { w: f([3, 3, 1, 1], 90, -3, 3) },
    }),
    inputs: [{ dims: [2, 3, 4, 4] }],
    ops: ["core.cast"],
  }),
  "Gather of one index from a runtime tensor": () =>
    single("Gather", [3, 4, 5], ["?"], { axis: 1 }, { i: { dims: [], data: [-2] } }, ["i"]),
};

/** A small CNN written with each opset's forms of Clip, Reshape and Softmax. */
function smallCnn(opset: number): Case {
  const clip =
    opset < 11
      ? node("Clip", ["c"], ["r"], { min: float(0), max: float(6) })
      : node("Clip", ["c", "lo", "hi"], ["r"]);
  return {
    model: buildModel({
      opset,
      inputs: [valueInfo("x", [1, 3, 8, 8])],
      outputs: [valueInfo("y", ["?"])],
      nodes: [
        node("Conv", ["x", "w", "b"], ["c"], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] }),
        clip,
        node("MaxPool", ["r"], ["p"], { kernel_shape: [2, 2], strides: [2, 2] }),
        node("Reshape", ["p", "shape"], ["flat"]),
        node("Gemm", ["flat", "fc", "fb"], ["g"], { transB: 1 }),
        node("Softmax", ["g"], ["y"], { axis: opset < 13 ? 1 : -1 }),
      ],
      initializers: {
        w: f([5, 3, 3, 3], 80),
        b: f([5], 81),
        lo: { dims: [], data: Float32Array.of(0) },
        hi: { dims: [], data: Float32Array.of(6) },
        shape: i64([1, -1]),
        fc: f([4, 20], 82),
        fb: f([4], 83),
      },
    }),
    inputs: [{ dims: [1, 3, 8, 8] }],
  };
}

describe("a small CNN in every opset from 11 to 21", () => {
  it.each([11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21])("opset %i", async (opset) => {
    const c = smallCnn(opset);
    const inputs = c.inputs.map((t, k) => ({
      dims: t.dims,
      data: randomFloats(prod(t.dims), 2000 + k, -2, 2),
    }));
    const r = await compareModel(c.model, inputs);
    expect(r.worst).toBeLessThanOrEqual(TOL);
    expect(r.graph.metadata.opset).toBe(String(opset));
  });
});

describe("ops against onnxruntime", () => {
  it.each(Object.keys(CASES))("%s", async (name) => {
    const c = CASES[name]!();
    const inputs = c.inputs.map((t, k) => ({
      dims: t.dims,
      data: randomFloats(prod(t.dims), 1000 + k, -2, 2),
    }));
    const r = await compareModel(c.model, inputs);
    expect(r.worst).toBeLessThanOrEqual(TOL);
    const ops = r.graph.nodes.map((n) => n.op);
    for (const op of c.ops ?? []) expect(ops).toContain(op);
    if (c.transposes !== undefined)
      expect(ops.filter((o) => o === "core.transpose").length).toBe(c.transposes);
  });
});
