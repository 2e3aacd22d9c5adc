import { isMcuError, type McuError } from "@mcu/tensor";
import { readOnnx } from "./index.js";
import { buildModel, node, valueInfo } from "./testing/onnx-builder.js";

function error(f: () => unknown): McuError {
  try {
    f();
  } catch (e) {
    if (isMcuError(e)) return e;
    throw e;
  }
  throw new Error("no error");
}

describe("readOnnx on unusual and unreadable models", () => {
  it("lists every unsupported op type with its node names in one McuError", () => {
    const model = buildModel({
      inputs: [valueInfo("x", [1, 4])],
      outputs: [valueInfo("y", [1, 4])],
      nodes: [
        node("Erf", ["x"], ["a"], {}, "e1"),
        node("Relu", ["a"], ["b"], {}, "fine"),
        node("Mish", ["b"], ["c"], {}, "m1"),
        node("Erf", ["c"], ["y"], {}, "e2"),
      ],
    });
    const e = error(() => readOnnx(model));
    expect(e.code).toBe("MCU_E_UNSUPPORTED_OP");
    expect(e.message).toBe('the model uses 2 unsupported ONNX op type(s): Erf ("e1", "e2"); Mish ("m1")');
  });

  it("names ops of other domains with their domain, and ignores nodes nothing reads", () => {
    const bytes = buildModel({
      inputs: [valueInfo("x", [1, 4])],
      outputs: [valueInfo("y", [1, 4])],
      nodes: [node("Relu", ["x"], ["y"]), node("Erf", ["x"], ["dead"])],
    });
    expect(readOnnx(bytes).nodes.map((n) => n.op)).toEqual(["core.relu"]);
    const ms = buildModel({
      inputs: [valueInfo("x", [1, 4])],
      outputs: [valueInfo("y", [1, 4])],
      nodes: [{ ...node("FusedGemm", ["x"], ["y"], {}, "fg"), domain: "com.microsoft" }],
    });
    expect(error(() => readOnnx(ms)).message).toContain('com.microsoft::FusedGemm ("fg")');
  });

  it("rejects garbage, empty and graph-less files as MCU_E_ONNX_DECODE", () => {
    expect(error(() => readOnnx(new Uint8Array(0))).code).toBe("MCU_E_ONNX_DECODE");
    expect(error(() => readOnnx(Uint8Array.of(0xff, 0xff, 0xff, 0xff))).code).toBe("MCU_E_ONNX_DECODE");
    expect(error(() => readOnnx(new TextEncoder().encode("not a model at all"))).code).toBe(
      "MCU_E_ONNX_DECODE",
    );
  });

  it("fixes a symbolic batch dimension to 1 (with a note) and refuses other symbolic dimensions", () => {
    const notes: string[] = [];
    const batch = buildModel({
      inputs: [valueInfo("x", ["N", 4])],
      outputs: [valueInfo("y", ["?"])],
      nodes: [node("Relu", ["x"], ["y"])],
    });
    const g = readOnnx(batch, { onNote: (n) => notes.push(n) });
    expect(g.tensors.get("x")!.shape).toEqual([1, 4]);
    expect(notes).toEqual(['input "x": symbolic batch dimension "N" is fixed to 1']);
    const width = buildModel({
      inputs: [valueInfo("x", [1, "W"])],
      outputs: [valueInfo("y", ["?"])],
      nodes: [node("Relu", ["x"], ["y"])],
    });
    expect(error(() => readOnnx(width)).code).toBe("MCU_E_ONNX_DYNAMIC_SHAPE");
  });

  it("refuses opsets outside 7–23 and dangling values", () => {
    const old = buildModel({
      opset: 6,
      inputs: [valueInfo("x", [1])],
      outputs: [valueInfo("y", [1])],
      nodes: [node("Relu", ["x"], ["y"])],
    });
    expect(error(() => readOnnx(old)).code).toBe("MCU_E_ONNX_OPSET");
    const dangling = buildModel({
      inputs: [valueInfo("x", [1])],
      outputs: [valueInfo("y", [1])],
      nodes: [node("Add", ["x", "nowhere"], ["y"])],
    });
    const e = error(() => readOnnx(dangling));
    expect(e.code).toBe("MCU_E_ONNX_INVALID");
    expect(e.message).toContain('"nowhere"');
  });

  it("keeps the ONNX output name when the output is another value passed through", () => {
    const g = readOnnx(
      buildModel({
        inputs: [valueInfo("x", [1, 4])],
        outputs: [valueInfo("y", [1, 4]), valueInfo("x2", [1, 4])],
        nodes: [node("Relu", ["x"], ["r"]), node("Identity", ["r"], ["y"]), node("Identity", ["x"], ["x2"])],
      }),
    );
    expect(g.outputs).toEqual(["y", "x2"]);
  });
});
