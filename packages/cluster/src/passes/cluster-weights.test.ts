import { readOnnx } from "@mcu/onnx-io";
import {
  corePlugin,
  createInterpreter,
  createRegistry,
  type Graph,
  resolvePipeline,
  runPipeline,
  verify,
} from "@mcu/tensor";
import { readFixture } from "@mcu/testing";
import { decodeLookup } from "../kernels/lookup-kernel.js";
import { clusterPlugin } from "../plugin.js";
import { digitInput, testDigits } from "../testing/mnist.js";

const registry = createRegistry([corePlugin, clusterPlugin]);
const model = (name: string, qdq = false): Graph =>
  readOnnx(readFixture("pytorch-mnist", `${name}.onnx`), {
    registry,
    ...(qdq ? { qdq: "integer" as const } : {}),
  });

async function compress(g: Graph, p: string) {
  return (await runPipeline(g, resolvePipeline(registry, p), { registry })).graph;
}

describe("cluster/weights", () => {
  it("replaces every layer's weights by a lookup into 2^bits k-means centroids (Lloyd fixed point, nearest assignment)", async () => {
    const g0 = model("mnist_cnn");
    const g = await compress(g0, "cluster/weights:bits=3");
    verify(g, registry);
    const lookups = g.nodes.filter((n) => n.op === "cluster.lookup");
    expect(lookups.map((n) => n.name)).toEqual([
      "/0/Conv/weights",
      "/3/Conv/weights",
      "/6/Conv/weights",
      "/9/Gemm/weights",
    ]);
    for (const n of lookups) {
      const [idx, cb] = n.inputs.map((id) => g.tensors.get(id)!);
      const consumer = g.nodes.find((m) => m.inputs[1] === n.outputs[0])!;
      const original = g0.tensors.get(g0.nodes.find((m) => m.name === consumer.name)!.inputs[1]!)!
        .data as Float32Array;
      const centroids = Array.from(cb!.data as Float32Array);
      expect(centroids).toHaveLength(8);
      const decoded = decodeLookup(idx!, cb!, 0) as Float32Array;
      // Each weight takes its nearest centroid; each centroid is the mean of its weights.
      const sums = new Float64Array(8);
      const counts = new Float64Array(8);
      original.forEach((w, i) => {
        const nearest = Math.min(...centroids.map((c) => Math.abs(c - w)));
        expect(Math.abs(decoded[i]! - w)).toBeCloseTo(nearest, 6);
        const j = (idx!.data as Uint8Array)[i]!;
        sums[j] = sums[j]! + w;
        counts[j] = counts[j]! + 1;
      });
      centroids.forEach((c, j) => {
        if (counts[j]! > 0) expect(c).toBeCloseTo(sums[j]! / counts[j]!, 5);
      });
    }
  });

  it("keeps per-channel codebooks apart and stores bits-wide indices", async () => {
    const g = await compress(model("mnist_cnn"), "cluster/weights:bits=2:perChannel=true:layers=/6/Conv");
    const n = g.nodes.find((m) => m.op === "cluster.lookup")!;
    const cb = g.tensors.get(n.inputs[1]!)!;
    expect(cb.shape).toEqual([32, 4]);
    const ctx = {
      node: n.name,
      inputs: n.inputs.map((id) => g.tensors.get(id)),
      outputs: [],
      attrs: n.attrs,
    };
    // 32·3·3·16 = 4608 indices at 2 bits = 1152 bytes, plus 32·4 float32 centroids.
    expect(registry.op("cluster.lookup").paramBytes(ctx as never)).toBe(1152 + 512);
    const it = createInterpreter(g, { registry });
    const y = it.invoke([digitInput(testDigits(), 0)])[0]!.data as Float32Array;
    expect(y.every(Number.isFinite)).toBe(true);
  });

  it("clusters int8 weights into integer codebooks and keeps their quantization", async () => {
    const g0 = model("mnist_cnn_qdq_ort", true);
    const g = await compress(g0, "cluster/weights:bits=4");
    verify(g, registry);
    for (const n of g.nodes.filter((m) => m.op === "cluster.lookup")) {
      const cb = g.tensors.get(n.inputs[1]!)!;
      expect(cb.dtype).toBe("int8");
      const out = g.tensors.get(n.outputs[0]!)!;
      expect(out.dtype).toBe("int8");
      expect(out.quant?.axis).toBe(0);
    }
  });

  it("rejects bad options", async () => {
    await expect(compress(model("mnist_cnn"), "cluster/weights:bits=9")).rejects.toMatchObject({
      code: "MCU_E_CLUSTER_OPTION",
    });
    await expect(compress(model("mnist_cnn"), "cluster/weights:layers=/1/Relu")).rejects.toMatchObject({
      code: "MCU_E_CLUSTER_OPTION",
    });
  });
});
