/** The graph builder: assemble a graph op by op, with shapes inferred as you go. */
import type { Attrs } from "./attrs.js";
import type { DType, TensorData } from "./dtype.js";
import { McuError } from "./errors.js";
import { createGraph, type Graph, type Node } from "./graph.js";
import { uniqueName } from "./internal/names.js";
import { createNode, type NodeOptions } from "./node-factory.js";
import type { Registry } from "./registry.js";
import type { QuantParams, TensorInfo } from "./tensor-info.js";
import { verify } from "./verify.js";

/** The dtype a typed array holds by default. */
function dtypeOfData(data: TensorData): DType {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Int16Array) return "int16";
  if (data instanceof Int8Array) return "int8";
  if (data instanceof Uint8Array) return "uint8";
  if (data instanceof BigInt64Array) return "int64";
  return "bit";
}

/** Builds a graph. Each method returns the id of the tensor it created. */
export class GraphBuilder {
  private readonly tensors = new Map<string, TensorInfo>();
  private readonly nodes: Node[] = [];
  private readonly nodeNames = new Set<string>();
  private readonly inputs: string[] = [];
  private readonly outputs: string[] = [];
  private readonly metadata: Record<string, string> = {};

  constructor(private readonly registry: Registry) {}

  /** Adds a graph input. */
  input(name: string, shape: readonly number[], dtype: DType = "float32", quant?: QuantParams): string {
    const id = this.addTensor({ name, shape: [...shape], dtype, ...(quant !== undefined ? { quant } : {}) });
    this.inputs.push(id);
    return id;
  }

  /** Adds a constant; its dtype defaults to the typed array's. */
  constant(
    name: string,
    data: TensorData,
    shape: readonly number[],
    opts: { readonly dtype?: DType; readonly quant?: QuantParams } = {},
  ): string {
    return this.addTensor({
      name,
      shape: [...shape],
      dtype: opts.dtype ?? dtypeOfData(data),
      data,
      ...(opts.quant !== undefined ? { quant: opts.quant } : {}),
    });
  }

  /** Adds a node and returns its first output. */
  op(opName: string, inputs: readonly (string | undefined)[], attrs: Attrs = {}, opts: NodeOptions = {}): string {
    return this.opMulti(opName, inputs, attrs, opts)[0]!;
  }

  /** Adds a node and returns all its outputs. */
  opMulti(opName: string, inputs: readonly (string | undefined)[], attrs: Attrs = {}, opts: NodeOptions = {}): string[] {
    const { node, outputs } = createNode(this.registry, this.tensors, this.nodeNames, opName, inputs, attrs, opts);
    for (const t of outputs) this.tensors.set(t.name, t);
    this.nodes.push(node);
    this.nodeNames.add(node.name);
    return [...node.outputs];
  }

  /** Marks tensors as graph outputs. */
  output(...ids: string[]): this {
    for (const id of ids) {
      if (!this.tensors.has(id)) throw new McuError("MCU_E_GRAPH_OUTPUT", `output "${id}" does not exist`);
      this.outputs.push(id);
    }
    return this;
  }

  /** Sets a metadata entry. */
  meta(key: string, value: string): this {
    this.metadata[key] = value;
    return this;
  }

  /** The information recorded for a tensor so far. */
  info(id: string): TensorInfo {
    const t = this.tensors.get(id);
    if (t === undefined) throw new McuError("MCU_E_GRAPH_MISSING_TENSOR", `tensor "${id}" does not exist`);
    return t;
  }

  /** The finished, verified graph. */
  build(): Graph {
    return verify(
      createGraph({
        tensors: this.tensors,
        nodes: this.nodes,
        inputs: this.inputs,
        outputs: this.outputs,
        metadata: this.metadata,
      }),
      this.registry,
    );
  }

  private addTensor(t: TensorInfo): string {
    const name = uniqueName(t.name, this.tensors);
    this.tensors.set(name, { ...t, name });
    return name;
  }
}

/** Starts a graph builder on a registry. */
export function graphBuilder(registry: Registry): GraphBuilder {
  return new GraphBuilder(registry);
}
