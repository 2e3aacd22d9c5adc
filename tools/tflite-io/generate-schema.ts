/**
 * Generates packages/tflite-io/src/internal/schema.generated.ts from the TFLite flatbuffer
 * schema (packages/tflite-io/schema/schema.fbs, a byte-identical copy of tflite-micro's
 * tensorflow/compiler/mlir/lite/schema/schema.fbs).
 *
 * The reader and writer in @mcu/tflite-io are written by hand against the schema's root tables
 * (Model, SubGraph, Tensor, Operator, ...), with a bounds check before every read. What is
 * tedious and error-prone to copy by hand is generated here: every enum (BuiltinOperator,
 * TensorType, ActivationFunctionType, ...), and the field layout (slot, type, default) of every
 * table in the BuiltinOptions and BuiltinOptions2 unions, which a generic options codec reads
 * and writes.
 *
 * Run: node --import tsx tools/tflite-io/generate-schema.ts
 * (flatc is not needed: this is a small parser for the subset of the .fbs grammar the schema
 * uses — enums, unions and tables with scalar, string, vector, enum, table and union fields.)
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..", "..");
const schemaPath = join(root, "packages", "tflite-io", "schema", "schema.fbs");
const outPath = join(root, "packages", "tflite-io", "src", "internal", "schema.generated.ts");

const source = readFileSync(schemaPath, "utf8");
const text = source.replace(/\/\/[^\n]*/g, "");

/** Scalar types of the .fbs grammar, by their canonical name. */
const SCALARS: Record<string, string> = {
  bool: "bool",
  byte: "int8",
  int8: "int8",
  ubyte: "uint8",
  uint8: "uint8",
  short: "int16",
  int16: "int16",
  ushort: "uint16",
  uint16: "uint16",
  int: "int32",
  int32: "int32",
  uint: "uint32",
  uint32: "uint32",
  long: "int64",
  int64: "int64",
  ulong: "uint64",
  uint64: "uint64",
  float: "float32",
  float32: "float32",
  double: "float64",
  float64: "float64",
};

interface EnumDecl {
  readonly name: string;
  readonly base: string;
  readonly values: [string, number][];
}
interface UnionDecl {
  readonly name: string;
  readonly members: string[];
}
interface FieldDecl {
  readonly name: string;
  readonly type: string;
  readonly dflt: string | undefined;
  readonly deprecated: boolean;
}
interface TableDecl {
  readonly name: string;
  readonly fields: FieldDecl[];
}

const enums = new Map<string, EnumDecl>();
const unions = new Map<string, UnionDecl>();
const tables = new Map<string, TableDecl>();

const blockRe = /\b(enum|union|table|struct)\s+(\w+)\s*(?::\s*(\w+))?\s*(\([^)]*\))?\s*\{([^}]*)\}/g;
for (const m of text.matchAll(blockRe)) {
  const [, kind, name, base, , body] = m as unknown as [
    string,
    string,
    string,
    string | undefined,
    string,
    string,
  ];
  if (kind === "enum") {
    let next = 0;
    const values: [string, number][] = [];
    for (const item of body.split(",")) {
      const im = /^\s*(\w+)\s*(?:=\s*(-?\w+))?\s*(\([^)]*\))?\s*$/.exec(item);
      if (im === null) continue;
      const value = im[2] !== undefined ? Number(im[2]) : next;
      values.push([im[1]!, value]);
      next = value + 1;
    }
    enums.set(name, { name, base: SCALARS[base ?? "int"]!, values });
  } else if (kind === "union") {
    const members: string[] = [];
    for (const item of body.split(",")) {
      const im = /^\s*(\w+)\s*(\([^)]*\))?\s*$/.exec(item);
      if (im !== null) members.push(im[1]!);
    }
    unions.set(name, { name, members });
  } else {
    const fields: FieldDecl[] = [];
    for (const decl of body.split(";")) {
      const fm = /^\s*(\w+)\s*:\s*(\[\s*\w+\s*\]|\w+)\s*(?:=\s*([\w.+-]+))?\s*(\([^)]*\))?\s*$/.exec(decl);
      if (fm === null) {
        if (decl.trim() !== "") throw new Error(`cannot parse field "${decl.trim()}" of ${name}`);
        continue;
      }
      fields.push({
        name: fm[1]!,
        type: fm[2]!.replace(/\s+/g, ""),
        dflt: fm[3],
        deprecated: (fm[4] ?? "").includes("deprecated"),
      });
    }
    tables.set(name, { name, fields });
  }
}

/** The descriptor type of a field: a scalar, "string", "[scalar]", "table", "union" or "[table]". */
function fieldType(type: string): { type: string; enumName?: string } {
  const vec = /^\[(\w+)\]$/.exec(type);
  if (vec !== null) {
    const inner = vec[1]!;
    if (SCALARS[inner] !== undefined) return { type: `[${SCALARS[inner]}]` };
    if (enums.has(inner)) return { type: `[${enums.get(inner)!.base}]`, enumName: inner };
    if (inner === "string") return { type: "[string]" };
    return { type: "[table]" };
  }
  if (SCALARS[type] !== undefined) return { type: SCALARS[type]! };
  if (type === "string") return { type: "string" };
  if (enums.has(type)) return { type: enums.get(type)!.base, enumName: type };
  if (unions.has(type)) return { type: "union" };
  return { type: "table" };
}

function defaultValue(f: FieldDecl, enumName: string | undefined): number | boolean {
  if (f.dflt === undefined) return fieldType(f.type).type === "bool" ? false : 0;
  if (f.dflt === "true") return true;
  if (f.dflt === "false") return false;
  if (enumName !== undefined && !/^-?\d/.test(f.dflt)) {
    const v = enums.get(enumName)!.values.find(([n]) => n === f.dflt);
    if (v === undefined) throw new Error(`unknown default ${f.dflt} of ${enumName}`);
    return v[1];
  }
  return Number(f.dflt);
}

interface FieldDesc {
  name: string;
  slot: number;
  type: string;
  default: number | boolean;
  enum?: string;
  deprecated?: true;
}

function tableDesc(name: string): { name: string; fields: FieldDesc[] } {
  const t = tables.get(name);
  if (t === undefined) throw new Error(`no table ${name}`);
  const fields: FieldDesc[] = [];
  let slot = 0;
  for (const f of t.fields) {
    const ft = fieldType(f.type);
    if (ft.type === "union") {
      // A union field takes two slots: its type (ubyte) and its value.
      fields.push({ name: `${f.name}_type`, slot, type: "uint8", default: 0 });
      slot++;
    }
    fields.push({
      name: f.name,
      slot,
      type: ft.type,
      default: defaultValue(f, ft.enumName),
      ...(ft.enumName !== undefined ? { enum: ft.enumName } : {}),
      ...(f.deprecated ? { deprecated: true as const } : {}),
    });
    slot++;
  }
  return { name, fields };
}

const lines: string[] = [];
const sha = createHash("sha256").update(readFileSync(schemaPath)).digest("hex");
lines.push(
  "/**",
  " * GENERATED by tools/tflite-io/generate-schema.ts from packages/tflite-io/schema/schema.fbs",
  ` * (sha256 ${sha}). Do not edit; regenerate.`,
  " */",
  "",
  "/** A field of a generated table descriptor. */",
  "export interface FieldDesc {",
  "  readonly name: string;",
  "  /** The vtable slot (declaration order; a union field takes two). */",
  "  readonly slot: number;",
  "  /** A scalar (`int32`, `float32`, `bool`, ...), `string`, `[scalar]`, `[string]`, `table`, `[table]` or `union`. */",
  "  readonly type: string;",
  "  readonly default: number | boolean;",
  "  /** The enum a scalar field holds. */",
  "  readonly enum?: string;",
  "  readonly deprecated?: true;",
  "}",
  "",
  "/** A generated table descriptor. */",
  "export interface TableDesc {",
  "  readonly name: string;",
  "  readonly fields: readonly FieldDesc[];",
  "}",
  "",
  `/** sha256 of the schema this file was generated from. */`,
  `export const SCHEMA_SHA256 = "${sha}";`,
  "",
);

lines.push(
  "/** Every enum of the schema: value → name. */",
  "export const ENUMS: Readonly<Record<string, Readonly<Record<number, string>>>> = {",
);
for (const e of enums.values()) {
  lines.push(`  ${e.name}: {`);
  for (const [n, v] of e.values) lines.push(`    ${v}: "${n}",`);
  lines.push("  },");
}
lines.push("};", "");

const ops = enums.get("BuiltinOperator")!;
lines.push(
  "/** BuiltinOperator: name → code. */",
  "export const BUILTIN_OPERATOR: Readonly<Record<string, number>> = {",
);
for (const [n, v] of ops.values) lines.push(`  ${n}: ${v},`);
lines.push("};", "");

for (const unionName of ["BuiltinOptions", "BuiltinOptions2"]) {
  const u = unions.get(unionName)!;
  const constName = unionName === "BuiltinOptions" ? "BUILTIN_OPTIONS" : "BUILTIN_OPTIONS_2";
  lines.push(
    `/** The tables of the ${unionName} union, indexed by union type (0 = NONE). */`,
    `export const ${constName}: readonly (TableDesc | undefined)[] = [`,
    "  undefined,",
  );
  for (const member of u.members) lines.push(`  ${JSON.stringify(tableDesc(member))},`);
  lines.push("];", "");
}

writeFileSync(outPath, `${lines.join("\n")}`);
process.stdout.write(`wrote ${outPath}\n`);
