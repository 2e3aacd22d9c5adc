import { readOnnx } from "@mcu/onnx-io";
import {
  corePlugin,
  createInterpreter,
  createRegistry,
  type Graph,
  graphBuilder,
  resolvePipeline,
  runPipeline,
  verify,
} from "@mcu/tensor";
import { readFixture } from "@mcu/testing";
import { decodeWeights, readClusterLayer } from "../cluster-layer.js";
import { clusterPlugin } from "../plugin.js";
import { seededRandom } from "../random.js";

const registry = createRegistry([corePlugin, clusterPlugin]);

/** mnist_cnn quantized by onnxruntime (per-channel int8 weights), imported as integer ops. */
const int8Cnn = (): Graph =>
  readOnnx(readFixture("pytorch-mnist", "mnist_cnn_qdq_ort.onnx"), { registry, qdq: "integer" });

describe("cluster/kernels on an int8 model (mnist_cnn quantized by onnxruntime)", () => {
  let original: Graph;
  let clustered: Graph;
  beforeAll(async () => {
    original = int8Cnn();
    clustered = (
      await runPipeline(original, resolvePipeline(registry, "cluster/kernels:k=16:tic=true"), { registry })
    ).graph;
  });

  it("turns the int8 convolutions into int8 cluster.conv2d with integer codebook, factors and requantized bias", () => {
    verify(clustered, registry);
    const nodes = clustered.nodes.filter((n) => n.op === "cluster.conv2d");
    expect(nodes.map((n) => n.name)).toEqual(["/3/Conv", "/6/Conv"]);
    for (const n of nodes) {
      const [x, codebook, , scales, , bias] = n.inputs.map((id) => clustered.tensors.get(id));
      expect(codebook!.dtype).toBe("int8");
      expect(scales!.dtype).toBe("int8");
      expect(scales!.quant!.axis).toBe(0);
      expect(n.attrs).toMatchObject({ scaleFormat: "int8", codebookFormat: "int8" });
      // The bias keeps its real value to half a step of its new scale s_x · s_w[o].
      const orig = original.nodes.find((m) => m.name === n.name)!;
      const oldBias = original.tensors.get(orig.inputs[2]!)!;
      const sx = Math.fround(x!.quant!.scale[0]!);
      (bias!.data as Int32Array).forEach((v, o) => {
        const step = bias!.quant!.scale[o]!;
        expect(Math.fround(sx * scales!.quant!.scale[o]!)).toBe(step);
        const real = (oldBias.data as Int32Array)[o]! * oldBias.quant!.scale[o]!;
        expect(Math.abs(v * step - real)).toBeLessThanOrEqual(step / 2 + 1e-12);
      });
    }
  });

  it("decodes to int8 weights that approximate the original ones", () => {
    for (const n of clustered.nodes.filter((m) => m.op === "cluster.conv2d")) {
      const inputs = n.inputs.map((id) => (id === "" ? undefined : clustered.tensors.get(id)));
      const w = decodeWeights(readClusterLayer(inputs, n.attrs, n.name)) as Int8Array;
      const sw = inputs[3]!.quant!.scale;
      const orig = original.nodes.find((m) => m.name === n.name)!;
      const w0 = original.tensors.get(orig.inputs[1]!)!;
      const per = w.length / sw.length;
      let err = 0;
      let norm = 0;
      for (let j = 0; j < w.length; j++) {
        const o = Math.floor(j / per);
        const a = (w0.data as Int8Array)[j]! * w0.quant!.scale[o]!;
        err += (w[j]! * sw[o]! - a) ** 2;
        norm += a * a;
      }
      // Clustering 16→32 / 8→16 kernels into 16 centroids keeps the weights within 60 % (rms).
      expect(Math.sqrt(err / norm)).toBeLessThan(0.6);
    }
  });

  it("add-then-conv and decode-then-conv give the same bytes on the real layers (random int8 inputs)", () => {
    for (const n of clustered.nodes.filter((m) => m.op === "cluster.conv2d")) {
      const t = (id: string) => clustered.tensors.get(id)!;
      const run = (algorithm: string): Int8Array => {
        const b = graphBuilder(registry);
        const x = t(n.inputs[0]!);
        const xi = b.input("x", x.shape, "int8", x.quant);
        const consts = n.inputs.slice(1).map((id) => {
          const c = t(id);
          return b.constant(id, c.data!, c.shape, {
            dtype: c.dtype,
            ...(c.quant !== undefined ? { quant: c.quant } : {}),
          });
        });
        const y = t(n.outputs[0]!);
        const out = b.op(
          "cluster.conv2d",
          [xi, ...consts],
          { ...n.attrs, algorithm },
          { outputs: [{ dtype: "int8", quant: y.quant! }] },
        );
        const r = seededRandom(n.name.length);
        const input = Int8Array.from(
          { length: x.shape.reduce((a, v) => a * v, 1) },
          () => Math.floor(r() * 256) - 128,
        );
        return createInterpreter(b.output(out).build(), { registry }).invoke([input])[0]!.data as Int8Array;
      };
      expect(Array.from(run("add-then-conv"))).toEqual(Array.from(run("decode-then-conv")));
    }
  });
});

describe("cluster/kernels:shared=true on an int8 model", () => {
  it("shares one integer codebook across the layers and keeps add-then-conv exact", async () => {
    const g = (
      await runPipeline(int8Cnn(), resolvePipeline(registry, "cluster/kernels:k=16:shared=true"), {
        registry,
      })
    ).graph;
    verify(g, registry);
    const nodes = g.nodes.filter((n) => n.op === "cluster.conv2d");
    expect(nodes).toHaveLength(3);
    expect(new Set(nodes.map((n) => n.inputs[1]))).toEqual(new Set([nodes[0]!.inputs[1]]));
    for (const n of nodes) {
      const inputs = n.inputs.map((id) => (id === "" ? undefined : g.tensors.get(id)));
      expect(() => decodeWeights(readClusterLayer(inputs, n.attrs, n.name))).not.toThrow();
    }
  });
});
