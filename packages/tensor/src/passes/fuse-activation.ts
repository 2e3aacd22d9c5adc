/**
 * `core/fuse-activation`: a ReLU-family or tanh activation right after an op that can apply one
 * itself (TFLite's `fused_activation_function`) becomes that op's `fusedActivation`.
 *
 * Quantized graphs: a fused activation clamps the producer's output in the producer's output
 * quantization, so fusing is exact only when the activation does not requantize — its output
 * quantization must equal its input's. Otherwise the pair is left alone.
 */
import { normalizeAttrs } from "../attrs.js";
import { editGraph } from "../editor.js";
import { consumerMap, type Graph, type Node, producerMap } from "../graph.js";
import type { FusedActivation } from "../ops/activation.js";
import { definePass } from "../pass.js";
import type { Registry } from "../registry.js";
import { sameQuant } from "../tensor-info.js";

/** Ops that carry a `fusedActivation` attribute. */
const PRODUCERS = new Set([
  "core.conv2d",
  "core.depthwise_conv2d",
  "core.transpose_conv2d",
  "core.fully_connected",
  "core.add",
  "core.sub",
  "core.mul",
  "core.div",
  "core.max_pool2d",
  "core.avg_pool2d",
  "core.concat",
]);

/** The fused activation that computes this node, if it is one. */
function activationOf(node: Node): FusedActivation | undefined {
  switch (node.op) {
    case "core.relu":
      return "RELU";
    case "core.relu6":
      return "RELU6";
    case "core.tanh":
      return "TANH";
    case "core.clip": {
      const { min, max } = node.attrs as { min: number; max: number };
      if (min === 0 && max === 6) return "RELU6";
      if (min === -1 && max === 1) return "RELU_N1_TO_1";
      if (min === 0 && max === Number.POSITIVE_INFINITY) return "RELU";
      return undefined;
    }
    default:
      return undefined;
  }
}

/** True if some registered kernel runs `node` as it would stand in `graph`. */
function runnable(registry: Registry, graph: Graph, node: Node, outputs: readonly string[]): boolean {
  const attrs = normalizeAttrs(node.op, registry.op(node.op).attrs, node.attrs, node.name);
  const ctx = {
    node,
    attrs,
    inputs: node.inputs.map((id) => (id === "" ? undefined : graph.tensors.get(id))),
    outputs: outputs.map((id) => graph.tensors.get(id)!),
  };
  return registry.kernels(node.op).some((k) => k.supports(ctx));
}

/** Fuses relu / relu6 / clip / tanh into the conv, dense, elementwise, pool or concat before it. */
export const fuseActivation = definePass({
  name: "core/fuse-activation",
  description: "Fuse ReLU, ReLU6, clip(0,6), clip(-1,1) and tanh into the op that produces their input.",
  run(graph: Graph, ctx): Graph {
    const producers = producerMap(graph);
    const consumers = consumerMap(graph);
    const editor = editGraph(graph, ctx.registry);
    let fused = 0;
    for (const act of graph.nodes) {
      const fusedAct = activationOf(act);
      if (fusedAct === undefined) continue;
      const tId = act.inputs[0]!;
      const yId = act.outputs[0]!;
      const p = producers.get(tId);
      if (p === undefined || !PRODUCERS.has(p.op) || p.attrs.fusedActivation !== "NONE") continue;
      if ((consumers.get(tId) ?? []).length !== 1 || graph.outputs.includes(tId)) continue;
      const t = graph.tensors.get(tId)!;
      const y = graph.tensors.get(yId)!;
      if (t.dtype !== y.dtype) continue;
      if ((t.quant !== undefined || y.quant !== undefined) && !sameQuant(t.quant, y.quant)) {
        ctx.report({
          level: "info",
          node: act.name,
          message: `${act.op} ${act.name} not fused into ${p.name}: it changes the quantization`,
        });
        continue;
      }
      const fusedNode: Node = { ...p, attrs: { ...p.attrs, fusedActivation: fusedAct }, outputs: [yId] };
      // Never trade a node the kernels can run for one they cannot (e.g. int8 with TANH).
      if (runnable(ctx.registry, graph, p, p.outputs) && !runnable(ctx.registry, graph, fusedNode, [yId])) {
        ctx.report({
          level: "info",
          node: act.name,
          message: `no kernel runs ${p.op} with ${fusedAct} fused; kept`,
        });
        continue;
      }
      // The producer now writes the activation's output, so graph output names survive.
      editor.replaceNode(p.name, fusedNode);
      editor.removeNode(act.name);
      editor.deleteTensors([tId]);
      producers.set(yId, fusedNode);
      fused++;
    }
    if (fused > 0) ctx.report({ level: "info", message: `fused ${fused} activation(s)` });
    return editor.finish();
  },
});
