/**
 * What `mcu inspect` reports about a model: its inputs and outputs, op counts, parameters,
 * MACs and one row per layer. The JSON form is a stable contract (`schema: 1`), documented
 * in the package README.
 */
import {
  type DType,
  type Graph,
  getTensor,
  isConstant,
  nodeCounts,
  nodeOutputs,
  numElements,
  type QuantParams,
  type Registry,
  type TensorInfo,
} from "@mcu/tensor";

/** A graph input or output as `inspect --json` shows it. */
export interface TensorSummary {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Quantization parameters, or null for a float (unquantized) tensor. */
  readonly quant: {
    readonly scale: readonly number[];
    readonly zeroPoint: readonly number[];
    readonly axis?: number;
  } | null;
}

/** One node (layer) of the model, in execution order. */
export interface LayerSummary {
  /** The node's name. */
  readonly name: string;
  /** The IR op (`core.conv2d`). */
  readonly op: string;
  /** The op's name in the source file (`CONV_2D`, `Conv`), or null when the model has none. */
  readonly sourceOp: string | null;
  /** Shape of the node's first output. */
  readonly outputShape: readonly number[];
  /** Element type of the node's first output. */
  readonly dtype: DType;
  /** Multiply-accumulates of one inference, by the op contract. */
  readonly macs: number;
  /** Elements of the node's constant inputs (weights, biases, ...). */
  readonly params: number;
  /** Bytes of parameters as stored, by the op contract (reflects compression). */
  readonly paramBytes: number;
}

/** The `inspect --json` document, schema 1. */
export interface ModelSummary {
  readonly schema: 1;
  /** The name of the format the model was read with (`mcuir`, `tflite`, `onnx`). */
  readonly format: string;
  readonly inputs: readonly TensorSummary[];
  readonly outputs: readonly TensorSummary[];
  /** Number of nodes. */
  readonly nodes: number;
  /** Nodes per op name as in the source file (the IR op name for nodes without one), in first-seen order. */
  readonly opCounts: Readonly<Record<string, number>>;
  /** Nodes per IR op, in first-seen order. */
  readonly irOpCounts: Readonly<Record<string, number>>;
  /** Elements of all distinct constant tensors the nodes read. */
  readonly params: number;
  /** Sum of the layers' `paramBytes`. */
  readonly paramBytes: number;
  /** Sum of the layers' `macs`. */
  readonly macs: number;
  readonly layers: readonly LayerSummary[];
}

function quantSummary(q: QuantParams | undefined): TensorSummary["quant"] {
  if (q === undefined) return null;
  return {
    scale: [...q.scale],
    zeroPoint: [...q.zeroPoint],
    ...(q.axis !== undefined ? { axis: q.axis } : {}),
  };
}

/** The summary of one graph tensor. */
export function tensorSummary(t: TensorInfo): TensorSummary {
  return { name: t.name, shape: [...t.shape], dtype: t.dtype, quant: quantSummary(t.quant) };
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Per-layer MACs, parameters and output of a graph, by the registry's op contracts. */
export function layerSummaries(graph: Graph, registry: Registry): LayerSummary[] {
  return graph.nodes.map((node) => {
    const first = nodeOutputs(graph, node)[0];
    return {
      name: node.name,
      op: node.op,
      sourceOp: node.sourceOp ?? null,
      outputShape: first !== undefined ? [...first.shape] : [],
      dtype: first?.dtype ?? "float32",
      ...nodeCounts(graph, registry, node),
    };
  });
}

/** The `inspect --json` document for a graph read with format `format`. */
export function summarizeModel(graph: Graph, registry: Registry, format: string): ModelSummary {
  const layers = layerSummaries(graph, registry);
  const opCounts: Record<string, number> = {};
  const irOpCounts: Record<string, number> = {};
  const constants = new Set<string>();
  for (const node of graph.nodes) {
    // sourceOp "" marks a node an importer added that the file does not list (the
    // core.dequantize of TFLite hybrid weights): it counts in irOpCounts only.
    if (node.sourceOp !== "") bump(opCounts, node.sourceOp ?? node.op);
    bump(irOpCounts, node.op);
    for (const id of node.inputs) if (id !== "" && isConstant(getTensor(graph, id))) constants.add(id);
  }
  let params = 0;
  for (const id of constants) params += numElements(getTensor(graph, id).shape);
  return {
    schema: 1,
    format,
    inputs: graph.inputs.map((id) => tensorSummary(getTensor(graph, id))),
    outputs: graph.outputs.map((id) => tensorSummary(getTensor(graph, id))),
    nodes: graph.nodes.length,
    opCounts,
    irOpCounts,
    params,
    paramBytes: layers.reduce((s, l) => s + l.paramBytes, 0),
    macs: layers.reduce((s, l) => s + l.macs, 0),
    layers,
  };
}
