/**
 * The graph editor passes use: copy-on-write edits of a graph, then `finish()` for a new graph
 * value in topological order (the same graph reference when nothing changed).
 */
import type { Attrs } from "./attrs.js";
import { InternalError } from "./errors.js";
import { createGraph, type Graph, type Node } from "./graph.js";
import { uniqueName } from "./internal/names.js";
import { createNode, type NodeOptions } from "./node-factory.js";
import type { Registry } from "./registry.js";
import type { TensorInfo } from "./tensor-info.js";

/** Orders nodes so every input is defined before use, keeping the given order where possible. */
export function topologicalOrder(
  nodes: readonly Node[],
  isDefined: (tensor: string) => boolean,
): Node[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.outputs) producer.set(o, i);
  });
  const state = new Uint8Array(nodes.length); // 0 new, 1 visiting, 2 done
  const order: Node[] = [];
  const visit = (i: number): void => {
    if (state[i] === 2) return;
    if (state[i] === 1) throw new InternalError(`cycle through node "${nodes[i]!.name}"`);
    state[i] = 1;
    for (const id of nodes[i]!.inputs) {
      if (id === "" || isDefined(id)) continue;
      const p = producer.get(id);
      if (p !== undefined) visit(p);
    }
    state[i] = 2;
    order.push(nodes[i]!);
  };
  for (let i = 0; i < nodes.length; i++) visit(i);
  return order;
}

/** Copy-on-write edits of one graph. */
export class GraphEditor {
  private readonly tensors: Map<string, TensorInfo>;
  private nodes: Node[];
  private readonly nodeNames: Set<string>;
  private inputs: string[];
  private outputs: string[];
  private metadata: Record<string, string>;
  private changed = false;

  constructor(
    readonly original: Graph,
    private readonly registry: Registry,
  ) {
    this.tensors = new Map(original.tensors);
    this.nodes = [...original.nodes];
    this.nodeNames = new Set(original.nodes.map((n) => n.name));
    this.inputs = [...original.inputs];
    this.outputs = [...original.outputs];
    this.metadata = { ...original.metadata };
  }

  /** The current nodes, in their current order. */
  get currentNodes(): readonly Node[] {
    return this.nodes;
  }

  /** The tensor as currently edited. */
  tensor(id: string): TensorInfo {
    const t = this.tensors.get(id);
    if (t === undefined) throw new InternalError(`tensor "${id}" is not in the graph`);
    return t;
  }

  /** Adds a tensor under a unique name derived from `t.name`; returns its id. */
  addTensor(t: TensorInfo): string {
    const name = uniqueName(t.name, this.tensors);
    this.tensors.set(name, { ...t, name });
    this.changed = true;
    return name;
  }

  /** Replaces a tensor's description (its name stays). */
  setTensor(id: string, t: Omit<TensorInfo, "name">): void {
    this.tensor(id);
    this.tensors.set(id, { ...t, name: id });
    this.changed = true;
  }

  /** Adds a node (shapes inferred like the builder's) and returns its outputs. */
  addNode(opName: string, inputs: readonly (string | undefined)[], attrs: Attrs = {}, opts: NodeOptions = {}): string[] {
    const { node, outputs } = createNode(this.registry, this.tensors, this.nodeNames, opName, inputs, attrs, opts);
    for (const t of outputs) this.tensors.set(t.name, t);
    this.nodes.push(node);
    this.nodeNames.add(node.name);
    this.changed = true;
    return [...node.outputs];
  }

  /** Replaces a node by a new node value (same name). */
  replaceNode(name: string, node: Node): void {
    const i = this.nodes.findIndex((n) => n.name === name);
    if (i < 0) throw new InternalError(`node "${name}" is not in the graph`);
    this.nodes[i] = node;
    this.nodeNames.delete(name);
    this.nodeNames.add(node.name);
    this.changed = true;
  }

  /** Removes a node (its outputs stay as tensors until dead-code elimination). */
  removeNode(name: string): void {
    const before = this.nodes.length;
    this.nodes = this.nodes.filter((n) => n.name !== name);
    if (this.nodes.length === before) throw new InternalError(`node "${name}" is not in the graph`);
    this.nodeNames.delete(name);
    this.changed = true;
  }

  /** Makes every reader of `from` (nodes and graph outputs) read `to` instead. */
  replaceUses(from: string, to: string): void {
    this.nodes = this.nodes.map((n) =>
      n.inputs.includes(from) ? { ...n, inputs: n.inputs.map((i) => (i === from ? to : i)) } : n,
    );
    this.outputs = this.outputs.map((o) => (o === from ? to : o));
    this.changed = true;
  }

  /** Removes tensors from the tensor table (callers make sure nothing refers to them). */
  deleteTensors(ids: Iterable<string>): void {
    for (const id of ids) if (this.tensors.delete(id)) this.changed = true;
  }

  /** Sets the graph's inputs, outputs or metadata. */
  setGraphIo(io: { inputs?: readonly string[]; outputs?: readonly string[]; metadata?: Record<string, string> }): void {
    if (io.inputs !== undefined) this.inputs = [...io.inputs];
    if (io.outputs !== undefined) this.outputs = [...io.outputs];
    if (io.metadata !== undefined) this.metadata = { ...io.metadata };
    this.changed = true;
  }

  /** The edited graph in topological order, or the original when nothing changed. */
  finish(): Graph {
    if (!this.changed) return this.original;
    const inputs = new Set(this.inputs);
    const nodes = topologicalOrder(this.nodes, (id) => {
      const t = this.tensors.get(id);
      return inputs.has(id) || t?.data !== undefined || t?.variable === true;
    });
    return createGraph({
      tensors: this.tensors,
      nodes,
      inputs: this.inputs,
      outputs: this.outputs,
      metadata: this.metadata,
    });
  }
}

/** Starts editing a graph. */
export function editGraph(graph: Graph, registry: Registry): GraphEditor {
  return new GraphEditor(graph, registry);
}
