import { graphBuilder } from "../builder.js";
import { corePlugin } from "../core-plugin.js";
import type { Graph } from "../graph.js";
import { runGraph } from "../interpreter.js";
import type { Diagnostic } from "../pass.js";
import { resolvePipeline, runPipeline } from "../pipeline.js";
import { createRegistry } from "../registry.js";
import { quantParams } from "../tensor-info.js";
import { verify } from "../verify.js";

const registry = createRegistry([corePlugin]);

async function runPass(graph: Graph): Promise<{ graph: Graph; diagnostics: readonly Diagnostic[] }> {
  const result = await runPipeline(graph, resolvePipeline(registry, "core/fuse-activation"), { registry });
  verify(result.graph, registry);
  return result;
}

/** Deterministic values in [lo, hi) (a linear congruential generator). */
function values(n: number, seed: number, lo = -4, hi = 4): Float32Array {
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

describe("core/fuse-activation", () => {
  it("fuses each activation into the op before it, keeping the output names", async () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 4, 4, 2]);
    const z = b.input("z", [1, 4, 4, 2]);
    const w = b.constant("w", values(2 * 3 * 3 * 2, 1, -1, 1), [2, 3, 3, 2]);
    const conv = b.op("core.conv2d", [x, w], { padding: "SAME" }, { name: "conv" });
    const r = b.op("core.relu", [conv], {}, { name: "r" });
    const dw = b.constant("dw", values(9 * 2, 2, -1, 1), [1, 3, 3, 2]);
    const d = b.op("core.depthwise_conv2d", [r, dw], { padding: "SAME" }, { name: "dw" });
    const r6 = b.op("core.relu6", [d], {}, { name: "r6" });
    const s = b.op("core.add", [r6, z], {}, { name: "sum" });
    const c6 = b.op("core.clip", [s], { min: 0, max: 6 }, { name: "c6" });
    const p = b.op("core.max_pool2d", [c6], { filter: [2, 2], strides: [2, 2] }, { name: "pool" });
    const t = b.op("core.tanh", [p], {}, { name: "t" });
    const cat = b.op("core.concat", [t, t], { axis: 3 }, { name: "cat" });
    const c1 = b.op("core.clip", [cat], { min: -1, max: 1 }, { name: "c1" });
    const f = b.op("core.reshape", [c1], { shape: [1, 16] }, { name: "flat" });
    const fw = b.constant("fw", values(3 * 16, 3, -1, 1), [3, 16]);
    const fc = b.op("core.fully_connected", [f, fw], {}, { name: "fc" });
    const y = b.op("core.relu", [fc], {}, { name: "y" });
    b.output(y);
    const before = b.build();
    const { graph: after } = await runPass(before);
    const acts = Object.fromEntries(after.nodes.map((n) => [n.name, n.attrs.fusedActivation]));
    expect(acts).toEqual({
      conv: "RELU",
      dw: "RELU6",
      sum: "RELU6",
      pool: "TANH",
      cat: "RELU_N1_TO_1",
      flat: undefined,
      fc: "RELU",
    });
    expect(after.nodes.find((n) => n.name === "fc")!.outputs).toEqual(["y"]);
    expect(after.outputs).toEqual(["y"]);
    expectSameOutputs(before, after, [values(32, 10), values(32, 11)]);
  });

  it("fuses into transpose_conv2d, avg_pool2d and div too", async () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 3, 3, 2]);
    const w = b.constant("w", values(2 * 2 * 2 * 2, 4, -1, 1), [2, 2, 2, 2]);
    const tc = b.op("core.transpose_conv2d", [x, w], { strides: [2, 2] }, { name: "tc" }); // [1,6,6,2]
    const r = b.op("core.relu", [tc], {}, { name: "r" });
    const p = b.op("core.avg_pool2d", [r], { filter: [2, 2], strides: [2, 2] }, { name: "pool" });
    const r6 = b.op("core.relu6", [p], {}, { name: "r6" });
    const k = b.constant("k", new Float32Array([2, -0.5]), [2]);
    const d = b.op("core.div", [r6, k], {}, { name: "div" });
    b.output(b.op("core.tanh", [d], {}, { name: "y" }));
    const before = b.build();
    const { graph: after } = await runPass(before);
    expect(after.nodes.map((n) => `${n.name}:${String(n.attrs.fusedActivation)}`)).toEqual([
      "tc:RELU",
      "pool:RELU6",
      "div:TANH",
    ]);
    expectSameOutputs(before, after, [values(18, 12)]);
  });

  it("leaves activations it must not fuse; same graph when nothing fuses", async () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [2, 3]);
    const z = b.input("z", [2, 3]);
    const a = b.op("core.add", [x, z], {}, { name: "a" });
    const r1 = b.op("core.relu", [a], {}, { name: "r1" }); // a has a second reader below
    const m = b.op("core.mul", [a, r1], { fusedActivation: "RELU" }, { name: "m" });
    const r2 = b.op("core.relu6", [m], {}, { name: "r2" }); // m already fuses RELU
    const s = b.op("core.sub", [r2, x], {}, { name: "s" });
    const c = b.op("core.clip", [s], { min: 0, max: 3 }, { name: "c" }); // not a fused activation
    const l = b.op("core.leaky_relu", [c], {}, { name: "l" });
    const g = b.op("core.relu", [x], {}, { name: "g" }); // reads a graph input
    b.output(l, g);
    const before = b.build();
    expect((await runPass(before)).graph).toBe(before);
  });

  it("fuses quantized pairs only when the activation keeps the quantization", async () => {
    const b = graphBuilder(registry);
    const q = quantParams(0.05, -10);
    const x = b.input("x", [1, 8], "int8", q);
    const z = b.input("z", [1, 8], "int8", q);
    const a1 = b.op("core.add", [x, z], {}, { name: "a1", outputs: [{ quant: q }] });
    const r1 = b.op("core.relu", [a1], {}, { name: "r1", outputs: [{ quant: q }] });
    const a2 = b.op("core.add", [r1, z], {}, { name: "a2", outputs: [{ quant: q }] });
    const r2 = b.op("core.relu", [a2], {}, { name: "r2", outputs: [{ quant: quantParams(0.025, -128) }] });
    b.output(r2);
    const before = b.build();
    const { graph: after, diagnostics } = await runPass(before);
    expect(after.nodes.map((n) => `${n.name}:${String(n.attrs.fusedActivation ?? "-")}`)).toEqual([
      "a1:RELU",
      "a2:NONE",
      "r2:-",
    ]);
    expect(after.nodes[0]!.outputs).toEqual(["r1"]);
    expect(diagnostics.some((d) => d.node === "r2" && /quantization/.test(d.message))).toBe(true);
  });
});
