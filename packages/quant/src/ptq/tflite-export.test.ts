/**
 * Quantized graphs export to .tflite through @mcu/tflite-io and import back: every tensor
 * (name, dtype, shape, quantization parameters, constant data — int4 included) comes back
 * identical, the nodes are the same ops on the same tensors, and a second export → import is
 * the identity on the whole graph and on the bytes. What a .tflite file cannot hold is the
 * source model's node names, op names and metadata, a flatten (stored as RESHAPE) and pads
 * under SAME padding (implied by the padding); the comparison ignores exactly those.
 *
 * LiteRT (TensorFlow Lite's own runtime) runs the exported float-interface models as an
 * independent check that TFLite accepts them and computes what we compute. Its CPU kernels
 * (XNNPACK) requantize in their own way, so it is held to one output step, not to identical bytes.
 */
import { readTflite, writeTflite } from "@mcu/tflite-io";
import { createInterpreter, type Graph, type Node, type TensorInfo } from "@mcu/tensor";
// LiteRT in Node needs some setup; @mcu/tflite-io's test helper does it (test-only, not published).
import { runLiteRt } from "../../../tflite-io/src/testing/litert.js";
import { argmax, calibrationSamples, compress, onnxModel, registry, testSet } from "../../test/mnist.js";

function tensorFacts(t: TensorInfo) {
  return {
    shape: t.shape,
    dtype: t.dtype,
    quant: t.quant,
    data:
      t.data === undefined ? undefined : Array.from(t.data as ArrayLike<number | bigint>, String).join(","),
  };
}

/** A node as a .tflite file holds it. */
function fileForm(graph: Graph, n: Node) {
  let op = n.op;
  let attrs: Record<string, unknown> = { ...n.attrs };
  if (n.op === "core.flatten") {
    op = "core.reshape";
    attrs = { shape: graph.tensors.get(n.outputs[0]!)!.shape };
  }
  if ("pads" in attrs && attrs.padding !== "EXPLICIT") attrs.pads = [0, 0, 0, 0];
  return { op, inputs: n.inputs, outputs: n.outputs, attrs };
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

describe.each([
  ["mnist_cnn", "quant/int8"],
  ["mnist_cnn", "quant/int8:io=int8"],
  ["mnist_cnn", "quant/int16x8"],
  ["mnist_cnn", "quant/int4-weights"],
])("%s %s", (model, pipeline) => {
  it("exports to .tflite and imports back identically", async () => {
    const { graph: q } = await compress(onnxModel(model), pipeline, calibrationSamples().slice(0, 40));
    const bytes = writeTflite(q);
    const back = readTflite(bytes, { registry });

    expect([...back.tensors.keys()].sort()).toEqual([...q.tensors.keys()].sort());
    for (const [id, t] of q.tensors)
      expect([id, tensorFacts(back.tensors.get(id)!)]).toEqual([id, tensorFacts(t)]);
    expect(back.nodes.map((n) => fileForm(back, n))).toEqual(q.nodes.map((n) => fileForm(q, n)));
    expect(back.inputs).toEqual(q.inputs);
    expect(back.outputs).toEqual(q.outputs);
    if (pipeline.includes("int4"))
      expect([...back.tensors.values()].filter((t) => t.dtype === "int4")).toHaveLength(4);

    // From the file's own form on, export → import is the identity.
    const again = writeTflite(back);
    const back2 = readTflite(again, { registry });
    expect(back2).toEqual(back);
    expect(sameBytes(writeTflite(back2), again)).toBe(true);

    // And the imported graph computes the same bytes.
    const a = createInterpreter(q, { registry });
    const b = createInterpreter(back, { registry });
    const { inputs } = testSet();
    const input = q.tensors.get(q.inputs[0]!)!;
    for (let i = 0; i < 100; i++) {
      // An int8 model input takes the digit quantized with the input's parameters.
      const x =
        input.dtype === "int8"
          ? Int8Array.from(inputs[i]!, (v) =>
              Math.max(
                -128,
                Math.min(127, Math.round(v / input.quant!.scale[0]!) + input.quant!.zeroPoint[0]!),
              ),
            )
          : inputs[i]!;
      const ya = a.invoke([x])[0]!.data;
      const yb = b.invoke([x])[0]!.data;
      expect(Array.from(yb as ArrayLike<number>)).toEqual(Array.from(ya as ArrayLike<number>));
    }

    if (input.dtype !== "float32") return;
    // LiteRT on the exported file: within one step of the integer output, the same top-1 class.
    const out = q.nodes.find((n) => n.op === "core.dequantize" && n.outputs[0] === q.outputs[0])!;
    const step = q.tensors.get(out.inputs[0]!)!.quant!.scale[0]!;
    let sameClass = 0;
    for (let i = 0; i < 40; i++) {
      const ours = a.invoke([inputs[i]!])[0]!.data as Float32Array;
      const [lite] = await runLiteRt(bytes, [{ data: inputs[i]!, shape: [1, 1, 28, 28] }]);
      for (let k = 0; k < 10; k++) expect(Math.abs(ours[k]! - lite![k]!)).toBeLessThanOrEqual(step * 1.01);
      if (argmax(ours) === argmax(lite!)) sameClass++;
    }
    expect(sameClass).toBeGreaterThanOrEqual(39);
  }, 120_000);
});
