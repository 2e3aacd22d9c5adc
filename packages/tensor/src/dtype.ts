/**
 * Element types. In memory every dtype has one typed-array representation:
 * - `int4` is unpacked, one value per `Int8Array` element (TFLite packs two per byte only in files);
 * - `bit` is packed: see {@link bitRowWords}.
 */
import { McuError } from "./errors.js";

/** Every element type the IR knows. */
export const DTYPES = ["float32", "int32", "int16", "int8", "uint8", "int4", "bit", "int64", "bool"] as const;

/** An element type. */
export type DType = (typeof DTYPES)[number];

/** The typed arrays that hold tensor data. */
export type TensorData =
  | Float32Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint32Array
  | BigInt64Array;

/** The typed array that holds each dtype in memory. */
export interface DataOf {
  float32: Float32Array;
  int32: Int32Array;
  int16: Int16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int4: Int8Array;
  bit: Uint32Array;
  int64: BigInt64Array;
  bool: Uint8Array;
}

interface DTypeFacts {
  /** Bits per element as stored (packed) in files and in flash. */
  readonly bits: number;
  /** Smallest and largest representable integer, for integer types. */
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
  readonly make: (length: number) => TensorData;
  readonly ctor: new (length: number) => TensorData;
}

const FACTS: Readonly<Record<DType, DTypeFacts>> = {
  float32: { bits: 32, min: -Infinity, max: Infinity, integer: false, ctor: Float32Array, make: (n) => new Float32Array(n) },
  int32: { bits: 32, min: -2147483648, max: 2147483647, integer: true, ctor: Int32Array, make: (n) => new Int32Array(n) },
  int16: { bits: 16, min: -32768, max: 32767, integer: true, ctor: Int16Array, make: (n) => new Int16Array(n) },
  int8: { bits: 8, min: -128, max: 127, integer: true, ctor: Int8Array, make: (n) => new Int8Array(n) },
  uint8: { bits: 8, min: 0, max: 255, integer: true, ctor: Uint8Array, make: (n) => new Uint8Array(n) },
  int4: { bits: 4, min: -8, max: 7, integer: true, ctor: Int8Array, make: (n) => new Int8Array(n) },
  bit: { bits: 1, min: -1, max: 1, integer: true, ctor: Uint32Array, make: (n) => new Uint32Array(n) },
  int64: {
    bits: 64,
    min: Number.MIN_SAFE_INTEGER,
    max: Number.MAX_SAFE_INTEGER,
    integer: true,
    ctor: BigInt64Array,
    make: (n) => new BigInt64Array(n),
  },
  bool: { bits: 8, min: 0, max: 1, integer: true, ctor: Uint8Array, make: (n) => new Uint8Array(n) },
};

/** True if `s` names a dtype. */
export function isDType(s: string): s is DType {
  return (DTYPES as readonly string[]).includes(s);
}

/** Bits per element as stored in files and flash (int4: 4, bit: 1). */
export function dtypeBits(dtype: DType): number {
  return FACTS[dtype].bits;
}

/** The representable integer range of an integer dtype (`bit` is the ±1 set). */
export function dtypeRange(dtype: DType): { readonly min: number; readonly max: number } {
  return FACTS[dtype];
}

/** True for every integer-valued dtype (all but float32). */
export function isIntegerDType(dtype: DType): boolean {
  return FACTS[dtype].integer;
}

/** Number of elements of a shape (1 for a scalar). */
export function numElements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Words per row of a `bit` tensor. Bit tensors pack their last axis: each row (one index of
 * all leading axes) takes ceil(lastDim / 32) uint32 words; element j of a row is bit (j % 32),
 * least significant first, of word floor(j / 32). A set bit means −1, a clear bit +1.
 */
export function bitRowWords(shape: readonly number[]): number {
  const last = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  return Math.ceil(last / 32);
}

/** Length of the typed array that holds a tensor of this dtype and shape in memory. */
export function storageLength(dtype: DType, shape: readonly number[]): number {
  if (dtype === "bit") {
    const last = shape.length === 0 ? 1 : shape[shape.length - 1]!;
    const rows = last === 0 ? 0 : numElements(shape) / last;
    return rows * bitRowWords(shape);
  }
  return numElements(shape);
}

/** Bytes a tensor occupies when packed as stored in files and flash (int4: two per byte). */
export function packedByteLength(dtype: DType, shape: readonly number[]): number {
  if (dtype === "bit") return storageLength(dtype, shape) * 4;
  return Math.ceil((numElements(shape) * FACTS[dtype].bits) / 8);
}

/** Allocates a zero-filled typed array for a tensor of this dtype and shape. */
export function allocateData<D extends DType>(dtype: D, shape: readonly number[]): DataOf[D] {
  return FACTS[dtype].make(storageLength(dtype, shape)) as DataOf[D];
}

/** True if `data` is the typed array `dtype` uses in memory. */
export function dataMatchesDType(dtype: DType, data: TensorData): boolean {
  return data instanceof FACTS[dtype].ctor;
}

/** Throws `MCU_E_DTYPE` if `s` is not a dtype name. */
export function parseDType(s: string): DType {
  if (!isDType(s)) throw new McuError("MCU_E_DTYPE", `unknown dtype "${s}" (expected one of ${DTYPES.join(", ")})`);
  return s;
}
