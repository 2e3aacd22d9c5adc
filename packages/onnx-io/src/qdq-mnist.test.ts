/**
 * mnist_cnn_qdq_ort.onnx: mnist_cnn quantized by onnxruntime's quantize_static (QDQ format,
 * per-channel int8 weights, int8 activations). Imported as an integer graph; run through
 * dequantize → float → quantize with the core kernels, and on @mcu/quant's integer kernels.
 * Reference: onnxruntime's logits for all 1996 test digits (its QDQ execution).
 */
import quantPlugin from "@mcu/quant";
import {
  corePlugin,
  createInterpreter,
  createRegistry,
  type Graph,
  getTensor,
  type Registry,
} from "@mcu/tensor";
import { readFixture } from "@mcu/testing";
import { onnx } from "./generated/onnx.generated.js";
import { readOnnx } from "./index.js";
import { argmax, digitInput, ortLogits, testDigits, testLabels } from "./testing/mnist.js";

const bytes = readFixture("pytorch-mnist", "mnist_cnn_qdq_ort.onnx");
const file = onnx.ModelProto.decode(bytes).graph!;

/** An initializer's values straight from the file (raw_data or the typed fields). */
function init(name: string): number[] {
  const t = file.initializer!.find((i) => i.name === name)!;
  if (t.floatData!.length > 0) return [...t.floatData!];
  if (t.int32Data!.length > 0) return [...t.int32Data!];
  const raw = t.rawData!;
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (t.dataType === 1) return Array.from({ length: raw.length / 4 }, (_, i) => v.getFloat32(4 * i, true));
  if (t.dataType === 6) return Array.from({ length: raw.length / 4 }, (_, i) => v.getInt32(4 * i, true));
  if (t.dataType === 3) return Array.from({ length: raw.length }, (_, i) => v.getInt8(i));
  throw new Error(`initializer ${name} of type ${t.dataType}`);
}

describe("mnist_cnn_qdq_ort imported as an integer graph", () => {
  const registry = createRegistry([corePlugin]);
  const g = readOnnx(bytes, { registry, qdq: "integer" });
  const conv0 = g.nodes.find((n) => n.name === "/0/Conv")!;

  it("keeps the float interface and quantizes/dequantizes at the edges", () => {
    expect(getTensor(g, "input")).toMatchObject({ shape: [1, 1, 28, 28], dtype: "float32" });
    expect(getTensor(g, "logits")).toMatchObject({ shape: [1, 10], dtype: "float32" });
    expect(g.nodes.map((n) => n.op)).toEqual([
      "core.quantize",
      "core.reshape",
      "core.conv2d",
      "core.max_pool2d",
      "core.conv2d",
      "core.max_pool2d",
      "core.conv2d",
      "core.flatten",
      "core.fully_connected",
      "core.dequantize",
    ]);
    expect(g.nodes.map((n) => n.sourceOp)).toEqual([
      "QuantizeLinear",
      "",
      "Conv",
      "MaxPool",
      "Conv",
      "MaxPool",
      "Conv",
      "Flatten",
      "Gemm",
      "DequantizeLinear",
    ]);
    expect(g.metadata["onnx.qdq"]).toBe("integer");
  });

  it("gives activations the QuantizeLinear parameters of the file", () => {
    const x = getTensor(g, conv0.inputs[0]!);
    expect(x.dtype).toBe("int8");
    expect(x.quant).toEqual({ scale: init("input_scale"), zeroPoint: init("input_zero_point") });
    const y = getTensor(g, conv0.outputs[0]!);
    expect(y.dtype).toBe("int8");
    expect(y.quant).toEqual({
      scale: init("/1/Relu_output_0_scale"),
      zeroPoint: init("/1/Relu_output_0_zero_point"),
    });
  });

  it("stores int8 weights OHWI with their per-channel parameters on axis 0", () => {
    const w = getTensor(g, conv0.inputs[1]!);
    expect(w.dtype).toBe("int8");
    expect(w.shape).toEqual([8, 3, 3, 1]);
    expect(w.quant).toEqual({
      scale: init("0.weight_scale"),
      zeroPoint: init("0.weight_zero_point"),
      axis: 0,
    });
    // C_in = 1: OIHW and OHWI hold the same bytes.
    expect(Array.from(w.data as Int8Array)).toEqual(init("0.weight_quantized"));
    const conv1 = g.nodes.find((n) => n.name === "/3/Conv")!;
    const w1 = getTensor(g, conv1.inputs[1]!);
    const src = init("3.weight_quantized"); // [16, 8, 3, 3]
    const ir = w1.data as Int8Array; // [16, 3, 3, 8]
    for (let o = 0; o < 16; o++)
      for (let k = 0; k < 9; k++)
        for (let i = 0; i < 8; i++) expect(ir[(o * 9 + k) * 8 + i]).toBe(src[(o * 8 + i) * 9 + k]);
  });

  it("folds the bias to int32 with scale s_in · s_w[c] and zero point 0", () => {
    const b = getTensor(g, conv0.inputs[2]!);
    expect(b.dtype).toBe("int32");
    expect(Array.from(b.data as Int32Array)).toEqual(init("0.bias_quantized"));
    const sIn = init("input_scale")[0]!;
    const sW = init("0.weight_scale");
    for (const [c, s] of b.quant!.scale.entries())
      expect(Math.abs(s - sIn * sW[c]!)).toBeLessThanOrEqual(1e-6 * s);
    // The scale is the file's own (onnxruntime computed s_in · s_w[c] in float32).
    expect(b.quant!.scale).toEqual(init("0.bias_quantized_scale"));
    expect(b.quant!.zeroPoint.every((z) => z === 0)).toBe(true);
  });
});

/** Runs the QDQ model on every test digit and compares with onnxruntime's logits. */
function runAll(registry: Registry): {
  graph: Graph;
  kernels: readonly string[];
  exact: number;
  maxSteps: number;
  agree: number;
  ours: number;
  ort: number;
} {
  const graph = readOnnx(bytes, { registry });
  const interpreter = createInterpreter(graph, { registry });
  const ref = ortLogits("mnist_cnn_qdq_ort");
  const digits = testDigits();
  const labels = testLabels();
  const step = init("logits_scale")[0]!;
  let exact = 0;
  let maxSteps = 0;
  let agree = 0;
  let ours = 0;
  let ort = 0;
  const x = new Float32Array(784);
  for (let i = 0; i < 1996; i++) {
    const y = interpreter.invoke([digitInput(digits, i, x)])[0]!.data as Float32Array;
    const r = ref.subarray(i * 10, i * 10 + 10);
    let same = true;
    for (let k = 0; k < 10; k++) {
      if (y[k] !== r[k]) same = false;
      maxSteps = Math.max(maxSteps, Math.round(Math.abs(y[k]! - r[k]!) / step));
    }
    if (same) exact++;
    if (argmax(y) === argmax(r)) agree++;
    if (argmax(y) === labels[i]) ours++;
    if (argmax(r) === labels[i]) ort++;
  }
  return { graph, kernels: interpreter.kernelNames, exact, maxSteps, agree, ours, ort };
}

describe("mnist_cnn_qdq_ort on all 1996 test digits", () => {
  it("runs today through dequantize → float op → quantize (core kernels only)", () => {
    const r = runAll(createRegistry([corePlugin]));
    expect(r.graph.metadata["onnx.qdq"]).toMatch(/^simulated/);
    expect(r.kernels.every((k) => k.startsWith("core/"))).toBe(true);
    // Measured: 1994 digits give onnxruntime's logits bit for bit; the others differ by one
    // output step (a rounding tie or a float sum order at a requantization).
    expect(r.exact).toBeGreaterThanOrEqual(1990);
    expect(r.maxSteps).toBeLessThanOrEqual(1);
    expect(r.agree).toBe(1996);
    expect(r.ort).toBe(1959); // 0.981463, the README's figure
    expect(r.ours).toBe(1959);
  }, 120_000);

  it("runs on @mcu/quant's integer kernels when they are installed, with onnxruntime's accuracy", () => {
    const r = runAll(createRegistry([corePlugin, quantPlugin]));
    expect(r.graph.metadata["onnx.qdq"]).toBe("integer");
    expect(r.kernels.filter((k) => k === "quant/int8").length).toBeGreaterThanOrEqual(6);
    // TFLite's integer requantization rounds differently from onnxruntime's QLinearConv, so
    // logits may move by an output step; the classification does not.
    expect(r.maxSteps).toBeLessThanOrEqual(2);
    expect(r.agree).toBe(1996);
    expect(r.ours).toBe(1959);
  }, 120_000);
});
