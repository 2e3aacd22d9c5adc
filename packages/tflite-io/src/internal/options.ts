/** Builtin options tables by name, with the schema's defaults. */
import { InternalError } from "@mcu/tensor";
import type { OptionValue, OptionValues } from "./model.js";
import { BUILTIN_OPTIONS, BUILTIN_OPTIONS_2, type TableDesc } from "./schema.generated.js";

/** Where an options table sits: its descriptor, union (1 or 2) and union type. */
export interface OptionsTable {
  readonly desc: TableDesc;
  readonly union: 1 | 2;
  readonly type: number;
}

const BY_NAME = new Map<string, OptionsTable>();
BUILTIN_OPTIONS.forEach((desc, type) => {
  if (desc !== undefined) BY_NAME.set(desc.name, { desc, union: 1, type });
});
BUILTIN_OPTIONS_2.forEach((desc, type) => {
  if (desc !== undefined) BY_NAME.set(desc.name, { desc, union: 2, type });
});

/** The options table called `name` (e.g. `Conv2DOptions`). */
export function optionsTable(name: string): OptionsTable {
  const t = BY_NAME.get(name);
  if (t === undefined) throw new InternalError(`schema has no options table ${name}`);
  return t;
}

/** The name of BuiltinOptions union type `type`, if any. */
export function optionsName(union: 1 | 2, type: number): string | undefined {
  return (union === 1 ? BUILTIN_OPTIONS : BUILTIN_OPTIONS_2)[type]?.name;
}

/** A field's value: as stored, or the schema default (bools as booleans). */
export function optionValue(
  values: OptionValues | undefined,
  table: OptionsTable,
  field: string,
): OptionValue {
  const stored = values?.[field];
  if (stored !== undefined) return stored;
  const f = table.desc.fields.find((d) => d.name === field);
  if (f === undefined) throw new InternalError(`${table.desc.name} has no field ${field}`);
  if (f.type.startsWith("[")) return [];
  if (f.type === "string") return "";
  return f.type === "bool" ? f.default === true : Number(f.default);
}
