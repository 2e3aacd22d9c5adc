/**
 * Typed node attributes. An op declares an attribute schema with the `attr` helpers; nodes
 * carry complete attributes (defaults filled in by {@link normalizeAttrs}).
 */
import { McuError } from "./errors.js";

/** A value an attribute may hold. */
export type AttrValue = number | boolean | string | readonly number[] | readonly string[] | Uint8Array;

/** A node's attributes. */
export type Attrs = Readonly<Record<string, AttrValue>>;

/** The kinds of attributes. */
export type AttrKind = "int" | "float" | "bool" | "string" | "ints" | "floats" | "strings" | "bytes";

/** The declaration of one attribute. `T` is its TypeScript type. */
export interface AttrSpec<T extends AttrValue = AttrValue> {
  readonly kind: AttrKind;
  /** Used when the node does not set the attribute; without it the attribute is required. */
  readonly default?: T;
  /** Allowed values of a string attribute. */
  readonly values?: readonly string[];
  readonly doc?: string;
}

/** An op's attribute schema. */
export type AttrSchema = Readonly<Record<string, AttrSpec>>;

/** The attribute object a schema describes. */
export type AttrsOf<S extends AttrSchema> = { readonly [K in keyof S]: S[K] extends AttrSpec<infer T> ? T : never };

function spec<T extends AttrValue>(kind: AttrKind, dflt: T | undefined, doc?: string): AttrSpec<T> {
  return { kind, ...(dflt !== undefined ? { default: dflt } : {}), ...(doc !== undefined ? { doc } : {}) };
}

/** Builders for attribute declarations. */
export const attr = {
  int: (dflt?: number, doc?: string): AttrSpec<number> => spec("int", dflt, doc),
  float: (dflt?: number, doc?: string): AttrSpec<number> => spec("float", dflt, doc),
  bool: (dflt?: boolean, doc?: string): AttrSpec<boolean> => spec("bool", dflt, doc),
  string: (dflt?: string, doc?: string): AttrSpec<string> => spec("string", dflt, doc),
  ints: (dflt?: readonly number[], doc?: string): AttrSpec<readonly number[]> => spec("ints", dflt, doc),
  floats: (dflt?: readonly number[], doc?: string): AttrSpec<readonly number[]> => spec("floats", dflt, doc),
  strings: (dflt?: readonly string[], doc?: string): AttrSpec<readonly string[]> => spec("strings", dflt, doc),
  bytes: (dflt?: Uint8Array, doc?: string): AttrSpec<Uint8Array> => spec("bytes", dflt, doc),
  /** A string attribute restricted to `values`. */
  enum: <const V extends readonly string[]>(values: V, dflt?: V[number], doc?: string): AttrSpec<V[number]> => ({
    ...spec<V[number]>("string", dflt, doc),
    values,
  }),
};

function kindOf(v: AttrValue): AttrKind | "array" {
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string") return "string";
  if (v instanceof Uint8Array) return "bytes";
  return "array";
}

/** True if `v` is acceptable for an attribute of this spec. */
export function attrValueMatches(s: AttrSpec, v: AttrValue): boolean {
  const k = kindOf(v);
  switch (s.kind) {
    case "int":
      return k === "int";
    case "float":
      return k === "int" || k === "float";
    case "bool":
      return k === "bool";
    case "string":
      return k === "string" && (s.values === undefined || s.values.includes(v as string));
    case "bytes":
      return k === "bytes";
    case "ints":
      return k === "array" && (v as readonly unknown[]).every((x) => typeof x === "number" && Number.isInteger(x));
    case "floats":
      return k === "array" && (v as readonly unknown[]).every((x) => typeof x === "number");
    case "strings":
      return k === "array" && (v as readonly unknown[]).every((x) => typeof x === "string");
  }
}

/**
 * Checks attributes against a schema and fills in defaults. Unknown, missing-required and
 * mistyped attributes throw `MCU_E_ATTR`.
 */
export function normalizeAttrs(opName: string, schema: AttrSchema, attrs: Attrs, node?: string): Attrs {
  const where = node !== undefined ? { node } : {};
  for (const key of Object.keys(attrs)) {
    if (!(key in schema)) {
      throw new McuError("MCU_E_ATTR", `${opName} has no attribute "${key}"`, where);
    }
  }
  const out: Record<string, AttrValue> = {};
  for (const [key, s] of Object.entries(schema)) {
    const v = attrs[key] ?? s.default;
    if (v === undefined) throw new McuError("MCU_E_ATTR", `${opName} requires attribute "${key}"`, where);
    if (!attrValueMatches(s, v)) {
      const allowed = s.values !== undefined ? ` (one of ${s.values.join(", ")})` : "";
      throw new McuError(
        "MCU_E_ATTR",
        `${opName} attribute "${key}" must be ${s.kind}${allowed}, got ${JSON.stringify(v instanceof Uint8Array ? "bytes" : v)}`,
        where,
      );
    }
    out[key] = v;
  }
  return out;
}
