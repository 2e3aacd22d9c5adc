/**
 * The graph: an immutable value. Passes never mutate a graph; they return a new one (or the
 * same reference when nothing changed). Constant data is shared between graphs.
 */
import type { Attrs } from "./attrs.js";
import { InternalError } from "./errors.js";
import type { TensorInfo } from "./tensor-info.js";

/** An operation. Tensor ids in `inputs` may be `""` for an absent optional input. */
export interface Node {
  /** Unique within the graph. */
  readonly name: string;
  /** Namespaced op name: `core.conv2d`, `binary.conv2d`, ... */
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Attrs;
  /** The op's name in the file it was imported from (`CONV_2D`, `Conv`), for reports. */
  readonly sourceOp?: string;
}

/** A whole model. `nodes` are in topological order. */
export interface Graph {
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  readonly nodes: readonly Node[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
}

/** The parts a graph is made of. */
export interface GraphParts {
  readonly tensors: ReadonlyMap<string, TensorInfo> | Iterable<TensorInfo>;
  readonly nodes: readonly Node[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Creates a graph value from its parts (frozen; tensors keyed by name). */
export function createGraph(parts: GraphParts): Graph {
  const tensors = new Map<string, TensorInfo>();
  if (parts.tensors instanceof Map) {
    for (const [k, v] of parts.tensors as ReadonlyMap<string, TensorInfo>) tensors.set(k, v);
  } else {
    for (const t of parts.tensors as Iterable<TensorInfo>) tensors.set(t.name, t);
  }
  return Object.freeze({
    tensors,
    nodes: Object.freeze([...parts.nodes]),
    inputs: Object.freeze([...parts.inputs]),
    outputs: Object.freeze([...parts.outputs]),
    metadata: Object.freeze({ ...(parts.metadata ?? {}) }),
  });
}

/** The tensor with this id; a missing id is a bug in the caller. */
export function getTensor(graph: Graph, id: string): TensorInfo {
  const t = graph.tensors.get(id);
  if (t === undefined) throw new InternalError(`tensor "${id}" is not in the graph`);
  return t;
}

/** Input tensors of a node, `undefined` for absent optional inputs. */
export function nodeInputs(graph: Graph, node: Node): (TensorInfo | undefined)[] {
  return node.inputs.map((id) => (id === "" ? undefined : getTensor(graph, id)));
}

/** Output tensors of a node. */
export function nodeOutputs(graph: Graph, node: Node): TensorInfo[] {
  return node.outputs.map((id) => getTensor(graph, id));
}

/** Map from tensor id to the node that produces it. */
export function producerMap(graph: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) m.set(o, n);
  return m;
}

/** Map from tensor id to the nodes that read it (in graph order). */
export function consumerMap(graph: Graph): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  for (const n of graph.nodes) {
    for (const i of n.inputs) {
      if (i === "") continue;
      const list = m.get(i);
      if (list === undefined) m.set(i, [n]);
      else if (list[list.length - 1] !== n) list.push(n);
    }
  }
  return m;
}

/** Returns a copy of the graph with some parts replaced. */
export function withParts(graph: Graph, parts: Partial<GraphParts>): Graph {
  return createGraph({
    tensors: parts.tensors ?? graph.tensors,
    nodes: parts.nodes ?? graph.nodes,
    inputs: parts.inputs ?? graph.inputs,
    outputs: parts.outputs ?? graph.outputs,
    metadata: parts.metadata ?? graph.metadata,
  });
}
