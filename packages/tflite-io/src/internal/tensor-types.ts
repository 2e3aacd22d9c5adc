/**
 * TFLite TensorType ↔ IR dtype, and constant data ↔ little-endian buffer bytes (schema.fbs:
 * "the data_buffer itself is an opaque container, with the assumption that the target device
 * is little-endian"). INT4 packs two values per byte, the even element in the low nibble
 * (tensorflow/lite/kernels/internal/portable_tensor_utils: PackInt8IntoDenseInt4).
 */
import { type DType, McuError, numElements, packedByteLength, type TensorData } from "@mcu/tensor";
import { ENUMS } from "./schema.generated.js";

const TENSOR_TYPE_TO_DTYPE: Readonly<Record<string, DType>> = {
  FLOAT32: "float32",
  INT32: "int32",
  UINT8: "uint8",
  INT64: "int64",
  BOOL: "bool",
  INT16: "int16",
  INT8: "int8",
  INT4: "int4",
};

const DTYPE_TO_TENSOR_TYPE: Readonly<Partial<Record<DType, number>>> = Object.fromEntries(
  Object.entries(ENUMS.TensorType!).flatMap(([code, name]) => {
    const dtype = TENSOR_TYPE_TO_DTYPE[name];
    return dtype === undefined ? [] : [[dtype, Number(code)]];
  }),
);

/** The TensorType's name (`FLOAT16`, ...), or `TensorType(n)` for codes the schema lacks. */
export function tensorTypeName(code: number): string {
  return ENUMS.TensorType![code] ?? `TensorType(${code})`;
}

/**
 * Unsigned types the IR lacks, held in the signed dtype of the same width with the same bits
 * (the audio front end's Signal custom ops produce UINT32/UINT64 tensors). The importer records
 * the file's type in the graph metadata so that export writes it back.
 */
const REINTERPRETED: Readonly<Record<string, DType>> = { UINT16: "int16", UINT32: "int32", UINT64: "int64" };

/** The IR dtype of a TensorType, or undefined when @mcu has no such dtype. */
export function dtypeOfTensorType(code: number): DType | undefined {
  const name = ENUMS.TensorType![code];
  return name === undefined ? undefined : (TENSOR_TYPE_TO_DTYPE[name] ?? REINTERPRETED[name]);
}

/** True if the TensorType is held in a signed IR dtype of the same width (UINT16/32/64). */
export function isReinterpretedType(code: number): boolean {
  const name = ENUMS.TensorType![code];
  return name !== undefined && REINTERPRETED[name] !== undefined;
}

/** The TensorType code of a name (`UINT32`), or undefined. */
export function tensorTypeCode(name: string): number | undefined {
  for (const [code, n] of Object.entries(ENUMS.TensorType!)) if (n === name) return Number(code);
  return undefined;
}

/** The TensorType code of an IR dtype, or `MCU_E_TFLITE_EXPORT` (the `bit` dtype has none). */
export function tensorTypeOfDtype(dtype: DType, tensor: string): number {
  const code = DTYPE_TO_TENSOR_TYPE[dtype];
  if (code === undefined) {
    throw new McuError("MCU_E_TFLITE_EXPORT", `TFLite has no tensor type for dtype ${dtype}`, { tensor });
  }
  return code;
}

/** A copy of `bytes` in a new ArrayBuffer of its own (also when `bytes` is a Node Buffer). */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}

/** Decodes buffer bytes (already checked to be exactly `packedByteLength`) into a typed array. */
export function decodeData(bytes: Uint8Array, dtype: DType, shape: readonly number[]): TensorData {
  const n = numElements(shape);
  // Copy into a fresh, aligned buffer: the file's bytes may be unaligned, and the graph must
  // not alias the caller's array. (Not `bytes.slice()`: on a Node Buffer that is a view.)
  const copy = copyBytes(bytes);
  const buf = copy.buffer;
  switch (dtype) {
    case "float32":
      return new Float32Array(buf, 0, n);
    case "int32":
      return new Int32Array(buf, 0, n);
    case "int16":
      return new Int16Array(buf, 0, n);
    case "int8":
      return new Int8Array(buf, 0, n);
    case "uint8":
    case "bool":
      return copy;
    case "int64":
      return new BigInt64Array(buf, 0, n);
    case "int4": {
      const out = new Int8Array(n);
      for (let i = 0; i < n; i++) {
        const byte = copy[i >> 1]!;
        const nibble = i & 1 ? byte >> 4 : byte & 15;
        out[i] = (nibble << 28) >> 28;
      }
      return out;
    }
    default:
      throw new McuError("MCU_E_TFLITE_INVALID", `cannot decode ${dtype} data`);
  }
}

/** Encodes constant data as the little-endian bytes TFLite stores. */
export function encodeData(data: TensorData, dtype: DType, shape: readonly number[]): Uint8Array {
  if (dtype === "int4") {
    const n = numElements(shape);
    const out = new Uint8Array(packedByteLength(dtype, shape));
    for (let i = 0; i < n; i++) out[i >> 1]! |= ((data[i] as number) & 15) << ((i & 1) * 4);
    return out;
  }
  if (dtype === "bool") return Uint8Array.from(data as Uint8Array, (v) => (v !== 0 ? 1 : 0));
  // @mcu assumes a little-endian host, as TFLite does: typed arrays are the file's bytes.
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}
