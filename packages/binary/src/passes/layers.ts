/** Choosing the layers a post-hoc pass (binary/xnor, binary/pow2) rewrites. */
import type { Graph, Node, PassContext } from "@mcu/tensor";

/** A float conv2d (groups 1) or fully-connected layer with constant float32 weights. */
export function isWeightLayer(graph: Graph, node: Node): boolean {
  if (node.op !== "core.conv2d" && node.op !== "core.fully_connected") return false;
  if (node.op === "core.conv2d" && node.attrs.groups !== 1) return false;
  const x = graph.tensors.get(node.inputs[0]!);
  const w = graph.tensors.get(node.inputs[1]!);
  const b =
    node.inputs[2] === undefined || node.inputs[2] === "" ? undefined : graph.tensors.get(node.inputs[2]);
  return (
    x?.dtype === "float32" &&
    w?.data instanceof Float32Array &&
    (b === undefined || b.data instanceof Float32Array) &&
    x.quant === undefined
  );
}

/**
 * The layers to rewrite: those named in `names` (each must be a weight layer), or else every
 * weight layer except — when `keepFirstLast` — the first and the last in graph order (XNOR-Net
 * §4 and every BNN since keep them in higher precision: the first sees the raw input, the last
 * produces the logits).
 */
export function chooseLayers(
  graph: Graph,
  ctx: PassContext<unknown>,
  names: readonly string[],
  keepFirstLast: boolean,
): Node[] {
  const candidates = graph.nodes.filter((n) => isWeightLayer(graph, n));
  if (names.length > 0) {
    const chosen = candidates.filter((n) => names.includes(n.name));
    for (const name of names) {
      if (!chosen.some((n) => n.name === name)) {
        ctx.report({
          level: "warning",
          node: name,
          message: "not a float conv2d or fully-connected layer with constant weights: left as is",
        });
      }
    }
    return chosen;
  }
  if (!keepFirstLast) return candidates;
  const kept = [candidates[0], candidates[candidates.length - 1]].filter((n) => n !== undefined);
  for (const n of new Set(kept))
    ctx.report({ level: "info", node: n.name, message: "kept in float (first or last layer)" });
  return candidates.slice(1, -1);
}
