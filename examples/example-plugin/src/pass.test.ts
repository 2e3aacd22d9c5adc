/**
 * The pass `example/fuse-hard-sigmoid`: it rewrites exactly the pattern @mcu/onnx-io imports an
 * ONNX HardSigmoid as (checked on models read by the real importer), leaves every near miss
 * alone, keeps the graph valid (verify() after the pass) and does not change a single output
 * bit (the unfused graph, run by the core kernels, is the oracle).
 */
import onnxPlugin, { readOnnx } from "@mcu/onnx-io";
import {
  corePlugin,
  createRegistry,
  type Diagnostic,
  type Graph,
  type GraphBuilder,
  graphBuilder,
  quantParams,
  resolvePipeline,
  runGraph,
  runPipeline,
  verify,
} from "@mcu/tensor";
import hardSigmoidPlugin from "./index.js";
import { convHardSigmoidModel, hardSigmoidModel } from "./testing/onnx-model.js";
import { randomFloats } from "./testing/random.js";

const registry = createRegistry([corePlugin, onnxPlugin, hardSigmoidPlugin]);

async function fuse(graph: Graph): Promise<{ graph: Graph; diagnostics: readonly Diagnostic[] }> {
  const result = await runPipeline(graph, resolvePipeline(registry, "example/fuse-hard-sigmoid"), {
    registry,
  });
  verify(result.graph, registry);
  return result;
}

const ops = (g: Graph): string[] => g.nodes.map((n) => n.op);

/** Both graphs on the same inputs: every output byte must be equal. */
function expectSameBytes(before: Graph, after: Graph, inputs: readonly Float32Array[]): void {
  const a = runGraph(before, inputs, { registry });
  const b = runGraph(after, inputs, { registry });
  expect(b.length).toBe(a.length);
  a.forEach((v, i) => {
    expect(new Uint8Array(b[i]!.data.buffer)).toEqual(new Uint8Array(v.data.buffer));
  });
}

/** x → mul(x, alpha) → add(·, beta) → clip(·, 0, 1), with optional variations. */
function pattern(
  b: GraphBuilder,
  x: string,
  o: { alpha?: number; beta?: number; swap?: boolean; clipMax?: number; name?: string } = {},
): string {
  const alpha = b.constant(`${o.name ?? "hs"}_alpha`, Float32Array.of(o.alpha ?? 0.2), []);
  const beta = b.constant(`${o.name ?? "hs"}_beta`, Float32Array.of(o.beta ?? 0.5), []);
  const m = b.op("core.mul", o.swap === true ? [alpha, x] : [x, alpha]);
  const s = b.op("core.add", o.swap === true ? [beta, m] : [m, beta]);
  return b.op("core.clip", [s], { min: 0, max: o.clipMax ?? 1 }, { name: o.name ?? "hs" });
}

describe("example/fuse-hard-sigmoid", () => {
  it("fuses ONNX HardSigmoid as @mcu/onnx-io imports it, bit for bit", async () => {
    const model = readOnnx(hardSigmoidModel([3, 20], { alpha: 0.3, beta: 0.4 }), { registry });
    expect(ops(model)).toEqual(["core.mul", "core.add", "core.clip"]);
    const { graph, diagnostics } = await fuse(model);
    expect(ops(graph)).toEqual(["example.hard_sigmoid"]);
    expect(graph.nodes[0]!.attrs).toEqual({ alpha: Math.fround(0.3), beta: Math.fround(0.4) });
    expect(graph.nodes[0]!.sourceOp).toBe("HardSigmoid");
    expect(graph.outputs).toEqual(model.outputs);
    // The two intermediate tensors and both constants are gone.
    expect(graph.tensors.size).toBe(2);
    expect(diagnostics).toEqual([
      expect.objectContaining({ level: "info", message: expect.stringMatching(/fused 1 /) }),
    ]);
    expectSameBytes(model, graph, [randomFloats(60, 1, -6, 6)]);
  });

  it("fuses both HardSigmoids of a conv net whose beta constant the importer shared", async () => {
    const model = readOnnx(
      convHardSigmoidModel({
        cin: 2,
        cout: 3,
        h: 4,
        w: 5,
        w1: randomFloats(54, 2),
        b1: randomFloats(3, 3),
        w2: randomFloats(9, 4),
        b2: randomFloats(3, 5),
        attrs: { alpha: 1 / 6 },
      }),
      { registry },
    );
    const shared = [...model.tensors.keys()].filter((id) => id.endsWith(":beta"));
    expect(shared).toHaveLength(1); // onnx-io deduplicated ONNX's two default betas (0.5)
    const { graph } = await fuse(model);
    expect(ops(graph)).toEqual([
      "core.transpose",
      "core.conv2d",
      "example.hard_sigmoid",
      "core.conv2d",
      "example.hard_sigmoid",
      "core.transpose",
    ]);
    expect(graph.nodes.filter((n) => n.op === "example.hard_sigmoid").map((n) => n.attrs)).toEqual([
      { alpha: Math.fround(1 / 6), beta: 0.5 },
      { alpha: Math.fround(0.2), beta: 0.5 },
    ]);
    expect([...graph.tensors.keys()].some((id) => id.includes(":"))).toBe(true); // x:nhwc, y:nhwc stay
    expect([...graph.tensors.keys()].filter((id) => /:(alpha|beta|scaled|shifted)$/.test(id))).toEqual([]);
    expectSameBytes(model, graph, [randomFloats(40, 6, -3, 3)]);
  });

  it("accepts the constants on either side of mul and add", async () => {
    const b = graphBuilder(registry);
    b.output(pattern(b, b.input("x", [2, 7]), { swap: true, alpha: -0.75, beta: 0.25 }));
    const before = b.build();
    const { graph } = await fuse(before);
    expect(ops(graph)).toEqual(["example.hard_sigmoid"]);
    expect(graph.nodes[0]!.attrs).toEqual({ alpha: -0.75, beta: 0.25 });
    expectSameBytes(before, graph, [randomFloats(14, 7, -4, 4)]);
  });

  it("leaves near misses alone and returns the same graph", async () => {
    const cases: Record<string, (b: GraphBuilder, x: string) => string[]> = {
      "clip to [0, 6] (a ReLU6)": (b, x) => [pattern(b, x, { clipMax: 6 })],
      "a non-scalar alpha": (b, x) => {
        const alpha = b.constant("alpha", Float32Array.of(0.2, 0.3, 0.4), [3]);
        const s = b.op("core.add", [
          b.op("core.mul", [x, alpha]),
          b.constant("beta", Float32Array.of(0.5), []),
        ]);
        return [b.op("core.clip", [s], { min: 0, max: 1 })];
      },
      "alpha computed at run time": (b, x) => {
        const s = b.op("core.add", [b.op("core.mul", [x, x]), b.constant("beta", Float32Array.of(0.5), [])]);
        return [b.op("core.clip", [s], { min: 0, max: 1 })];
      },
      "a fused activation on the add": (b, x) => {
        const m = b.op("core.mul", [x, b.constant("alpha", Float32Array.of(0.2), [])]);
        const s = b.op("core.add", [m, b.constant("beta", Float32Array.of(0.5), [])], {
          fusedActivation: "RELU",
        });
        return [b.op("core.clip", [s], { min: 0, max: 1 })];
      },
    };
    for (const [what, make] of Object.entries(cases)) {
      const b = graphBuilder(registry);
      b.output(...make(b, b.input("x", [1, 3])));
      const g = b.build();
      expect([what, (await fuse(g)).graph]).toEqual([what, g]);
    }
  });

  it("does not fuse when an intermediate value is needed elsewhere", async () => {
    // The mul's output is also a graph output.
    const b1 = graphBuilder(registry);
    const x1 = b1.input("x", [1, 3]);
    const m1 = b1.op("core.mul", [x1, b1.constant("a", Float32Array.of(0.2), [])]);
    const y1 = b1.op("core.clip", [b1.op("core.add", [m1, b1.constant("c", Float32Array.of(0.5), [])])], {
      min: 0,
      max: 1,
    });
    const g1 = b1.output(y1, m1).build();
    expect((await fuse(g1)).graph).toBe(g1);

    // The add's output is read by a second node.
    const b2 = graphBuilder(registry);
    const x2 = b2.input("x", [1, 3]);
    const s2 = b2.op("core.add", [
      b2.op("core.mul", [x2, b2.constant("a", Float32Array.of(0.2), [])]),
      b2.constant("c", Float32Array.of(0.5), []),
    ]);
    const g2 = b2.output(b2.op("core.clip", [s2], { min: 0, max: 1 }), b2.op("core.relu", [s2])).build();
    expect((await fuse(g2)).graph).toBe(g2);
  });

  it("does not fuse quantized tensors (the TS and C kernels are float32 only)", async () => {
    const b = graphBuilder(registry);
    const q = quantParams(0.05, 0);
    const x = b.input("x", [1, 4], "int8", q);
    const alpha = b.constant("a", Int8Array.of(4), [], { quant: q });
    const beta = b.constant("c", Int8Array.of(10), [], { quant: q });
    const m = b.op("core.mul", [x, alpha], {}, { outputs: [{ quant: q }] });
    const s = b.op("core.add", [m, beta], {}, { outputs: [{ quant: q }] });
    const g = b.output(b.op("core.clip", [s], { min: 0, max: 1 }, { outputs: [{ quant: q }] })).build();
    expect((await fuse(g)).graph).toBe(g);
  });
});
