import { execFileSync } from "node:child_process";
import { join } from "node:path";
import {
  corePlugin,
  createInterpreter,
  createRegistry,
  type Graph,
  McuError,
  type TensorInfo,
} from "@mcu/tensor";
import { fixturePath, readFixture, workspaceRoot } from "@mcu/testing";
import { encodeModel } from "./internal/encode.js";
import { readTflite } from "./read.js";
import { TFLITE_FIXTURES } from "./testing/fixtures.js";
import { withOpcode, withTensorBuffer } from "./testing/patch.js";

const registry = createRegistry([corePlugin]);

/**
 * Each file's operator table, transcribed by hand from the "Operators:" lines of the fixtures'
 * upstream description (/work/shared/models/SOURCES.md), not from our reader.
 */
const PRETRAINED_RESNET = {
  CONV_2D: 9,
  ADD: 3,
  AVERAGE_POOL_2D: 1,
  RESHAPE: 1,
  FULLY_CONNECTED: 1,
  SOFTMAX: 1,
};
const KWS = {
  CONV_2D: 5,
  DEPTHWISE_CONV_2D: 4,
  AVERAGE_POOL_2D: 1,
  RESHAPE: 1,
  FULLY_CONNECTED: 1,
  SOFTMAX: 1,
};
const KEYWORD = { QUANTIZE: 2, SVDF: 7, FULLY_CONNECTED: 5, SOFTMAX: 1 };
const LSTM_MNIST = { UNIDIRECTIONAL_SEQUENCE_LSTM: 1, RESHAPE: 1, FULLY_CONNECTED: 1, SOFTMAX: 1 };
const AUDIO_FRONT_END = {
  SignalWindow: 1,
  RESHAPE: 1,
  SignalFftAutoScale: 1,
  SignalRfft: 1,
  SignalEnergy: 1,
  STRIDED_SLICE: 1,
  CONCATENATION: 1,
  SignalFilterBank: 1,
  SignalFilterBankSquareRoot: 1,
  SignalFilterBankSpectralSubtraction: 1,
  SignalPCAN: 1,
  SignalFilterBankLog: 1,
  MUL: 1,
};
const EXPECTED_OPS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  "tflite-micro/audio_preprocessor_float.tflite": { ...AUDIO_FRONT_END, CAST: 3 },
  "tflite-micro/audio_preprocessor_int8.tflite": {
    ...AUDIO_FRONT_END,
    CAST: 4,
    ADD: 2,
    DIV: 1,
    MINIMUM: 1,
    MAXIMUM: 1,
  },
  "tflite-micro/dtln_noise_suppression.tflite": {
    UNIDIRECTIONAL_SEQUENCE_LSTM: 2,
    FULLY_CONNECTED: 1,
    LOGISTIC: 1,
  },
  "tflite-micro/hello_world_float.tflite": { FULLY_CONNECTED: 3 },
  "tflite-micro/hello_world_int8.tflite": { FULLY_CONNECTED: 3 },
  "tflite-micro/keyword_scrambled.tflite": KEYWORD,
  "tflite-micro/keyword_scrambled_8bit.tflite": KEYWORD,
  "tflite-micro/micro_speech_lstm.tflite": LSTM_MNIST,
  "tflite-micro/micro_speech_quantized.tflite": {
    RESHAPE: 1,
    DEPTHWISE_CONV_2D: 1,
    FULLY_CONNECTED: 1,
    SOFTMAX: 1,
  },
  "tflite-micro/person_detect.tflite": {
    DEPTHWISE_CONV_2D: 14,
    CONV_2D: 14,
    AVERAGE_POOL_2D: 1,
    RESHAPE: 1,
    SOFTMAX: 1,
  },
  "tflite-micro/person_detect_vela.tflite": { "ethos-u": 1 },
  "tflite-micro/simple_add_model.tflite": { ADD: 1 },
  "tflite-micro/trained_lstm.tflite": LSTM_MNIST,
  "tflite-micro/trained_lstm_int8.tflite": LSTM_MNIST,
  "mlcommons-tiny/kws_ref_model.tflite": KWS,
  "mlcommons-tiny/kws_ref_model_float32.tflite": KWS,
  "mlcommons-tiny/model_ToyCar_quant.tflite": { FULLY_CONNECTED: 10 },
  "mlcommons-tiny/model_ToyCar_quant_fullint.tflite": { QUANTIZE: 1, FULLY_CONNECTED: 10, DEQUANTIZE: 1 },
  "mlcommons-tiny/pretrainedResnet.tflite": PRETRAINED_RESNET,
  "mlcommons-tiny/pretrainedResnet_large_float.tflite": PRETRAINED_RESNET,
  "mlcommons-tiny/pretrainedResnet_large_int8.tflite": PRETRAINED_RESNET,
  "mlcommons-tiny/pretrainedResnet_quant.tflite": PRETRAINED_RESNET,
};
/** seanet/<group>/*.tflite: one operator each (SOURCES.md's seanet group table). */
const SEANET_OP: Readonly<Record<string, string>> = {
  add: "ADD",
  conv: "CONV_2D",
  leaky_relu: "LEAKY_RELU",
  pad: "PAD",
  quantize: "QUANTIZE",
  strided_slice: "STRIDED_SLICE",
  sub: "SUB",
  transpose_conv: "TRANSPOSE_CONV",
};

function expectedOps(file: string): Readonly<Record<string, number>> {
  const seanet = /^tflite-micro\/seanet\/([a-z_]+)\//.exec(file);
  if (seanet !== null) return { [SEANET_OP[seanet[1]!]!]: 1 };
  const ops = EXPECTED_OPS[file];
  if (ops === undefined) throw new Error(`no expected operator table for ${file}`);
  return ops;
}

/** Operator counts by source name, as `mcu inspect` counts them (importer-added nodes skipped). */
function opCounts(g: Graph): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of g.nodes)
    if (n.sourceOp !== "") counts[n.sourceOp ?? n.op] = (counts[n.sourceOp ?? n.op] ?? 0) + 1;
  return counts;
}

const sorted = (o: Readonly<Record<string, number>>) => Object.fromEntries(Object.entries(o).sort());
const tensor = (g: Graph, id: string): TensorInfo => g.tensors.get(id)!;
const read = (...path: string[]): Graph => readTflite(readFixture(...path));

describe("readTflite on every fixture", () => {
  it("covers the 99 copied files", () => {
    expect(TFLITE_FIXTURES.length).toBe(99);
  });

  it.each(TFLITE_FIXTURES)("%s imports, verifies, and has the file's operator table", (file) => {
    const g = readTflite(readFixture(file));
    expect(g.metadata.format).toBe("tflite");
    expect(sorted(opCounts(g))).toEqual(sorted(expectedOps(file)));
  });
});

describe("mcu inspect --json", () => {
  // The `mcu` command from the sources (packages/cli), run as a user runs it.
  const inspect = (file: string) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [join(workspaceRoot, "packages", "cli", "bin", "mcu.js"), "inspect", fixturePath(file), "--json"],
        {
          encoding: "utf8",
          cwd: workspaceRoot,
        },
      ),
    ) as { format: string; opCounts: Record<string, number>; inputs: { shape: number[]; dtype: string }[] };

  it.each([
    "tflite-micro/person_detect.tflite",
    "tflite-micro/keyword_scrambled.tflite",
    "tflite-micro/audio_preprocessor_int8.tflite",
    "tflite-micro/person_detect_vela.tflite",
    "mlcommons-tiny/kws_ref_model_float32.tflite",
    "tflite-micro/seanet/transpose_conv/transpose_conv0.tflite",
  ])("reports %s's operator table by TFLite names", (file) => {
    const out = inspect(file);
    expect(out.format).toBe("tflite");
    expect(sorted(out.opCounts)).toEqual(sorted(expectedOps(file)));
  });
});

describe("real-file quirks", () => {
  it("uses max(deprecated_builtin_code, builtin_code): TOCO files are not all ADD", () => {
    // person_detect sets only deprecated_builtin_code; builtin_code reads as 0 (= ADD).
    const g = read("tflite-micro", "person_detect.tflite");
    expect(g.nodes.some((n) => n.sourceOp === "ADD")).toBe(false);
    expect(g.nodes[0]!.op).toBe("core.depthwise_conv2d");
  });

  it("accepts repeated and unused opcodes", () => {
    // keyword_scrambled lists SVDF v3 and FULLY_CONNECTED v4 several times and an unused DEQUANTIZE.
    const g = read("tflite-micro", "keyword_scrambled.tflite");
    expect(g.nodes.filter((n) => n.op === "core.svdf")).toHaveLength(7);
    expect(g.nodes.some((n) => n.op === "core.dequantize")).toBe(false);
  });

  it("keeps per-channel quantization on the depthwise axis 3 and on rank-1 biases", () => {
    const g = read("tflite-micro", "person_detect.tflite");
    const dw = g.nodes[0]!;
    // First layer: depthwise 1 → 8 channels, weights [1,3,3,8] with 8 scales on axis 3.
    const w = tensor(g, dw.inputs[1]!);
    expect(w.shape).toEqual([1, 3, 3, 8]);
    expect(w.quant?.axis).toBe(3);
    expect(w.quant?.scale).toHaveLength(8);
    // TOCO wrote the bias's quantized_dimension as 3 too; on a rank-1 tensor it can only be 0.
    const b = tensor(g, dw.inputs[2]!);
    expect(b.dtype).toBe("int32");
    expect(b.quant?.axis).toBe(0);
    expect(dw.attrs.depthMultiplier).toBe(8);
  });

  it("reads int32 and int64 biases", () => {
    const conv = read("tflite-micro", "seanet", "conv", "conv0.tflite");
    expect(tensor(conv, conv.nodes[0]!.inputs[2]!).dtype).toBe("int64");
    const fc = read("tflite-micro", "hello_world_int8.tflite");
    expect(tensor(fc, fc.nodes[0]!.inputs[2]!).dtype).toBe("int32");
  });

  it("leaves tensors on the empty buffer 0 without data", () => {
    // keyword_scrambled puts 23 activation and state tensors on buffer 0.
    const g = read("tflite-micro", "keyword_scrambled.tflite");
    const state = tensor(g, g.nodes.find((n) => n.op === "core.svdf")!.inputs[4]!);
    expect(state.data).toBeUndefined();
    expect(state.variable).toBe(true);
    expect(state.dtype).toBe("int16");
  });

  it("shares data between tensors that share a buffer", () => {
    // hello_world_float: tensors 1 and 3 are float32[16] biases on buffers 2 and 4. Point 3 at 2.
    const original = read("tflite-micro", "hello_world_float.tflite");
    const g = readTflite(withTensorBuffer(readFixture("tflite-micro", "hello_world_float.tflite"), 3, 2));
    const a = tensor(g, "sequential/dense_1/BiasAdd/ReadVariableOp");
    const b = tensor(g, "sequential/dense/BiasAdd/ReadVariableOp");
    expect(b.data).toBe(a.data);
    expect(Array.from(b.data as Float32Array)).toEqual(
      Array.from(tensor(original, "sequential/dense_1/BiasAdd/ReadVariableOp").data as Float32Array),
    );
  });

  it("runs a dynamic batch (−1 in shape_signature) with batch 1", () => {
    const g = read("tflite-micro", "hello_world_float.tflite");
    expect(tensor(g, g.inputs[0]!).shape).toEqual([1, 1]);
  });

  it("imports hybrid weights as core.dequantize feeding the float op", () => {
    // kws_ref_model_float32: CONV_2D weights are int8 per tensor, activations float32.
    const g = read("mlcommons-tiny", "kws_ref_model_float32.tflite");
    const conv = g.nodes.find((n) => n.op === "core.conv2d")!;
    const w = tensor(g, conv.inputs[1]!);
    expect(w.dtype).toBe("float32");
    expect(w.data).toBeUndefined();
    const deq = g.nodes.find((n) => n.outputs[0] === w.name)!;
    expect(deq.op).toBe("core.dequantize");
    expect(deq.sourceOp).toBe("");
    const q = tensor(g, deq.inputs[0]!);
    expect(q.dtype).toBe("int8");
    expect(q.quant?.scale).toHaveLength(1);
  });

  it("keeps the file's input and output tensors, types and quantization", () => {
    // SOURCES.md: int8[1, 96, 96, 1] (scale 0.00784313772, zp -1) -> int8[1, 2] (scale 0.00390625, zp -128).
    const g = read("tflite-micro", "person_detect.tflite");
    const x = tensor(g, g.inputs[0]!);
    expect(x).toMatchObject({ shape: [1, 96, 96, 1], dtype: "int8", quant: { zeroPoint: [-1] } });
    expect(x.quant!.scale[0]).toBeCloseTo(0.00784313772, 10);
    expect(tensor(g, g.outputs[0]!)).toMatchObject({
      shape: [1, 2],
      dtype: "int8",
      quant: { scale: [0.00390625], zeroPoint: [-128] },
    });
  });

  it("keeps a runtime output_shape of TRANSPOSE_CONV as an input (seanet)", () => {
    // transpose_conv0: int32[4] output_shape and int16[1,1,5,64] inputs -> int16[1,3,12,64].
    const g = read("tflite-micro", "seanet", "transpose_conv", "transpose_conv0.tflite");
    const n = g.nodes[0]!;
    expect(n.op).toBe("core.transpose_conv2d");
    expect(n.inputs[3]).toBe(g.inputs[0]);
    expect(n.attrs.outputShape).toEqual([1, 3, 12, 64]);
    expect(tensor(g, n.outputs[0]!).shape).toEqual([1, 3, 12, 64]);
    expect(n.attrs.strides).toEqual([1, 2]);
  });

  it("holds UINT32/UINT64 tensors of the audio front end in signed dtypes, recording their types", () => {
    const g = read("tflite-micro", "audio_preprocessor_float.tflite");
    expect(tensor(g, "signal_energy").dtype).toBe("int32");
    expect(JSON.parse(g.metadata["tflite.tensor_types"]!)).toMatchObject({
      signal_energy: "UINT32",
      signal_filter_bank: "UINT64",
    });
  });
});

describe("input bytes", () => {
  it("reads a Node Buffer at an unaligned offset, and copies what it keeps", () => {
    // Buffer.prototype.slice is a view, not a copy: the reader must not rely on it.
    const file = readFixture("tflite-micro", "hello_world_float.tflite");
    const buffer = Buffer.concat([Buffer.alloc(3), Buffer.from(file)]).subarray(3);
    expect(buffer.byteOffset % 4).not.toBe(0);
    const g = readTflite(buffer);
    const y = createInterpreter(g, { registry }).invoke([Float32Array.from([1])])[0]!.data as Float32Array;
    // The numpy forward pass of SOURCES.md gives 0.8630 for x = 1.
    expect(y[0]).toBeCloseTo(0.863, 3);
    expect(g.tensors).toEqual(readTflite(file).tensors);
    buffer.fill(0);
    expect(y[0]).toBeCloseTo(0.863, 3);
    expect(Array.from(tensor(g, "sequential/dense_2/MatMul").data as Float32Array).some((v) => v !== 0)).toBe(
      true,
    );
  });

  it("keeps a min_runtime_version that is not a short version string as bytes", () => {
    // 200,000 printable bytes: too long to be a version, and too many for one spread call.
    const text = new Uint8Array(200_000).fill(0x31);
    const bytes = encodeModel({
      version: 3,
      operatorCodes: [],
      subgraphs: [{ tensors: [], inputs: [], outputs: [], operators: [] }],
      buffers: [{}, { data: Uint8Array.from([0x31, 0x2e, 0x35, 0, 0]) }, { data: text }],
      metadata: [
        { name: "min_runtime_version", buffer: 1 },
        { name: "min_runtime_version", buffer: 2 },
      ],
    });
    const g = readTflite(bytes);
    expect(g.metadata["tflite.min_runtime_version"]).toBe("1.5");
    expect(Buffer.from(g.metadata["tflite.metadata.min_runtime_version"]!, "base64").length).toBe(200_000);
  });

  it("does not alias custom options to the caller's bytes", () => {
    const file = Buffer.from(readFixture("tflite-micro", "person_detect_vela.tflite"));
    const g = readTflite(file);
    const options = Array.from(g.nodes[0]!.attrs.options as Uint8Array);
    file.fill(0);
    expect(Array.from(g.nodes[0]!.attrs.options as Uint8Array)).toEqual(options);
  });
});

describe("custom and unsupported ops", () => {
  it("keeps custom ops as core.custom with their code, options and recorded shapes", () => {
    const g = read("tflite-micro", "person_detect_vela.tflite");
    expect(g.nodes).toHaveLength(1);
    const n = g.nodes[0]!;
    expect(n).toMatchObject({
      op: "core.custom",
      sourceOp: "ethos-u",
      attrs: { customCode: "ethos-u", format: "flexbuffers" },
    });
    expect((n.attrs.options as Uint8Array).length).toBe(3);
    expect(tensor(g, n.outputs[0]!).shape).toEqual([1, 2]);
    // Vela's scratch tensors are read but never written by the file: held as variables.
    expect(JSON.parse(g.metadata["tflite.uninitialized"]!)).toEqual([
      "_split_1_scratch",
      "_split_1_scratch_fast",
    ]);
  });

  it("running a custom op is MCU_E_NO_KERNEL naming the op", () => {
    const g = read("tflite-micro", "person_detect_vela.tflite");
    expect(() => createInterpreter(g, { registry })).toThrow(
      expect.objectContaining({ code: "MCU_E_NO_KERNEL", message: expect.stringContaining("ethos-u") }),
    );
  });

  it("reports every unsupported operator, with its index, in one McuError", () => {
    // hello_world_float's three FULLY_CONNECTED share opcode 0; make it GATHER (36).
    const bytes = withOpcode(readFixture("tflite-micro", "hello_world_float.tflite"), 0, 36);
    let error: unknown;
    try {
      readTflite(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(McuError);
    expect((error as McuError).code).toBe("MCU_E_UNSUPPORTED_OP");
    expect((error as McuError).message).toContain("3 operator(s)");
    for (const i of [0, 1, 2]) expect((error as McuError).message).toContain(`#${i} GATHER`);
  });

  it("rejects a file that is not a TFLite model", () => {
    expect(() => readTflite(new TextEncoder().encode("not a flatbuffer at all"))).toThrow(
      expect.objectContaining({ code: "MCU_E_TFLITE_INVALID" }),
    );
    expect(() => readTflite(new Uint8Array(3))).toThrow(
      expect.objectContaining({ code: "MCU_E_TFLITE_TRUNCATED" }),
    );
  });
});
