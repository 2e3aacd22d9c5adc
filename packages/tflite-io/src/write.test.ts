import {
  corePlugin,
  createInterpreter,
  createRegistry,
  type Graph,
  graphBuilder,
  McuError,
  numElements,
  type TensorInfo,
} from "@mcu/tensor";
import { readFixture } from "@mcu/testing";
import { decodeModel } from "./internal/decode.js";
import { ENUMS } from "./internal/schema.generated.js";
import { readTflite } from "./read.js";
import { maxRelativeError, seededRandom } from "./testing/compare.js";
import { TFLITE_FIXTURES } from "./testing/fixtures.js";
import { runLiteRt } from "./testing/litert.js";
import { withStaticBatch } from "./testing/patch.js";
import { writeTflite } from "./write.js";

const registry = createRegistry([corePlugin]);

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

function tensorFacts(t: TensorInfo) {
  return {
    shape: t.shape,
    dtype: t.dtype,
    quant: t.quant,
    variable: t.variable === true,
    data:
      t.data === undefined ? undefined : Array.from(t.data as ArrayLike<number | bigint>, String).join(","),
  };
}

describe("export → import → export", () => {
  it.each(TFLITE_FIXTURES)("is byte-stable on %s and keeps the graph", (file) => {
    const g = readTflite(readFixture(file));
    const once = writeTflite(g);
    const back = readTflite(once);
    expect(sameBytes(writeTflite(back), once)).toBe(true);
    // The same graph: tensors, nodes and attributes (importer-added nodes become real
    // DEQUANTIZE operators in the file, so only their sourceOp differs).
    expect([...back.tensors.keys()]).toEqual([...g.tensors.keys()]);
    for (const [id, t] of g.tensors) expect(tensorFacts(back.tensors.get(id)!)).toEqual(tensorFacts(t));
    expect(
      back.nodes.map((n) => ({
        ...n,
        sourceOp: n.sourceOp === "DEQUANTIZE" && n.op === "core.dequantize" ? "" : n.sourceOp,
      })),
    ).toEqual(
      g.nodes.map((n) => ({
        ...n,
        sourceOp: n.sourceOp === "DEQUANTIZE" && n.op === "core.dequantize" ? "" : n.sourceOp,
      })),
    );
    expect(back.inputs).toEqual(g.inputs);
    expect(back.outputs).toEqual(g.outputs);
    expect(back.metadata).toEqual(g.metadata);
  });
});

describe("exported float models in LiteRT", () => {
  it.each([
    ["mlcommons-tiny", "pretrainedResnet.tflite"],
    ["mlcommons-tiny", "pretrainedResnet_large_float.tflite"],
    ["tflite-micro", "hello_world_float.tflite"],
    // Float I/O around an int8 body (QUANTIZE, 10 × int8 FULLY_CONNECTED, DEQUANTIZE).
    ["mlcommons-tiny", "model_ToyCar_quant_fullint.tflite"],
  ])("%s/%s gives outputs identical to the original file", async (dir, file) => {
    const original = readFixture(dir, file);
    const exported = writeTflite(readTflite(original));
    const g = readTflite(exported);
    const shape = g.tensors.get(g.inputs[0]!)!.shape;
    const rand = seededRandom(7);
    for (let k = 0; k < 3; k++) {
      const data = Float32Array.from({ length: numElements(shape) }, () => 2 * rand() - 1);
      const [a] = await runLiteRt(withStaticBatch(original), [{ data, shape }]);
      const [b] = await runLiteRt(exported, [{ data, shape }]);
      expect(Array.from(b!)).toEqual(Array.from(a!));
    }
  });

  it("runs a graph built op by op (ops no fixture has) like our interpreter", async () => {
    const g = builtGraph();
    const exported = writeTflite(g);
    const names = decodeModel(exported).operatorCodes.map((c) => ENUMS.BuiltinOperator![c.builtinCode]);
    expect(names).toEqual(
      expect.arrayContaining([
        "PADV2",
        "MIRROR_PAD",
        "MAX_POOL_2D",
        "TRANSPOSE",
        "MEAN",
        "SLICE",
        "EXPAND_DIMS",
        "SQUEEZE",
        "BATCH_MATMUL",
        "HARD_SWISH",
        "TANH",
        "LEAKY_RELU",
        "RELU_N1_TO_1",
        "LOGISTIC",
        "STRIDED_SLICE",
        "CONCATENATION",
        "SUB",
        "MAXIMUM",
        "LOG_SOFTMAX",
      ]),
    );
    const interpreter = createInterpreter(g, { registry });
    const rand = seededRandom(11);
    for (let k = 0; k < 3; k++) {
      const data = Float32Array.from({ length: 1 * 8 * 8 * 3 }, () => 2 * rand() - 1);
      const ours = interpreter.invoke([data])[0]!.data as Float32Array;
      const [theirs] = await runLiteRt(exported, [{ data, shape: [1, 8, 8, 3] }]);
      expect(maxRelativeError(ours, theirs!)).toBeLessThanOrEqual(1e-4);
    }
  });
});

/** A float graph of ops the fixtures do not use, with ONNX-style explicit SAME pads. */
function builtGraph(): Graph {
  const b = graphBuilder(registry);
  const rand = seededRandom(3);
  const constant = (name: string, shape: number[]) =>
    b.constant(
      name,
      Float32Array.from({ length: numElements(shape) }, () => rand() - 0.5),
      shape,
    );
  const x = b.input("x", [1, 8, 8, 3]);
  let h = b.op("core.pad", [x], { paddings: [0, 0, 1, 1, 1, 1, 0, 0], value: 0.25 });
  h = b.op("core.pad", [h], { paddings: [0, 0, 1, 1, 1, 1, 0, 0], mode: "reflect" });
  h = b.op("core.conv2d", [h, constant("w", [4, 3, 3, 3]), constant("b", [4])], {
    padding: "EXPLICIT",
    pads: [1, 1, 1, 1],
    fusedActivation: "RELU6",
  });
  h = b.op("core.max_pool2d", [h], { filter: [2, 2], strides: [2, 2] });
  h = b.op("core.hard_swish", [h]);
  const t = b.op("core.transpose", [h], { perm: [0, 3, 1, 2] });
  const m = b.op("core.mean", [t], { axes: [3], keepDims: false });
  const s = b.op("core.slice", [m], { begin: [0, 0, 1], size: [1, 4, 4] });
  const e = b.op("core.expand_dims", [s], { axis: 0 });
  const q = b.op("core.squeeze", [e], { axes: [0] });
  const mm = b.op("core.batch_matmul", [q, constant("k", [1, 4, 5])], {});
  const a1 = b.op("core.tanh", [mm]);
  const a2 = b.op("core.leaky_relu", [mm], { alpha: 0.2 });
  const a3 = b.op("core.logistic", [mm]);
  const a4 = b.op("core.clip", [mm], { min: -1, max: 1 });
  const d = b.op("core.sub", [a1, a2], { fusedActivation: "NONE" });
  const mx = b.op("core.maximum", [a3, a4]);
  const c = b.op("core.concat", [d, mx], { axis: 2 });
  const ss = b.op("core.strided_slice", [c], { begin: [0, 0, 0], end: [1, 4, 10], strides: [1, 1, 2] });
  b.output(b.op("core.log_softmax", [ss], { axis: -1 }));
  return b.build();
}

describe("operator versions", () => {
  // The files' own operator tables, written by TFLite's converter with op_version.cc's rules.
  it.each([
    ["mlcommons-tiny", "pretrainedResnet_quant.tflite"],
    ["mlcommons-tiny", "pretrainedResnet.tflite"],
    ["mlcommons-tiny", "kws_ref_model.tflite"],
    ["tflite-micro", "hello_world_int8.tflite"],
    ["tflite-micro", "keyword_scrambled.tflite"],
    ["tflite-micro", "micro_speech_lstm.tflite"],
  ])("match what the converter wrote for the operators of %s/%s", (dir, file) => {
    const bytes = readFixture(dir, file);
    const versions = (m: ReturnType<typeof decodeModel>) => {
      const used = new Set(m.subgraphs[0]!.operators.map((o) => o.opcodeIndex));
      return new Map(
        [...used].map((i) => [
          ENUMS.BuiltinOperator![m.operatorCodes[i]!.builtinCode]!,
          m.operatorCodes[i]!.version,
        ]),
      );
    };
    expect(versions(decodeModel(writeTflite(readTflite(bytes))))).toEqual(versions(decodeModel(bytes)));
  });
});

describe("what TFLite cannot hold", () => {
  it("lists every such node in one MCU_E_TFLITE_EXPORT", () => {
    // What tflite/legalize cannot rewrite either: a batch_norm whose mean is a runtime value,
    // edge padding, a clip to other bounds, and an average that leaves explicit pads out of
    // its divisor (TFLite's SAME does too, but only with SAME's pads).
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 4, 4, 2]);
    const mean = b.input("mean", [2]);
    const one = b.constant("one", Float32Array.from([1, 1]), [2]);
    const zero = b.constant("zero", Float32Array.from([0, 0]), [2]);
    const n = b.op("core.batch_norm", [x, one, zero, mean, one], {}, { name: "bn" });
    const p = b.op(
      "core.pad",
      [n],
      { paddings: [0, 0, 1, 1, 1, 1, 0, 0], mode: "edge" },
      { name: "edge_pad" },
    );
    const a = b.op(
      "core.avg_pool2d",
      [p],
      { filter: [3, 3], padding: "EXPLICIT", pads: [1, 0, 1, 0], countIncludePad: false },
      { name: "avg" },
    );
    b.output(b.op("core.clip", [a], { min: -2, max: 3 }, { name: "clip" }));
    let error: unknown;
    try {
      writeTflite(b.build());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(McuError);
    expect((error as McuError).code).toBe("MCU_E_TFLITE_EXPORT");
    for (const name of ["bn", "edge_pad", "avg", "clip"]) expect((error as McuError).message).toContain(name);
  });
});
