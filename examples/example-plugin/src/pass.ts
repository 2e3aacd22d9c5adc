/**
 * `example/fuse-hard-sigmoid`: the three core ops @mcu/onnx-io imports an ONNX HardSigmoid as —
 * `clip(add(mul(x, alpha), beta), 0, 1)` with scalar float32 constants alpha and beta, in either
 * operand order — become one `example.hard_sigmoid` node. One pass over the tensor instead of
 * three, and two intermediate tensors fewer in the arena.
 *
 * The rewrite is exact (see kernel.ts): the fused kernel rounds like the three ops it replaces.
 * It only fires when the intermediate values are used by nothing else (not another node, not a
 * graph output) and every tensor is plain float32.
 */
import {
  consumerMap,
  definePass,
  editGraph,
  type Graph,
  isConstant,
  type Node,
  normalizeAttrs,
  producerMap,
  sameShape,
  type TensorInfo,
} from "@mcu/tensor";
import { hardSigmoidOp } from "./op.js";

/** One match: the three nodes, the input x and the two constants. */
interface HardSigmoidMatch {
  readonly mul: Node;
  readonly add: Node;
  readonly clip: Node;
  readonly x: string;
  readonly alpha: number;
  readonly beta: number;
  readonly constants: readonly string[];
}

const isPlain = (t: TensorInfo | undefined): t is TensorInfo =>
  t !== undefined && t.dtype === "float32" && t.quant === undefined;

/** The value of a one-element float32 constant, or undefined. */
function scalarConstant(graph: Graph, id: string): number | undefined {
  const t = graph.tensors.get(id);
  if (t === undefined || !isConstant(t) || !isPlain(t) || t.data.length !== 1) return undefined;
  return (t.data as Float32Array)[0];
}

/** Splits a binary node's inputs into (the non-constant operand, the scalar constant's id and value). */
function operandAndScalar(graph: Graph, node: Node): { x: string; c: string; value: number } | undefined {
  const [a, b] = node.inputs;
  if (a === undefined || b === undefined || a === "" || b === "") return undefined;
  const vb = scalarConstant(graph, b);
  if (vb !== undefined && scalarConstant(graph, a) === undefined) return { x: a, c: b, value: vb };
  const va = scalarConstant(graph, a);
  if (va !== undefined && vb === undefined) return { x: b, c: a, value: va };
  return undefined;
}

/** Matches clip(add(mul(x, alpha), beta), 0, 1) ending at `clip`. */
function matchAt(
  graph: Graph,
  clip: Node,
  producers: ReadonlyMap<string, Node>,
  consumers: ReadonlyMap<string, readonly Node[]>,
): HardSigmoidMatch | undefined {
  if (clip.op !== "core.clip" || clip.attrs.min !== 0 || clip.attrs.max !== 1) return undefined;
  const graphOutputs = new Set(graph.outputs);
  // An intermediate tensor may disappear only if the next node of the pattern is its only reader.
  const privateTo = (id: string, reader: Node): boolean =>
    !graphOutputs.has(id) && (consumers.get(id) ?? []).every((n) => n === reader);

  const s = clip.inputs[0]!;
  const add = producers.get(s);
  if (add?.op !== "core.add" || add.attrs.fusedActivation !== "NONE" || !privateTo(s, clip)) return undefined;
  const addParts = operandAndScalar(graph, add);
  if (addParts === undefined) return undefined;

  const m = addParts.x;
  const mul = producers.get(m);
  if (mul?.op !== "core.mul" || mul.attrs.fusedActivation !== "NONE" || !privateTo(m, add)) return undefined;
  const mulParts = operandAndScalar(graph, mul);
  if (mulParts === undefined) return undefined;

  const x = graph.tensors.get(mulParts.x);
  const y = graph.tensors.get(clip.outputs[0]!);
  const tensorsPlain = [x, graph.tensors.get(m), graph.tensors.get(s), y].every(isPlain);
  // A scalar of higher rank than x would broadcast x to a new shape; the fused op keeps x's shape.
  if (!tensorsPlain || !sameShape(x!.shape, y!.shape)) return undefined;
  return {
    mul,
    add,
    clip,
    x: mulParts.x,
    alpha: mulParts.value,
    beta: addParts.value,
    constants: [mulParts.c, addParts.c],
  };
}

/** Fuses clip(add(mul(x, alpha), beta), 0, 1) into `example.hard_sigmoid`. */
export const fuseHardSigmoid = definePass({
  name: "example/fuse-hard-sigmoid",
  description: "Fuse clip(x·alpha + beta, 0, 1) (ONNX HardSigmoid as imported) into example.hard_sigmoid.",
  run(graph, ctx) {
    const producers = producerMap(graph);
    const consumers = consumerMap(graph);
    const editor = editGraph(graph, ctx.registry);
    const candidates = new Set<string>();
    let fused = 0;
    for (const node of graph.nodes) {
      const match = matchAt(graph, node, producers, consumers);
      if (match === undefined) continue;
      editor.removeNode(match.mul.name);
      editor.removeNode(match.add.name);
      // The clip node becomes the fused node: its name, output and source op (HardSigmoid) stay.
      editor.replaceNode(match.clip.name, {
        ...match.clip,
        op: hardSigmoidOp.name,
        inputs: [match.x],
        attrs: normalizeAttrs(hardSigmoidOp.name, hardSigmoidOp.attrs, {
          alpha: match.alpha,
          beta: match.beta,
        }),
      });
      editor.deleteTensors([match.mul.outputs[0]!, match.add.outputs[0]!]);
      for (const c of match.constants) candidates.add(c);
      fused++;
    }
    if (fused === 0) return graph;
    // Constants may be shared (importers deduplicate equal scalars): drop only the unread ones.
    const read = new Set(editor.currentNodes.flatMap((n) => n.inputs));
    editor.deleteTensors([...candidates].filter((c) => !read.has(c) && !graph.outputs.includes(c)));
    ctx.report({ level: "info", message: `fused ${fused} hard sigmoid(s) into ${hardSigmoidOp.name}` });
    return editor.finish();
  },
});
