import { graphBuilder } from "../builder.js";
import { corePlugin } from "../core-plugin.js";
import type { Graph } from "../graph.js";
import { runGraph } from "../interpreter.js";
import { resolvePipeline, runPipeline } from "../pipeline.js";
import { createRegistry } from "../registry.js";
import { verify } from "../verify.js";

const registry = createRegistry([corePlugin]);

async function runPass(graph: Graph): Promise<Graph> {
  const after = (
    await runPipeline(graph, resolvePipeline(registry, "core/remove-noop-reshape"), { registry })
  ).graph;
  return verify(after, registry);
}

function ramp(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (i % 7) - 3 + i / 10);
}

/** Runs both graphs on the same inputs; outputs must agree within 1e-5 and keep their shapes. */
function expectSameOutputs(before: Graph, after: Graph, inputs: readonly Float32Array[]): void {
  const a = runGraph(before, inputs, { registry });
  const b = runGraph(after, inputs, { registry });
  expect(b.map((v) => [v.name, v.shape])).toEqual(a.map((v) => [v.name, v.shape]));
  a.forEach((v, i) => {
    const w = b[i]!.data as Float32Array;
    let worst = 0;
    (v.data as Float32Array).forEach((x, k) => {
      worst = Math.max(worst, Math.abs(w[k]! - x));
    });
    expect(worst).toBeLessThanOrEqual(1e-5);
  });
}

describe("core/remove-noop-reshape", () => {
  it("removes reshapes to the same shape and identity transposes, keeps real ones", async () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 2, 3]);
    const a = b.op("core.relu", [x], {}, { name: "a" });
    const r = b.op("core.reshape", [a], { shape: [1, -1, 3] }, { name: "same" });
    const t = b.op("core.transpose", [r], { perm: [0, 1, 2] }, { name: "id_t" });
    const u = b.op("core.transpose", [t], { perm: [0, 2, 1] }, { name: "real_t" });
    const sq = b.op("core.squeeze", [u], { axes: [] }, { name: "sq" }); // [3,2]: a real reshape
    b.output(b.op("core.tanh", [sq], {}, { name: "y" }));
    const before = b.build();
    const after = await runPass(before);
    expect(after.nodes.map((n) => n.name)).toEqual(["a", "real_t", "sq", "y"]);
    expect(after.nodes[1]!.inputs).toEqual(["a"]);
    expect(after.tensors.has("same")).toBe(false);
    expectSameOutputs(before, after, [ramp(6)]);
  });

  it("collapses a reshape chain into one core.reshape, and a chain back to the start shape into nothing", async () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 4, 4, 2]);
    const a = b.op("core.relu", [x], {}, { name: "a" });
    const r = b.op("core.reshape", [a], { shape: [1, 32] }, { name: "r" });
    const e = b.op("core.expand_dims", [r], { axis: 0 }, { name: "e" }); // [1,1,32]
    const s = b.op("core.squeeze", [e], {}, { name: "s" }); // [32]
    const w = b.constant("w", ramp(10 * 32), [10, 32]);
    const fc = b.op("core.fully_connected", [s, w], {}, { name: "fc" }); // [1,10]
    const f1 = b.op("core.flatten", [fc], { axis: 2 }, { name: "f1" }); // [10,1]
    const f2 = b.op("core.reshape", [f1], { shape: [1, 10] }, { name: "f2" }); // back to [1,10]
    b.output(b.op("core.relu6", [f2], {}, { name: "y" }));
    const before = b.build();
    const after = await runPass(before);
    expect(after.nodes.map((n) => `${n.name}:${n.op}`)).toEqual([
      "a:core.relu",
      "s:core.reshape",
      "fc:core.fully_connected",
      "y:core.relu6",
    ]);
    expect(after.nodes[1]!.inputs).toEqual(["a"]);
    expect(after.nodes[1]!.attrs).toEqual({ shape: [32] });
    expect(after.nodes[3]!.inputs).toEqual(["fc"]);
    expectSameOutputs(before, after, [ramp(32)]);
  });

  it("keeps graph output names: the producer writes the output, or the node stays", async () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [2, 2]);
    const a = b.op("core.relu", [x], {}, { name: "a" });
    const y = b.op("core.reshape", [a], { shape: [2, 2] }, { name: "y" }); // output: relu now writes "y"
    const z = b.op("core.expand_dims", [x], { axis: 0 }, { name: "z0" });
    const zz = b.op("core.squeeze", [z], { axes: [0] }, { name: "z" }); // x → x: a copy of an input, kept
    b.output(y, zz);
    const before = b.build();
    const after = await runPass(before);
    expect(after.outputs).toEqual(["y", "z"]);
    expect(after.nodes.map((n) => `${n.name}:${n.inputs.join("+")}→${n.outputs.join("+")}`)).toEqual([
      "a:x→y",
      "z:x→z",
    ]);
    expectSameOutputs(before, after, [ramp(4)]);
    expect(await runPass(after)).toBe(after);
  });
});
