/**
 * IR graph → the plain TFLite {@link Model}: tensors in the graph's order (then the constants
 * that attributes become), one buffer per distinct constant (tensors that share data share a
 * buffer), operator codes in order of first use with the smallest version that holds what
 * each operator uses, and metadata carried over from import.
 */
import { Buffer as NodeBuffer } from "node:buffer";
import { type Graph, McuError, type QuantParams, type TensorData, type TensorInfo } from "@mcu/tensor";
import {
  METADATA_PREFIX,
  MIN_RUNTIME_VERSION_KEY,
  TENSOR_TYPES_KEY,
  UNINITIALIZED_KEY,
} from "./import-graph.js";
import type {
  Buffer,
  Metadata,
  Model,
  Operator,
  OperatorCode,
  OptionValues,
  Quantization,
  Tensor,
} from "./model.js";
import {
  EXPORTERS,
  type ExportContext,
  type ExportedOp,
  type Operand,
  type SyntheticTensor,
} from "./op-export.js";
import { operatorVersion } from "./op-versions.js";
import { optionsTable } from "./options.js";
import { BUILTIN_OPERATOR } from "./schema.generated.js";
import { encodeData, tensorTypeCode, tensorTypeName, tensorTypeOfDtype } from "./tensor-types.js";

/** TFLite's converter stores min_runtime_version in a 16-byte, NUL-padded buffer. */
const MIN_RUNTIME_VERSION_BYTES = 16;

function quantization(q: QuantParams | undefined): Quantization | undefined {
  if (q === undefined) return undefined;
  return { scale: q.scale, zeroPoint: q.zeroPoint, quantizedDimension: q.axis ?? 0 };
}

function parseJson<T>(text: string | undefined, fallback: T): T {
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new McuError("MCU_E_TFLITE_EXPORT", `graph metadata holds malformed JSON: ${text.slice(0, 80)}`);
  }
}

/** Makes names unique against a set, linear in the number of names. */
function uniqueIn(used: Set<string>, base: string): string {
  let name = base;
  for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
  used.add(name);
  return name;
}

/** Converts a graph to a TFLite model, or one `MCU_E_TFLITE_EXPORT` listing what TFLite cannot hold. */
export function exportModel(graph: Graph): Model {
  const tensorTypes = parseJson<Record<string, string>>(graph.metadata[TENSOR_TYPES_KEY], {});
  const uninitialized = new Set(parseJson<string[]>(graph.metadata[UNINITIALIZED_KEY], []));

  const tensors: Tensor[] = [];
  const index = new Map<string, number>();
  const usedNames = new Set<string>(graph.tensors.keys());
  const buffers: Buffer[] = [{}];
  const bufferOf = new Map<TensorData, Map<string, number>>();

  const typeCode = (t: TensorInfo): number => {
    const name = tensorTypes[t.name];
    const code = name !== undefined ? tensorTypeCode(name) : undefined;
    return code ?? tensorTypeOfDtype(t.dtype, t.name);
  };
  const addBuffer = (t: TensorInfo): number => {
    if (t.data === undefined) return 0;
    const byType = bufferOf.get(t.data) ?? new Map<string, number>();
    const key = `${t.dtype}:${t.shape.join(",")}`;
    const known = byType.get(key);
    if (known !== undefined) return known;
    buffers.push({ data: encodeData(t.data, t.dtype, t.shape) });
    byType.set(key, buffers.length - 1);
    bufferOf.set(t.data, byType);
    return buffers.length - 1;
  };
  const addTensor = (t: TensorInfo): number => {
    const q = quantization(t.quant);
    const isVariable = t.variable === true && !(uninitialized.has(t.name) && t.data === undefined);
    tensors.push({
      shape: t.shape,
      type: typeCode(t),
      buffer: addBuffer(t),
      name: t.name,
      ...(q !== undefined ? { quantization: q } : {}),
      isVariable,
    });
    index.set(t.name, tensors.length - 1);
    return tensors.length - 1;
  };
  for (const t of graph.tensors.values()) addTensor(t);

  const addSynthetic = (node: string, s: SyntheticTensor): number => {
    const name = uniqueIn(usedNames, s.name ?? `${node}/${s.suffix}`);
    const data = s.data === undefined ? undefined : toTyped(s.dtype, s.data);
    return addTensor({
      name,
      shape: s.shape,
      dtype: s.dtype,
      ...(s.quant !== undefined ? { quant: s.quant } : {}),
      ...(data !== undefined ? { data } : {}),
    });
  };
  const operand = (node: string, o: Operand): number => {
    if (typeof o !== "string") return addSynthetic(node, o);
    if (o === "") return -1;
    const i = index.get(o);
    if (i === undefined)
      throw new McuError("MCU_E_GRAPH_MISSING_TENSOR", `node ${node} reads missing tensor "${o}"`, { node });
    return i;
  };

  const codes: OperatorCode[] = [];
  const codeIndex = new Map<string, number>();
  const operators: Operator[] = [];
  const problems: string[] = [];
  for (const node of graph.nodes) {
    const exporter = EXPORTERS[node.op];
    if (exporter === undefined) {
      problems.push(`${node.name} (${node.op}: no TFLite operator)`);
      continue;
    }
    const ctx: ExportContext = {
      node,
      input: (i) => {
        const id = node.inputs[i];
        return id === undefined || id === "" ? undefined : graph.tensors.get(id);
      },
      output: (i) => graph.tensors.get(node.outputs[i]!)!,
      unsupported(reason): never {
        throw new UnsupportedExport(reason);
      },
    };
    let op: ExportedOp;
    try {
      op = exporter(ctx);
    } catch (e) {
      if (!(e instanceof UnsupportedExport)) throw e;
      problems.push(`${node.name} (${node.op}: ${e.message})`);
      continue;
    }
    const inputs = op.inputs.map((o) => operand(node.name, o));
    const outputs = node.outputs.map((id) => operand(node.name, id));
    const intermediates = op.intermediates?.map((s) => addSynthetic(node.name, s));
    const builtinCode = BUILTIN_OPERATOR[op.builtin]!;
    const options: OptionValues = op.options ?? {};
    const version =
      op.builtin === "CUSTOM"
        ? 1
        : operatorVersion(op.builtin, {
            inputs: inputs.map((i) => (i < 0 ? "" : tensorTypeName(tensors[i]!.type))),
            outputs: outputs.map((i) => tensorTypeName(tensors[i]!.type)),
            inputDims: inputs.map((i) => (i < 0 ? undefined : tensors[i]!.shape)),
            inputScales: inputs.map((i) => (i < 0 ? [] : (tensors[i]!.quantization?.scale ?? []))),
            outputScales: outputs.map((i) => tensors[i]!.quantization?.scale ?? []),
            options,
          });
    const key = `${builtinCode}:${op.customCode ?? ""}:${version}`;
    let opcodeIndex = codeIndex.get(key);
    if (opcodeIndex === undefined) {
      codes.push({
        builtinCode,
        ...(op.customCode !== undefined ? { customCode: op.customCode } : {}),
        version,
      });
      opcodeIndex = codes.length - 1;
      codeIndex.set(key, opcodeIndex);
    }
    const table = op.optionsTable !== undefined ? optionsTable(op.optionsTable) : undefined;
    operators.push({
      opcodeIndex,
      inputs,
      outputs,
      builtinOptionsType: table?.union === 1 ? table.type : 0,
      ...(table?.union === 1 ? { builtinOptions: options } : {}),
      ...(table?.union === 2 ? { builtinOptions2Type: table.type, builtinOptions2: options } : {}),
      ...(op.customOptions !== undefined ? { customOptions: op.customOptions } : {}),
      ...(intermediates !== undefined ? { intermediates } : {}),
    });
  }
  if (problems.length > 0) {
    throw new McuError(
      "MCU_E_TFLITE_EXPORT",
      `${problems.length} node(s) have no TFLite equivalent: ${problems.join(", ")}`,
    );
  }

  const metadata: Metadata[] = [];
  for (const [key, value] of Object.entries(graph.metadata)) {
    let bytes: Uint8Array | undefined;
    let name = "";
    if (key === MIN_RUNTIME_VERSION_KEY) {
      name = "min_runtime_version";
      const text = new TextEncoder().encode(value);
      bytes = new Uint8Array(Math.max(MIN_RUNTIME_VERSION_BYTES, text.length));
      bytes.set(text);
    } else if (key.startsWith(METADATA_PREFIX)) {
      name = key.slice(METADATA_PREFIX.length);
      bytes = new Uint8Array(NodeBuffer.from(value, "base64"));
    }
    if (bytes === undefined) continue;
    buffers.push({ data: bytes });
    metadata.push({ name, buffer: buffers.length - 1 });
  }

  const subgraphName = graph.metadata["tflite.subgraph"];
  return {
    version: 3,
    operatorCodes: codes,
    subgraphs: [
      {
        tensors,
        inputs: graph.inputs.map((id) => operand("(graph inputs)", id)),
        outputs: graph.outputs.map((id) => operand("(graph outputs)", id)),
        operators,
        ...(subgraphName !== undefined ? { name: subgraphName } : {}),
      },
    ],
    ...(graph.metadata.description !== undefined ? { description: graph.metadata.description } : {}),
    buffers,
    metadata,
  };
}

class UnsupportedExport extends Error {}

function toTyped(dtype: string, values: readonly number[]): TensorData {
  switch (dtype) {
    case "float32":
      return Float32Array.from(values);
    case "int32":
      return Int32Array.from(values);
    case "int16":
      return Int16Array.from(values);
    case "int8":
      return Int8Array.from(values);
    case "uint8":
    case "bool":
      return Uint8Array.from(values);
    case "int64":
      return BigInt64Array.from(values, (v) => BigInt(v));
    default:
      throw new McuError("MCU_E_TFLITE_EXPORT", `cannot write a ${dtype} constant`);
  }
}
