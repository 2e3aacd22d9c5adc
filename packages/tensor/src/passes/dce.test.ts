import { graphBuilder } from "../builder.js";
import { corePlugin } from "../core-plugin.js";
import { createGraph, type Graph } from "../graph.js";
import { runGraph } from "../interpreter.js";
import { resolvePipeline, runPipeline } from "../pipeline.js";
import { createRegistry } from "../registry.js";
import { verify } from "../verify.js";

const registry = createRegistry([corePlugin]);

async function runPass(pipeline: string, graph: Graph): Promise<Graph> {
  const after = (await runPipeline(graph, resolvePipeline(registry, pipeline), { registry })).graph;
  return verify(after, registry);
}

describe("core/dce", () => {
  it("removes nodes that reach no output and tensors nothing refers to, keeping graph inputs", async () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [4]);
    b.input("unused", [2]);
    const a = b.op("core.relu", [x], {}, { name: "a" });
    const k = b.constant("k", new Float32Array([1, 2, 3, 4]), [4]);
    b.op("core.add", [a, k], {}, { name: "dead" }); // read by nobody: a, dead and k go too
    b.constant("orphan", new Float32Array(8), [8]);
    const y = b.op("core.relu6", [x], {}, { name: "y" });
    b.output(y);
    const before = b.build();
    const after = await runPass("core/dce", before);
    expect(after.nodes.map((n) => n.name)).toEqual(["y"]);
    expect([...after.tensors.keys()].sort()).toEqual(["unused", "x", "y"]);
    expect(after.inputs).toEqual(["x", "unused"]);
    const inputs = [new Float32Array([-1, 3, 7, 0.5]), new Float32Array(2)];
    const want = runGraph(before, inputs, { registry })[0]!.data;
    expect(runGraph(after, inputs, { registry })[0]!.data).toEqual(want);
    // Nothing left to remove: the same graph comes back.
    expect(await runPass("core/dce", after)).toBe(after);
  });

  it("keeps nodes that touch state", async () => {
    const g = createGraph({
      tensors: [
        { name: "x", shape: [2], dtype: "float32" },
        { name: "state", shape: [2], dtype: "float32", data: new Float32Array(2), variable: true },
        { name: "t", shape: [2], dtype: "float32" },
        { name: "y", shape: [2], dtype: "float32" },
      ],
      nodes: [
        {
          name: "acc",
          op: "core.add",
          inputs: ["x", "state"],
          outputs: ["t"],
          attrs: { fusedActivation: "NONE" },
        },
        { name: "y", op: "core.relu", inputs: ["x"], outputs: ["y"], attrs: {} },
      ],
      inputs: ["x"],
      outputs: ["y"],
    });
    verify(g, registry);
    expect(await runPass("core/dce", g)).toBe(g);
  });
});
