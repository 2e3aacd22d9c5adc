/**
 * NumPy `.npy` files, format versions 1.0, 2.0 and 3.0, as specified in NumPy's
 * `numpy.lib.format` documentation (NEP 1): the magic `\x93NUMPY`, a major and minor version
 * byte, the header length (little-endian u16 in 1.0, u32 in 2.0 and 3.0), then the header —
 * a Python dict literal with the keys 'descr', 'fortran_order' and 'shape', padded with spaces
 * and a final newline so that the data starts on a 64-byte boundary — then the raw data.
 *
 * Element types map to IR dtypes as follows. float64 is converted to float32 (rounded to
 * nearest): the IR has no float64. 16-bit unsigned becomes int32; 32- and 64-bit integers
 * that do not fit int32 become int64, or int32 when the caller asks for it (range-checked).
 */
import type { DType, TensorData } from "../dtype.js";
import { numElements } from "../dtype.js";
import { McuError } from "../errors.js";
import { formatShape } from "../tensor-info.js";
import { PyLiteralError, type PyValue, parsePyLiteral } from "./py-literal.js";
import { checkTensorValue, type TensorFileValue, unpackBits } from "./tensor-value.js";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
/** NumPy aligns the data to this many bytes (`ARRAY_ALIGN` in numpy/lib/format). */
const ARRAY_ALIGN = 64;
/**
 * NumPy leaves room to grow the first axis in place: it adds (21 − digits of that axis)
 * spaces after the dict (`GROWTH_AXIS_MAX_DIGITS` in numpy/lib/format).
 */
const GROWTH_AXIS_MAX_DIGITS = 21;

/** Options for {@link readNpy}. */
export interface ReadNpyOptions {
  /**
   * What 64-bit and unsigned 32-bit integers become: `int64` (default) or `int32` (every value
   * is range-checked; one that does not fit is `MCU_E_NPY`).
   */
  readonly wideIntegersAs?: "int64" | "int32";
}

/** Options for {@link writeNpy}. */
export interface WriteNpyOptions {
  /** Format version; by default 1.0, or 2.0 when the header needs more than 65535 bytes (as np.save does). */
  readonly version?: 1 | 2 | 3;
}

type Kind = "f" | "i" | "u" | "b";

interface ElementType {
  readonly kind: Kind;
  readonly size: number;
  readonly littleEndian: boolean;
  readonly descr: string;
}

const SUPPORTED = new Set(["f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1"]);

function npyError(message: string): McuError {
  return new McuError("MCU_E_NPY", message);
}

function parseDescr(descr: PyValue): ElementType {
  if (typeof descr !== "string") {
    throw npyError(
      "structured (record) arrays are not supported: 'descr' must be a plain type string like '<f4'",
    );
  }
  const m = /^([<>|=]?)([a-zA-Z])(\d+)$/.exec(descr);
  if (m === null || !SUPPORTED.has(`${m[2]}${m[3]}`)) {
    throw npyError(
      `element type '${descr}' is not supported (supported: f4, f8, i1, i2, i4, i8, u1, u2, u4, u8, b1, little- or big-endian)`,
    );
  }
  const size = Number(m[3]);
  // '|' means "not applicable" (one-byte types); '=' is native order, little-endian on every
  // platform @mcu runs on.
  const order = m[1] ?? "";
  if ((order === "" || order === "|") && size > 1)
    throw npyError(`element type '${descr}' has no byte order`);
  return { kind: m[2] as Kind, size, littleEndian: order !== ">", descr };
}

function parseShape(shape: PyValue): number[] {
  if (!Array.isArray(shape)) throw npyError("'shape' must be a tuple of integers");
  return shape.map((d) => {
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) {
      throw npyError(`'shape' must hold non-negative integers, found ${JSON.stringify(d)}`);
    }
    return d;
  });
}

interface Header {
  readonly type: ElementType;
  readonly fortranOrder: boolean;
  readonly shape: number[];
  readonly dataOffset: number;
}

function readHeader(bytes: Uint8Array): Header {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw npyError("not a NumPy .npy file (it does not start with \\x93NUMPY)");
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0) {
    throw npyError(`unsupported .npy format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw npyError("the file is truncated inside its header length");
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  const dataOffset = start + headerLen;
  if (dataOffset > bytes.length) {
    throw npyError(
      `the header claims ${headerLen} bytes but the file has only ${bytes.length - start} after the length`,
    );
  }
  // Versions 1.0 and 2.0 encode the header in latin-1, 3.0 in UTF-8.
  const raw = bytes.subarray(start, dataOffset);
  let text = "";
  if (major === 3) text = new TextDecoder("utf-8").decode(raw);
  else for (const b of raw) text += String.fromCharCode(b);
  if (!text.endsWith("\n")) throw npyError("the header does not end with a newline");

  let dict: PyValue;
  try {
    dict = parsePyLiteral(text);
  } catch (e) {
    if (e instanceof PyLiteralError) throw npyError(`the header is not a Python dict literal: ${e.message}`);
    throw e;
  }
  if (dict === null || typeof dict !== "object" || Array.isArray(dict))
    throw npyError("the header is not a dict");
  const fields = dict as { readonly [key: string]: PyValue };
  const keys = Object.keys(fields).sort();
  if (keys.join(",") !== "descr,fortran_order,shape") {
    throw npyError(
      `the header must have exactly the keys 'descr', 'fortran_order', 'shape', found ${keys.join(", ")}`,
    );
  }
  const fortran = fields.fortran_order;
  if (typeof fortran !== "boolean") throw npyError("'fortran_order' must be True or False");
  return {
    type: parseDescr(fields.descr!),
    fortranOrder: fortran,
    shape: parseShape(fields.shape!),
    dataOffset,
  };
}

/** Decodes `count` elements in file order into the typed array of their IR dtype. */
function decodeElements(
  bytes: Uint8Array,
  offset: number,
  count: number,
  type: ElementType,
  wide: "int64" | "int32",
): { dtype: DType; data: TensorData } {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * type.size);
  const le = type.littleEndian;
  const code = `${type.kind}${type.size}`;
  switch (code) {
    case "f4": {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, le);
      return { dtype: "float32", data: out };
    }
    case "f8": {
      // Float32Array stores round to nearest float32: the documented float64 → float32 conversion.
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, le);
      return { dtype: "float32", data: out };
    }
    case "i1":
      // Copy first: the result must not alias the caller's buffer (a Node Buffer's slice would).
      return {
        dtype: "int8",
        data: new Int8Array(new Uint8Array(bytes.subarray(offset, offset + count)).buffer),
      };
    case "u1":
      return { dtype: "uint8", data: new Uint8Array(bytes.subarray(offset, offset + count)) };
    case "b1": {
      // NumPy reads any nonzero byte as True; the IR's bool holds exactly 0 or 1.
      const out = new Uint8Array(count);
      for (let i = 0; i < count; i++) out[i] = bytes[offset + i] === 0 ? 0 : 1;
      return { dtype: "bool", data: out };
    }
    case "i2": {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, le);
      return { dtype: "int16", data: out };
    }
    case "u2": {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint16(i * 2, le);
      return { dtype: "int32", data: out };
    }
    case "i4": {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, le);
      return { dtype: "int32", data: out };
    }
    case "u4":
    case "i8":
    case "u8": {
      const read = (i: number): bigint =>
        code === "u4"
          ? BigInt(view.getUint32(i * 4, le))
          : code === "i8"
            ? view.getBigInt64(i * 8, le)
            : view.getBigUint64(i * 8, le);
      const [min, max] = wide === "int32" ? [-2147483648n, 2147483647n] : [-(2n ** 63n), 2n ** 63n - 1n];
      const out = wide === "int32" ? new Int32Array(count) : new BigInt64Array(count);
      for (let i = 0; i < count; i++) {
        const v = read(i);
        if (v < min || v > max) {
          throw npyError(`element ${i} (${v}) of this '${type.descr}' file does not fit ${wide}`);
        }
        if (out instanceof Int32Array) out[i] = Number(v);
        else out[i] = v;
      }
      return { dtype: wide, data: out };
    }
  }
  throw npyError(`element type '${type.descr}' is not supported`);
}

/** Reorders column-major (Fortran) data into row-major (C) order. */
function fortranToC<T extends TensorData>(data: T, shape: readonly number[]): T {
  const rank = shape.length;
  const n = data.length;
  if (rank < 2 || n === 0) return data;
  // Column-major strides: the first axis varies fastest.
  const strides = new Array<number>(rank);
  let s = 1;
  for (let k = 0; k < rank; k++) {
    strides[k] = s;
    s *= shape[k]!;
  }
  const out = new (data.constructor as new (n: number) => T)(n);
  const index = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < n; i++) {
    (out as unknown as number[])[i] = (data as unknown as number[])[src]!;
    // Advance the C-order index (last axis fastest), keeping `src` in step.
    for (let k = rank - 1; k >= 0; k--) {
      index[k]! += 1;
      src += strides[k]!;
      if (index[k]! < shape[k]!) break;
      src -= strides[k]! * shape[k]!;
      index[k] = 0;
    }
  }
  return out;
}

/**
 * Reads a `.npy` file (format 1.0, 2.0 or 3.0). The result is in C order whatever the file's
 * `fortran_order`; big-endian files are byte-swapped; float64 becomes float32. Malformed or
 * unsupported files throw `MCU_E_NPY`.
 */
export function readNpy(
  bytes: Uint8Array,
  options: ReadNpyOptions = {},
): { dtype: DType; shape: number[]; data: TensorData } {
  const header = readHeader(bytes);
  const count = numElements(header.shape);
  const dataBytes = count * header.type.size;
  const available = bytes.length - header.dataOffset;
  if (available < dataBytes) {
    throw npyError(
      `the file is truncated: a '${header.type.descr}' array of shape ${formatShape(header.shape)} needs ${dataBytes} data bytes, found ${available}`,
    );
  }
  if (available > dataBytes) {
    throw npyError(
      `${available - dataBytes} unexpected bytes after the data of a '${header.type.descr}' array of shape ${formatShape(header.shape)}`,
    );
  }
  const decoded = decodeElements(
    bytes,
    header.dataOffset,
    count,
    header.type,
    options.wideIntegersAs ?? "int64",
  );
  const data = header.fortranOrder ? fortranToC(decoded.data, header.shape) : decoded.data;
  return { dtype: decoded.dtype, shape: header.shape, data };
}

/** The NumPy element type written for each IR dtype (int4 and bit are written unpacked as int8). */
const DESCR: Readonly<Record<DType, string>> = {
  float32: "<f4",
  int32: "<i4",
  int16: "<i2",
  int8: "|i1",
  uint8: "|u1",
  int4: "|i1",
  bit: "|i1",
  int64: "<i8",
  bool: "|b1",
};

/** The header text np.save writes for this array (before padding). */
function headerDict(descr: string, shape: readonly number[]): string {
  // Python's repr of a tuple: `()`, `(3,)`, `(2, 3)`.
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let text = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  if (shape.length > 0) text += " ".repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length);
  return text;
}

/**
 * Writes a `.npy` file (C order, little-endian) byte-identical to NumPy's `np.save` of the
 * same array. int4 tensors are written as int8 values and bit tensors as int8 ±1 values.
 */
export function writeNpy(value: TensorFileValue, options: WriteNpyOptions = {}): Uint8Array {
  checkTensorValue(value, "MCU_E_NPY");
  const descr = DESCR[value.dtype];
  const dict = headerDict(descr, value.shape);
  const framed = (major: number): number => {
    const prefix = 8 + (major === 1 ? 2 : 4);
    const unpadded = prefix + dict.length + 1;
    // np.save always pads, a whole ARRAY_ALIGN when already aligned.
    return dict.length + 1 + (ARRAY_ALIGN - (unpadded % ARRAY_ALIGN));
  };
  const major = options.version ?? (framed(1) <= 0xffff ? 1 : 2);
  const headerLen = framed(major);
  if (major === 1 && headerLen > 0xffff)
    throw npyError(`the header needs ${headerLen} bytes, too many for format 1.0`);
  const prefix = 8 + (major === 1 ? 2 : 4);

  const elements: TensorData =
    value.dtype === "bit" ? unpackBits(value.data as Uint32Array, value.shape) : value.data;
  const size = elements.BYTES_PER_ELEMENT;
  const out = new Uint8Array(prefix + headerLen + elements.length * size);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, headerLen, true);
  else view.setUint32(8, headerLen, true);
  for (let i = 0; i < dict.length; i++) out[prefix + i] = dict.charCodeAt(i);
  out.fill(0x20, prefix + dict.length, prefix + headerLen - 1);
  out[prefix + headerLen - 1] = 0x0a;

  const at = prefix + headerLen;
  const n = elements.length;
  if (elements instanceof Float32Array)
    for (let i = 0; i < n; i++) view.setFloat32(at + i * 4, elements[i]!, true);
  else if (elements instanceof Int32Array)
    for (let i = 0; i < n; i++) view.setInt32(at + i * 4, elements[i]!, true);
  else if (elements instanceof Int16Array)
    for (let i = 0; i < n; i++) view.setInt16(at + i * 2, elements[i]!, true);
  else if (elements instanceof BigInt64Array)
    for (let i = 0; i < n; i++) view.setBigInt64(at + i * 8, elements[i]!, true);
  else if (value.dtype === "bool") for (let i = 0; i < n; i++) out[at + i] = elements[i] === 0 ? 0 : 1;
  else out.set(new Uint8Array(elements.buffer, elements.byteOffset, n), at);
  return out;
}
