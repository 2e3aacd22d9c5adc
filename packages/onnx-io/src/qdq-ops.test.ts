/**
 * QDQ patterns as onnxruntime's quantize_static writes them (QuantizeLinear → DequantizeLinear
 * around float ops; per-tensor and per-channel weights; int8 and uint8 activations; int32 or
 * float biases), built with the protobuf module. Oracle: onnxruntime with graph optimizations
 * disabled, which executes exactly DequantizeLinear → float op → QuantizeLinear.
 */
import quantPlugin from "@mcu/quant";
import { corePlugin, createRegistry, getTensor, type Registry, runGraph } from "@mcu/tensor";
import { readOnnx } from "./index.js";
import { buildModel, node, randomFloats, type TensorSpec, valueInfo } from "./testing/onnx-builder.js";
import { ortSession } from "./testing/ort.js";

/** Deterministic int8 data in [-127, 127]. */
function int8s(n: number, seed: number): Int8Array {
  return Int8Array.from(randomFloats(n, seed, -127.49, 127.49), (v) => Math.round(v));
}

const scalar = (v: number): TensorSpec => ({ dims: [], data: Float32Array.of(v) });
const zp8 = (v: number): TensorSpec => ({ dims: [], data: Int8Array.of(v) });
const zpU8 = (v: number): TensorSpec => ({ dims: [], data: Uint8Array.of(v) });

/** Q → DQ of a float value with per-tensor parameters (names derived from `v`). */
function qdq(v: string, out: string): ReturnType<typeof node>[] {
  return [
    node("QuantizeLinear", [v, `${v}_s`, `${v}_z`], [`${v}_q`]),
    node("DequantizeLinear", [`${v}_q`, `${v}_s`, `${v}_z`], [out]),
  ];
}

interface QdqCase {
  readonly model: Uint8Array;
  readonly inputs: readonly (readonly number[])[];
  readonly outScale: number;
  /** IR ops the integer import must contain (with int8/uint8 tensors). */
  readonly intOps: readonly string[];
  /**
   * False where float sums land near (not exactly on) half-way points — a mean's division, or
   * a chain in which an upstream tie moves later values — so a differing value need not look
   * like a tie at the output.
   */
  readonly exactTies?: boolean;
}

function convCase(opts: {
  depthwise: boolean;
  perChannel: boolean;
  uint8: boolean;
  intBias: boolean;
}): QdqCase {
  const c = opts.depthwise ? 4 : 3;
  const o = opts.depthwise ? 4 : 5;
  const wShape = opts.depthwise ? [o, 1, 3, 3] : [o, c, 3, 3];
  const ws = opts.perChannel
    ? Float32Array.from({ length: o }, (_, i) => 0.004 + 0.001 * i)
    : Float32Array.of(0.005);
  const sx = 0.02;
  const zx = opts.uint8 ? zpU8(128) : zp8(-3);
  const zy = opts.uint8 ? zpU8(7) : zp8(-120);
  const bias = randomFloats(o, 33, -0.2, 0.2);
  const inits: Record<string, TensorSpec> = {
    x_s: scalar(sx),
    x_z: zx,
    w_q: {
      dims: wShape,
      data: int8s(
        wShape.reduce((a, b) => a * b, 1),
        31,
      ),
    },
    w_s: { dims: opts.perChannel ? [o] : [], data: ws },
    w_z: { dims: opts.perChannel ? [o] : [], data: new Int8Array(opts.perChannel ? o : 1) },
    y_s: scalar(0.03),
    y_z: zy,
  };
  const nodes = [...qdq("x", "xd"), node("DequantizeLinear", ["w_q", "w_s", "w_z"], ["wd"], { axis: 0 })];
  if (opts.intBias) {
    inits.b_q = {
      dims: [o],
      data: Int32Array.from(bias, (b, i) => Math.round(b / (sx * ws[opts.perChannel ? i : 0]!))),
    };
    inits.b_s = {
      dims: [o],
      data: Float32Array.from({ length: o }, (_, i) => Math.fround(sx * ws[opts.perChannel ? i : 0]!)),
    };
    inits.b_z = { dims: [o], data: new Int32Array(o) };
    nodes.push(node("DequantizeLinear", ["b_q", "b_s", "b_z"], ["bd"], { axis: 0 }));
  } else inits.bd = { dims: [o], data: bias };
  nodes.push(
    node("Conv", ["xd", "wd", "bd"], ["y"], {
      kernel_shape: [3, 3],
      pads: [1, 1, 1, 1],
      strides: [2, 1],
      ...(opts.depthwise ? { group: c } : {}),
    }),
    ...qdq("y", "out"),
  );
  return {
    model: buildModel({
      inputs: [valueInfo("x", [1, c, 7, 6])],
      outputs: [valueInfo("out", ["?"])],
      nodes,
      initializers: inits,
    }),
    inputs: [[1, c, 7, 6]],
    outScale: 0.03,
    intOps: [opts.depthwise ? "core.depthwise_conv2d" : "core.conv2d"],
  };
}

function denseCase(op: "Gemm" | "MatMul"): QdqCase {
  const inits: Record<string, TensorSpec> = {
    x_s: scalar(0.02),
    x_z: zp8(5),
    w_q: { dims: op === "Gemm" ? [6, 12] : [12, 6], data: int8s(72, 41) },
    w_s: {
      dims: op === "Gemm" ? [6] : [],
      data:
        op === "Gemm"
          ? Float32Array.from({ length: 6 }, (_, i) => 0.003 + 0.0005 * i)
          : Float32Array.of(0.004),
    },
    w_z: { dims: op === "Gemm" ? [6] : [], data: new Int8Array(op === "Gemm" ? 6 : 1) },
    y_s: scalar(0.05),
    y_z: zp8(2),
  };
  if (op === "Gemm") {
    // quantize_static's bias: int32 with scale s_x · s_w[c].
    const ws = inits.w_s!.data as Float32Array;
    const b = randomFloats(6, 42, -0.3, 0.3);
    inits.b_q = { dims: [6], data: Int32Array.from(b, (v, i) => Math.round(v / (0.02 * ws[i]!))) };
    inits.b_s = { dims: [6], data: Float32Array.from(ws, (w) => Math.fround(0.02 * w)) };
    inits.b_z = { dims: [6], data: new Int32Array(6) };
  }
  const dense =
    op === "Gemm"
      ? node("Gemm", ["xd", "wd", "bd"], ["y"], { transB: 1 })
      : node("MatMul", ["xd", "wd"], ["y"]);
  return {
    model: buildModel({
      inputs: [valueInfo("x", [16, 12])],
      outputs: [valueInfo("out", ["?"])],
      nodes: [
        ...qdq("x", "xd"),
        node("DequantizeLinear", ["w_q", "w_s", "w_z"], ["wd"], { axis: 0 }),
        ...(op === "Gemm" ? [node("DequantizeLinear", ["b_q", "b_s", "b_z"], ["bd"], { axis: 0 })] : []),
        dense,
        ...qdq("y", "out"),
      ],
      initializers: inits,
    }),
    inputs: [[16, 12]],
    outScale: 0.05,
    intOps: ["core.fully_connected"],
  };
}

const ELEMENTWISE_INITS: Record<string, TensorSpec> = {
  a_s: scalar(0.02),
  a_z: zp8(0),
  b_s: scalar(0.035),
  b_z: zp8(10),
  s_s: scalar(0.04),
  s_z: zp8(-5),
  p_s: scalar(0.05),
  p_z: zp8(-20),
  o_s: scalar(0.05),
  o_z: zp8(3),
};

/** QDQ'd inputs a (and b) [1,2,12,12] into `nodes`, whose last value "o" is QDQ'd into "out". */
function twoInputCase(
  nodes: ReturnType<typeof node>[],
  intOps: readonly string[],
  inputs: 1 | 2,
  outScale = 0.05,
): QdqCase {
  const dims = [1, 2, 12, 12];
  return {
    model: buildModel({
      inputs: inputs === 2 ? [valueInfo("a", dims), valueInfo("b", dims)] : [valueInfo("a", dims)],
      outputs: [valueInfo("out", ["?"])],
      nodes: [...qdq("a", "ad"), ...(inputs === 2 ? qdq("b", "bd") : []), ...nodes, ...qdq("o", "out")],
      initializers: {
        ...ELEMENTWISE_INITS,
        st: { dims: [1], data: [1] },
        en: { dims: [1], data: [3] },
        ax: { dims: [1], data: [1] },
      },
    }),
    inputs: inputs === 2 ? [dims, dims] : [dims],
    outScale,
    intOps,
  };
}

const CASES: Readonly<Record<string, () => QdqCase>> = {
  "Conv, per-tensor int8 weights, uint8 activations, float bias": () =>
    convCase({ depthwise: false, perChannel: false, uint8: true, intBias: false }),
  "Conv, per-channel weights, int32 bias": () =>
    convCase({ depthwise: false, perChannel: true, uint8: false, intBias: true }),
  "depthwise Conv, per-channel weights, int32 bias": () =>
    convCase({ depthwise: true, perChannel: true, uint8: false, intBias: true }),
  "Gemm, per-channel weights, int32 bias": () => denseCase("Gemm"),
  "MatMul, per-tensor weights": () => denseCase("MatMul"),
  "Add of two differently quantized tensors": () =>
    twoInputCase([node("Add", ["ad", "bd"], ["o"])], ["core.add"], 2),
  "MaxPool, requantized to other parameters": () =>
    twoInputCase(
      [node("MaxPool", ["ad"], ["o"], { kernel_shape: [2, 2], strides: [2, 2] })],
      ["core.max_pool2d"],
      1,
    ),
  AveragePool: () => ({
    ...twoInputCase(
      [node("AveragePool", ["ad"], ["o"], { kernel_shape: [2, 2], strides: [2, 2] })],
      ["core.avg_pool2d"],
      1,
    ),
    exactTies: false,
  }),
  "Add → Concat → Slice → Add (several requantizations)": () => ({
    exactTies: false,
    ...twoInputCase(
      [
        node("Add", ["ad", "bd"], ["s"]),
        ...qdq("s", "sd"),
        node("Concat", ["sd", "sd"], ["c"], { axis: 1 }),
        node("QuantizeLinear", ["c", "s_s", "s_z"], ["c_q"]),
        node("DequantizeLinear", ["c_q", "s_s", "s_z"], ["cd"]),
        node("Slice", ["cd", "st", "en", "ax"], ["cs"]),
        node("Add", ["cs", "ad"], ["o"]),
      ],
      ["core.add", "core.concat"],
      2,
    ),
  }),
};

async function compare(c: QdqCase, registry: Registry, optimize: boolean) {
  const inputs = c.inputs.map((dims, k) => ({
    dims,
    data: randomFloats(
      dims.reduce((a, b) => a * b, 1),
      500 + k,
      -1.5,
      1.5,
    ),
  }));
  const s = await ortSession(c.model, { optimize });
  const [ref] = await s.run(inputs);
  await s.release();
  const graph = readOnnx(c.model, { registry });
  const [ours] = runGraph(
    graph,
    inputs.map((t) => t.data),
    { registry },
  );
  const y = ours!.data as Float32Array;
  let exact = 0;
  let maxSteps = 0;
  let notTies = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === ref!.data[i]) {
      exact++;
      continue;
    }
    maxSteps = Math.max(maxSteps, Math.round(Math.abs(y[i]! - ref!.data[i]!) / c.outScale));
    // A half-way tie: onnxruntime rounded to the even neighbour, we (TFLite) away from zero.
    const mo = Math.round(y[i]! / c.outScale);
    const mr = Math.round(ref!.data[i]! / c.outScale);
    if (!(mr % 2 === 0 && Math.abs(mo) === Math.abs(mr) + 1 && Math.sign(mo) * Math.sign(mr) >= 0)) notTies++;
  }
  return {
    graph,
    exact: exact / y.length,
    maxSteps,
    notTies,
    exactTies: c.exactTies ?? true,
    shape: ours!.shape,
    refDims: ref!.dims,
  };
}

describe("QDQ patterns", () => {
  it.each(Object.keys(CASES))("%s: integer import", (name) => {
    const c = CASES[name]!();
    const g = readOnnx(c.model, { registry: createRegistry([corePlugin]), qdq: "integer" });
    for (const op of c.intOps) {
      const n = g.nodes.find((x) => x.op === op);
      expect(n).toBeDefined();
      expect(["int8", "uint8"]).toContain(getTensor(g, n!.outputs[0]!).dtype);
    }
  });

  it.each(Object.keys(CASES))(
    "%s: dequantize → float → quantize equals onnxruntime's QDQ execution",
    async (name) => {
      const r = await compare(CASES[name]!(), createRegistry([corePlugin]), false);
      expect(r.shape).toEqual(r.refDims);
      // Every difference is one output step at a half-way tie: core.quantize rounds ties away
      // from zero (TFLite), ONNX QuantizeLinear to even. (A float bias, folded to int32 for the
      // integer graph, could add rounding of its own; quantize_static writes int32 biases.)
      expect(r.maxSteps).toBeLessThanOrEqual(1);
      expect(r.exact).toBeGreaterThanOrEqual(0.75);
      if (r.exactTies) expect(r.notTies).toBe(0);
    },
  );

  it.each(Object.keys(CASES))(
    "%s: @mcu/quant's integer kernels stay within two output steps",
    async (name) => {
      const r = await compare(CASES[name]!(), createRegistry([corePlugin, quantPlugin]), true);
      expect(r.maxSteps).toBeLessThanOrEqual(2);
    },
  );
});
