/**
 * Reading a `.mcuir` file (mcuir.proto, docs/mcuir.md). The read is structural: it rebuilds
 * the graph exactly as written and refuses data that cannot be a graph, but it needs no
 * registry — checking ops, shapes and quantization is `verify()`'s job, done by the caller.
 *
 * Memory: protobufjs never allocates for a length the input does not contain, and constant
 * data is copied only after its length is checked against dtype × shape, so a file claiming
 * huge sizes is refused without allocating for them.
 */
import type { AttrValue } from "../attrs.js";
import { DTYPES, type DType } from "../dtype.js";
import { McuError } from "../errors.js";
import { createGraph, type Graph, type Node } from "../graph.js";
import type { QuantParams, TensorInfo } from "../tensor-info.js";
import {
  ATTR_VALUE_FIELDS,
  type AttrMessage,
  DTYPE_CODES,
  decodeModelMessage,
  MCUIR_MARKER,
  MCUIR_VERSION,
  type ModelMessage,
  type NodeMessage,
  type QuantMessage,
  type TensorMessage,
} from "./schema.js";
import { checkReferences, checkShape, int64ToNumber, invalid } from "./structure.js";
import { decodeTensorData } from "./tensor-bytes.js";

const DTYPE_BY_CODE: ReadonlyMap<number, DType> = new Map(DTYPES.map((d) => [DTYPE_CODES[d], d]));

function decodeModel(bytes: Uint8Array): ModelMessage {
  try {
    return decodeModelMessage(bytes);
  } catch (e) {
    // protobufjs throws plain Errors/RangeErrors for truncated or malformed input.
    const why = e instanceof Error ? e.message : String(e);
    throw new McuError("MCU_E_MCUIR_DECODE", `not a readable .mcuir file: ${why}`, {}, { cause: e });
  }
}

function readQuant(q: QuantMessage, tensor: string): QuantParams {
  const at = { tensor };
  const zeroPoint = q.zero_point.map((z) => int64ToNumber(z, "zero point", at));
  return { scale: [...q.scale], zeroPoint, ...(typeof q.axis === "number" ? { axis: q.axis } : {}) };
}

function readTensor(t: TensorMessage): TensorInfo {
  const name = t.name;
  const at = { tensor: name };
  if (name === "") throw invalid("a tensor has the empty name, which marks an absent input", at);
  const dtype = DTYPE_BY_CODE.get(t.dtype);
  if (dtype === undefined) throw invalid(`unknown dtype code ${t.dtype}`, at);
  const shape = t.shape.map((d) => int64ToNumber(d, "dimension", at));
  checkShape(shape, at);
  const bytes = t.data ?? new Uint8Array(0);
  let data: TensorInfo["data"];
  if (t.has_data === true) data = decodeTensorData(dtype, shape, bytes, name);
  else if (bytes.length > 0) throw invalid("tensor has data but has_data is false", at);
  return {
    name,
    shape,
    dtype,
    ...(t.quant != null ? { quant: readQuant(t.quant, name) } : {}),
    ...(data !== undefined ? { data } : {}),
    ...(t.variable === true ? { variable: true } : {}),
  };
}

function readAttr(a: AttrMessage, node: string): AttrValue {
  const at = { node };
  const set = ATTR_VALUE_FIELDS.filter((f) => Object.hasOwn(a, f) && a[f] != null);
  if (set.length !== 1)
    throw invalid(`attribute "${a.name}" has ${set.length} values, needs exactly one`, at);
  switch (set[0]!) {
    case "i":
      return int64ToNumber(a.i!, `attribute ${a.name}`, at);
    case "f":
      return a.f!;
    case "b":
      return a.b!;
    case "s":
      return a.s!;
    case "ints":
      return a.ints!.values.map((v) => int64ToNumber(v, `attribute ${a.name}`, at));
    case "floats":
      return [...a.floats!.values];
    case "strings":
      return [...a.strings!.values];
    case "bytes":
      // A plain Uint8Array of its own: the decoder's may be a Buffer or a view of the file.
      return Uint8Array.from(a.bytes!);
  }
}

function readNode(n: NodeMessage): Node {
  const seen = new Set<string>();
  const attrs: [string, AttrValue][] = [];
  for (const a of n.attrs) {
    if (seen.has(a.name)) throw invalid(`attribute "${a.name}" appears twice`, { node: n.name });
    seen.add(a.name);
    attrs.push([a.name, readAttr(a, n.name)]);
  }
  return {
    name: n.name,
    op: n.op,
    inputs: [...n.inputs],
    outputs: [...n.outputs],
    // fromEntries defines own properties, so even an attribute named "__proto__" is kept.
    attrs: Object.fromEntries(attrs),
    ...(typeof n.source_op === "string" ? { sourceOp: n.source_op } : {}),
  };
}

/**
 * Reads `.mcuir` bytes into a graph. Throws `MCU_E_MCUIR_DECODE` for bytes that are not a
 * protobuf message (truncated, corrupt), `MCU_E_MCUIR_VERSION` for a missing marker or an
 * unknown version, and `MCU_E_MCUIR_INVALID` for structurally impossible content.
 */
export function readMcuir(bytes: Uint8Array): Graph {
  const m = decodeModel(bytes);
  if (m.format !== MCUIR_MARKER) {
    throw new McuError(
      "MCU_E_MCUIR_VERSION",
      `not an .mcuir file: the format marker is not "${MCUIR_MARKER}"`,
    );
  }
  if (m.version !== MCUIR_VERSION) {
    throw new McuError(
      "MCU_E_MCUIR_VERSION",
      `.mcuir version ${m.version} is not supported: this @mcu/tensor reads version ${MCUIR_VERSION}`,
    );
  }
  const tensors = new Map<string, TensorInfo>();
  for (const t of m.tensors) {
    if (tensors.has(t.name)) throw invalid(`tensor "${t.name}" appears twice`, { tensor: t.name });
    tensors.set(t.name, readTensor(t));
  }
  const nodes = m.nodes.map(readNode);
  checkReferences(tensors, nodes, m.inputs, m.outputs);
  return createGraph({
    tensors,
    nodes,
    inputs: m.inputs,
    outputs: m.outputs,
    metadata: Object.fromEntries(Object.entries(m.metadata)),
  });
}
