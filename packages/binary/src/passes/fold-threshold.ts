/**
 * `binary/fold-threshold` (eBNN, McDanel et al. 2017, §3.2): a layer followed by batch
 * normalization and a sign — with or without a max-pool between — becomes one layer with one
 * threshold per output channel: the output bit is +1 iff s·dot ≥ t, s = −1 where γ < 0. The
 * max-pool runs on the integer dot products before the comparison (max commutes with the
 * monotone chain), so nothing between the popcount and the output bit is float.
 *
 * - binary.conv2d / binary.fully_connected (float32 output) → the same op with a bit output, an
 *   int32 threshold and a flip bit per channel (and the fused max-pool for convolutions);
 * - core.conv2d on float input (the first layer) → binary.input_conv2d with a float32 threshold
 *   (its ±1 weights, if it has them, packed to bits);
 * - a batch_norm after a float32-output binary layer that no sign follows (the last layer, to the
 *   logits) → folded into the layer's per-channel scale and bias (float rounding differs).
 *
 * Thresholds are found by evaluating the original float chain on every achievable dot product
 * (integers in [−N, N]) or by binary search over float32 values, so the result reproduces the
 * float graph's bits exactly, except where batch normalization returns exactly 0: ONNX Sign gives
 * 0 there, which no bit can hold; we give +1 and report each such case.
 */
import {
  definePass,
  editGraph,
  type Graph,
  type GraphEditor,
  type Node,
  numElements,
  type PassContext,
  type TensorInfo,
} from "@mcu/tensor";
import { packSigns, isPlusMinusOne } from "../bits.js";
import { addConstant, removeDeadCode, rewriteNode, trimInputs } from "../internal/rewrite.js";
import { type ChannelThreshold, floatThreshold, integerThreshold } from "../internal/thresholds.js";
import {
  type BatchNormChannels,
  batchNormChannels,
  batchNormValue,
  fusablePool,
  type SignChain,
  signChain,
} from "./chain.js";

type Ctx = PassContext<Readonly<Record<string, never>>>;

function constData(graph: Graph, id: string | undefined): Float32Array | undefined {
  if (id === undefined || id === "") return undefined;
  return graph.tensors.get(id)?.data as Float32Array | undefined;
}

/** The float32 output stage of a binary layer on one channel (as kernels/epilogue.ts). */
function epilogueValue(
  scale: Float32Array | undefined,
  bias: Float32Array | undefined,
  c: number,
  d: number,
): number {
  const f = Math.fround;
  let v = f(d);
  if (scale !== undefined) v = f(v * scale[c]!);
  if (bias !== undefined) v = f(v + bias[c]!);
  return v;
}

/** Largest |dot| of a binary layer: taps × channels, or the feature count. */
function dotRange(graph: Graph, layer: Node): number {
  const w = graph.tensors.get(layer.inputs[1]!)!;
  return numElements(w.shape.slice(1));
}

function writeThresholds(
  editor: GraphEditor,
  base: string,
  channels: readonly ChannelThreshold[],
  dtype: "int32" | "float32",
): [string, string] {
  const o = channels.length;
  const values = channels.map((c) => c.threshold);
  const t =
    dtype === "int32"
      ? addConstant(editor, `${base}:threshold`, "int32", [o], Int32Array.from(values))
      : addConstant(editor, `${base}:threshold`, "float32", [o], Float32Array.from(values));
  const flips = channels.map((c) => (c.flip ? -1 : 1));
  const f = addConstant(editor, `${base}:flip`, "bit", [o], packSigns(flips, [o]));
  return [t, f];
}

function reportZeros(ctx: Ctx, node: string, channels: readonly ChannelThreshold[]): void {
  const hits = channels.flatMap((c, i) => c.zeros.map((v) => `channel ${i} at ${v}`));
  if (hits.length === 0) return;
  ctx.report({
    level: "info",
    node,
    message: `the value before the sign is exactly 0 at ${hits.length} point(s) (${hits.slice(0, 4).join(", ")}${hits.length > 4 ? ", ..." : ""}): ONNX Sign gives 0 there, the binary layer +1`,
  });
}

/** Folds one sign chain; returns false (with a note) when it cannot. */
function foldChain(graph: Graph, editor: GraphEditor, ctx: Ctx, chain: SignChain): boolean {
  const { layer, pool, batchNorm, sign } = chain;
  const note = (why: string): false => {
    ctx.report({ level: "info", node: sign.name, message: `not folded: ${why}` });
    return false;
  };
  let bn: BatchNormChannels | undefined;
  if (batchNorm !== undefined) {
    const p = batchNormChannels(graph, batchNorm);
    if (typeof p === "string") return note(`${batchNorm.name}: ${p}`);
    bn = p;
  }
  if (pool !== undefined && !fusablePool(pool)) return note(`${pool.name} is not a plain VALID max-pool`);
  const poolAttrs =
    pool !== undefined
      ? { pool: pool.attrs.filter as readonly number[], poolStrides: pool.attrs.strides as readonly number[] }
      : {};
  const after = (v: number, c: number): number => (bn !== undefined ? batchNormValue(bn, c, v) : v);
  const out = sign.outputs[0]!;

  if (
    (layer.op === "binary.conv2d" || layer.op === "binary.fully_connected") &&
    layer.attrs.output === "float32"
  ) {
    if (
      layer.op === "binary.conv2d" &&
      (layer.attrs.pool as readonly number[]).length > 0 &&
      pool !== undefined
    )
      return note(`${layer.name} already pools`);
    if (layer.op === "binary.fully_connected" && pool !== undefined)
      return note("a max-pool after a dense layer");
    const scale = constData(graph, layer.inputs[2]);
    const bias = constData(graph, layer.inputs[3]);
    if (pool !== undefined && scale?.some((s) => s < 0)) return note("a negative scale before the max-pool");
    const n = dotRange(graph, layer);
    const channels: ChannelThreshold[] = [];
    const o = graph.tensors.get(layer.inputs[1]!)!.shape[0]!;
    for (let c = 0; c < o; c++) {
      const t = integerThreshold((d) => after(epilogueValue(scale, bias, c, d), c), n);
      if (t === undefined) return note(`channel ${c} is not a threshold function of the dot product`);
      channels.push(t);
    }
    const [t, f] = writeThresholds(editor, layer.name, channels, "int32");
    const attrs = { ...layer.attrs, ...poolAttrs, output: "bit" };
    rewriteNode(
      editor,
      ctx.registry,
      layer.name,
      layer.op,
      [layer.inputs[0]!, layer.inputs[1]!, "", "", t, f],
      attrs,
      out,
      layer.sourceOp,
    );
    reportZeros(ctx, layer.name, channels);
    return true;
  }

  if (layer.op === "core.conv2d") {
    const x = graph.tensors.get(layer.inputs[0]!)!;
    const w = graph.tensors.get(layer.inputs[1]!)!;
    if (x.dtype !== "float32" || !(w.data instanceof Float32Array))
      return note(`${layer.name} is not a float32 convolution with constant weights`);
    if (layer.attrs.groups !== 1 || layer.attrs.fusedActivation !== "NONE")
      return note(`${layer.name} has groups or a fused activation`);
    const bias = constData(graph, layer.inputs[2]);
    if (layer.inputs[2] !== undefined && layer.inputs[2] !== "" && bias === undefined)
      return note(`${layer.name}'s bias is not constant`);
    const o = w.shape[0]!;
    // core.conv2d adds its bias to the sum and rounds once: fround(acc + bias).
    const channels = Array.from({ length: o }, (_, c) =>
      floatThreshold((a) => after(bias !== undefined ? Math.fround(a + bias[c]!) : a, c)),
    );
    const [t, f] = writeThresholds(editor, layer.name, channels, "float32");
    const weights = isPlusMinusOne(w.data)
      ? addConstant(editor, `${w.name}:bits`, "bit", w.shape, packSigns(w.data, w.shape))
      : w.name;
    const attrs = {
      strides: layer.attrs.strides!,
      dilations: layer.attrs.dilations!,
      padding: layer.attrs.padding!,
      pads: layer.attrs.pads!,
      ...poolAttrs,
      output: "bit",
    };
    rewriteNode(
      editor,
      ctx.registry,
      layer.name,
      "binary.input_conv2d",
      [layer.inputs[0]!, weights, "", "", t, f],
      attrs,
      out,
      layer.sourceOp,
    );
    reportZeros(ctx, layer.name, channels);
    return true;
  }
  return note(`${layer.name} (${layer.op}) is not a layer this pass folds`);
}

/** Folds a batch_norm into the scale and bias of the float32-output binary layer before it. */
function foldAffine(graph: Graph, editor: GraphEditor, ctx: Ctx, bnNode: Node, layer: Node): boolean {
  const bn = batchNormChannels(graph, bnNode);
  if (typeof bn === "string") return false;
  const o = graph.tensors.get(layer.inputs[1]!)!.shape[0]!;
  const scale = constData(graph, layer.inputs[2]);
  const bias = constData(graph, layer.inputs[3]);
  // bn(s·d + b) = (s·d + b − μ)·k + β = (s·k)·d + ((b − μ)·k + β)  (Ioffe & Szegedy 2015, §3.1)
  const s2 = Float32Array.from({ length: o }, (_, c) => (scale?.[c] ?? 1) * bn.k[c]!);
  const b2 = Float32Array.from(
    { length: o },
    (_, c) => ((bias?.[c] ?? 0) - bn.mean[c]!) * bn.k[c]! + bn.beta[c]!,
  );
  const s = addConstant(editor, `${layer.name}:scale`, "float32", [o], s2);
  const b = addConstant(editor, `${layer.name}:bias`, "float32", [o], b2);
  rewriteNode(
    editor,
    ctx.registry,
    layer.name,
    layer.op,
    trimInputs([layer.inputs[0]!, layer.inputs[1]!, s, b]),
    layer.attrs,
    bnNode.outputs[0]!,
    layer.sourceOp,
  );
  editor.removeNode(bnNode.name);
  return true;
}

/** The pass. */
export const foldThreshold = definePass({
  name: "binary/fold-threshold",
  description:
    "eBNN: fold batch_norm + sign (with an optional max-pool between) after a binary or first-layer convolution or dense layer into one threshold per channel; fold a final batch_norm into the scale and bias",
  async run(graph: Graph, ctx): Promise<Graph> {
    const editor = editGraph(graph, ctx.registry);
    const used = new Set<string>();
    let folded = 0;
    for (const sign of graph.nodes) {
      if (sign.op !== "binary.sign") continue;
      const chain = signChain(graph, sign);
      if (chain === undefined || used.has(chain.layer.name)) continue;
      if (foldChain(graph, editor, ctx as Ctx, chain)) {
        used.add(chain.layer.name);
        for (const n of [chain.pool, chain.batchNorm, chain.sign])
          if (n !== undefined) editor.removeNode(n.name);
        folded++;
      }
    }
    // A batch_norm after a float32-output binary layer that no sign follows: scale and bias.
    const readers = new Map<string, number>();
    for (const n of graph.nodes) for (const i of n.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);
    const byOutput = new Map(graph.nodes.map((n) => [n.outputs[0]!, n] as const));
    for (const bnNode of graph.nodes) {
      if (bnNode.op !== "core.batch_norm") continue;
      const layer = byOutput.get(bnNode.inputs[0]!);
      if (layer === undefined || used.has(layer.name) || !isFloatBinaryLayer(layer, graph)) continue;
      if (readers.get(layer.outputs[0]!) !== 1 || graph.outputs.includes(layer.outputs[0]!)) continue;
      if (editor.currentNodes.every((n) => n.name !== bnNode.name)) continue;
      if (foldAffine(graph, editor, ctx as Ctx, bnNode, layer)) {
        used.add(layer.name);
        folded++;
      }
    }
    if (folded === 0) return graph;
    ctx.report({ level: "info", message: `folded ${folded} layer(s)` });
    return removeDeadCode(editor.finish(), ctx);
  },
});

function isFloatBinaryLayer(layer: Node, graph: Graph): boolean {
  if (layer.op !== "binary.conv2d" && layer.op !== "binary.fully_connected") return false;
  if (layer.attrs.output !== "float32") return false;
  const pooled = layer.op === "binary.conv2d" && (layer.attrs.pool as readonly number[]).length > 0;
  const t: TensorInfo | undefined = graph.tensors.get(layer.outputs[0]!);
  return !pooled && t !== undefined;
}
