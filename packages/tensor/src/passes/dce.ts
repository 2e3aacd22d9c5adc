/**
 * `core/dce`: dead-code elimination. A node is dead when none of its outputs reaches a graph
 * output; a tensor is dead when no node, graph input or graph output refers to it.
 *
 * Nodes that touch a variable (state) tensor are kept: they may update state that a later
 * invocation reads, which is an effect beyond their outputs. So are nodes without outputs.
 */
import { editGraph } from "../editor.js";
import type { Graph } from "../graph.js";
import { definePass } from "../pass.js";

/** Removes nodes whose outputs reach no graph output, then tensors nothing refers to. */
export const deadCodeElimination = definePass({
  name: "core/dce",
  description: "Remove nodes whose outputs reach no graph output, and tensors nothing refers to.",
  run(graph: Graph, ctx): Graph {
    const stateful = (id: string): boolean => graph.tensors.get(id)?.variable === true;
    const needed = new Set<string>(graph.outputs);
    const dead: string[] = [];
    for (let i = graph.nodes.length - 1; i >= 0; i--) {
      const node = graph.nodes[i]!;
      const live =
        node.outputs.length === 0 ||
        node.outputs.some((id) => needed.has(id)) ||
        [...node.inputs, ...node.outputs].some(stateful);
      if (!live) {
        dead.push(node.name);
        continue;
      }
      for (const id of node.inputs) if (id !== "") needed.add(id);
    }

    const deadNodes = new Set(dead);
    const referenced = new Set<string>([...graph.inputs, ...graph.outputs]);
    for (const node of graph.nodes) {
      if (deadNodes.has(node.name)) continue;
      for (const id of [...node.inputs, ...node.outputs]) referenced.add(id);
    }
    const unused = [...graph.tensors.keys()].filter((id) => !referenced.has(id));
    if (dead.length === 0 && unused.length === 0) return graph;

    const editor = editGraph(graph, ctx.registry);
    for (const name of dead) editor.removeNode(name);
    editor.deleteTensors(unused);
    ctx.report({
      level: "info",
      message: `removed ${dead.length} dead node(s) and ${unused.length} unused tensor(s)`,
    });
    return editor.finish();
  },
});
