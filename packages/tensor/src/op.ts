/**
 * Op contracts: what an op means independent of how it is computed — its attributes, inputs,
 * shape inference, and how to count its work (MACs) and its parameters.
 */
import type { AttrSchema, AttrsOf, Attrs } from "./attrs.js";
import type { DType } from "./dtype.js";
import { McuError } from "./errors.js";
import { isConstant, tensorBytes, type TensorInfo } from "./tensor-info.js";

/** What shape inference and the counters see of a node. */
export interface OpContext<A extends Attrs = Attrs> {
  /** The node's name, for error messages. */
  readonly node: string;
  /** Input tensors; `undefined` for absent optional inputs. Constants carry `data`. */
  readonly inputs: readonly (TensorInfo | undefined)[];
  readonly attrs: A;
}

/** What the counters see: the node plus its (already inferred) outputs. */
export interface OpCountContext<A extends Attrs = Attrs> extends OpContext<A> {
  readonly outputs: readonly TensorInfo[];
}

/** An inferred output: its shape, and its dtype when the op determines it. */
export interface InferredOutput {
  readonly shape: readonly number[];
  readonly dtype?: DType;
}

/** The declaration of an op, as passed to {@link defineOp}. */
export interface OpDef<S extends AttrSchema> {
  /** Namespaced name: `core.conv2d`. */
  readonly name: string;
  /** One line: what the op computes. */
  readonly doc: string;
  readonly attrs: S;
  /** Input names; `name?` is optional, `name...` variadic (zero or more; must be last). */
  readonly inputs: readonly string[];
  /** Output names (default `["y"]`); a last `name...` allows any number of outputs. */
  readonly outputs?: readonly string[];
  /** Output shapes (and dtypes). Ops without it keep the shapes their importer recorded. */
  inferShape?(ctx: OpContext<AttrsOf<S>>): readonly InferredOutput[];
  /** Multiply-accumulates of one execution (0 when omitted). */
  macs?(ctx: OpCountContext<AttrsOf<S>>): number;
  /** Bytes of parameters (default: constant inputs, as stored). */
  paramBytes?(ctx: OpCountContext<AttrsOf<S>>): number;
  /** Output 0 is a view of this input (reshape-like): the planner may give both one buffer. */
  readonly aliasesInput?: number;
}

/**
 * A registered op contract. `S` types its attributes for kernels and builders. The functions
 * are methods so that a contract with a specific schema is usable wherever any contract is.
 */
export interface OpContract<S extends AttrSchema = AttrSchema> extends Omit<OpDef<S>, "outputs"> {
  readonly outputs: readonly string[];
  readonly minInputs: number;
  readonly maxInputs: number;
  macs(ctx: OpCountContext<AttrsOf<S>>): number;
  paramBytes(ctx: OpCountContext<AttrsOf<S>>): number;
}

const OP_NAME = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;

/** Sum of the bytes of a node's constant inputs, as stored. */
export function constantInputBytes(ctx: OpContext): number {
  let bytes = 0;
  for (const t of ctx.inputs) if (t !== undefined && isConstant(t)) bytes += tensorBytes(t);
  return bytes;
}

/** Declares an op contract. Op names are `namespace.snake_case`. */
export function defineOp<const S extends AttrSchema>(def: OpDef<S>): OpContract<S> {
  if (!OP_NAME.test(def.name)) {
    throw new McuError("MCU_E_PLUGIN", `op name "${def.name}" must look like "namespace.op_name"`);
  }
  let min = 0;
  let max = 0;
  def.inputs.forEach((name, i) => {
    if (name.endsWith("...")) {
      if (i !== def.inputs.length - 1) {
        throw new McuError("MCU_E_PLUGIN", `${def.name}: only the last input may be variadic`);
      }
      max = Number.POSITIVE_INFINITY;
    } else {
      if (!name.endsWith("?")) min = i + 1;
      max += 1;
    }
  });
  return Object.freeze({
    ...def,
    outputs: def.outputs ?? ["y"],
    minInputs: min,
    maxInputs: max,
    macs: def.macs ?? (() => 0),
    paramBytes: def.paramBytes ?? constantInputBytes,
  });
}
