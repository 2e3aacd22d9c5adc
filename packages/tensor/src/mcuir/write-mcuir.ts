/**
 * Writing a graph as a `.mcuir` file (mcuir.proto, docs/mcuir.md). The output is
 * deterministic: tensors, nodes, attributes and metadata keep their order, and fields at their
 * proto3 default are left out, so writing a graph read from a written file gives the same bytes.
 */
import type { AttrValue } from "../attrs.js";
import { dataMatchesDType, isDType, storageLength } from "../dtype.js";
import type { Graph, Node } from "../graph.js";
import type { TensorInfo } from "../tensor-info.js";
import {
  type AttrMessage,
  DTYPE_CODES,
  MCUIR_MARKER,
  MCUIR_VERSION,
  type ModelMessage,
  mcuirModelType,
  type NodeMessage,
  type QuantMessage,
  type TensorMessage,
} from "./schema.js";
import { checkReferences, checkShape, checkString, invalid } from "./structure.js";
import { encodeTensorData } from "./tensor-bytes.js";

/**
 * True for numbers written as an `int64` attribute: safe integers other than −0 (which int64
 * cannot hold). Every other number — fractions, −0, NaN, ±Infinity, integers beyond 2^53 — is a
 * `double`, so every number reads back as the same number.
 */
function isIntNumber(v: number): boolean {
  return Number.isSafeInteger(v) && !Object.is(v, -0);
}

function quantMessage(t: TensorInfo, id: string): QuantMessage | undefined {
  const q = t.quant;
  if (q === undefined) return undefined;
  const at = { tensor: id };
  if (!Array.isArray(q.scale) || !q.scale.every((s) => typeof s === "number")) {
    throw invalid("quantization scales must be numbers", at);
  }
  if (!Array.isArray(q.zeroPoint) || !q.zeroPoint.every((z) => Number.isSafeInteger(z))) {
    throw invalid("quantization zero points must be integers within ±(2^53 − 1)", at);
  }
  const msg: QuantMessage = { scale: [...q.scale], zero_point: [...q.zeroPoint] };
  if (q.axis !== undefined) {
    if (!Number.isInteger(q.axis) || q.axis < -(2 ** 31) || q.axis >= 2 ** 31) {
      throw invalid(`quantization axis ${q.axis} is not a 32-bit integer`, at);
    }
    msg.axis = q.axis;
  }
  return msg;
}

function tensorMessage(id: string, t: TensorInfo): TensorMessage {
  const at = { tensor: id };
  if (id === "") throw invalid("a tensor has the empty name, which marks an absent input", at);
  checkString(id, "tensor name", at);
  if (t.name !== id) throw invalid(`tensor "${id}" is named "${t.name}"`, at);
  if (!isDType(t.dtype)) throw invalid(`unknown dtype "${String(t.dtype)}"`, at);
  if (!Array.isArray(t.shape)) throw invalid("shape must be an array", at);
  checkShape(t.shape, at);
  const msg: TensorMessage = { name: id, dtype: DTYPE_CODES[t.dtype], shape: [...t.shape] };
  const quant = quantMessage(t, id);
  if (quant !== undefined) msg.quant = quant;
  if (t.data !== undefined) {
    const want = storageLength(t.dtype, t.shape);
    if (!ArrayBuffer.isView(t.data) || !dataMatchesDType(t.dtype, t.data) || t.data.length !== want) {
      throw invalid(
        `constant ${t.dtype}[${t.shape.join(",")}] needs the dtype's typed array of ${want} elements`,
        at,
      );
    }
    const bytes = encodeTensorData(t.dtype, t.data, id);
    if (bytes.length > 0) msg.data = bytes;
    msg.has_data = true;
  }
  if (t.variable === true) msg.variable = true;
  return msg;
}

function attrMessage(name: string, v: AttrValue, node: string): AttrMessage {
  const at = { node };
  checkString(name, "attribute name", at);
  if (typeof v === "number") return isIntNumber(v) ? { name, i: v } : { name, f: v };
  if (typeof v === "boolean") return { name, b: v };
  if (typeof v === "string") return { name, s: checkString(v, `attribute ${name}`, at) };
  if (v instanceof Uint8Array) return { name, bytes: v };
  if (Array.isArray(v)) {
    const items = v as readonly unknown[];
    // An empty list is written as `ints`; it reads back as [] whatever its declared kind.
    if (items.every((x) => typeof x === "number")) {
      const nums = items as readonly number[];
      return nums.every(isIntNumber)
        ? { name, ints: { values: [...nums] } }
        : { name, floats: { values: [...nums] } };
    }
    if (items.every((x) => typeof x === "string")) {
      for (const x of items) checkString(x, `attribute ${name}`, at);
      return { name, strings: { values: [...(items as readonly string[])] } };
    }
  }
  throw invalid(`attribute ${name} is not an attribute value (number, boolean, string, list or bytes)`, at);
}

function nodeMessage(node: Node): NodeMessage {
  const at = { node: node.name };
  checkString(node.name, "node name", at);
  checkString(node.op, "op name", at);
  for (const id of [...node.inputs, ...node.outputs]) checkString(id, "tensor name", at);
  const msg: NodeMessage = {
    name: node.name,
    op: node.op,
    inputs: [...node.inputs],
    outputs: [...node.outputs],
    attrs: Object.entries(node.attrs).map(([k, v]) => attrMessage(k, v, node.name)),
  };
  if (node.sourceOp !== undefined) msg.source_op = checkString(node.sourceOp, "source op", at);
  return msg;
}

/**
 * Serializes a graph to `.mcuir` bytes. The graph need not verify against a registry, but it
 * must be structurally sound (see docs/mcuir.md); otherwise throws `MCU_E_MCUIR_INVALID`.
 */
export function writeMcuir(graph: Graph): Uint8Array {
  const tensors = [...graph.tensors].map(([id, t]) => tensorMessage(id, t));
  const nodes = graph.nodes.map(nodeMessage);
  checkReferences(graph.tensors, graph.nodes, graph.inputs, graph.outputs);
  for (const [k, v] of Object.entries(graph.metadata)) {
    checkString(k, "metadata key");
    checkString(v, `metadata ${JSON.stringify(k)}`);
  }
  const model: ModelMessage = {
    format: MCUIR_MARKER,
    version: MCUIR_VERSION,
    tensors,
    nodes,
    inputs: [...graph.inputs],
    outputs: [...graph.outputs],
    metadata: graph.metadata,
  };
  const encoded = mcuirModelType().encode(model).finish();
  // A plain Uint8Array of its own (protobufjs may hand out a Node Buffer from a shared pool).
  const out = new Uint8Array(encoded.length);
  out.set(encoded);
  return out;
}
