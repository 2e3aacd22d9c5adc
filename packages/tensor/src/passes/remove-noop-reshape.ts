/**
 * `core/remove-noop-reshape`: reshapes that change nothing go, chains of reshapes become one.
 *
 * - reshape / flatten / squeeze / expand_dims whose output shape equals its input shape, and
 *   transpose with the identity permutation, are removed;
 * - a chain of reshape-like ops, each read only by the next, collapses into one `core.reshape`
 *   (or disappears when the chain ends where it began).
 *
 * Graph output names are a user-visible contract: when the removed node's output is a graph
 * output, its input's producer is made to write that output instead; when that is impossible
 * (the input is a graph input, a constant or itself a graph output) the node stays.
 */
import { editGraph, type GraphEditor } from "../editor.js";
import type { Graph, Node } from "../graph.js";
import { definePass } from "../pass.js";
import { sameQuant, sameShape, type TensorInfo } from "../tensor-info.js";

const RESHAPE_LIKE = new Set(["core.reshape", "core.flatten", "core.squeeze", "core.expand_dims"]);

const sameType = (a: TensorInfo, b: TensorInfo): boolean =>
  a.dtype === b.dtype && sameQuant(a.quant, b.quant);

function isIdentityTranspose(node: Node): boolean {
  return node.op === "core.transpose" && (node.attrs.perm as readonly number[]).every((p, i) => p === i);
}

/** The current producer of each tensor, and how many nodes read it. */
function uses(editor: GraphEditor): { producer: Map<string, Node>; readers: Map<string, number> } {
  const producer = new Map<string, Node>();
  const readers = new Map<string, number>();
  for (const n of editor.currentNodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of new Set(n.inputs)) readers.set(i, (readers.get(i) ?? 0) + 1);
  }
  return { producer, readers };
}

/**
 * Removes a one-in one-out node whose output equals its input, keeping graph output names.
 * Returns false when it has to stay.
 */
function bypass(editor: GraphEditor, graph: Graph, node: Node): boolean {
  const inId = node.inputs[0]!;
  const outId = node.outputs[0]!;
  const isOutput = new Set(graph.outputs);
  if (!isOutput.has(outId)) {
    editor.removeNode(node.name);
    editor.replaceUses(outId, inId);
    editor.deleteTensors([outId]);
    return true;
  }
  const p = uses(editor).producer.get(inId);
  if (
    p === undefined ||
    graph.inputs.includes(inId) ||
    isOutput.has(inId) ||
    editor.tensor(inId).data !== undefined
  )
    return false;
  // The input's producer writes the graph output directly; other readers follow the rename.
  editor.removeNode(node.name);
  editor.replaceNode(p.name, { ...p, outputs: p.outputs.map((o) => (o === inId ? outId : o)) });
  editor.replaceUses(inId, outId);
  editor.deleteTensors([inId]);
  return true;
}

/** Removes identity reshapes and transposes and collapses reshape chains. */
export const removeNoopReshape = definePass({
  name: "core/remove-noop-reshape",
  description: "Remove reshapes and transposes that change nothing; collapse chains of reshapes into one.",
  run(graph: Graph, ctx): Graph {
    const editor = editGraph(graph, ctx.registry);
    // Graph outputs never change here: every rename keeps the output's name.
    const isOutput = new Set(graph.outputs);
    let removed = 0;
    for (let changed = true; changed; ) {
      changed = false;
      for (const node of editor.currentNodes) {
        const reshapeLike = RESHAPE_LIKE.has(node.op);
        if (!reshapeLike && !isIdentityTranspose(node)) continue;
        const x = editor.tensor(node.inputs[0]!);
        const y = editor.tensor(node.outputs[0]!);
        if (!sameType(x, y)) continue;
        if (sameShape(x.shape, y.shape)) {
          if (bypass(editor, graph, node)) {
            removed++;
            changed = true;
            break;
          }
          continue;
        }
        if (!reshapeLike) continue;
        // Merge with a reshape-like producer whose output only this node reads.
        const { producer, readers } = uses(editor);
        const prev = producer.get(x.name);
        if (prev === undefined || !RESHAPE_LIKE.has(prev.op)) continue;
        if (readers.get(x.name) !== 1 || isOutput.has(x.name)) continue;
        const start = editor.tensor(prev.inputs[0]!);
        if (!sameType(start, x)) continue;
        editor.removeNode(prev.name);
        editor.replaceNode(node.name, {
          name: node.name,
          op: "core.reshape",
          inputs: [start.name],
          outputs: [y.name],
          attrs: { shape: [...y.shape] },
          ...(node.sourceOp !== undefined ? { sourceOp: node.sourceOp } : {}),
        });
        editor.deleteTensors([x.name]);
        removed++;
        changed = true;
        break;
      }
    }
    if (removed > 0) ctx.report({ level: "info", message: `removed ${removed} reshape/transpose node(s)` });
    return editor.finish();
  },
});
