/**
 * Typed access to an ONNX node's attributes (AttributeProto in onnx.proto). The `type`
 * discriminator decides which field holds the value; a value of the wrong kind is an
 * `MCU_E_ONNX_ATTR` naming the node.
 */
import { McuError } from "@mcu/tensor";
import type { onnx } from "./generated/onnx.generated.js";
import { int64ToNumber } from "./internal/int64.js";
import { type ConstTensor, decodeTensorProto } from "./tensor-proto.js";

/** AttributeProto.AttributeType codes. */
const KIND = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;
const KIND_NAMES: Readonly<Record<number, string>> = {
  1: "float",
  2: "int",
  3: "string",
  4: "tensor",
  5: "graph",
  6: "floats",
  7: "ints",
  8: "strings",
  9: "tensors",
  10: "graphs",
  11: "sparse tensor",
  12: "sparse tensors",
  13: "type",
  14: "types",
};

/** The kind of an attribute: its `type`, or (IR version 1 files) the field that is set. */
function kindOf(a: onnx.AttributeProto.$Properties): number {
  if (a.type) return a.type;
  if ((a.ints?.length ?? 0) > 0) return KIND.INTS;
  if ((a.floats?.length ?? 0) > 0) return KIND.FLOATS;
  if ((a.strings?.length ?? 0) > 0) return KIND.STRINGS;
  if (a.t) return KIND.TENSOR;
  if (a.g) return KIND.GRAPH;
  if (a.s && a.s.length > 0) return KIND.STRING;
  if (a.f !== undefined && a.f !== null && a.f !== 0) return KIND.FLOAT;
  return KIND.INT;
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** A node's attributes by name. */
export class NodeAttributes {
  private readonly byName = new Map<string, onnx.AttributeProto.$Properties>();

  constructor(
    attrs: readonly onnx.AttributeProto.$Properties[] | null | undefined,
    private readonly node: string,
  ) {
    for (const a of attrs ?? []) this.byName.set(a.name ?? "", a);
  }

  /** The attribute protos, as the file has them. */
  protos(): onnx.AttributeProto.$Properties[] {
    return [...this.byName.values()];
  }

  /** True if the attribute is present. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Every attribute name present. */
  names(): string[] {
    return [...this.byName.keys()];
  }

  private get(name: string, kind: number): onnx.AttributeProto.$Properties | undefined {
    const a = this.byName.get(name);
    if (a === undefined) return undefined;
    const k = kindOf(a);
    if (k !== kind) {
      throw new McuError(
        "MCU_E_ONNX_ATTR",
        `attribute "${name}" must be ${KIND_NAMES[kind]}, the file has ${KIND_NAMES[k] ?? `kind ${k}`}`,
        { node: this.node },
      );
    }
    return a;
  }

  /** An INT attribute. */
  int(name: string, dflt: number): number;
  int(name: string): number | undefined;
  int(name: string, dflt?: number): number | undefined {
    const a = this.get(name, KIND.INT);
    return a === undefined ? dflt : int64ToNumber(a.i);
  }

  /** An INTS attribute. */
  ints(name: string, dflt: readonly number[]): number[];
  ints(name: string): number[] | undefined;
  ints(name: string, dflt?: readonly number[]): number[] | undefined {
    const a = this.get(name, KIND.INTS);
    return a === undefined ? (dflt === undefined ? undefined : [...dflt]) : (a.ints ?? []).map(int64ToNumber);
  }

  /** A FLOAT attribute. */
  float(name: string, dflt: number): number;
  float(name: string): number | undefined;
  float(name: string, dflt?: number): number | undefined {
    const a = this.get(name, KIND.FLOAT);
    return a === undefined ? dflt : (a.f ?? 0);
  }

  /** A FLOATS attribute. */
  floats(name: string): number[] | undefined {
    const a = this.get(name, KIND.FLOATS);
    return a === undefined ? undefined : [...(a.floats ?? [])];
  }

  /** A STRING attribute (UTF-8). */
  string(name: string, dflt: string): string;
  string(name: string): string | undefined;
  string(name: string, dflt?: string): string | undefined {
    const a = this.get(name, KIND.STRING);
    return a === undefined ? dflt : utf8.decode(a.s ?? new Uint8Array(0));
  }

  /** A TENSOR attribute, decoded. */
  tensor(name: string): ConstTensor | undefined {
    const a = this.get(name, KIND.TENSOR);
    if (a === undefined) return undefined;
    if (!a.t) throw new McuError("MCU_E_ONNX_ATTR", `attribute "${name}" has no tensor`, { node: this.node });
    return decodeTensorProto(a.t, `${this.node}:${name}`);
  }
}
