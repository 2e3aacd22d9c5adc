/** Tensor files by extension (`.npy`, `.csv`), checked against the dtype and shape a caller expects. */
import type { DType } from "../dtype.js";
import { McuError } from "../errors.js";
import { formatShape, sameShape } from "../tensor-info.js";
import { readCsv, writeCsv } from "./csv.js";
import { readNpy, writeNpy } from "./npy.js";
import { conformDType, type TensorFileValue } from "./tensor-value.js";

/** The tensor file formats, by extension. */
export type TensorFileKind = "npy" | "csv";

/** What a caller expects a tensor file to hold. */
export interface TensorFileExpectation {
  /** The dtype to return; the file's values are converted only where that is lossless. */
  readonly dtype?: DType;
  /** The exact shape (for `.csv`, the shape to give the flat values). */
  readonly shape?: readonly number[];
}

/** The tensor file format of a file name, or `MCU_E_TENSOR_FILE` for another extension. */
export function tensorFileKind(fileName: string): TensorFileKind {
  const lower = fileName.toLowerCase();
  if (lower.endsWith(".npy")) return "npy";
  if (lower.endsWith(".csv")) return "csv";
  throw new McuError("MCU_E_TENSOR_FILE", `"${fileName}" is not a tensor file: use .npy or .csv`);
}

/**
 * Decodes a tensor file by its name's extension. With `expected.dtype`, the values are
 * converted losslessly (int64 → int32 range-checked; a .npy float64 file is already float32)
 * or refused; with `expected.shape`, the shape must match. Mismatches throw `MCU_E_TENSOR_FILE`.
 * A `.csv` file without an expected shape is 1-D; without an expected dtype, float32.
 */
export function decodeTensorFile(
  bytes: Uint8Array,
  fileName: string,
  expected: TensorFileExpectation = {},
): TensorFileValue {
  const where = `"${fileName}"`;
  if (tensorFileKind(fileName) === "csv") {
    return readCsv(new TextDecoder().decode(bytes), expected.dtype ?? "float32", expected.shape);
  }
  const raw = readNpy(bytes, { wideIntegersAs: expected.dtype === "int32" ? "int32" : "int64" });
  const value =
    expected.dtype !== undefined ? conformDType(raw, expected.dtype, "MCU_E_TENSOR_FILE", where) : raw;
  if (expected.shape !== undefined && !sameShape(value.shape, expected.shape)) {
    throw new McuError(
      "MCU_E_TENSOR_FILE",
      `${where} has shape ${formatShape(value.shape)}, expected ${formatShape(expected.shape)}`,
    );
  }
  return value;
}

/** Encodes a tensor as a `.npy` or `.csv` file, chosen by the file name's extension. */
export function encodeTensorFile(value: TensorFileValue, fileName: string): Uint8Array {
  return tensorFileKind(fileName) === "csv" ? new TextEncoder().encode(writeCsv(value)) : writeNpy(value);
}
