/**
 * Decoded TFLite model → IR graph: tensors (names made unique, dynamic batch fixed to 1,
 * quantization per tensor or per axis, constant data decoded once per buffer), one node per
 * operator (`sourceOp` = the builtin name or the custom code), hybrid weights dequantized, and
 * every problem reported with a stable `McuError` code.
 */
import { Buffer } from "node:buffer";
import {
  type Attrs,
  createGraph,
  type DType,
  type Graph,
  McuError,
  type Node,
  normalizeAttrs,
  numElements,
  packedByteLength,
  type QuantParams,
  type Registry,
  type TensorData,
  type TensorInfo,
  verify,
} from "@mcu/tensor";
import type { Model, Operator, OptionValue, SubGraph, Tensor } from "./model.js";
import {
  IMPORTERS,
  type ImportContext,
  type ImportedNode,
  importerOptions,
  type OpImporter,
  UnsupportedUse,
} from "./op-import.js";
import { optionsName, optionValue } from "./options.js";
import { ENUMS } from "./schema.generated.js";
import {
  copyBytes,
  decodeData,
  dtypeOfTensorType,
  isReinterpretedType,
  tensorTypeName,
} from "./tensor-types.js";

/** The builtin code of CUSTOM. */
const CUSTOM = 32;
/** Largest element count @mcu accepts for one tensor (TFLite sizes are 32-bit). */
const MAX_ELEMENTS = 2 ** 31 - 1;
/** IR ops that TFLite runs as "hybrid" kernels when their weights are int8 and activations float. */
const HYBRID_OPS = new Set([
  "core.conv2d",
  "core.depthwise_conv2d",
  "core.fully_connected",
  "core.transpose_conv2d",
  "core.batch_matmul",
]);

/** The metadata key that keeps min_runtime_version as text. */
export const MIN_RUNTIME_VERSION_KEY = "tflite.min_runtime_version";
/** Prefix of metadata entries kept as base64. */
export const METADATA_PREFIX = "tflite.metadata.";
/** JSON {tensor: TensorType} of tensors held in a signed dtype of the same width (UINT32, ...). */
export const TENSOR_TYPES_KEY = "tflite.tensor_types";
/**
 * JSON [tensor, ...] of tensors the file leaves uninitialized (no producer, no data, not an
 * input: Vela's scratch buffers). The IR holds them as variables; export writes them back as
 * plain tensors.
 */
export const UNINITIALIZED_KEY = "tflite.uninitialized";

/** The builtin's name, e.g. `CONV_2D` (`BUILTIN_<n>` for codes the schema lacks). */
export function builtinName(code: number): string {
  return ENUMS.BuiltinOperator![code] ?? `BUILTIN_${code}`;
}

/** Counts bytes allocated for tensor data against a cap proportional to the file size. */
class AllocationBudget {
  private remaining: number;
  constructor(fileBytes: number) {
    // Constant data is at most the file's buffers, int4 unpacked is twice that.
    this.remaining = 2 * fileBytes + 4096;
  }
  spend(bytes: number, what: string): void {
    this.remaining -= bytes;
    if (this.remaining < 0) {
      throw new McuError(
        "MCU_E_TFLITE_INVALID",
        `${what}: the model's tensors claim more data than the file holds (overlapping buffers); it is corrupt`,
      );
    }
  }
}

/** Makes names unique: `name`, `name_1`, `name_2`, ... (linear in the number of names). */
class NameTable {
  private readonly used = new Set<string>();
  private readonly next = new Map<string, number>();
  unique(base: string): string {
    if (!this.used.has(base)) {
      this.used.add(base);
      return base;
    }
    let k = this.next.get(base) ?? 1;
    while (this.used.has(`${base}_${k}`)) k++;
    this.next.set(base, k + 1);
    const name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }
}

interface TensorPlan {
  readonly dtype: DType | undefined;
  readonly shape: readonly number[];
  readonly constant: boolean;
}

function tensorShape(t: Tensor, index: number): number[] {
  const shape = t.shape.map((d, axis) => {
    // Some converters write the dynamic batch as −1 in `shape` too; run it with batch 1.
    if (d === -1 && axis === 0) return 1;
    if (d < 0) {
      throw new McuError(
        "MCU_E_TFLITE_UNSUPPORTED",
        `tensor ${index} ("${t.name}") has a dynamic dimension ${d} at axis ${axis}`,
      );
    }
    return d;
  });
  if (numElements(shape) > MAX_ELEMENTS) {
    throw new McuError(
      "MCU_E_TFLITE_INVALID",
      `tensor ${index} ("${t.name}") has ${numElements(shape)} elements, more than any model can`,
    );
  }
  return shape;
}

function quantParams(
  t: Tensor,
  dtype: DType,
  shape: readonly number[],
  name: string,
): QuantParams | undefined {
  const q = t.quantization;
  if (q === undefined || dtype === "float32" || q.scale.length === 0) return undefined;
  if (q.hasDetails === true) {
    throw new McuError("MCU_E_TFLITE_UNSUPPORTED", `tensor "${name}" uses blockwise or custom quantization`, {
      tensor: name,
    });
  }
  const n = q.scale.length;
  let zeroPoint = q.zeroPoint;
  if (zeroPoint.length === 0) zeroPoint = new Array<number>(n).fill(0);
  else if (zeroPoint.length === 1 && n > 1) zeroPoint = new Array<number>(n).fill(zeroPoint[0]!);
  if (zeroPoint.length !== n) {
    throw new McuError(
      "MCU_E_TFLITE_INVALID",
      `tensor "${name}" has ${n} scales and ${q.zeroPoint.length} zero points`,
      {
        tensor: name,
      },
    );
  }
  // Per-channel on any axis (depthwise: 3); a single scale is per tensor whatever the axis says.
  // TOCO wrote person_detect's per-channel biases (rank 1) with the weights' axis 3.
  const axis =
    q.quantizedDimension >= shape.length && shape.length === 1 && shape[0] === n ? 0 : q.quantizedDimension;
  const perAxis = n > 1 || (shape.length > 0 && axis !== 0 && shape[axis] === 1);
  return { scale: [...q.scale], zeroPoint: [...zeroPoint], ...(perAxis ? { axis } : {}) };
}

/** Decodes constant data once per (buffer, dtype): tensors that share a buffer share data. */
class ConstantData {
  private readonly cache = new Map<string, TensorData>();
  constructor(
    private readonly model: Model,
    private readonly budget: AllocationBudget,
  ) {}

  bytesOf(t: Tensor): Uint8Array | undefined {
    if (t.buffer === 0) return undefined;
    const b = this.model.buffers[t.buffer]!;
    if (b.external !== undefined) {
      throw new McuError(
        "MCU_E_TFLITE_UNSUPPORTED",
        `tensor "${t.name}" keeps its data outside the flatbuffer (models over 2 GB)`,
      );
    }
    return b.data !== undefined && b.data.length > 0 ? b.data : undefined;
  }

  data(t: Tensor, dtype: DType, shape: readonly number[], name: string): TensorData | undefined {
    const bytes = this.bytesOf(t);
    if (bytes === undefined) return undefined;
    const want = packedByteLength(dtype, shape);
    if (bytes.length !== want) {
      throw new McuError(
        "MCU_E_TFLITE_INVALID",
        `tensor "${name}" is ${dtype}[${shape.join(",")}] (${want} bytes) but its buffer ${t.buffer} holds ${bytes.length} bytes`,
        { tensor: name },
      );
    }
    const key = `${t.buffer}:${dtype}:${numElements(shape)}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    this.budget.spend(dtype === "int4" ? 2 * bytes.length : bytes.length, `tensor "${name}"`);
    const data = decodeData(bytes, dtype, shape);
    this.cache.set(key, data);
    return data;
  }
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

function importMetadata(model: Model, subgraph: SubGraph): Record<string, string> {
  const meta: Record<string, string> = { format: "tflite" };
  if (model.description !== undefined && model.description !== "") meta.description = model.description;
  meta["tflite.version"] = String(model.version);
  if (subgraph.name !== undefined && subgraph.name !== "") meta["tflite.subgraph"] = subgraph.name;
  for (const m of model.metadata) {
    const bytes = model.buffers[m.buffer]?.data ?? new Uint8Array(0);
    let end = bytes.length;
    while (end > 0 && bytes[end - 1] === 0) end--;
    const text = bytes.subarray(0, end);
    // A version string ("1.14.0"); anything else is kept as bytes.
    if (m.name === "min_runtime_version" && text.length <= 64 && text.every((c) => c >= 0x20 && c < 0x7f)) {
      meta[MIN_RUNTIME_VERSION_KEY] = new TextDecoder().decode(text);
    } else {
      meta[`${METADATA_PREFIX}${m.name}`] = base64(bytes);
    }
  }
  return meta;
}

/** Converts a decoded model to an IR graph, verified against the registry. */
export function importModel(model: Model, registry: Registry, fileBytes: number): Graph {
  const subgraph = model.subgraphs[0];
  if (subgraph === undefined) throw new McuError("MCU_E_TFLITE_INVALID", "the model has no subgraph");
  const budget = new AllocationBudget(fileBytes);
  const constants = new ConstantData(model, budget);
  const tensors = subgraph.tensors;

  // Tensor facts the op importers need (dtype, shape, whether constant).
  const plans: TensorPlan[] = tensors.map((t, i) => ({
    dtype: dtypeOfTensorType(t.type),
    shape: tensorShape(t, i),
    constant: !t.isVariable && constants.bytesOf(t) !== undefined,
  }));

  const imported: (ImportedNode | undefined)[] = [];
  const unsupported: string[] = [];
  subgraph.operators.forEach((op, index) => {
    const code = model.operatorCodes[op.opcodeIndex]!;
    if (code.builtinCode === CUSTOM) {
      imported.push({
        op: "core.custom",
        inputs: [...op.inputs],
        attrs: {
          customCode: code.customCode ?? "",
          options: copyBytes(op.customOptions ?? new Uint8Array(0)),
          format: "flexbuffers",
        },
      });
      budget.spend(op.customOptions?.length ?? 0, `operator ${index} custom options`);
      if (op.largeCustomOptions === true)
        unsupported.push(`#${index} CUSTOM:${code.customCode} (options stored outside the flatbuffer)`);
      return;
    }
    const name = builtinName(code.builtinCode);
    const importer = IMPORTERS[name];
    if (importer === undefined) {
      unsupported.push(`#${index} ${name}`);
      imported.push(undefined);
      return;
    }
    try {
      imported.push(importer.import(importContext(subgraph, plans, constants, op, index, name, importer)));
    } catch (e) {
      if (!(e instanceof UnsupportedUse)) throw e;
      unsupported.push(`#${index} ${name} (${e.message})`);
      imported.push(undefined);
    }
  });
  if (unsupported.length > 0) {
    throw new McuError(
      "MCU_E_UNSUPPORTED_OP",
      `the model uses ${unsupported.length} operator(s) @mcu does not support: ${unsupported.join(", ")}`,
    );
  }

  // Which tensors the IR keeps: all but the constants that only became attributes.
  const usedAsData = new Set<number>([...subgraph.inputs, ...subgraph.outputs]);
  const absorbed = new Set<number>();
  imported.forEach((n, i) => {
    for (const t of n!.inputs) if (t >= 0) usedAsData.add(t);
    for (const t of subgraph.operators[i]!.outputs) usedAsData.add(t);
    for (const t of n!.absorbed ?? []) absorbed.add(t);
    if (n!.op === "core.unidirectional_sequence_lstm")
      for (const t of subgraph.operators[i]!.intermediates ?? []) absorbed.add(t);
  });
  const keep = tensors.map((_, i) => usedAsData.has(i) || !absorbed.has(i));

  const unsupportedTypes = tensors.flatMap((t, i) =>
    keep[i] && plans[i]!.dtype === undefined ? [`${i} "${t.name}" (${tensorTypeName(t.type)})`] : [],
  );
  if (unsupportedTypes.length > 0) {
    throw new McuError(
      "MCU_E_UNSUPPORTED_DTYPE",
      `tensor type(s) @mcu does not support: ${unsupportedTypes.join(", ")}`,
    );
  }

  // Tensors an operator reads that nothing defines: arena memory the op uses as scratch.
  const defined = new Set<number>(subgraph.inputs);
  for (const op of subgraph.operators) for (const t of op.outputs) defined.add(t);
  const uninitialized = new Set<number>();
  imported.forEach((n) => {
    for (const t of n!.inputs) {
      if (t >= 0 && !defined.has(t) && !plans[t]!.constant && !tensors[t]!.isVariable) uninitialized.add(t);
    }
  });

  const names = new NameTable();
  const ids: string[] = tensors.map((t, i) =>
    keep[i] ? names.unique(t.name === "" ? `t${i}` : t.name) : "",
  );
  const infos = new Map<string, TensorInfo>();
  tensors.forEach((t, i) => {
    if (!keep[i]) return;
    if (t.sparse === true)
      throw new McuError("MCU_E_TFLITE_UNSUPPORTED", `tensor "${t.name}" is sparse`, { tensor: ids[i]! });
    if (t.externalBuffer !== undefined || t.hasVariantTensors === true) {
      throw new McuError("MCU_E_TFLITE_UNSUPPORTED", `tensor "${t.name}" uses external or variant data`, {
        tensor: ids[i]!,
      });
    }
    const id = ids[i]!;
    const { dtype, shape } = plans[i]! as { dtype: DType; shape: readonly number[] };
    const quant = quantParams(t, dtype, shape, id);
    const data = constants.data(t, dtype, shape, id);
    infos.set(id, {
      name: id,
      shape,
      dtype,
      ...(quant !== undefined ? { quant } : {}),
      ...(data !== undefined ? { data } : {}),
      ...(t.isVariable || uninitialized.has(i) ? { variable: true } : {}),
    });
  });
  const metadata = importMetadata(model, subgraph);
  const reinterpreted = tensors.flatMap((t, i) =>
    keep[i] && isReinterpretedType(t.type) ? [[ids[i]!, tensorTypeName(t.type)]] : [],
  );
  if (reinterpreted.length > 0)
    metadata[TENSOR_TYPES_KEY] = JSON.stringify(Object.fromEntries(reinterpreted));
  if (uninitialized.size > 0)
    metadata[UNINITIALIZED_KEY] = JSON.stringify([...uninitialized].map((i) => ids[i]!));

  const tensorId = (i: number): string => (i < 0 ? "" : ids[i]!);
  const nodeNames = new NameTable();
  const nodes: Node[] = [];
  const dequantized = new Map<string, string>();
  imported.forEach((n, index) => {
    const operator = subgraph.operators[index]!;
    const code = model.operatorCodes[operator.opcodeIndex]!;
    const sourceOp =
      code.builtinCode === CUSTOM ? (code.customCode ?? "CUSTOM") : builtinName(code.builtinCode);
    const outputs = operator.outputs.map(tensorId);
    const name = nodeNames.unique(outputs[0] !== undefined && outputs[0] !== "" ? outputs[0] : `op${index}`);
    const inputs = n!.inputs.map(tensorId);
    const contract = registry.op(n!.op);
    let attrs: Attrs = normalizeAttrs(
      n!.op,
      contract.attrs,
      withIntermediates(n!, operator, tensors, plans),
      name,
    );
    if (HYBRID_OPS.has(n!.op)) {
      // Hybrid (dynamic-range) models: float activations, integer constant weights. The IR
      // says what they mean: dequantized weights feeding the float op.
      const x = infos.get(inputs[0] ?? "");
      const w = infos.get(inputs[1] ?? "");
      if (
        x?.dtype === "float32" &&
        w !== undefined &&
        w.dtype !== "float32" &&
        w.data !== undefined &&
        w.quant !== undefined
      ) {
        let deq = dequantized.get(w.name);
        if (deq === undefined) {
          deq = names.unique(`${w.name}/dequantized`);
          infos.set(deq, { name: deq, shape: w.shape, dtype: "float32" });
          // sourceOp "": not an operator of the file (inspect does not count it).
          nodes.push({
            name: nodeNames.unique(deq),
            op: "core.dequantize",
            inputs: [w.name],
            outputs: [deq],
            attrs: {},
            sourceOp: "",
          });
          dequantized.set(w.name, deq);
        }
        inputs[1] = deq;
      }
    }
    attrs = Object.freeze(attrs);
    nodes.push({ name, op: n!.op, inputs, outputs, attrs, sourceOp });
  });

  const graph = createGraph({
    tensors: infos,
    nodes,
    inputs: subgraph.inputs.map(tensorId),
    outputs: subgraph.outputs.map(tensorId),
    metadata,
  });
  return verify(graph, registry);
}

/** The LSTM's intermediate tensors, kept as attributes so that they round-trip. */
function withIntermediates(
  n: ImportedNode,
  op: Operator,
  tensors: readonly Tensor[],
  plans: readonly TensorPlan[],
): Attrs {
  if (n.op !== "core.unidirectional_sequence_lstm" || op.intermediates === undefined) return n.attrs;
  const list = op.intermediates.map((i) => tensors[i]!);
  return {
    ...n.attrs,
    intermediateNames: list.map((t) => t.name),
    intermediateDtypes: op.intermediates.map((i) => plans[i]!.dtype ?? "float32"),
    intermediateScales: list.map((t) => t.quantization?.scale[0] ?? 0),
    intermediateZeroPoints: list.map((t) => t.quantization?.zeroPoint[0] ?? 0),
  };
}

function importContext(
  subgraph: SubGraph,
  plans: readonly TensorPlan[],
  constants: ConstantData,
  operator: Operator,
  index: number,
  builtin: string,
  importer: OpImporter,
): ImportContext {
  const table = importerOptions(importer);
  if (
    operator.builtinOptionsType !== 0 &&
    (table === undefined || table.type !== operator.builtinOptionsType)
  ) {
    const got = optionsName(1, operator.builtinOptionsType) ?? `type ${operator.builtinOptionsType}`;
    throw new UnsupportedUse(`options ${got} do not belong to ${builtin}`);
  }
  const tensorAt = (pos: number): number => operator.inputs[pos] ?? -1;
  const plan = (pos: number): TensorPlan | undefined => {
    const i = tensorAt(pos);
    return i < 0 ? undefined : plans[i];
  };
  const ctx: ImportContext = {
    index,
    builtin,
    operator,
    input: tensorAt,
    dtype: (pos) => plan(pos)?.dtype,
    shape: (pos) => plan(pos)?.shape,
    outputShape: (pos) => {
      const i = operator.outputs[pos];
      if (i === undefined) throw new UnsupportedUse(`output ${pos} is missing`);
      return plans[i]!.shape;
    },
    outputDtype: (pos) => {
      const i = operator.outputs[pos];
      return i === undefined ? undefined : plans[i]!.dtype;
    },
    isConstant: (pos) => plan(pos)?.constant === true,
    constInts(pos, what) {
      const i = tensorAt(pos);
      const p = plan(pos);
      if (p === undefined || !p.constant) throw new UnsupportedUse(`a non-constant ${what} input`);
      if (p.dtype !== "int32" && p.dtype !== "int64")
        throw new UnsupportedUse(`a ${what} input of type ${p.dtype ?? "?"}`);
      const data = constants.data(subgraph.tensors[i]!, p.dtype, p.shape, subgraph.tensors[i]!.name)!;
      return Array.from(data as ArrayLike<number | bigint>, Number);
    },
    constReal(pos, what) {
      const i = tensorAt(pos);
      const p = plan(pos);
      if (p === undefined || !p.constant || p.dtype === undefined)
        throw new UnsupportedUse(`a non-constant ${what} input`);
      const t = subgraph.tensors[i]!;
      const data = constants.data(t, p.dtype, p.shape, t.name)!;
      if (data.length !== 1) throw new UnsupportedUse(`a ${what} input of ${data.length} values`);
      const q = Number(data[0]!);
      const s = t.quantization?.scale[0];
      return p.dtype !== "float32" && s !== undefined ? s * (q - (t.quantization?.zeroPoint[0] ?? 0)) : q;
    },
    opt: (field): OptionValue => {
      if (table === undefined) throw new UnsupportedUse(`no option ${field}`);
      return optionValue(operator.builtinOptions, table, field);
    },
    unsupported(reason): never {
      throw new UnsupportedUse(reason);
    },
  };
  return ctx;
}
