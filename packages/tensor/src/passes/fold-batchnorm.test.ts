import { graphBuilder } from "../builder.js";
import { corePlugin } from "../core-plugin.js";
import type { Graph } from "../graph.js";
import { runGraph } from "../interpreter.js";
import type { Diagnostic } from "../pass.js";
import { resolvePipeline, runPipeline } from "../pipeline.js";
import { createRegistry } from "../registry.js";
import { verify } from "../verify.js";

const registry = createRegistry([corePlugin]);

async function runPass(
  pipeline: string,
  graph: Graph,
): Promise<{ graph: Graph; diagnostics: readonly Diagnostic[] }> {
  const result = await runPipeline(graph, resolvePipeline(registry, pipeline), { registry });
  verify(result.graph, registry);
  return result;
}

/** Deterministic values in [lo, hi) (a linear congruential generator). */
function values(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * s) / 2 ** 32;
  }
  return out;
}

/** Runs both graphs on the same inputs; outputs must agree within 1e-5. */
function expectSameOutputs(before: Graph, after: Graph, inputs: readonly Float32Array[]): void {
  const a = runGraph(before, inputs, { registry });
  const b = runGraph(after, inputs, { registry });
  expect(b.map((v) => v.name)).toEqual(a.map((v) => v.name));
  a.forEach((v, i) => {
    const w = b[i]!.data as Float32Array;
    let worst = 0;
    (v.data as Float32Array).forEach((x, k) => {
      worst = Math.max(worst, Math.abs(w[k]! - x));
    });
    expect(worst).toBeLessThanOrEqual(1e-5);
  });
}

/** Adds batch_norm parameters for `c` channels; returns [scale, bias, mean, variance]. */
function bnParams(b: ReturnType<typeof graphBuilder>, c: number, seed: number): string[] {
  return [
    b.constant(`gamma${seed}`, values(c, seed, 0.5, 1.5), [c]),
    b.constant(`beta${seed}`, values(c, seed + 1), [c]),
    b.constant(`mean${seed}`, values(c, seed + 2), [c]),
    b.constant(`var${seed}`, values(c, seed + 3, 0.1, 2), [c]),
  ];
}

describe("core/fold-batchnorm", () => {
  it("folds into conv2d: w' = w·γ/√(σ²+ε), b' = (b − μ)·γ/√(σ²+ε) + β, keeping the output name", async () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 5, 5, 3]);
    const w = b.constant("w", values(4 * 3 * 3 * 3, 1), [4, 3, 3, 3]);
    const bias = b.constant("bias", values(4, 2), [4]);
    const c = b.op("core.conv2d", [x, w, bias], { padding: "SAME" }, { name: "conv" });
    const y = b.op("core.batch_norm", [c, ...bnParams(b, 4, 10)], { epsilon: 1e-3 }, { name: "bn" });
    b.output(y);
    const before = b.build();
    const { graph: after } = await runPass("core/fold-batchnorm", before);
    expect(after.nodes.map((n) => n.op)).toEqual(["core.conv2d"]);
    expect(after.nodes[0]!.outputs).toEqual(["bn"]);
    expect(after.outputs).toEqual(["bn"]);
    expect(after.tensors.has("conv")).toBe(false);
    // One weight and one bias by hand, from the formula.
    const [, wId, bId] = after.nodes[0]!.inputs;
    const g = before.tensors.get("gamma10")!.data as Float32Array;
    const v = before.tensors.get("var10")!.data as Float32Array;
    const mu = before.tensors.get("mean10")!.data as Float32Array;
    const be = before.tensors.get("beta10")!.data as Float32Array;
    const w0 = before.tensors.get("w")!.data as Float32Array;
    const b0 = before.tensors.get("bias")!.data as Float32Array;
    const s2 = g[2]! / Math.sqrt(v[2]! + 1e-3);
    expect((after.tensors.get(wId!)!.data as Float32Array)[2 * 27 + 5]).toBeCloseTo(w0[2 * 27 + 5]! * s2, 6);
    expect((after.tensors.get(bId!)!.data as Float32Array)[2]).toBeCloseTo(
      (b0[2]! - mu[2]!) * s2 + be[2]!,
      6,
    );
    expectSameOutputs(before, after, [values(75, 99)]);
  });

  it("folds into depthwise_conv2d (channel = last weight axis) and a bias-free fully_connected", async () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 4, 4, 2]);
    const dw = b.constant("dw", values(3 * 3 * 4, 3), [1, 3, 3, 4]);
    const d = b.op("core.depthwise_conv2d", [x, dw], { depthMultiplier: 2 }, { name: "dw" }); // [1,2,2,4]
    const d2 = b.op("core.batch_norm", [d, ...bnParams(b, 4, 20)], {}, { name: "bn1" });
    const f = b.op("core.flatten", [d2], {}, { name: "flat" }); // [1,16]
    const fw = b.constant("fw", values(5 * 16, 4), [5, 16]);
    const fc = b.op("core.fully_connected", [f, fw], {}, { name: "fc" });
    const y = b.op("core.batch_norm", [fc, ...bnParams(b, 5, 30)], {}, { name: "bn2" });
    b.output(y);
    const before = b.build();
    const { graph: after } = await runPass("core/fold-batchnorm", before);
    expect(after.nodes.map((n) => n.op)).toEqual([
      "core.depthwise_conv2d",
      "core.flatten",
      "core.fully_connected",
    ]);
    expect(after.nodes[2]!.inputs).toHaveLength(3);
    expectSameOutputs(before, after, [values(32, 98)]);
  });

  it("folds a batch_norm of a constant into a constant, on any axis", async () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [2, 3]);
    const k = b.constant("k", values(6, 5), [2, 3]);
    const n = b.op("core.batch_norm", [k, ...bnParams(b, 2, 40)], { axis: 0 }, { name: "bn" });
    b.output(b.op("core.add", [x, n], {}, { name: "y" }));
    const before = b.build();
    const { graph: after } = await runPass("core/fold-batchnorm", before);
    expect(after.nodes.map((n) => n.op)).toEqual(["core.add"]);
    expect(after.tensors.get("bn")!.data).toBeInstanceOf(Float32Array);
    expectSameOutputs(before, after, [values(6, 97)]);
  });

  it("leaves what it cannot fold, with a note: fused activation, other readers, another axis", async () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 3, 3, 2]);
    const w = b.constant("w", values(2 * 2, 6), [2, 1, 1, 2]);
    const c1 = b.op("core.conv2d", [x, w], { fusedActivation: "RELU" }, { name: "c1" });
    const y1 = b.op("core.batch_norm", [c1, ...bnParams(b, 2, 50)], {}, { name: "bn_relu" });
    const c2 = b.op("core.conv2d", [x, w], {}, { name: "c2" });
    const y2 = b.op("core.batch_norm", [c2, ...bnParams(b, 2, 60)], {}, { name: "bn_shared" });
    const y3 = b.op("core.batch_norm", [c2, ...bnParams(b, 3, 70)], { axis: 1 }, { name: "bn_axis" });
    b.output(y1, y2, y3);
    const before = b.build();
    const { graph: after, diagnostics } = await runPass("core/fold-batchnorm", before);
    expect(after).toBe(before);
    const notes = Object.fromEntries(diagnostics.map((d) => [d.node, d.message]));
    expect(notes.bn_relu).toMatch(/already applies RELU/);
    expect(notes.bn_shared).toMatch(/other readers/);
    expect(notes.bn_axis).toMatch(/other readers|channel/);
  });

  it("does not fold into a conv whose output is also a graph output", async () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 2, 2, 2]);
    const w = b.constant("w", values(4, 7), [2, 1, 1, 2]);
    const c = b.op("core.conv2d", [x, w], {}, { name: "c" });
    const y = b.op("core.batch_norm", [c, ...bnParams(b, 2, 80)], {}, { name: "bn" });
    b.output(c, y);
    const before = b.build();
    expect((await runPass("core/fold-batchnorm", before)).graph).toBe(before);
  });
});
