import { readFixture } from "@mcu/testing";
import { createGraph } from "../graph.js";
import { readMcuir } from "./read-mcuir.js";
import { writeMcuir } from "./write-mcuir.js";

// fixtures/mcuir/python-written.mcuir was written by Google's protobuf (Python) from mcuir.proto,
// with constant bytes packed by hand in fixtures/mcuir/make_python_mcuir.py. The graph below
// restates that script's values.
const expected = createGraph({
  tensors: [
    { name: "input", dtype: "int8", shape: [1, 2, 2, 3], quant: { scale: [0.0078125], zeroPoint: [-128] } },
    {
      name: "weights",
      dtype: "int4",
      shape: [3, 1, 1, 3],
      data: Int8Array.of(1, -1, -8, 7, 3, 0, -2, 5, 6),
      quant: { scale: [0.5, 1.49e-7, 0.25], zeroPoint: [0, 0, 0], axis: 0 },
    },
    { name: "bias", dtype: "int32", shape: [3], data: Int32Array.of(100, -2147483648, 2147483647) },
    { name: "f", dtype: "float32", shape: [2], data: Float32Array.of(1.5, -0) },
    { name: "h", dtype: "int16", shape: [2], data: Int16Array.of(-32768, 1234) },
    { name: "u", dtype: "uint8", shape: [3], data: Uint8Array.of(0, 128, 255) },
    { name: "l", dtype: "int64", shape: [2], data: BigInt64Array.of(-(2n ** 62n), 7n) },
    { name: "flags", dtype: "bool", shape: [2], data: Uint8Array.of(1, 0) },
    // Rows of 33: [-1, +1 × 31, -1] and [+1 × 32, -1]; a set bit is -1, element j is bit j % 32
    // of word j / 32, two words per row: row 0 = [bit 0, bit 0], row 1 = [0, bit 0].
    { name: "signs", dtype: "bit", shape: [2, 33], data: Uint32Array.of(1, 1, 0, 1) },
    { name: "empty", dtype: "float32", shape: [0, 4], data: new Float32Array(0) },
    { name: "state", dtype: "int16", shape: [1, 4], variable: true },
    { name: "out", dtype: "int8", shape: [1, 2, 2, 3] },
  ],
  nodes: [
    {
      name: "conv",
      op: "core.conv2d",
      inputs: ["input", "weights", "bias"],
      outputs: ["out"],
      attrs: {
        strides: [1, 1],
        padding: "SAME",
        groups: 1,
        offset: -3,
        epsilon: 1e-5,
        negzero: -0,
        flag: false,
        scales: [0.5, 1.25],
        names: ["a", "β"],
        blob: Uint8Array.of(0, 1, 254),
        none: [],
      },
      sourceOp: "CONV_2D",
    },
    { name: "custom", op: "core.custom", inputs: ["out", ""], outputs: ["state"], attrs: {} },
  ],
  inputs: ["input"],
  outputs: ["out", "state"],
  metadata: { producer: "google protobuf (python)" },
});

describe(".mcuir against Google's protobuf implementation", () => {
  const pythonBytes = readFixture("mcuir", "python-written.mcuir");

  it("reads a file written by Python protobuf", () => {
    const g = readMcuir(pythonBytes);
    expect(g).toEqual(expected);
    expect(Object.is((g.tensors.get("f")!.data as Float32Array)[1], -0)).toBe(true);
    expect(Object.is(g.nodes[0]!.attrs.negzero, -0)).toBe(true);
  });

  it("writes the same bytes Python protobuf wrote for the same model", () => {
    expect(Buffer.from(writeMcuir(expected)).toString("hex")).toBe(Buffer.from(pythonBytes).toString("hex"));
  });
});
