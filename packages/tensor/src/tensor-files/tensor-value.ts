/** The value tensor files hold, and the conversions between file element types and IR dtypes. */
import { bitRowWords, dataMatchesDType, type DType, storageLength, type TensorData } from "../dtype.js";
import { McuError } from "../errors.js";
import { formatShape } from "../tensor-info.js";

/** A tensor as read from or written to a tensor file: IR dtype, C-order shape, in-memory data. */
export interface TensorFileValue {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

/** Throws `code` unless `data` is the typed array of `dtype` with the length `shape` needs. */
export function checkTensorValue(value: TensorFileValue, code: string): void {
  const want = storageLength(value.dtype, value.shape);
  if (!dataMatchesDType(value.dtype, value.data) || value.data.length !== want) {
    throw new McuError(
      code,
      `a ${value.dtype}${formatShape(value.shape)} tensor needs ${want} values in its typed array, got ${value.data.constructor.name}(${value.data.length})`,
    );
  }
}

/**
 * Packs ±1 values into the IR's `bit` layout: per row of the last axis, bit j%32 of word
 * floor(j/32), least significant first; a set bit is −1 (see `bitRowWords`).
 */
export function packBits(values: ArrayLike<number>, shape: readonly number[], code: string): Uint32Array {
  const last = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  const words = bitRowWords(shape);
  const out = new Uint32Array(storageLength("bit", shape));
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== 1 && v !== -1)
      throw new McuError(code, `bit tensors hold only -1 and +1, found ${v} at index ${i}`);
    if (v === -1) {
      const row = Math.floor(i / last);
      const j = i - row * last;
      const w = row * words + (j >>> 5);
      out[w] = (out[w]! | (1 << (j & 31))) >>> 0;
    }
  }
  return out;
}

/** Unpacks a `bit` tensor into one ±1 value per element, in C order. */
export function unpackBits(data: Uint32Array, shape: readonly number[]): Int8Array {
  const last = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  const words = bitRowWords(shape);
  const rows = last === 0 ? 0 : data.length / words;
  const out = new Int8Array(rows * last);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < last; j++) {
      const set = (data[r * words + (j >>> 5)]! >>> (j & 31)) & 1;
      out[r * last + j] = set === 1 ? -1 : 1;
    }
  }
  return out;
}

/**
 * Converts a value read from a file to the dtype a caller expects. Only lossless conversions
 * are made: int64 → int32 and int8 → int4 (each value range-checked). Everything else must
 * already match (the readers have turned float64 into float32 and 16/32-bit unsigned into
 * wider signed types). Throws `code` otherwise.
 */
export function conformDType(
  value: TensorFileValue,
  dtype: DType,
  code: string,
  what = "the file",
): TensorFileValue {
  if (value.dtype === dtype) return value;
  if (value.dtype === "int64" && dtype === "int32") {
    const src = value.data as BigInt64Array;
    const out = new Int32Array(src.length);
    for (let i = 0; i < src.length; i++) {
      const v = src[i]!;
      if (v < -2147483648n || v > 2147483647n) {
        throw new McuError(code, `${what} holds ${v} at index ${i}, which does not fit int32`);
      }
      out[i] = Number(v);
    }
    return { dtype, shape: value.shape, data: out };
  }
  if (value.dtype === "int8" && dtype === "int4") {
    const src = value.data as Int8Array;
    for (let i = 0; i < src.length; i++) {
      const v = src[i]!;
      if (v < -8 || v > 7)
        throw new McuError(code, `${what} holds ${v} at index ${i}, outside the int4 range [-8, 7]`);
    }
    return { dtype, shape: value.shape, data: src };
  }
  throw new McuError(code, `${what} holds ${value.dtype} values where ${dtype} is expected`);
}
