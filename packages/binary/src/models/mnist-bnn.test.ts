/**
 * mnist_bnn.onnx (fixtures/pytorch-mnist) → readOnnx → binary/from-sign → binary/fold-threshold →
 * the TS interpreter, on all 1996 test digits, against onnxruntime's logits shipped with the
 * model; and the generated C on the host (gcc, ASan + UBSan) on the same 1996 digits, byte for
 * byte against the TS interpreter.
 */
import { prepareC, cTarget } from "@mcu/codegen-c";
import { createInterpreter, type Graph } from "@mcu/tensor";
import { argmax, mnistTestSet, ortLogits } from "../testing/mnist.js";
import { binarizeBnn, bnnRegistry, importBnn } from "../testing/bnn.js";

const registry = bnnRegistry();
let binary: Graph;
const tsLogits: Float32Array[] = [];

beforeAll(async () => {
  binary = (await binarizeBnn(registry, importBnn(registry))).graph;
});

describe("mnist_bnn through binary/from-sign and binary/fold-threshold", () => {
  it("is bit-packed layers only, with no float between the first layer and the logits", () => {
    expect(binary.nodes.map((n) => n.op)).toEqual([
      "core.reshape", // NCHW → NHWC of the 1-channel input: a view
      "binary.input_conv2d", // conv 1→32 (float weights) + sign → bits, float32 threshold
      "binary.conv2d", // conv 32→64 (±1) + max-pool + BN + sign → bits, int32 threshold
      "binary.conv2d", // conv 64→64 (±1) + max-pool + BN + sign → bits
      "binary.fully_connected", // dense 3136→10 (±1) + BN → float32 logits
    ]);
    const dtypes = binary.nodes.map((n) => binary.tensors.get(n.outputs[0]!)!.dtype);
    expect(dtypes).toEqual(["float32", "bit", "bit", "bit", "float32"]);
    expect(binary.tensors.get(binary.nodes[2]!.inputs[4]!)!.dtype).toBe("int32");
    expect(binary.nodes[2]!.attrs.pool).toEqual([2, 2]);
    // Names and shapes at the boundary are the ONNX model's.
    expect(binary.inputs).toEqual(["input"]);
    expect(binary.outputs).toEqual(["logits"]);
    expect(binary.tensors.get("logits")!.shape).toEqual([1, 10]);
  });

  it("gives onnxruntime's top-1 on ≥ 99.9% of the 1996 test digits and its accuracy within 0.1 pt", () => {
    const { inputs, labels } = mnistTestSet();
    const ort = ortLogits("mnist_bnn");
    expect(inputs.length).toBe(1996);
    const it = createInterpreter(binary, { registry });
    let agree = 0;
    let ours = 0;
    let theirs = 0;
    inputs.forEach((x, i) => {
      const logits = it.invoke([x])[0]!.data as Float32Array;
      tsLogits.push(logits);
      const top = argmax(logits);
      const ref = argmax(ort[i]!);
      if (top === ref) agree++;
      if (top === labels[i]) ours++;
      if (ref === labels[i]) theirs++;
    });
    expect(theirs).toBe(1961); // the fixture's documented onnxruntime accuracy, 0.982465
    expect(agree / inputs.length).toBeGreaterThanOrEqual(0.999);
    expect(Math.abs(ours - theirs) / inputs.length).toBeLessThanOrEqual(0.001);
    // Measured: every digit agrees (1996/1996) and the accuracy is the same, 1961/1996.
    expect(agree).toBe(1996);
    expect(ours).toBe(1961);
  });

  it("as C on the host, gives the TS interpreter's bytes on all 1996 digits", async () => {
    const { inputs } = mnistTestSet();
    expect(tsLogits.length).toBe(1996); // filled by the previous test
    const m = await prepareC(binary, registry, cTarget("host"), { sanitize: true });
    const outs = await m.invokeBatch(inputs.map((x) => [x]));
    const differ = outs.filter(
      (o, i) => !Buffer.from((o[0] as Float32Array).buffer).equals(Buffer.from(tsLogits[i]!.buffer)),
    );
    expect(differ.length).toBe(0);
  });
});
