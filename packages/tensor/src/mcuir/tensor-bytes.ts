/**
 * Constant data ↔ the bytes of `Tensor.data` in a `.mcuir` file: little-endian, row-major,
 * `packedByteLength(dtype, shape)` bytes. `int4` is packed two values per byte on disk (element
 * 2k in the low nibble, 2k+1 in the high nibble — TFLite's int4 layout) and unpacked to one
 * value per Int8Array element in memory; `bit` keeps its in-memory uint32 words.
 */
import { allocateData, type DType, numElements, packedByteLength, type TensorData } from "../dtype.js";
import { McuError } from "../errors.js";

/** Byte order of this machine; typed arrays use it, the file is always little-endian. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function invalid(message: string, tensor: string): McuError {
  return new McuError("MCU_E_MCUIR_INVALID", message, { tensor });
}

function packInt4(data: TensorData, tensor: string): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 2));
  for (let k = 0; k < data.length; k++) {
    const v = data[k] as number;
    if (v < -8 || v > 7) throw invalid(`int4 value ${v} at index ${k} is outside -8..7`, tensor);
    out[k >> 1]! |= (v & 0x0f) << ((k & 1) * 4);
  }
  return out;
}

function unpackInt4(bytes: Uint8Array, count: number, tensor: string): Int8Array {
  const out = new Int8Array(count);
  for (let k = 0; k < count; k++) {
    const nibble = (bytes[k >> 1]! >> ((k & 1) * 4)) & 0x0f;
    out[k] = (nibble << 28) >> 28; // sign-extend the 4-bit two's complement value
  }
  if ((count & 1) === 1 && bytes[count >> 1]! >> 4 !== 0) {
    throw invalid("int4 data has a non-zero padding nibble", tensor);
  }
  return out;
}

/** Copies between a typed array and little-endian bytes on a big-endian machine. */
function swapCopy(from: Uint8Array, to: Uint8Array, width: number): void {
  for (let i = 0; i < from.length; i += width) {
    for (let b = 0; b < width; b++) to[i + b] = from[i + width - 1 - b]!;
  }
}

/**
 * The file bytes of a constant. The data must already be the dtype's typed array of the right
 * length; int4 values outside −8..7 cannot be stored and throw `MCU_E_MCUIR_INVALID`.
 */
export function encodeTensorData(dtype: DType, data: TensorData, tensor: string): Uint8Array {
  if (dtype === "int4") return packInt4(data, tensor);
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN || data.BYTES_PER_ELEMENT === 1) return view;
  const out = new Uint8Array(view.length);
  swapCopy(view, out, data.BYTES_PER_ELEMENT);
  return out;
}

/**
 * The in-memory data of a constant from its file bytes. The caller has checked that
 * `bytes.length` equals `packedByteLength(dtype, shape)`, so nothing larger than the file's own
 * bytes (twice that for int4) is allocated.
 */
export function decodeTensorData(
  dtype: DType,
  shape: readonly number[],
  bytes: Uint8Array,
  tensor: string,
): TensorData {
  const want = packedByteLength(dtype, shape);
  if (bytes.length !== want) {
    throw invalid(
      `${dtype} data of shape [${shape.join(",")}] needs ${want} bytes, has ${bytes.length}`,
      tensor,
    );
  }
  if (dtype === "int4") return unpackInt4(bytes, numElements(shape), tensor);
  const out = allocateData(dtype, shape);
  const view = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  if (LITTLE_ENDIAN || out.BYTES_PER_ELEMENT === 1) view.set(bytes);
  else swapCopy(bytes, view, out.BYTES_PER_ELEMENT);
  return out;
}
