/** Work and storage of nodes and graphs, by the registry's op contracts. */
import { numElements } from "./dtype.js";
import { type Graph, type Node, nodeInputs, nodeOutputs } from "./graph.js";
import type { Registry } from "./registry.js";
import { isConstant } from "./tensor-info.js";

/** What one node costs: MACs of one execution, and its parameters. */
export interface NodeCounts {
  readonly macs: number;
  /** Elements of the node's constant inputs (weights, biases, ...). */
  readonly params: number;
  /** Bytes of the parameters as stored (reflects compression), by the op contract. */
  readonly paramBytes: number;
}

/** MACs and parameters of one node (zeros for ops no plugin defines). */
export function nodeCounts(graph: Graph, registry: Registry, node: Node): NodeCounts {
  if (!registry.hasOp(node.op)) return { macs: 0, params: 0, paramBytes: 0 };
  const op = registry.op(node.op);
  const inputs = nodeInputs(graph, node);
  const ctx = { node: node.name, inputs, outputs: nodeOutputs(graph, node), attrs: node.attrs };
  let params = 0;
  for (const t of inputs) if (t !== undefined && isConstant(t)) params += numElements(t.shape);
  return { macs: op.macs(ctx), params, paramBytes: op.paramBytes(ctx) };
}

/** Total MACs of one inference of the graph. */
export function graphMacs(graph: Graph, registry: Registry): number {
  let macs = 0;
  for (const node of graph.nodes) macs += nodeCounts(graph, registry, node).macs;
  return macs;
}
