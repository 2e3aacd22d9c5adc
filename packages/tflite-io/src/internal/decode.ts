/**
 * Decodes a .tflite file into the plain {@link Model} with every access bounds-checked (see
 * {@link FlatReader}). Field slots follow schema.fbs (declaration order); builtin options are
 * decoded generically from the generated table descriptors. Index fields (opcode, tensor and
 * buffer indices) are validated here, so the importer can trust them.
 */
import { McuError } from "@mcu/tensor";
import { FlatReader, type Table } from "./flat-reader.js";
import type {
  Buffer,
  Metadata,
  Model,
  Operator,
  OperatorCode,
  OptionValue,
  OptionValues,
  Quantization,
  SubGraph,
  Tensor,
} from "./model.js";
import { BUILTIN_OPTIONS, BUILTIN_OPTIONS_2, type TableDesc } from "./schema.generated.js";

/** BuiltinOperator_PLACEHOLDER_FOR_GREATER_OP_CODES: deprecated_builtin_code saturates here. */
export const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

function invalid(message: string): McuError {
  return new McuError("MCU_E_TFLITE_INVALID", message);
}

/** Decodes the fields of a builtin options table by its generated descriptor. */
export function decodeOptions(r: FlatReader, t: Table, desc: TableDesc, what: string): OptionValues {
  const out: Record<string, OptionValue> = {};
  for (const f of desc.fields) {
    if (f.deprecated === true || r.field(t, f.slot, what) === 0) continue;
    const at = `${what}.${f.name}`;
    if (f.type === "bool") {
      out[f.name] = r.scalarField(t, f.slot, "uint8", 0, at) !== 0;
    } else if (f.type === "string") {
      out[f.name] = r.stringField(t, f.slot, at) ?? "";
    } else if (f.type.startsWith("[") && f.type !== "[table]" && f.type !== "[string]") {
      const elem = f.type.slice(1, -1);
      out[f.name] = r.scalarVector(t, f.slot, elem === "bool" ? "uint8" : elem, at) ?? [];
    } else if (f.type !== "table" && f.type !== "union" && f.type !== "[table]" && f.type !== "[string]") {
      out[f.name] = r.scalarField(t, f.slot, f.type, 0, at);
    }
  }
  return out;
}

function decodeOperatorCode(r: FlatReader, t: Table, i: number): OperatorCode {
  const what = `operator_codes[${i}]`;
  const deprecated = r.scalarField(t, 0, "int8", 0, what);
  const customCode = r.stringField(t, 1, `${what}.custom_code`);
  const version = r.scalarField(t, 2, "int32", 1, what);
  const builtin = r.scalarField(t, 3, "int32", 0, what);
  // TFLite's GetBuiltinCode: files written before builtin_code existed leave it at 0 (ADD).
  const builtinCode = Math.max(deprecated, builtin);
  return { builtinCode, ...(customCode !== undefined ? { customCode } : {}), version };
}

function decodeQuantization(r: FlatReader, t: Table, what: string): Quantization | undefined {
  const scale = r.scalarVector(t, 2, "float32", `${what}.scale`) ?? [];
  const zeroPoint = r.scalarVector(t, 3, "int64", `${what}.zero_point`) ?? [];
  const detailsType = r.scalarField(t, 4, "uint8", 0, what);
  const quantizedDimension = r.scalarField(t, 6, "int32", 0, what);
  if (scale.length === 0 && zeroPoint.length === 0 && detailsType === 0) return undefined;
  return { scale, zeroPoint, quantizedDimension, ...(detailsType !== 0 ? { hasDetails: true } : {}) };
}

function decodeTensor(r: FlatReader, t: Table, what: string): Tensor {
  const shape = r.scalarVector(t, 0, "int32", `${what}.shape`) ?? [];
  const type = r.scalarField(t, 1, "int8", 0, what);
  const buffer = r.scalarField(t, 2, "uint32", 0, what);
  const name = r.stringField(t, 3, `${what}.name`) ?? "";
  const q = r.tableField(t, 4, `${what}.quantization`);
  const quantization = q === undefined ? undefined : decodeQuantization(r, q, `${what}.quantization`);
  const isVariable = r.scalarField(t, 5, "uint8", 0, what) !== 0;
  const sparse = r.field(t, 6, what) !== 0;
  const shapeSignature = r.scalarVector(t, 7, "int32", `${what}.shape_signature`);
  const hasVariantTensors = r.field(t, 9, what) !== 0;
  const externalBuffer = r.scalarField(t, 10, "uint32", 0, what);
  return {
    shape,
    ...(shapeSignature !== undefined ? { shapeSignature } : {}),
    type,
    buffer,
    name,
    ...(quantization !== undefined ? { quantization } : {}),
    isVariable,
    ...(sparse ? { sparse } : {}),
    ...(externalBuffer !== 0 ? { externalBuffer } : {}),
    ...(hasVariantTensors ? { hasVariantTensors } : {}),
  };
}

function decodeUnionOptions(
  r: FlatReader,
  t: Table,
  typeSlot: number,
  tables: readonly (TableDesc | undefined)[],
  what: string,
): { type: number; values?: OptionValues } {
  const type = r.scalarField(t, typeSlot, "uint8", 0, what);
  if (type === 0) return { type };
  const table = r.tableField(t, typeSlot + 1, what);
  const desc = tables[type];
  if (table === undefined || desc === undefined) return { type };
  return { type, values: decodeOptions(r, table, desc, `${what} (${desc.name})`) };
}

function decodeOperator(r: FlatReader, t: Table, what: string): Operator {
  const opcodeIndex = r.scalarField(t, 0, "uint32", 0, what);
  const inputs = r.scalarVector(t, 1, "int32", `${what}.inputs`) ?? [];
  const outputs = r.scalarVector(t, 2, "int32", `${what}.outputs`) ?? [];
  const options = decodeUnionOptions(r, t, 3, BUILTIN_OPTIONS, `${what}.builtin_options`);
  const customOptions = r.bytesField(t, 5, `${what}.custom_options`);
  const customOptionsFormat = r.scalarField(t, 6, "int8", 0, what);
  const mutating = r.scalarVector(t, 7, "uint8", `${what}.mutating_variable_inputs`);
  const intermediates = r.scalarVector(t, 8, "int32", `${what}.intermediates`);
  const largeOffset = r.scalarField(t, 9, "uint64", 0, what);
  const options2 = decodeUnionOptions(r, t, 11, BUILTIN_OPTIONS_2, `${what}.builtin_options_2`);
  return {
    opcodeIndex,
    inputs,
    outputs,
    builtinOptionsType: options.type,
    ...(options.values !== undefined ? { builtinOptions: options.values } : {}),
    ...(options2.type !== 0 ? { builtinOptions2Type: options2.type } : {}),
    ...(options2.values !== undefined ? { builtinOptions2: options2.values } : {}),
    ...(customOptions !== undefined ? { customOptions } : {}),
    ...(customOptionsFormat !== 0 ? { customOptionsFormat } : {}),
    ...(intermediates !== undefined && intermediates.length > 0 ? { intermediates } : {}),
    ...(mutating !== undefined && mutating.length > 0
      ? { mutatingVariableInputs: mutating.map((b) => b !== 0) }
      : {}),
    ...(largeOffset > 1 ? { largeCustomOptions: true } : {}),
  };
}

function checkIndices(list: readonly number[], count: number, allowAbsent: boolean, what: string): void {
  for (const i of list) {
    if (!Number.isInteger(i) || i >= count || i < (allowAbsent ? -1 : 0)) {
      throw invalid(`${what} refers to tensor ${i}, but the subgraph has ${count} tensors`);
    }
  }
}

function decodeSubGraph(
  r: FlatReader,
  t: Table,
  s: number,
  opcodeCount: number,
  bufferCount: number,
): SubGraph {
  const what = `subgraphs[${s}]`;
  const tensors = (r.tableVector(t, 0, `${what}.tensors`) ?? []).map((tt, i) =>
    decodeTensor(r, tt, `${what}.tensors[${i}]`),
  );
  const inputs = r.scalarVector(t, 1, "int32", `${what}.inputs`) ?? [];
  const outputs = r.scalarVector(t, 2, "int32", `${what}.outputs`) ?? [];
  const operators = (r.tableVector(t, 3, `${what}.operators`) ?? []).map((ot, i) =>
    decodeOperator(r, ot, `${what}.operators[${i}]`),
  );
  const name = r.stringField(t, 4, `${what}.name`);
  const n = tensors.length;
  checkIndices(inputs, n, false, `${what}.inputs`);
  checkIndices(outputs, n, false, `${what}.outputs`);
  tensors.forEach((tensor, i) => {
    if (tensor.buffer >= bufferCount) {
      throw invalid(
        `${what}.tensors[${i}] refers to buffer ${tensor.buffer}, but the model has ${bufferCount}`,
      );
    }
  });
  operators.forEach((op, i) => {
    const at = `${what}.operators[${i}]`;
    if (op.opcodeIndex >= opcodeCount) {
      throw invalid(`${at} uses opcode ${op.opcodeIndex}, but the model lists ${opcodeCount}`);
    }
    checkIndices(op.inputs, n, true, `${at}.inputs`);
    checkIndices(op.outputs, n, false, `${at}.outputs`);
    checkIndices(op.intermediates ?? [], n, false, `${at}.intermediates`);
  });
  return { tensors, inputs, outputs, operators, ...(name !== undefined ? { name } : {}) };
}

function decodeBuffer(r: FlatReader, t: Table, i: number): Buffer {
  const what = `buffers[${i}]`;
  const data = r.bytesField(t, 0, `${what}.data`);
  const offset = r.scalarField(t, 1, "uint64", 0, what);
  const size = r.scalarField(t, 2, "uint64", 0, what);
  return {
    ...(data !== undefined ? { data } : {}),
    ...(offset > 1 ? { external: { offset, size } } : {}),
  };
}

function decodeMetadata(r: FlatReader, t: Table, i: number, bufferCount: number): Metadata {
  const name = r.stringField(t, 0, `metadata[${i}].name`) ?? "";
  const buffer = r.scalarField(t, 1, "uint32", 0, `metadata[${i}]`);
  if (buffer >= bufferCount)
    throw invalid(`metadata "${name}" refers to buffer ${buffer}, but the model has ${bufferCount}`);
  return { name, buffer };
}

/** Decodes a .tflite file. Throws `MCU_E_TFLITE_TRUNCATED` / `MCU_E_TFLITE_INVALID` on bad input. */
export function decodeModel(bytes: Uint8Array): Model {
  const r = new FlatReader(bytes);
  const root = r.root("TFL3");
  const version = r.scalarField(root, 0, "uint32", 0, "Model.version");
  const operatorCodes = (r.tableVector(root, 1, "operator_codes") ?? []).map((t, i) =>
    decodeOperatorCode(r, t, i),
  );
  const bufferTables = r.tableVector(root, 4, "buffers") ?? [];
  const buffers = bufferTables.map((t, i) => decodeBuffer(r, t, i));
  const subgraphs = (r.tableVector(root, 2, "subgraphs") ?? []).map((t, i) =>
    decodeSubGraph(r, t, i, operatorCodes.length, buffers.length),
  );
  const description = r.stringField(root, 3, "Model.description");
  const metadata = (r.tableVector(root, 6, "metadata") ?? []).map((t, i) =>
    decodeMetadata(r, t, i, buffers.length),
  );
  const signatures = r.vectorField(root, 7, 4, "signature_defs");
  return {
    version,
    operatorCodes,
    subgraphs,
    ...(description !== undefined ? { description } : {}),
    buffers,
    metadata,
    ...(signatures !== undefined && signatures.length > 0 ? { signatureDefCount: signatures.length } : {}),
  };
}
