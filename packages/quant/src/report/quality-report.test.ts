import { createInterpreter, type Graph } from "@mcu/tensor";
import { calibrationSamples, compress, onnxModel, registry, testSet } from "../../test/mnist.js";
import { formatQualityReport, qualityReport } from "./quality-report.js";

/** SQNR of one tensor from the definition, over the samples: 10·log10(Σf² / Σ(f − s·(q − z))²). */
function sqnrByHand(float: Graph, quant: Graph, tensor: string, samples: Float32Array[][]): number {
  const t = quant.tensors.get(tensor)!;
  const [s, z] = [t.quant!.scale[0]!, t.quant!.zeroPoint[0]!];
  const fi = createInterpreter(float, { registry });
  const qi = createInterpreter(quant, { registry });
  let signal = 0;
  let noise = 0;
  for (const sample of samples) {
    let f: Float32Array | undefined;
    let q: ArrayLike<number> | undefined;
    fi.invoke(sample, {
      afterNode: (e) => {
        const k = e.node.outputs.indexOf(tensor);
        if (k >= 0) f = (e.outputs[k]!.data as Float32Array).slice();
      },
    });
    qi.invoke(sample, {
      afterNode: (e) => {
        const k = e.node.outputs.indexOf(tensor);
        if (k >= 0) q = Array.from(e.outputs[k]!.data as Int8Array);
      },
    });
    f!.forEach((v, i) => {
      signal += v * v;
      noise += (v - s * (q![i]! - z)) ** 2;
    });
  }
  return 10 * Math.log10(signal / noise);
}

describe("qualityReport on mnist_cnn", () => {
  const float = onnxModel("mnist_cnn");
  const calib = calibrationSamples();
  const { inputs } = testSet();
  const evalSamples = inputs.slice(0, 60).map((x) => [x]);

  it("reports every integer layer's SQNR against the float tensor of the same name", async () => {
    const { graph: q8 } = await compress(float, "quant/int8", calib);
    const r = qualityReport(float, q8, evalSamples, { registry });
    expect(r.schema).toBe(1);
    expect(r.samples).toBe(60);
    // The quantized input, conv+relu ×3, pool ×2, flatten; the logits are an output.
    expect(r.layers.map((l) => l.tensor)).toEqual([
      "input:nhwc",
      "/1/Relu_output_0",
      "/2/MaxPool_output_0",
      "/4/Relu_output_0",
      "/5/MaxPool_output_0",
      "/7/Relu_output_0",
      "/8/Flatten_output_0",
    ]);
    const relu = r.layers.find((l) => l.tensor === "/4/Relu_output_0")!;
    expect(relu.op).toBe("core.conv2d");
    expect(relu.sqnrDb!).toBeCloseTo(sqnrByHand(float, q8, "/4/Relu_output_0", evalSamples), 6);
    for (const l of r.layers) expect(l.sqnrDb!).toBeGreaterThan(25);
    expect(r.outputs).toHaveLength(1);
    expect(r.outputs[0]!.tensor).toBe("logits");
    expect(r.outputs[0]!.sqnrDb!).toBeGreaterThan(25);
    expect(r.top1Agreement).toBeGreaterThanOrEqual(59 / 60);
    expect(formatQualityReport(r)).toContain("top-1 agreement with float:");
  }, 60_000);

  it("ranks int16x8 above int8 and int4 weights below it", async () => {
    const db = async (pipeline: string) => {
      const { graph } = await compress(float, pipeline, calib);
      return qualityReport(float, graph, evalSamples.slice(0, 20), { registry }).outputs[0]!.sqnrDb!;
    };
    const [i8, i16, i4] = [await db("quant/int8"), await db("quant/int16x8"), await db("quant/int4-weights")];
    // Measured: about 38 dB (int8), 43 dB (int16x8: the int8 weights dominate what is left), 27 dB (int4).
    expect(i16).toBeGreaterThan(i8 + 3);
    expect(i4).toBeLessThan(i8);
  }, 60_000);

  it("calls identical values exact (null) and agreement 1", () => {
    const r = qualityReport(float, float, evalSamples.slice(0, 3), { registry });
    expect(r.layers).toEqual([]);
    expect(r.outputs).toEqual([{ tensor: "logits", sqnrDb: null }]);
    expect(r.top1Agreement).toBe(1);
  });
});
