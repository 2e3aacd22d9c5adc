import { corePlugin, createRegistry, type Graph, getTensor, verify } from "@mcu/tensor";
import { readFixture } from "@mcu/testing";
import { onnx } from "./generated/onnx.generated.js";
import onnxPluginDefault, { onnxFormat, onnxPlugin, readOnnx } from "./index.js";

const registry = createRegistry([corePlugin, onnxPlugin]);

/** An initializer's float values straight from the file's raw_data (little-endian float32). */
function initializer(bytes: Uint8Array, name: string): { dims: number[]; data: Float32Array } {
  const t = onnx.ModelProto.decode(bytes).graph!.initializer!.find((i) => i.name === name)!;
  const raw = t.rawData!;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const data = new Float32Array(raw.length / 4);
  for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(4 * i, true);
  return { dims: t.dims!.map(Number), data };
}

function constData(g: Graph, id: string): Float32Array {
  return getTensor(g, id).data as Float32Array;
}

describe("readOnnx on mnist_cnn.onnx (PyTorch 2.11, opset 13)", () => {
  const bytes = readFixture("pytorch-mnist", "mnist_cnn.onnx");
  const g = readOnnx(bytes, { registry });

  it("keeps ONNX's inputs and outputs: NCHW float [1,1,28,28] in, [1,10] out", () => {
    expect(g.inputs).toEqual(["input"]);
    expect(getTensor(g, "input").shape).toEqual([1, 1, 28, 28]);
    expect(getTensor(g, "input").dtype).toBe("float32");
    expect(g.outputs).toEqual(["logits"]);
    expect(getTensor(g, "logits").shape).toEqual([1, 10]);
    expect(verify(g, registry)).toBe(g);
  });

  it("records the file's metadata", () => {
    expect(g.metadata).toMatchObject({
      format: "onnx",
      producer: "pytorch 2.11.0",
      opset: "13",
      irVersion: "7",
    });
  });

  it("runs convolutions channels-last: one reshape after the input, none before the output", () => {
    const ops = g.nodes.map((n) => n.op);
    expect(ops).toEqual([
      "core.reshape", // [1,1,28,28] → [1,28,28,1]: C = 1, so no transpose is needed
      "core.conv2d",
      "core.relu",
      "core.max_pool2d",
      "core.conv2d",
      "core.relu",
      "core.max_pool2d",
      "core.conv2d",
      "core.relu",
      "core.flatten",
      "core.fully_connected",
    ]);
    const conv = g.nodes.find((n) => n.op === "core.conv2d")!;
    expect(getTensor(g, conv.outputs[0]!).shape).toEqual([1, 28, 28, 8]);
    // ONNX pads [1,1,1,1] for a 3x3 stride-1 conv are TFLite's SAME.
    expect(conv.attrs.padding).toBe("SAME");
  });

  it("names nodes after the file's nodes and keeps the ONNX op type as sourceOp", () => {
    const conv = g.nodes.find((n) => n.name === "/0/Conv")!;
    expect(conv.sourceOp).toBe("Conv");
    expect(g.nodes.find((n) => n.name === "/9/Gemm")!.sourceOp).toBe("Gemm");
    // The layout reshape is not in the file.
    expect(g.nodes[0]!.sourceOp).toBe("");
  });

  it("stores conv weights OHWI: w[o,ky,kx,i] = onnx[o,i,ky,kx]", () => {
    const src = initializer(bytes, "3.weight"); // [16, 8, 3, 3]
    expect(src.dims).toEqual([16, 8, 3, 3]);
    const conv = g.nodes.find((n) => n.name === "/3/Conv")!;
    const w = getTensor(g, conv.inputs[1]!);
    expect(w.shape).toEqual([16, 3, 3, 8]);
    const ir = constData(g, w.name);
    for (let o = 0; o < 16; o++)
      for (let ky = 0; ky < 3; ky++)
        for (let kx = 0; kx < 3; kx++)
          for (let i = 0; i < 8; i++) {
            expect(ir[((o * 3 + ky) * 3 + kx) * 8 + i]).toBe(src.data[((o * 8 + i) * 3 + ky) * 3 + kx]);
          }
  });

  it("permutes the dense weights' input axis to the NHWC flatten order instead of transposing back", () => {
    const src = initializer(bytes, "9.weight"); // [10, 1568], ONNX feature c·49 + h·7 + w
    const fc = g.nodes.find((n) => n.op === "core.fully_connected")!;
    const ir = constData(g, fc.inputs[1]!);
    expect(getTensor(g, fc.inputs[1]!).shape).toEqual([10, 1568]);
    for (let o = 0; o < 10; o++)
      for (let h = 0; h < 7; h++)
        for (let w = 0; w < 7; w++)
          for (let c = 0; c < 32; c++) {
            expect(ir[o * 1568 + (h * 7 + w) * 32 + c]).toBe(src.data[o * 1568 + c * 49 + h * 7 + w]);
          }
  });
});

describe("the plugin", () => {
  it("is the package's default export and contributes the .onnx format", () => {
    expect(onnxPluginDefault).toBe(onnxPlugin);
    expect(registry.formatFor("model.ONNX")).toBe(onnxFormat);
    expect(onnxFormat.extensions).toEqual([".onnx"]);
    const g = onnxFormat.read!(readFixture("pytorch-mnist", "mnist_dscnn.onnx"), { registry });
    expect(g.metadata.format).toBe("onnx");
    expect(registry.pass("onnx/qdq-to-float").name).toBe("onnx/qdq-to-float");
  });
});
