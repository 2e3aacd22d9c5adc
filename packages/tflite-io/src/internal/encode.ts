/**
 * Encodes the plain {@link Model} as a TFLite flatbuffer with the `flatbuffers` Builder. Field
 * slots follow schema.fbs; builtin options are written generically from the generated table
 * descriptors. The output is deterministic: the same model always gives the same bytes.
 */
import { Builder } from "flatbuffers";
import { InternalError } from "@mcu/tensor";
import { PLACEHOLDER_FOR_GREATER_OP_CODES } from "./decode.js";
import type { Model, Operator, OperatorCode, OptionValues, SubGraph, Tensor } from "./model.js";
import { BUILTIN_OPTIONS, BUILTIN_OPTIONS_2, type TableDesc } from "./schema.generated.js";

type Offset = number;

function int32Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]!);
  return b.endVector();
}

function scalarVector(b: Builder, type: string, values: readonly number[]): Offset {
  switch (type) {
    case "int32":
    case "uint32":
      return int32Vector(b, values);
    case "float32":
      b.startVector(4, values.length, 4);
      for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]!);
      return b.endVector();
    case "int64":
    case "uint64":
      b.startVector(8, values.length, 8);
      for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i]!));
      return b.endVector();
    case "int16":
    case "uint16":
      b.startVector(2, values.length, 2);
      for (let i = values.length - 1; i >= 0; i--) b.addInt16(values[i]!);
      return b.endVector();
    case "int8":
    case "uint8":
    case "bool":
      b.startVector(1, values.length, 1);
      for (let i = values.length - 1; i >= 0; i--) b.addInt8(values[i]!);
      return b.endVector();
    default:
      throw new InternalError(`cannot write a vector of ${type}`);
  }
}

function addScalarField(b: Builder, slot: number, type: string, value: number, dflt: number): void {
  switch (type) {
    case "bool":
    case "int8":
    case "uint8":
      b.addFieldInt8(slot, value, dflt);
      return;
    case "int16":
    case "uint16":
      b.addFieldInt16(slot, value, dflt);
      return;
    case "int32":
    case "uint32":
      b.addFieldInt32(slot, value, dflt);
      return;
    case "int64":
    case "uint64":
      b.addFieldInt64(slot, BigInt(value), BigInt(dflt));
      return;
    case "float32":
      b.addFieldFloat32(slot, value, dflt);
      return;
    case "float64":
      b.addFieldFloat64(slot, value, dflt);
      return;
    default:
      throw new InternalError(`cannot write a field of ${type}`);
  }
}

/** Writes an options table from its descriptor; fields absent from `values` take defaults. */
function encodeOptions(b: Builder, desc: TableDesc, values: OptionValues): Offset {
  const offsets = new Map<string, Offset>();
  for (const f of desc.fields) {
    const v = values[f.name];
    if (v === undefined) continue;
    if (f.type === "string") offsets.set(f.name, b.createString(v as string));
    else if (f.type.startsWith("["))
      offsets.set(f.name, scalarVector(b, f.type.slice(1, -1), v as readonly number[]));
  }
  const slots = desc.fields.length === 0 ? 0 : desc.fields[desc.fields.length - 1]!.slot + 1;
  b.startObject(slots);
  for (const f of desc.fields) {
    const v = values[f.name];
    if (v === undefined) continue;
    const off = offsets.get(f.name);
    if (off !== undefined) b.addFieldOffset(f.slot, off, 0);
    else if (typeof v === "boolean") b.addFieldInt8(f.slot, v ? 1 : 0, f.default === true ? 1 : 0);
    else addScalarField(b, f.slot, f.type, v as number, Number(f.default));
  }
  return b.endObject();
}

function encodeTensor(b: Builder, t: Tensor): Offset {
  let quant = 0;
  if (t.quantization !== undefined) {
    const scale = scalarVector(b, "float32", t.quantization.scale);
    const zeroPoint = scalarVector(b, "int64", t.quantization.zeroPoint);
    b.startObject(7);
    b.addFieldOffset(2, scale, 0);
    b.addFieldOffset(3, zeroPoint, 0);
    b.addFieldInt32(6, t.quantization.quantizedDimension, 0);
    quant = b.endObject();
  }
  const name = b.createString(t.name);
  const shape = int32Vector(b, t.shape);
  const signature = t.shapeSignature !== undefined ? int32Vector(b, t.shapeSignature) : 0;
  b.startObject(8);
  b.addFieldOffset(0, shape, 0);
  b.addFieldInt8(1, t.type, 0);
  b.addFieldInt32(2, t.buffer, 0);
  b.addFieldOffset(3, name, 0);
  if (quant !== 0) b.addFieldOffset(4, quant, 0);
  b.addFieldInt8(5, t.isVariable ? 1 : 0, 0);
  if (signature !== 0) b.addFieldOffset(7, signature, 0);
  return b.endObject();
}

function encodeOperator(b: Builder, op: Operator): Offset {
  const inputs = int32Vector(b, op.inputs);
  const outputs = int32Vector(b, op.outputs);
  let options = 0;
  if (op.builtinOptionsType !== 0) {
    const desc = BUILTIN_OPTIONS[op.builtinOptionsType];
    if (desc === undefined) throw new InternalError(`no BuiltinOptions type ${op.builtinOptionsType}`);
    options = encodeOptions(b, desc, op.builtinOptions ?? {});
  }
  let options2 = 0;
  if (op.builtinOptions2Type !== undefined && op.builtinOptions2Type !== 0) {
    const desc = BUILTIN_OPTIONS_2[op.builtinOptions2Type];
    if (desc === undefined) throw new InternalError(`no BuiltinOptions2 type ${op.builtinOptions2Type}`);
    options2 = encodeOptions(b, desc, op.builtinOptions2 ?? {});
  }
  const custom = op.customOptions !== undefined ? b.createByteVector(op.customOptions) : 0;
  const intermediates = op.intermediates !== undefined ? int32Vector(b, op.intermediates) : 0;
  b.startObject(13);
  b.addFieldInt32(0, op.opcodeIndex, 0);
  b.addFieldOffset(1, inputs, 0);
  b.addFieldOffset(2, outputs, 0);
  if (options !== 0) {
    b.addFieldInt8(3, op.builtinOptionsType, 0);
    b.addFieldOffset(4, options, 0);
  }
  if (custom !== 0) b.addFieldOffset(5, custom, 0);
  b.addFieldInt8(6, op.customOptionsFormat ?? 0, 0);
  if (intermediates !== 0) b.addFieldOffset(8, intermediates, 0);
  if (options2 !== 0) {
    b.addFieldInt8(11, op.builtinOptions2Type!, 0);
    b.addFieldOffset(12, options2, 0);
  }
  return b.endObject();
}

function encodeSubGraph(b: Builder, sg: SubGraph): Offset {
  const tensors = sg.tensors.map((t) => encodeTensor(b, t));
  const tensorVec = offsetVector(b, tensors);
  const inputs = int32Vector(b, sg.inputs);
  const outputs = int32Vector(b, sg.outputs);
  const ops = sg.operators.map((op) => encodeOperator(b, op));
  const opVec = offsetVector(b, ops);
  const name = sg.name !== undefined ? b.createString(sg.name) : 0;
  b.startObject(5);
  b.addFieldOffset(0, tensorVec, 0);
  b.addFieldOffset(1, inputs, 0);
  b.addFieldOffset(2, outputs, 0);
  b.addFieldOffset(3, opVec, 0);
  if (name !== 0) b.addFieldOffset(4, name, 0);
  return b.endObject();
}

function encodeOperatorCode(b: Builder, c: OperatorCode): Offset {
  const custom = c.customCode !== undefined ? b.createString(c.customCode) : 0;
  b.startObject(4);
  // Both fields, as TFLite's converter writes them: old readers see the saturated byte.
  b.addFieldInt8(0, Math.min(c.builtinCode, PLACEHOLDER_FOR_GREATER_OP_CODES), 0);
  if (custom !== 0) b.addFieldOffset(1, custom, 0);
  b.addFieldInt32(2, c.version, 1);
  b.addFieldInt32(3, c.builtinCode, 0);
  return b.endObject();
}

function offsetVector(b: Builder, offsets: readonly Offset[]): Offset {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]!);
  return b.endVector();
}

/** Encodes a model as a .tflite file (identifier `TFL3`). */
export function encodeModel(model: Model): Uint8Array {
  const dataBytes = model.buffers.reduce((n, buf) => n + (buf.data?.length ?? 0), 0);
  const b = new Builder(dataBytes + 4096);
  // Buffer data first, so it lands at the end of the file, 16-byte aligned (force_align: 16).
  const dataOffsets = model.buffers.map((buf) => {
    if (buf.data === undefined || buf.data.length === 0) return 0;
    b.prep(16, buf.data.length);
    return b.createByteVector(buf.data);
  });
  const buffers = dataOffsets.map((data) => {
    b.startObject(3);
    if (data !== 0) b.addFieldOffset(0, data, 0);
    return b.endObject();
  });
  const bufferVec = offsetVector(b, buffers);
  const subgraphs = offsetVector(
    b,
    model.subgraphs.map((sg) => encodeSubGraph(b, sg)),
  );
  const codes = offsetVector(
    b,
    model.operatorCodes.map((c) => encodeOperatorCode(b, c)),
  );
  const description = model.description !== undefined ? b.createString(model.description) : 0;
  const metadata = offsetVector(
    b,
    model.metadata.map((m) => {
      const name = b.createString(m.name);
      b.startObject(2);
      b.addFieldOffset(0, name, 0);
      b.addFieldInt32(1, m.buffer, 0);
      return b.endObject();
    }),
  );
  b.startObject(8);
  b.addFieldInt32(0, model.version, 0);
  b.addFieldOffset(1, codes, 0);
  b.addFieldOffset(2, subgraphs, 0);
  if (description !== 0) b.addFieldOffset(3, description, 0);
  b.addFieldOffset(4, bufferVec, 0);
  if (model.metadata.length > 0) b.addFieldOffset(6, metadata, 0);
  b.finish(b.endObject(), "TFL3");
  return b.asUint8Array().slice();
}
