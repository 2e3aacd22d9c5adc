/**
 * Tensors as CSV text: the flattened values in C order, separated by commas, whitespace or
 * newlines (so `np.savetxt` output with any delimiter reads too). The file carries no shape or
 * dtype: the caller supplies them.
 */
import { allocateData, type DType, dtypeRange, numElements, type TensorData } from "../dtype.js";
import { McuError } from "../errors.js";
import { formatShape } from "../tensor-info.js";
import { checkTensorValue, packBits, type TensorFileValue, unpackBits } from "./tensor-value.js";

const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const SPECIAL = /^([+-]?)(nan|inf|infinity)$/i;

interface Token {
  readonly text: string;
  readonly line: number;
}

function csvError(message: string): McuError {
  return new McuError("MCU_E_CSV", message);
}

/** Splits CSV text into value tokens; an empty field between two commas is an error. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const lines = text.split(/\r?\n|\r/);
  lines.forEach((lineText, i) => {
    const fields = lineText.split(",");
    fields.forEach((field, j) => {
      const parts = field
        .trim()
        .split(/\s+/)
        .filter((p) => p !== "");
      // A trailing comma at the end of a line is tolerated; an empty field elsewhere is not.
      if (parts.length === 0 && fields.length > 1 && j < fields.length - 1) {
        throw csvError(`line ${i + 1}: empty value between commas`);
      }
      for (const p of parts) tokens.push({ text: p, line: i + 1 });
    });
  });
  return tokens;
}

function parseFloatToken(t: Token): number {
  if (FLOAT.test(t.text)) return Number(t.text);
  const m = SPECIAL.exec(t.text);
  if (m !== null) {
    if (m[2]!.toLowerCase() === "nan") return Number.NaN;
    return m[1] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  throw csvError(`line ${t.line}: "${t.text}" is not a number`);
}

/** An integer token: plain digits, or a float literal with an integral value (`3.0e+00`). */
function parseIntegerToken(t: Token, dtype: DType): bigint {
  if (INTEGER.test(t.text)) return BigInt(t.text.replace(/^\+/, ""));
  if (dtype === "bool") {
    const lower = t.text.toLowerCase();
    if (lower === "true") return 1n;
    if (lower === "false") return 0n;
  }
  const v = FLOAT.test(t.text) ? Number(t.text) : Number.NaN;
  if (!Number.isSafeInteger(v))
    throw csvError(`line ${t.line}: "${t.text}" is not an integer (the tensor is ${dtype})`);
  return BigInt(v);
}

/**
 * Reads CSV text as a tensor of `dtype`. With `shape`, the number of values must equal its
 * element count; without, the result is 1-D. Values outside the dtype's range, and anything
 * that is not a number, throw `MCU_E_CSV`.
 */
export function readCsv(text: string, dtype: DType, shape?: readonly number[]): TensorFileValue {
  const tokens = tokenize(text);
  const outShape = shape !== undefined ? [...shape] : [tokens.length];
  const want = numElements(outShape);
  if (tokens.length !== want) {
    throw csvError(
      `the file has ${tokens.length} values, a ${dtype}${formatShape(outShape)} tensor needs ${want}`,
    );
  }
  if (dtype === "float32") {
    const data = new Float32Array(want);
    tokens.forEach((t, i) => {
      data[i] = parseFloatToken(t);
    });
    return { dtype, shape: outShape, data };
  }
  const { min, max } = dtypeRange(dtype);
  const lo = dtype === "int64" ? -(2n ** 63n) : BigInt(min);
  const hi = dtype === "int64" ? 2n ** 63n - 1n : BigInt(max);
  const values = tokens.map((t) => {
    const v = parseIntegerToken(t, dtype);
    if (v < lo || v > hi || (dtype === "bit" && v === 0n)) {
      const range = dtype === "bit" ? "-1 or +1" : `[${lo}, ${hi}]`;
      throw csvError(`line ${t.line}: ${t.text} is outside the ${dtype} range ${range}`);
    }
    return v;
  });
  if (dtype === "bit")
    return { dtype, shape: outShape, data: packBits(values.map(Number), outShape, "MCU_E_CSV") };
  const data = allocateData(dtype, outShape);
  for (let i = 0; i < values.length; i++) {
    if (data instanceof BigInt64Array) data[i] = values[i]!;
    else (data as Exclude<TensorData, BigInt64Array>)[i] = Number(values[i]!);
  }
  return { dtype, shape: outShape, data };
}

/** The shortest decimal text that reads back as the same float32 (NaN and infinities as NumPy writes them). */
export function formatFloat32(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Number.POSITIVE_INFINITY) return "inf";
  if (x === Number.NEGATIVE_INFINITY) return "-inf";
  if (Object.is(x, -0)) return "-0";
  for (let p = 1; p < 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  // Nine significant digits always identify a float32 (IEEE 754, §5.12.2).
  return String(Number(x.toPrecision(9)));
}

/**
 * Writes a tensor as CSV: one line per row of the last axis, values separated by commas
 * (floats in their shortest round-trip form, bit tensors as ±1).
 */
export function writeCsv(value: TensorFileValue): string {
  checkTensorValue(value, "MCU_E_CSV");
  const elements: TensorData =
    value.dtype === "bit" ? unpackBits(value.data as Uint32Array, value.shape) : value.data;
  const n = elements.length;
  if (n === 0) return "";
  const rowLength = value.shape.length === 0 ? 1 : value.shape[value.shape.length - 1]!;
  const text = (i: number): string =>
    elements instanceof Float32Array ? formatFloat32(elements[i]!) : String(elements[i]!);
  const lines: string[] = [];
  for (let r = 0; r < n; r += rowLength) {
    const row: string[] = [];
    for (let i = r; i < r + rowLength; i++) row.push(text(i));
    lines.push(row.join(","));
  }
  return `${lines.join("\n")}\n`;
}
