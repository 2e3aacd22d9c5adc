/** C spellings: identifiers, element types, and literals that read back exactly. */
import { type DType, InternalError, McuError } from "@mcu/tensor";
import type { CScalarType } from "./contract.js";

/** The C element type that holds a dtype in memory (int4 unpacked in int8_t; bit in uint32_t words). */
export function cTypeOf(dtype: DType): CScalarType {
  switch (dtype) {
    case "float32":
      return "float";
    case "int32":
      return "int32_t";
    case "int16":
      return "int16_t";
    case "int8":
    case "int4":
      return "int8_t";
    case "uint8":
    case "bool":
      return "uint8_t";
    case "bit":
      return "uint32_t";
    case "int64":
      return "int64_t";
  }
}

/** Bytes of one element of a C scalar type. */
export function cTypeBytes(ctype: CScalarType): number {
  switch (ctype) {
    case "int8_t":
    case "uint8_t":
      return 1;
    case "int16_t":
    case "uint16_t":
      return 2;
    case "float":
    case "int32_t":
    case "uint32_t":
      return 4;
    case "double":
    case "int64_t":
      return 8;
  }
}

const C_KEYWORDS = new Set(
  (
    "auto break case char const continue default do double else enum extern float for goto if inline int " +
    "long register restrict return short signed sizeof static struct switch typedef union unsigned void " +
    "volatile while _Bool _Complex _Imaginary main"
  ).split(" "),
);

/** A C identifier made from any name: other characters become `_`, never a leading digit or a keyword. */
export function cIdentifier(name: string): string {
  let s = name.replace(/[^A-Za-z0-9_]/g, "_").replace(/_+/g, "_");
  if (s === "" || s === "_") s = "t";
  if (/^[0-9]/.test(s)) s = `_${s}`;
  if (C_KEYWORDS.has(s)) s = `${s}_`;
  return s;
}

/** A model name usable in `mcu_<name>_invoke`: lower-case identifier characters, or `MCU_E_OPTION`. */
export function modelIdentifier(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/\.[a-z0-9]+$/, "")
    .replace(/[^a-z0-9_]/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (s === "") throw new McuError("MCU_E_OPTION", `"${name}" gives no usable C model name`);
  return /^[0-9]/.test(s) ? `m${s}` : s;
}

/** True if a literal of this type needs `<math.h>` (INFINITY, NAN). */
export function literalNeedsMath(value: number, ctype: CScalarType): boolean {
  return (ctype === "float" || ctype === "double") && !Number.isFinite(value);
}

function trimMantissa(s: string): string {
  // "1.50000e-7" → "1.5e-7", "2.000" → "2.0"
  const [mant, exp] = s.split("e") as [string, string | undefined];
  let m = mant;
  if (m.includes(".")) m = m.replace(/0+$/, "").replace(/\.$/, ".0");
  else if (exp === undefined) m = `${m}.0`;
  return exp === undefined ? m : `${m}e${exp}`;
}

/** The shortest decimal that reads back as this float32 value, as a C `float` literal. */
export function floatLiteral(value: number): string {
  if (Number.isNaN(value)) return "NAN";
  if (value === Number.POSITIVE_INFINITY) return "INFINITY";
  if (value === Number.NEGATIVE_INFINITY) return "(-INFINITY)";
  const v = Math.fround(value);
  if (v === 0) return Object.is(v, -0) ? "-0.0f" : "0.0f";
  for (let p = 1; p <= 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return `${trimMantissa(s)}f`;
  }
  throw new InternalError(`no 9-digit decimal reads back as ${v}`);
}

/** The shortest decimal that reads back as this double, as a C `double` literal. */
export function doubleLiteral(value: number): string {
  if (Number.isNaN(value)) return "((double)NAN)";
  if (value === Number.POSITIVE_INFINITY) return "((double)INFINITY)";
  if (value === Number.NEGATIVE_INFINITY) return "((double)-INFINITY)";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  for (let p = 1; p <= 17; p++) {
    const s = value.toPrecision(p);
    if (Number(s) === value) return trimMantissa(s);
  }
  throw new InternalError(`no 17-digit decimal reads back as ${value}`);
}

const INT_RANGE: Readonly<Partial<Record<CScalarType, readonly [number, number]>>> = {
  int8_t: [-128, 127],
  uint8_t: [0, 255],
  int16_t: [-32768, 32767],
  uint16_t: [0, 65535],
  int32_t: [-2147483648, 2147483647],
  uint32_t: [0, 4294967295],
};

/** A C literal of an integer or floating-point value of this type. */
export function cLiteral(value: number | bigint, ctype: CScalarType): string {
  if (ctype === "float") return floatLiteral(Number(value));
  if (ctype === "double") return doubleLiteral(Number(value));
  if (ctype === "int64_t") {
    const b = BigInt(value);
    if (b < -(2n ** 63n) || b >= 2n ** 63n) throw new InternalError(`${b} does not fit int64_t`);
    return b === -(2n ** 63n) ? "INT64_MIN" : `INT64_C(${b})`;
  }
  const n = Number(value);
  const range = INT_RANGE[ctype]!;
  if (!Number.isInteger(n) || n < range[0] || n > range[1]) {
    throw new InternalError(`${n} does not fit ${ctype}`);
  }
  if (ctype === "int32_t" && n === -2147483648) return "INT32_MIN";
  if (ctype === "uint32_t") return `${n}u`;
  return String(n);
}

/** The initializer `{...}` of a C array: values wrapped over lines, indented by two spaces. */
export function cArrayInitializer(values: ArrayLike<number> | ArrayLike<bigint>, ctype: CScalarType): string {
  const n = values.length;
  if (n === 0) return "{0}";
  const perLine = ctype === "float" || ctype === "double" || ctype === "int64_t" ? 8 : 16;
  const lines: string[] = [];
  let line: string[] = [];
  for (let i = 0; i < n; i++) {
    line.push(cLiteral(values[i]!, ctype));
    if (line.length === perLine) {
      lines.push(`  ${line.join(", ")},`);
      line = [];
    }
  }
  if (line.length > 0) lines.push(`  ${line.join(", ")},`);
  return `{\n${lines.join("\n")}\n}`;
}

/** True if any value of a float array needs `<math.h>` to be written (±∞, NaN). */
export function arrayNeedsMath(values: ArrayLike<number> | ArrayLike<bigint>, ctype: CScalarType): boolean {
  if (ctype !== "float" && ctype !== "double") return false;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(Number(values[i]))) return true;
  return false;
}

/** A C string literal (for layer names in profiles): printable ASCII, others escaped. */
export function cString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (code >= 0x20 && code < 0x7f && ch !== "?") out += ch;
    else out += "_";
  }
  return `${out}"`;
}
