import { graphBuilder } from "../builder.js";
import { corePlugin } from "../core-plugin.js";
import type { Graph } from "../graph.js";
import { runGraph } from "../interpreter.js";
import { resolvePipeline, runPipeline } from "../pipeline.js";
import { createRegistry } from "../registry.js";
import { quantParams } from "../tensor-info.js";
import { verify } from "../verify.js";

const registry = createRegistry([corePlugin]);

async function runPass(pipeline: string, graph: Graph): Promise<Graph> {
  const after = (await runPipeline(graph, resolvePipeline(registry, pipeline), { registry })).graph;
  return verify(after, registry);
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

describe("core/constant-folding", () => {
  it("folds a chain of constant nodes to one constant, to a fixpoint", async () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 4]);
    const c1 = b.constant("c1", new Float32Array([1, -2, 3, -4]), [1, 4]);
    const c2 = b.constant("c2", new Float32Array([0.5, 0.5, -5, 1]), [1, 4]);
    const s = b.op("core.add", [c1, c2], {}, { name: "s" }); // [1.5, -1.5, -2, -3]
    const m = b.op("core.mul", [s, c1], {}, { name: "m" }); // [1.5, 3, -6, 12]
    const r = b.op("core.relu", [m], {}, { name: "r" }); // [1.5, 3, 0, 12]
    const y = b.op("core.add", [x, r], {}, { name: "y" });
    b.output(y);
    const before = b.build();
    const after = await runPass("core/constant-folding", before);
    expect(after.nodes.map((n) => n.op)).toEqual(["core.add"]);
    expect(after.nodes[0]!.inputs).toEqual(["x", "r"]);
    expect(Array.from(after.tensors.get("r")!.data as Float32Array)).toEqual([1.5, 3, 0, 12]);
    expectSameOutputs(before, after, [new Float32Array([0.25, -1, 2, 7])]);
  });

  it("leaves nodes that read activations, custom ops, and ops in skipOps; same graph when nothing folds", async () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [3]);
    const k = b.constant("k", new Float32Array([1, 2, 3]), [3]);
    const c = b.op(
      "core.custom",
      [k],
      { customCode: "MY_OP" },
      { name: "c", outputs: [{ shape: [3], dtype: "float32" }] },
    );
    const y = b.op("core.add", [x, k], {}, { name: "y" });
    b.output(y, c);
    const before = b.build();
    const after = (
      await runPipeline(before, resolvePipeline(registry, "core/constant-folding"), { registry })
    ).graph;
    expect(after).toBe(before);

    const q = graphBuilder(registry);
    const xi = q.input("x", [4]);
    const w = q.constant("w", new Int8Array([-128, 0, 10, 127]), [4], { quant: quantParams(0.5, 0) });
    const wf = q.op("core.dequantize", [w], {}, { name: "wf", outputs: [{ dtype: "float32" }] });
    q.output(q.op("core.mul", [xi, wf], {}, { name: "y" }));
    const g = q.build();
    expect(await runPass("core/constant-folding:skipOps=core.dequantize", g)).toBe(g);
    const folded = await runPass("core/constant-folding", g);
    expect(folded.nodes.map((n) => n.op)).toEqual(["core.mul"]);
    // real = scale · (q − zero point), by hand.
    expect(Array.from(folded.tensors.get("wf")!.data as Float32Array)).toEqual([-64, 0, 5, 63.5]);
    expectSameOutputs(g, folded, [new Float32Array([1, 2, 3, 4])]);
  });
});
