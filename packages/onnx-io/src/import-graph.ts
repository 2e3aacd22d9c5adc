/**
 * The importer: ONNX ModelProto → IR graph. Nodes are visited in dependency order; each handler
 * folds its node into constants or emits IR nodes. Only nodes that contribute to the graph
 * outputs are imported (as onnxruntime does). Unsupported op types are collected over the
 * whole graph first and reported in one McuError.
 */
import {
  type DType,
  type Graph,
  type GraphBuilder,
  graphBuilder,
  McuError,
  type QuantParams,
  type Registry,
} from "@mcu/tensor";
import { NodeAttributes } from "./attributes.js";
import type { onnx } from "./generated/onnx.generated.js";
import { int64ToNumber, toDim } from "./internal/int64.js";
import { ONNX_LAYOUT } from "./layout.js";
import { type ImportState, NodeContext } from "./node-context.js";
import type { HandlerTable } from "./op-handler.js";
import { readQdqParams } from "./ops/qdq.js";
import { allocate, checkConstSize } from "./const-eval.js";
import { type ConstTensor, decodeTensorProto, irDTypeOf } from "./tensor-proto.js";
import { sameQuantParams, type RuntimeValue, type Value } from "./values.js";

/** Options of {@link importModel}. */
export interface ImportOptions {
  readonly registry: Registry;
  readonly handlers: HandlerTable;
  /** Notes about the import (a symbolic batch dimension fixed to 1, ...). */
  readonly onNote?: (message: string) => void;
}

/** The ONNX domains whose ops the importer knows ("" and "ai.onnx" are the same). */
const DEFAULT_DOMAINS = new Set(["", "ai.onnx"]);

/** Opsets the importer reads; 11–21 are what current exporters write and what the tests cover. */
export const MIN_OPSET = 7;
export const MAX_OPSET = 23;

interface NodeInfo {
  readonly index: number;
  readonly proto: onnx.NodeProto.$Properties;
  readonly name: string;
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/** The default-domain opset a model imports, or MCU_E_ONNX_OPSET. */
export function defaultOpset(model: onnx.ModelProto.$Properties): number {
  const entry = (model.opsetImport ?? []).find((o) => DEFAULT_DOMAINS.has(o.domain ?? ""));
  const v = entry === undefined ? Number.NaN : int64ToNumber(entry.version);
  if (!Number.isInteger(v) || v < MIN_OPSET || v > MAX_OPSET) {
    throw new McuError(
      "MCU_E_ONNX_OPSET",
      entry === undefined
        ? "the model imports no ONNX opset"
        : `the model uses ONNX opset ${v}; @mcu/onnx-io reads opsets ${MIN_OPSET}–${MAX_OPSET} (tested on 11–21)`,
    );
  }
  return v;
}

/** Imports a decoded model into an IR graph. */
export function importModel(model: onnx.ModelProto.$Properties, options: ImportOptions): Graph {
  const graph = model.graph;
  if (graph === null || graph === undefined)
    throw new McuError("MCU_E_ONNX_INVALID", "the model has no graph");
  const opset = defaultOpset(model);
  return new Importer(graph, opset, options).run(metadataOf(model, opset));
}

function metadataOf(model: onnx.ModelProto.$Properties, opset: number): Record<string, string> {
  const producer = [model.producerName ?? "", model.producerVersion ?? ""].filter((s) => s !== "").join(" ");
  const meta: Record<string, string> = {
    format: "onnx",
    producer: producer || "unknown",
    opset: String(opset),
    irVersion: String(int64ToNumber(model.irVersion)),
  };
  for (const p of model.metadataProps ?? []) {
    if (p.key) meta[`onnx:${p.key}`] = p.value ?? "";
  }
  return meta;
}

class Importer implements ImportState {
  readonly builder: GraphBuilder;
  readonly graphOutputs: Set<string>;
  readonly constCache = new Map<string, string>();
  readonly layoutCache = new Map<string, RuntimeValue>();
  private readonly values = new Map<string, Value>();
  private readonly nodes: NodeInfo[];
  /** Value name → the live nodes that read it. */
  private readonly consumers = new Map<string, NodeInfo[]>();
  /** Value names read by live nodes or graph outputs. */
  private readonly used = new Set<string>();
  /** QuantizeLinear nodes already emitted as part of an integer op. */
  private readonly absorbed = new Set<NodeInfo>();

  constructor(
    private readonly graph: onnx.GraphProto.$Properties,
    private readonly opset: number,
    private readonly options: ImportOptions,
  ) {
    this.builder = graphBuilder(options.registry);
    this.graphOutputs = new Set((graph.output ?? []).map((o) => o.name ?? ""));
    this.nodes = (graph.node ?? []).map((proto, index) => ({
      index,
      proto,
      name: proto.name || `${proto.opType || "node"}_${index}`,
      opType: proto.opType ?? "",
      inputs: proto.input ?? [],
      outputs: proto.output ?? [],
    }));
  }

  value(name: string): Value | undefined {
    return this.values.get(name);
  }

  setValue(name: string, v: Value): void {
    this.values.set(name, v);
  }

  run(metadata: Record<string, string>): Graph {
    this.readInitializers();
    this.readInputs();
    const order = this.liveNodesInOrder();
    this.checkSupported(order);
    for (const n of order) {
      for (const i of n.inputs) if (i !== "") this.consumerList(i).push(n);
    }
    for (const n of order) if (!this.absorbed.has(n)) this.importNode(n);
    this.writeOutputs();
    for (const [k, v] of Object.entries(metadata)) this.builder.meta(k, v);
    return this.builder.build();
  }

  private consumerList(name: string): NodeInfo[] {
    let list = this.consumers.get(name);
    if (list === undefined) {
      list = [];
      this.consumers.set(name, list);
    }
    return list;
  }

  private readInitializers(): void {
    for (const t of this.graph.initializer ?? []) {
      const name = t.name ?? "";
      if (name === "") throw new McuError("MCU_E_ONNX_INVALID", "an initializer has no name");
      this.values.set(name, { kind: "const", t: decodeTensorProto(t, name) });
    }
    for (const s of this.graph.sparseInitializer ?? []) {
      const name = s.values?.name ?? "";
      if (name === "") throw new McuError("MCU_E_ONNX_INVALID", "a sparse initializer has no name");
      this.values.set(name, { kind: "const", t: densify(s, name) });
    }
  }

  private readInputs(): void {
    for (const vi of this.graph.input ?? []) {
      const name = vi.name ?? "";
      if (name === "" || this.values.has(name)) continue; // IR < 4 lists initializers as inputs too
      const tt = vi.type?.tensorType;
      if (tt === null || tt === undefined) {
        throw new McuError("MCU_E_ONNX_INVALID", `graph input "${name}" is not a tensor`, { tensor: name });
      }
      const dtype = irDTypeOf(tt.elemType ?? 0, { tensor: name });
      const dims = tt.shape?.dim ?? [];
      const shape = dims.map((d, axis) => {
        if (d.dimValue !== null && d.dimValue !== undefined && d.value === "dimValue") {
          const n = toDim(d.dimValue, `graph input "${name}"`, { tensor: name });
          if (n === 0)
            throw new McuError("MCU_E_ONNX_INVALID", `graph input "${name}" has a zero dimension`, {
              tensor: name,
            });
          return n;
        }
        if (axis === 0) {
          this.options.onNote?.(
            `input "${name}": symbolic batch dimension "${d.dimParam ?? "?"}" is fixed to 1`,
          );
          return 1;
        }
        throw new McuError(
          "MCU_E_ONNX_DYNAMIC_SHAPE",
          `graph input "${name}" has a symbolic dimension "${d.dimParam ?? "?"}" on axis ${axis}; export the model with static shapes`,
          { tensor: name },
        );
      });
      const id = this.builder.input(name, shape, dtype);
      this.values.set(name, { kind: "runtime", id, dtype, shape, layout: ONNX_LAYOUT });
    }
  }

  /** Live nodes (those the outputs depend on) in an order where producers come first. */
  private liveNodesInOrder(): NodeInfo[] {
    const producer = new Map<string, NodeInfo>();
    for (const n of this.nodes) {
      for (const o of n.outputs) {
        if (o === "") continue;
        if (producer.has(o) || this.values.has(o)) {
          throw new McuError("MCU_E_ONNX_INVALID", `value "${o}" is produced more than once`, {
            node: n.name,
            tensor: o,
          });
        }
        producer.set(o, n);
      }
    }
    // Depth-first from the outputs; a node is placed after everything it reads.
    const state = new Map<NodeInfo, 1 | 2>();
    const order: NodeInfo[] = [];
    const need = (name: string, reader: string): void => {
      if (name === "") return;
      this.used.add(name);
      if (this.values.has(name)) return;
      const p = producer.get(name);
      if (p === undefined) {
        throw new McuError("MCU_E_ONNX_INVALID", `${reader} reads "${name}", which nothing produces`, {
          tensor: name,
        });
      }
      visit(p);
    };
    const visit = (root: NodeInfo): void => {
      // Iterative DFS: damaged files may chain thousands of nodes.
      const stack: { n: NodeInfo; next: number }[] = [{ n: root, next: 0 }];
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        const st = state.get(top.n);
        if (st === 2 && top.next === 0) {
          stack.pop();
          continue;
        }
        if (top.next === 0) {
          if (st === 1)
            throw new McuError("MCU_E_ONNX_INVALID", "the graph has a cycle", { node: top.n.name });
          state.set(top.n, 1);
        }
        if (top.next < top.n.inputs.length) {
          const name = top.n.inputs[top.next++]!;
          if (name === "") continue;
          this.used.add(name);
          if (this.values.has(name)) continue;
          const p = producer.get(name);
          if (p === undefined) {
            throw new McuError(
              "MCU_E_ONNX_INVALID",
              `node "${top.n.name}" reads "${name}", which nothing produces`,
              {
                node: top.n.name,
                tensor: name,
              },
            );
          }
          const ps = state.get(p);
          if (ps === 1) throw new McuError("MCU_E_ONNX_INVALID", "the graph has a cycle", { node: p.name });
          if (ps === undefined) stack.push({ n: p, next: 0 });
          continue;
        }
        state.set(top.n, 2);
        order.push(top.n);
        stack.pop();
      }
    };
    if (this.graphOutputs.size === 0) throw new McuError("MCU_E_ONNX_INVALID", "the graph has no outputs");
    for (const o of this.graphOutputs) need(o, "the graph output");
    return order;
  }

  /** One McuError listing every op type (with its nodes) that the importer does not handle. */
  private checkSupported(order: readonly NodeInfo[]): void {
    const missing = new Map<string, string[]>();
    for (const n of order) {
      const domain = n.proto.domain ?? "";
      const known = DEFAULT_DOMAINS.has(domain) && Object.hasOwn(this.options.handlers, n.opType);
      if (known) continue;
      const key = DEFAULT_DOMAINS.has(domain) ? n.opType || "(empty op type)" : `${domain}::${n.opType}`;
      const list = missing.get(key) ?? [];
      list.push(n.name);
      missing.set(key, list);
    }
    if (missing.size === 0) return;
    const parts = [...missing].map(([op, names]) => {
      const shown = names
        .slice(0, 5)
        .map((s) => `"${s}"`)
        .join(", ");
      return `${op} (${shown}${names.length > 5 ? `, … ${names.length} nodes` : ""})`;
    });
    throw new McuError(
      "MCU_E_UNSUPPORTED_OP",
      `the model uses ${missing.size} unsupported ONNX op type(s): ${parts.join("; ")}`,
    );
  }

  private importNode(n: NodeInfo): void {
    const handler = this.options.handlers[n.opType]!;
    const ctx = new NodeContext(
      this,
      n.name,
      n.opType,
      n.inputs,
      n.outputs,
      new NodeAttributes(n.proto.attribute, n.name),
      this.opset,
    );
    const quantizers = handler.int !== undefined ? this.integerConsumers(n, ctx) : undefined;
    if (quantizers !== undefined && handler.canInt?.(ctx) !== false) {
      this.importInteger(n, ctx, quantizers);
      return;
    }
    ctx.intMode = undefined;
    handler.run(ctx);
    for (const [k, o] of n.outputs.entries()) {
      if (o !== "" && this.used.has(o) && !this.values.has(o)) {
        throw new McuError("MCU_E_UNSUPPORTED_OP", `${n.opType}: output ${k} ("${o}") is not supported`, {
          node: n.name,
        });
      }
    }
  }

  /**
   * The QuantizeLinear nodes that consume this node's output, when the node can be emitted as an
   * integer op: every runtime input is DequantizeLinear of a quantized tensor, the only used
   * output is read only by QuantizeLinear nodes with one set of per-tensor parameters, and it
   * is not a graph output. Sets `ctx.intMode` when it returns a list.
   */
  private integerConsumers(n: NodeInfo, ctx: NodeContext): NodeInfo[] | undefined {
    const out = n.outputs[0] ?? "";
    if (out === "" || this.graphOutputs.has(out)) return undefined;
    if (n.outputs.slice(1).some((o) => o !== "" && this.used.has(o))) return undefined;
    let anyDq = false;
    for (const i of n.inputs) {
      if (i === "") continue;
      const v = this.values.get(i);
      if (v === undefined) return undefined;
      if (v.kind === "runtime") return undefined;
      if (v.kind === "dq") anyDq = true;
    }
    if (!anyDq) return undefined;
    const readers = this.consumers.get(out) ?? [];
    if (readers.length === 0 || readers.some((r) => r.opType !== "QuantizeLinear" || r.inputs[0] !== out))
      return undefined;
    let first: { dtype: DType; quant: QuantParams } | undefined;
    for (const r of readers) {
      const p = readQdqParams(r, (name) => this.values.get(name));
      if (p === undefined || p.quant.scale.length !== 1) return undefined;
      if (first !== undefined && (first.dtype !== p.dtype || !sameQuantParams(first.quant, p.quant)))
        return undefined;
      first ??= p;
    }
    if (first === undefined) return undefined;
    ctx.intMode = { dtype: first.dtype, quant: first.quant, outName: readers[0]!.outputs[0] ?? "" };
    return readers;
  }

  /** Emits a node as an integer op and resolves its QuantizeLinear consumers to its output. */
  private importInteger(n: NodeInfo, ctx: NodeContext, quantizers: readonly NodeInfo[]): void {
    const handler = this.options.handlers[n.opType]!;
    const mode = ctx.intMode!;
    handler.run(ctx);
    const v = this.values.get(n.outputs[0]!);
    if (v === undefined || v.kind !== "runtime" || v.quant === undefined) {
      throw new McuError("MCU_E_UNSUPPORTED_OP", `${n.opType}: no integer form`, { node: n.name });
    }
    let result: RuntimeValue = v;
    if (v.dtype !== mode.dtype || !sameQuantParams(v.quant, mode.quant)) {
      // A data-movement op kept its input's parameters; the QuantizeLinear asks for others.
      const id = this.builder.op(
        "core.quantize",
        [v.id],
        {},
        {
          name: `${n.name}/requantize`,
          sourceOp: "QuantizeLinear",
          outputs: [{ name: `${mode.outName}:requantized`, dtype: mode.dtype, quant: mode.quant }],
        },
      );
      result = { ...v, id, dtype: mode.dtype, quant: mode.quant };
    }
    for (const q of quantizers) {
      this.absorbed.add(q);
      const name = q.outputs[0] ?? "";
      if (name !== "") this.values.set(name, result);
    }
    // The float output itself is DequantizeLinear(result) for any other reader.
    this.values.set(n.outputs[0]!, {
      kind: "dq",
      src: { ...result, quant: result.quant! },
      shape: result.shape,
      node: `${n.name}/dequantize`,
    });
  }

  private writeOutputs(): void {
    const ctx = new NodeContext(
      this,
      "output",
      "Output",
      [],
      [],
      new NodeAttributes([], "output"),
      this.opset,
    );
    for (const o of this.graph.output ?? []) {
      const name = o.name ?? "";
      const v = this.values.get(name);
      if (v === undefined)
        throw new McuError("MCU_E_ONNX_INVALID", `graph output "${name}" is never produced`, {
          tensor: name,
        });
      if (v.kind === "const") {
        this.builder.output(ctx.irConstant(`c:${name}`, name, v.t));
      } else if (v.kind === "dq") {
        const f = ctx.dequantized(v, name, name);
        this.builder.output(f.layout.kind === "onnx" ? f.id : ctx.toLayout(f, ONNX_LAYOUT, name).id);
      } else if (v.layout.kind !== "onnx") {
        this.builder.output(ctx.toLayout(v, ONNX_LAYOUT, name).id);
      } else if (v.id === name || this.builder.info(v.id).data !== undefined) {
        this.builder.output(v.id);
      } else {
        // The output is another value under a new name (Identity, a Transpose that needs no
        // node, a graph input passed through): a copy keeps the ONNX output's name.
        const q = v.quant !== undefined ? { quant: v.quant } : {};
        const id = this.builder.op(
          "core.reshape",
          [v.id],
          { shape: [...v.shape] },
          {
            name: `${name}/output`,
            outputs: [{ name, ...q }],
            sourceOp: "",
          },
        );
        this.builder.output(id);
      }
    }
  }
}

/** A sparse initializer as a dense constant (ONNX SparseTensorProto, COO indices). */
function densify(s: onnx.SparseTensorProto.$Properties, name: string): ConstTensor {
  if (!s.values || !s.indices)
    throw new McuError("MCU_E_ONNX_INVALID", `sparse initializer "${name}" is incomplete`, { tensor: name });
  const values = decodeTensorProto(s.values, name);
  const indices = decodeTensorProto(s.indices, `${name}:indices`);
  const dims = (s.dims ?? []).map((d) => toDim(d, `sparse initializer "${name}"`, { tensor: name }));
  const total = dims.reduce((p, d) => p * d, 1);
  checkConstSize(total, name);
  const dense = { dtype: values.dtype, shape: dims, data: allocate(values.dtype, total) };
  const count = values.data.length;
  const rank = dims.length;
  const idx = indices.data as BigInt64Array | Int32Array;
  const linear = indices.shape.length === 1;
  if (idx.length !== (linear ? count : count * rank)) {
    throw new McuError(
      "MCU_E_ONNX_INVALID",
      `sparse initializer "${name}" has ${idx.length} indices for ${count} values`,
      {
        tensor: name,
      },
    );
  }
  for (let k = 0; k < count; k++) {
    let at = 0;
    if (linear) at = Number(idx[k]!);
    else for (let a = 0; a < rank; a++) at = at * dims[a]! + Number(idx[k * rank + a]!);
    if (!Number.isInteger(at) || at < 0 || at >= total) {
      throw new McuError("MCU_E_ONNX_INVALID", `sparse initializer "${name}" has an index out of range`, {
        tensor: name,
      });
    }
    (dense.data as unknown as { [i: number]: number | bigint })[at] = (
      values.data as unknown as { [i: number]: number | bigint }
    )[k]!;
  }
  return dense;
}
