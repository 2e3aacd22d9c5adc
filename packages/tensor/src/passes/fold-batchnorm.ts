/**
 * `core/fold-batchnorm`: folds inference-time batch normalization into the convolution or
 * dense layer before it, or into a constant.
 *
 * With s[c] = γ[c] / √(σ²[c] + ε), batch_norm(x)[…, c] = s[c]·(x[…, c] − μ[c]) + β[c]. When
 * x = Σ w·input + b for output channel c this is Σ (w·s[c])·input + (b − μ[c])·s[c] + β[c], so
 * (Ioffe & Szegedy 2015, §3.1, folded as TFLite's converter does):
 *   w'[c] = w[c] · s[c],   b'[c] = (b[c] − μ[c]) · s[c] + β[c].
 * The channel is axis 0 of conv2d weights (OHWI) and fully-connected weights ([out, in]), and
 * the last axis of depthwise weights (1HWC).
 */
import { numElements } from "../dtype.js";
import { editGraph } from "../editor.js";
import { consumerMap, type Graph, type Node, producerMap } from "../graph.js";
import { definePass } from "../pass.js";
import type { Registry } from "../registry.js";
import type { TensorInfo } from "../tensor-info.js";

const FOLDABLE = new Set(["core.conv2d", "core.depthwise_conv2d", "core.fully_connected"]);

const isFloatConstant = (t: TensorInfo | undefined): t is TensorInfo & { data: Float32Array } =>
  t !== undefined &&
  t.dtype === "float32" &&
  t.quant === undefined &&
  t.data instanceof Float32Array &&
  t.variable !== true;

interface BatchNormParams {
  /** γ/√(σ²+ε) per channel. */
  readonly scale: Float64Array;
  readonly mean: Float32Array;
  readonly beta: Float32Array;
}

function batchNormParams(graph: Graph, bn: Node): BatchNormParams | string {
  const [, gammaId, betaId, meanId, varId] = bn.inputs;
  const [gamma, beta, mean, variance] = [gammaId, betaId, meanId, varId].map((id) =>
    graph.tensors.get(id ?? ""),
  );
  if (![gamma, beta, mean, variance].every(isFloatConstant))
    return "its scale, bias, mean and variance are not float32 constants";
  const eps = bn.attrs.epsilon as number;
  const g = gamma!.data as Float32Array;
  const v = variance!.data as Float32Array;
  const scale = new Float64Array(g.length);
  const m = mean!.data as Float32Array;
  const b = beta!.data as Float32Array;
  for (let c = 0; c < g.length; c++) {
    scale[c] = g[c]! / Math.sqrt(v[c]! + eps);
  }
  return { scale, mean: m, beta: b };
}

/** Why `producer` cannot absorb `bn`, or undefined when it can. */
function whyNotFoldable(
  graph: Graph,
  bn: Node,
  producer: Node | undefined,
  readers: readonly Node[],
): string | undefined {
  const x = graph.tensors.get(bn.inputs[0]!)!;
  if (producer === undefined || !FOLDABLE.has(producer.op))
    return "its input is not produced by conv2d, depthwise_conv2d or fully_connected";
  if (producer.attrs.fusedActivation !== "NONE")
    return `${producer.name} already applies ${String(producer.attrs.fusedActivation)}`;
  if (readers.length !== 1 || graph.outputs.includes(x.name))
    return `${producer.name}'s output has other readers`;
  if (x.dtype !== "float32" || x.quant !== undefined) return "it is not float32";
  const axis = bn.attrs.axis as number;
  if ((axis < 0 ? axis + x.shape.length : axis) !== x.shape.length - 1)
    return "it does not normalize the channel (last) axis";
  const w = graph.tensors.get(producer.inputs[1]!);
  const b =
    producer.inputs[2] === undefined || producer.inputs[2] === ""
      ? undefined
      : graph.tensors.get(producer.inputs[2]);
  if (!isFloatConstant(w)) return `${producer.name}'s weights are not float32 constants`;
  if (b !== undefined && !isFloatConstant(b)) return `${producer.name}'s bias is not a float32 constant`;
  return undefined;
}

/** Maps a flat element index of a tensor of `shape` to its index along `axis`. */
function channelIndex(shape: readonly number[], axis: number): (i: number) => number {
  const inner = numElements(shape.slice(axis + 1));
  const size = shape[axis]!;
  return (i) => Math.floor(i / inner) % size;
}

/** One sweep: folds every batch_norm it can; records why the others stay. */
function foldOnce(graph: Graph, registry: Registry, notes: Map<string, string>): Graph {
  const producers = producerMap(graph);
  const consumers = consumerMap(graph);
  const editor = editGraph(graph, registry);
  for (const bn of graph.nodes) {
    if (bn.op !== "core.batch_norm") continue;
    const params = batchNormParams(graph, bn);
    if (typeof params === "string") {
      notes.set(bn.name, params);
      continue;
    }
    const xId = bn.inputs[0]!;
    const yId = bn.outputs[0]!;
    const x = graph.tensors.get(xId)!;

    if (isFloatConstant(x)) {
      // A constant input: the result is a constant, computed by the definition.
      const axis = bn.attrs.axis as number;
      const a = axis < 0 ? axis + x.shape.length : axis;
      const y = new Float32Array(x.data.length);
      const channelOf = channelIndex(x.shape, a);
      for (let i = 0; i < y.length; i++) {
        const c = channelOf(i);
        y[i] = (x.data[i]! - params.mean[c]!) * params.scale[c]! + params.beta[c]!;
      }
      editor.removeNode(bn.name);
      editor.setTensor(yId, { ...graph.tensors.get(yId)!, data: y });
      notes.delete(bn.name);
      continue;
    }

    const producer = producers.get(xId);
    const why = whyNotFoldable(graph, bn, producer, consumers.get(xId) ?? []);
    if (why !== undefined) {
      notes.set(bn.name, why);
      continue;
    }
    const p = producer!;
    const w = graph.tensors.get(p.inputs[1]!)! as TensorInfo & { data: Float32Array };
    const bId = p.inputs[2];
    const bias = bId === undefined || bId === "" ? undefined : (graph.tensors.get(bId)!.data as Float32Array);
    const channels = params.scale.length;
    // The output channel of each weight: the last axis (depthwise) or the first (conv, dense).
    const channelAxis = p.op === "core.depthwise_conv2d" ? w.shape.length - 1 : 0;
    const channelOf = channelIndex(w.shape, channelAxis);
    const w2 = new Float32Array(w.data.length);
    for (let i = 0; i < w2.length; i++) w2[i] = w.data[i]! * params.scale[channelOf(i)]!;
    const b2 = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      b2[c] = ((bias?.[c] ?? 0) - params.mean[c]!) * params.scale[c]! + params.beta[c]!;
    }
    const wId = editor.addTensor({ name: `${w.name}_bn`, shape: w.shape, dtype: "float32", data: w2 });
    const newBias = editor.addTensor({
      name: `${bn.name}_bias`,
      shape: [channels],
      dtype: "float32",
      data: b2,
    });
    // The producer now writes the batch_norm's output, so graph output names survive.
    editor.replaceNode(p.name, { ...p, inputs: [p.inputs[0]!, wId, newBias], outputs: [yId] });
    editor.removeNode(bn.name);
    editor.deleteTensors([xId]);
    notes.delete(bn.name);
  }
  return editor.finish();
}

/** Folds batch_norm into conv2d / depthwise_conv2d / fully_connected weights, or into a constant. */
export const foldBatchNorm = definePass({
  name: "core/fold-batchnorm",
  description: "Fold BatchNormalization into the preceding conv/dense (or into a constant input).",
  run(graph: Graph, ctx): Graph {
    const notes = new Map<string, string>();
    let current = graph;
    // Repeat: folding one batch_norm can make the next one in a chain foldable.
    for (
      let next = foldOnce(current, ctx.registry, notes);
      next !== current;
      next = foldOnce(current, ctx.registry, notes)
    ) {
      current = next;
    }
    const before = graph.nodes.filter((n) => n.op === "core.batch_norm").length;
    const after = current.nodes.filter((n) => n.op === "core.batch_norm").length;
    for (const [node, why] of notes)
      ctx.report({ level: "info", node, message: `batch_norm ${node} left as is: ${why}` });
    if (before > after) ctx.report({ level: "info", message: `folded ${before - after} batch_norm node(s)` });
    return current;
  },
});
