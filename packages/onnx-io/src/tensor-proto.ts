/**
 * ONNX TensorProto → constant tensor data. Data may sit in `raw_data` (fixed-width little-endian)
 * or in the typed repeated fields (`float_data`, `int32_data`, `int64_data`, ...), as
 * onnx/onnx.proto describes. Lengths are checked against the dims before anything is allocated,
 * so a damaged file fails with an McuError instead of a huge allocation.
 */
import { type DType, McuError, numElements, type TensorData } from "@mcu/tensor";
import type { onnx } from "./generated/onnx.generated.js";
import { type Int64Like, int64ToNumber, toDim } from "./internal/int64.js";

/** A constant as the importer sees it: ONNX shape, IR dtype and data. */
export interface ConstTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

/** The largest constant the importer reads (elements); more is treated as a damaged file. */
export const MAX_CONST_ELEMENTS = 1 << 26;

/**
 * The largest constant the importer computes by folding (ConstantOfShape, Range, Expand, ...):
 * its size comes from values in the file, not from bytes in it, so it is bounded lower.
 */
export const MAX_FOLDED_ELEMENTS = 1 << 22;

/** ONNX TensorProto.DataType codes (onnx.proto). */
export const ONNX_DTYPE = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  BFLOAT16: 16,
  UINT4: 21,
  INT4: 22,
} as const;

const DTYPE_NAMES: Readonly<Record<number, string>> = {
  0: "UNDEFINED",
  1: "FLOAT",
  2: "UINT8",
  3: "INT8",
  4: "UINT16",
  5: "INT16",
  6: "INT32",
  7: "INT64",
  8: "STRING",
  9: "BOOL",
  10: "FLOAT16",
  11: "DOUBLE",
  12: "UINT32",
  13: "UINT64",
  14: "COMPLEX64",
  15: "COMPLEX128",
  16: "BFLOAT16",
  17: "FLOAT8E4M3FN",
  18: "FLOAT8E4M3FNUZ",
  19: "FLOAT8E5M2",
  20: "FLOAT8E5M2FNUZ",
  21: "UINT4",
  22: "INT4",
};

/** The ONNX name of a data type code, for messages. */
export function onnxDTypeName(code: number): string {
  return DTYPE_NAMES[code] ?? `data type ${code}`;
}

/**
 * The IR dtype an ONNX element type becomes. Wider or exotic types that only appear in
 * constants are widened (float16/bfloat16/double → float32, uint16 → int32, uint32/uint64 →
 * int64, uint4 → uint8).
 */
export function irDTypeOf(code: number, where: { node?: string; tensor?: string } = {}): DType {
  switch (code) {
    case ONNX_DTYPE.FLOAT:
    case ONNX_DTYPE.FLOAT16:
    case ONNX_DTYPE.BFLOAT16:
    case ONNX_DTYPE.DOUBLE:
      return "float32";
    case ONNX_DTYPE.UINT8:
    case ONNX_DTYPE.UINT4:
      return "uint8";
    case ONNX_DTYPE.INT8:
      return "int8";
    case ONNX_DTYPE.INT16:
      return "int16";
    case ONNX_DTYPE.UINT16:
    case ONNX_DTYPE.INT32:
      return "int32";
    case ONNX_DTYPE.INT64:
    case ONNX_DTYPE.UINT32:
    case ONNX_DTYPE.UINT64:
      return "int64";
    case ONNX_DTYPE.BOOL:
      return "bool";
    case ONNX_DTYPE.INT4:
      return "int4";
    default:
      throw new McuError(
        "MCU_E_ONNX_DTYPE",
        `ONNX element type ${onnxDTypeName(code)} is not supported`,
        where,
      );
  }
}

/** IEEE 754 half → float (exact). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** bfloat16 → float (exact: the upper 16 bits of a float32). */
function bfloat16ToFloat(h: number, scratch: DataView): number {
  scratch.setUint32(0, (h & 0xffff) << 16, true);
  return scratch.getFloat32(0, true);
}

/** Bytes per element in raw_data (0 for the packed 4-bit types). */
function rawElementBytes(code: number): number {
  switch (code) {
    case ONNX_DTYPE.FLOAT:
    case ONNX_DTYPE.INT32:
    case ONNX_DTYPE.UINT32:
      return 4;
    case ONNX_DTYPE.DOUBLE:
    case ONNX_DTYPE.INT64:
    case ONNX_DTYPE.UINT64:
      return 8;
    case ONNX_DTYPE.FLOAT16:
    case ONNX_DTYPE.BFLOAT16:
    case ONNX_DTYPE.INT16:
    case ONNX_DTYPE.UINT16:
      return 2;
    default:
      return 1;
  }
}

function is4Bit(code: number): boolean {
  return code === ONNX_DTYPE.INT4 || code === ONNX_DTYPE.UINT4;
}

/** The dims of a tensor proto, validated. */
export function tensorDims(dims: readonly Int64Like[] | null | undefined, name: string): number[] {
  return (dims ?? []).map((d) => toDim(d, `tensor "${name}"`, { tensor: name }));
}

/** Decodes an ONNX tensor proto (initializer, Constant value, attribute tensor). */
export function decodeTensorProto(t: onnx.TensorProto.$Properties, fallbackName = ""): ConstTensor {
  const name = t.name || fallbackName;
  const where = { tensor: name };
  const code = t.dataType ?? 0;
  if ((t.dataLocation ?? 0) === 1 || (t.externalData?.length ?? 0) > 0) {
    const loc = t.externalData?.find((e) => e.key === "location")?.value ?? "?";
    throw new McuError(
      "MCU_E_ONNX_EXTERNAL_DATA",
      `tensor "${name}" keeps its data in an external file ("${loc}"); @mcu/onnx-io reads self-contained models only — save the model with onnx.save(model, path, save_as_external_data=False)`,
      where,
    );
  }
  const dtype = irDTypeOf(code, where);
  const shape = tensorDims(t.dims, name);
  const count = numElements(shape);
  if (!Number.isSafeInteger(count) || count > MAX_CONST_ELEMENTS) {
    throw new McuError(
      "MCU_E_ONNX_TOO_LARGE",
      `tensor "${name}" has ${count} elements, more than ${MAX_CONST_ELEMENTS}`,
      where,
    );
  }
  const raw = t.rawData;
  const out = newData(dtype, count);
  if (raw !== null && raw !== undefined && raw.length > 0) {
    const want = is4Bit(code) ? Math.ceil(count / 2) : count * rawElementBytes(code);
    if (raw.length !== want) {
      throw new McuError(
        "MCU_E_ONNX_INVALID",
        `tensor "${name}" (${onnxDTypeName(code)}[${shape.join(",")}]) needs ${want} bytes of raw_data, has ${raw.length}`,
        where,
      );
    }
    decodeRaw(code, raw, out, count);
    return { dtype, shape, data: out };
  }
  const typed = typedField(t, code);
  // 4-bit types pack two values per int32_data entry: an odd count leaves one spare nibble.
  const want = is4Bit(code) ? count + (count % 2) : count;
  if (typed.length !== want) {
    throw new McuError(
      "MCU_E_ONNX_INVALID",
      `tensor "${name}" (${onnxDTypeName(code)}[${shape.join(",")}]) needs ${count} values, has ${typed.length}`,
      where,
    );
  }
  decodeTyped(code, typed, out, count);
  return { dtype, shape, data: out };
}

function newData(dtype: DType, count: number): TensorData {
  switch (dtype) {
    case "float32":
      return new Float32Array(count);
    case "int32":
      return new Int32Array(count);
    case "int16":
      return new Int16Array(count);
    case "int8":
    case "int4":
      return new Int8Array(count);
    case "int64":
      return new BigInt64Array(count);
    default:
      return new Uint8Array(count);
  }
}

/** The typed repeated field that holds this element type (onnx.proto comments). */
function typedField(t: onnx.TensorProto.$Properties, code: number): readonly (number | Int64Like)[] {
  switch (code) {
    case ONNX_DTYPE.FLOAT:
      return t.floatData ?? [];
    case ONNX_DTYPE.DOUBLE:
      return t.doubleData ?? [];
    case ONNX_DTYPE.INT64:
      return t.int64Data ?? [];
    case ONNX_DTYPE.UINT32:
    case ONNX_DTYPE.UINT64:
      return t.uint64Data ?? [];
    default:
      if (is4Bit(code)) {
        // Two 4-bit values per int32_data entry, low nibble first.
        const packed = t.int32Data ?? [];
        const out: number[] = [];
        for (const p of packed) out.push(p & 0xf, (p >> 4) & 0xf);
        return out;
      }
      return t.int32Data ?? [];
  }
}

function decodeTyped(
  code: number,
  src: readonly (number | Int64Like)[],
  out: TensorData,
  count: number,
): void {
  const scratch = new DataView(new ArrayBuffer(4));
  if (is4Bit(code)) {
    // int32_data holds ceil(count / 2) packed entries; typedField unpacked two per entry.
    for (let i = 0; i < count; i++) {
      const v = src[i] as number;
      out[i] = code === ONNX_DTYPE.INT4 && v > 7 ? v - 16 : v;
    }
    return;
  }
  if (out instanceof BigInt64Array) {
    for (let i = 0; i < count; i++) out[i] = int64ToBigInt(src[i] as Int64Like);
    return;
  }
  for (let i = 0; i < count; i++) {
    const v = src[i] as number;
    if (code === ONNX_DTYPE.FLOAT16) out[i] = halfToFloat(v & 0xffff);
    else if (code === ONNX_DTYPE.BFLOAT16) out[i] = bfloat16ToFloat(v, scratch);
    else (out as Float32Array)[i] = v;
  }
}

/** int64 → bigint without losing precision when protobufjs gave a Long. */
function int64ToBigInt(v: Int64Like): bigint {
  if (typeof v === "number") return BigInt(Math.trunc(v));
  const l = v as { low?: number; high?: number; toNumber(): number };
  if (typeof l.low === "number" && typeof l.high === "number") {
    return (BigInt(l.high) << 32n) | BigInt(l.low >>> 0);
  }
  return BigInt(Math.trunc(int64ToNumber(v)));
}

function decodeRaw(code: number, raw: Uint8Array, out: TensorData, count: number): void {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (code) {
    case ONNX_DTYPE.FLOAT:
      for (let i = 0; i < count; i++) (out as Float32Array)[i] = view.getFloat32(i * 4, true);
      return;
    case ONNX_DTYPE.DOUBLE:
      for (let i = 0; i < count; i++) (out as Float32Array)[i] = view.getFloat64(i * 8, true);
      return;
    case ONNX_DTYPE.FLOAT16:
      for (let i = 0; i < count; i++) (out as Float32Array)[i] = halfToFloat(view.getUint16(i * 2, true));
      return;
    case ONNX_DTYPE.BFLOAT16:
      for (let i = 0; i < count; i++)
        (out as Float32Array)[i] = bfloat16ToFloat(view.getUint16(i * 2, true), view);
      return;
    case ONNX_DTYPE.INT32:
      for (let i = 0; i < count; i++) (out as Int32Array)[i] = view.getInt32(i * 4, true);
      return;
    case ONNX_DTYPE.UINT16:
      for (let i = 0; i < count; i++) (out as Int32Array)[i] = view.getUint16(i * 2, true);
      return;
    case ONNX_DTYPE.INT16:
      for (let i = 0; i < count; i++) (out as Int16Array)[i] = view.getInt16(i * 2, true);
      return;
    case ONNX_DTYPE.INT64:
      for (let i = 0; i < count; i++) (out as BigInt64Array)[i] = view.getBigInt64(i * 8, true);
      return;
    case ONNX_DTYPE.UINT32:
      for (let i = 0; i < count; i++) (out as BigInt64Array)[i] = BigInt(view.getUint32(i * 4, true));
      return;
    case ONNX_DTYPE.UINT64:
      for (let i = 0; i < count; i++)
        (out as BigInt64Array)[i] = BigInt.asIntN(64, view.getBigUint64(i * 8, true));
      return;
    case ONNX_DTYPE.INT8:
      for (let i = 0; i < count; i++) (out as Int8Array)[i] = view.getInt8(i);
      return;
    case ONNX_DTYPE.INT4:
    case ONNX_DTYPE.UINT4:
      for (let i = 0; i < count; i++) {
        const byte = raw[i >> 1]!;
        const nib = i & 1 ? byte >> 4 : byte & 0xf;
        out[i] = code === ONNX_DTYPE.INT4 && nib > 7 ? nib - 16 : nib;
      }
      return;
    default:
      // UINT8 and BOOL: one byte per element (bool: 0 or 1).
      for (let i = 0; i < count; i++)
        (out as Uint8Array)[i] = code === ONNX_DTYPE.BOOL ? (raw[i] !== 0 ? 1 : 0) : raw[i]!;
  }
}
