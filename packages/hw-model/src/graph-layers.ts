/** The per-node cost contexts of a graph, in node order. */
import { type Graph, nodeCounts, nodeInputs, nodeOutputs, type Registry } from "@mcu/tensor";
import type { CostNodeContext } from "./cost-contract.js";
import { type KernelClass, kernelClassOf, type LayerFeatures, layerFeatures } from "./layer-features.js";

/** A cost context for every node of the graph (MACs from the registry's op contracts). */
export function costContexts(graph: Graph, registry: Registry): CostNodeContext[] {
  return graph.nodes.map((node) => {
    const inputs = nodeInputs(graph, node);
    const outputs = nodeOutputs(graph, node);
    const { macs } = nodeCounts(graph, registry, node);
    return { graph, node, attrs: node.attrs, inputs, outputs, macs };
  });
}

/** Kernel class and features of every node the builtin model knows (others are skipped). */
export function builtinLayers(
  graph: Graph,
  registry: Registry,
): { cls: KernelClass; features: LayerFeatures }[] {
  const out: { cls: KernelClass; features: LayerFeatures }[] = [];
  for (const ctx of costContexts(graph, registry)) {
    const cls = kernelClassOf(ctx);
    if (cls !== undefined) out.push({ cls, features: layerFeatures(ctx) });
  }
  return out;
}
