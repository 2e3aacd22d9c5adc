/**
 * `binary/xnor`: post-hoc XNOR-Net binarization (Rastegari et al. 2016) of a trained float model,
 * without retraining. Each chosen layer's weights become α·sign(W) with α the mean |W| of its
 * output channel (§3.1, eq. 4: the L1-optimal scale); with `activations=sign` (XNOR-Net proper)
 * the layer's input is binarized too, x ≈ β·sign(x) with β the mean |x| of that input over the
 * calibration samples (a per-tensor form of §3.2's K; 1 without samples), so the layer is a
 * bit-packed XNOR-popcount (binary.conv2d / binary.fully_connected); with `activations=float`
 * (the paper's Binary-Weight-Network) only the weights are binarized (binary.input_conv2d).
 * sign(0) = +1. The first and last layers stay float unless `keepFirstLast=false` or `layers`
 * names them.
 *
 * Expect a large accuracy drop: networks trained in float are not robust to it, and a ReLU
 * network's activations are ≥ 0, so their sign is +1 almost everywhere.
 */
import {
  definePass,
  editGraph,
  type Graph,
  type GraphEditor,
  type Node,
  type PassContext,
  attr,
} from "@mcu/tensor";
import { packSigns } from "../bits.js";
import { tensorStats } from "../internal/calibration.js";
import { addConstant, removeDeadCode, rewriteNode, trimInputs } from "../internal/rewrite.js";
import { chooseLayers } from "./layers.js";

/** Per-output-channel mean |W| (rows of the weights' first axis). */
export function channelMeanAbs(w: Float32Array, outs: number): Float32Array {
  const per = w.length / outs;
  const alpha = new Float32Array(outs);
  for (let o = 0; o < outs; o++) {
    let s = 0;
    for (let i = 0; i < per; i++) s += Math.abs(w[o * per + i]!);
    alpha[o] = s / per;
  }
  return alpha;
}

const OPTIONS = {
  layers: attr.strings(
    [],
    "node names to binarize (default: every conv2d / fully_connected but the first and last)",
  ),
  activations: attr.enum(
    ["sign", "float"] as const,
    "sign",
    "sign: XNOR-Net (binary inputs too); float: binary weights only (BWN)",
  ),
  keepFirstLast: attr.bool(true, "keep the first and last weight layers in float"),
};

type Options = {
  readonly layers: readonly string[];
  readonly activations: "sign" | "float";
  readonly keepFirstLast: boolean;
};

function binarizeLayer(
  graph: Graph,
  editor: GraphEditor,
  ctx: PassContext<unknown>,
  node: Node,
  options: Options,
  beta: number,
  bits: Map<string, string>,
): boolean {
  const note = (why: string): false => {
    ctx.report({ level: "info", node: node.name, message: `left in float: ${why}` });
    return false;
  };
  const x = graph.tensors.get(node.inputs[0]!)!;
  const w = graph.tensors.get(node.inputs[1]!)!;
  const wd = w.data as Float32Array;
  const outs = w.shape[0]!;
  const conv = node.op === "core.conv2d";
  const act = String(node.attrs.fusedActivation);
  if (act !== "NONE" && act !== "RELU" && act !== "RELU6") return note(`fused ${act}`);
  if (!conv && (node.attrs.keepNumDims === true || x.shape.length !== 2))
    return note("a dense layer whose input is not [batch, features]");
  if (!conv && options.activations === "float")
    return note("binary weights with float input exist for convolutions only");
  const alpha = channelMeanAbs(wd, outs);
  const scale = addConstant(
    editor,
    `${node.name}:alpha`,
    "float32",
    [outs],
    Float32Array.from(alpha, (a) => a * beta),
  );
  const wBits = addConstant(editor, `${w.name}:sign`, "bit", w.shape, packSigns(wd, w.shape));
  const bias = node.inputs[2] ?? "";
  const window = conv
    ? {
        strides: node.attrs.strides!,
        dilations: node.attrs.dilations!,
        padding: node.attrs.padding!,
        pads: node.attrs.pads!,
      }
    : {};
  let input = x.name;
  if (options.activations === "sign") {
    let b = bits.get(x.name);
    if (b === undefined) {
      b = editor.addNode("binary.sign", [x.name], {}, { name: `${node.name}:sign` })[0]!;
      bits.set(x.name, b);
    }
    input = b;
  }
  // With a fused activation, the binary layer writes a new tensor that the activation reads.
  const out = node.outputs[0]!;
  let target = out;
  if (act !== "NONE") {
    target = editor.addTensor({ ...editor.tensor(out), name: `${out}:linear` });
    editor.addNode(act === "RELU" ? "core.relu" : "core.relu6", [target], {}, { name: `${node.name}:act` });
  }
  const op =
    options.activations === "float"
      ? "binary.input_conv2d"
      : conv
        ? "binary.conv2d"
        : "binary.fully_connected";
  const attrs = { ...window, output: "float32" };
  rewriteNode(
    editor,
    ctx.registry,
    node.name,
    op,
    trimInputs([input, wBits, scale, bias]),
    attrs,
    target,
    node.sourceOp,
  );
  if (act !== "NONE") {
    // The activation node was added with its own output; make it write the layer's tensor.
    const actNode = editor.currentNodes.find((n) => n.name === `${node.name}:act`)!;
    const produced = actNode.outputs[0]!;
    editor.replaceNode(actNode.name, { ...actNode, outputs: [out] });
    editor.deleteTensors([produced]);
  }
  return true;
}

/** The pass. */
export const xnorPass = definePass({
  name: "binary/xnor",
  description:
    "Post-hoc XNOR-Net: binarize chosen conv2d / fully_connected layers (α = mean |W| per channel; sign activations, or float activations as BWN), first and last layers kept in float",
  options: OPTIONS,
  async run(graph: Graph, ctx): Promise<Graph> {
    const options = ctx.options as Options;
    const layers = chooseLayers(graph, ctx, options.layers, options.keepFirstLast);
    if (layers.length === 0) return graph;
    const inputs = new Set(layers.map((n) => n.inputs[0]!));
    const stats = options.activations === "sign" ? tensorStats(graph, ctx, inputs) : undefined;
    if (options.activations === "sign" && stats === undefined) {
      ctx.report({
        level: "warning",
        message: "no calibration samples: the input scale β is 1 (give --calib for mean |x|)",
      });
    }
    const editor = editGraph(graph, ctx.registry);
    const bits = new Map<string, string>();
    let done = 0;
    for (const node of layers) {
      const beta = stats?.get(node.inputs[0]!)?.meanAbs ?? 1;
      if (binarizeLayer(graph, editor, ctx, node, options, beta > 0 ? beta : 1, bits)) done++;
    }
    if (done === 0) return graph;
    ctx.report({
      level: "info",
      message: `${done} layer(s) binarized (XNOR-Net, activations ${options.activations})`,
    });
    return removeDeadCode(editor.finish(), ctx);
  },
});
