/**
 * `binary/from-sign`: recognizes the binarized-network pattern of an exported BNN — Sign → Conv or
 * Sign → (Flatten) → MatMul/Gemm whose weights are all ±1, as in mnist_bnn.onnx — and turns it into
 * bit-packed layers: the Sign becomes binary.sign (float → bits), each ±1-weight conv a
 * binary.conv2d and each ±1-weight dense layer a binary.fully_connected (absorbing the flatten),
 * with bit-packed weights and float32 outputs equal to the float layer's (the dot product of ±1
 * values is an integer, exact in float32, and the bias is added the same way). Zero padding is
 * kept exact: out-of-bounds taps contribute nothing, as in the float model.
 *
 * The one difference from the float graph is sign(0): ONNX Sign gives 0, a bit cannot, and
 * binary.sign gives +1 (as BNN training's straight-through sign does). `binary/fold-threshold`
 * then removes the remaining float between the layers.
 */
import { consumerMap, definePass, editGraph, type Graph, type Node, numElements } from "@mcu/tensor";
import { isPlusMinusOne, packSigns } from "../bits.js";
import { addConstant, removeDeadCode, rewriteNode, trimInputs } from "../internal/rewrite.js";

interface Conversion {
  /** The node that becomes a binary layer. */
  readonly layer: Node;
  /** A flatten/reshape between the sign and a dense layer, bypassed. */
  readonly flatten?: Node;
}

/** Why a reader of a sign's output cannot become a binary layer, or its conversion. */
function conversionOf(
  graph: Graph,
  readers: Map<string, Node[]>,
  signOut: string,
  node: Node,
): Conversion | string {
  const weightsOk = (id: string | undefined): boolean => {
    const w = graph.tensors.get(id ?? "");
    return w?.data instanceof Float32Array && isPlusMinusOne(w.data);
  };
  const biasOk = (id: string | undefined): boolean =>
    id === undefined || id === "" || graph.tensors.get(id)?.data instanceof Float32Array;
  if (node.op === "core.conv2d") {
    if (node.inputs[0] !== signOut) return `${node.name} reads the sign as weights`;
    if (node.attrs.groups !== 1) return `${node.name} is a grouped convolution`;
    if (node.attrs.fusedActivation !== "NONE") return `${node.name} has a fused activation`;
    if (!weightsOk(node.inputs[1])) return `${node.name}'s weights are not all ±1`;
    if (!biasOk(node.inputs[2])) return `${node.name}'s bias is not constant`;
    return { layer: node };
  }
  let dense = node;
  let flatten: Node | undefined;
  if (node.op === "core.flatten" || node.op === "core.reshape") {
    const out = node.outputs[0]!;
    const next = readers.get(out) ?? [];
    const shape = graph.tensors.get(out)!.shape;
    const x = graph.tensors.get(signOut)!;
    if (next.length !== 1 || graph.outputs.includes(out)) return `${node.name}'s output has other readers`;
    if (shape.length !== 2 || shape[0] !== x.shape[0] || shape[1] !== numElements(x.shape.slice(1)))
      return `${node.name} does not flatten to [batch, features]`;
    flatten = node;
    dense = next[0]!;
  }
  if (dense.op !== "core.fully_connected")
    return `${dense.name} (${dense.op}) is not a convolution or dense layer`;
  if (dense.inputs[0] !== (flatten?.outputs[0] ?? signOut)) return `${dense.name} reads the sign as weights`;
  if (dense.attrs.fusedActivation !== "NONE" || dense.attrs.keepNumDims !== false)
    return `${dense.name} has a fused activation or keeps dimensions`;
  if (flatten === undefined && graph.tensors.get(signOut)!.shape.length !== 2)
    return `${dense.name}'s input is not [batch, features]`;
  if (!weightsOk(dense.inputs[1])) return `${dense.name}'s weights are not all ±1`;
  if (!biasOk(dense.inputs[2])) return `${dense.name}'s bias is not constant`;
  return { layer: dense, ...(flatten !== undefined ? { flatten } : {}) };
}

/** The pass. */
export const fromSign = definePass({
  name: "binary/from-sign",
  description:
    "Sign → Conv / (Flatten →) MatMul with ±1 weights → binary.sign + binary.conv2d / binary.fully_connected with bit-packed weights and activations",
  async run(graph: Graph, ctx): Promise<Graph> {
    const readers = consumerMap(graph);
    const editor = editGraph(graph, ctx.registry);
    let converted = 0;
    for (const sign of graph.nodes) {
      if (sign.op !== "core.sign") continue;
      const out = sign.outputs[0]!;
      const x = graph.tensors.get(sign.inputs[0]!)!;
      const users = readers.get(out) ?? [];
      if (graph.outputs.includes(out) || users.length === 0 || x.dtype !== "float32") continue;
      const plans = users.map((u) => conversionOf(graph, readers, out, u));
      const why = plans.find((p): p is string => typeof p === "string");
      if (why !== undefined) {
        ctx.report({ level: "info", node: sign.name, message: `left in float: ${why}` });
        continue;
      }
      // binary.sign writes the packed bits under a new name; the float ±1 tensor goes away.
      const bits = editor.addNode(
        "binary.sign",
        [sign.inputs[0]!],
        {},
        { name: `${sign.name}:bits`, sourceOp: sign.sourceOp ?? "" },
      )[0]!;
      editor.removeNode(sign.name);
      for (const plan of plans as Conversion[]) {
        const { layer, flatten } = plan;
        const w = graph.tensors.get(layer.inputs[1]!)!;
        const xShape = graph.tensors.get(out)!.shape;
        // Dense weights take the input's feature shape ([O, H, W, C] after a flatten of NHWC):
        // the flatten keeps C-order, so row o of [O, H·W·C] is exactly w[o, h, w, c].
        const wShape = layer.op === "core.conv2d" ? w.shape : [w.shape[0]!, ...xShape.slice(1)];
        const wBits = addConstant(
          editor,
          `${w.name}:bits`,
          "bit",
          wShape,
          packSigns(w.data as Float32Array, wShape),
        );
        const bias = layer.inputs[2] ?? "";
        const inputs = trimInputs([bits, wBits, "", bias]);
        if (layer.op === "core.conv2d") {
          const { strides, dilations, padding, pads } = layer.attrs;
          rewriteNode(
            editor,
            ctx.registry,
            layer.name,
            "binary.conv2d",
            inputs,
            { strides: strides!, dilations: dilations!, padding: padding!, pads: pads!, output: "float32" },
            layer.outputs[0]!,
            layer.sourceOp,
          );
        } else {
          rewriteNode(
            editor,
            ctx.registry,
            layer.name,
            "binary.fully_connected",
            inputs,
            { output: "float32" },
            layer.outputs[0]!,
            layer.sourceOp,
          );
          if (flatten !== undefined) editor.removeNode(flatten.name);
        }
        converted++;
      }
    }
    if (converted === 0) return graph;
    ctx.report({ level: "info", message: `${converted} layer(s) binarized` });
    return removeDeadCode(editor.finish(), ctx);
  },
});
