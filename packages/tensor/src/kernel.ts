/**
 * TypeScript kernels: implementations of ops that the interpreter runs. Several kernels may
 * implement one op (float32, int8, ...); the registry picks the first that `supports` a node.
 */
import type { AttrSchema, AttrsOf, Attrs } from "./attrs.js";
import type { Node } from "./graph.js";
import type { OpContract } from "./op.js";
import type { TensorInfo, Value } from "./tensor-info.js";

/** What a kernel sees when it is prepared for one node (once per interpreter). */
export interface KernelPrepareContext<A extends Attrs = Attrs> {
  readonly node: Node;
  readonly attrs: A;
  /** Input tensors; constants carry `data`, activations do not. */
  readonly inputs: readonly (TensorInfo | undefined)[];
  readonly outputs: readonly TensorInfo[];
}

/** The values of one execution: inputs, and output buffers the kernel fills. */
export interface KernelRunArgs {
  readonly inputs: readonly (Value | undefined)[];
  readonly outputs: readonly Value[];
}

/** A prepared kernel: runs one node. */
export type KernelRun = (args: KernelRunArgs) => void;

/** A kernel registered for one op. */
export interface KernelDef<A extends Attrs = Attrs> {
  readonly op: string;
  /** `plugin/variant`, e.g. `core/float32`, `quant/int8`. */
  readonly name: string;
  /** Higher wins when several kernels support a node (default 0). */
  readonly priority: number;
  /** True if this kernel can run this node (dtypes, attributes, ...). */
  readonly supports: (ctx: KernelPrepareContext<A>) => boolean;
  /** Precomputes what it can (multipliers, repacked weights) and returns the run function. */
  readonly prepare: (ctx: KernelPrepareContext<A>) => KernelRun;
}

/** The declaration passed to {@link defineKernel}: give `prepare`, or just `run`. */
export type KernelSpec<A extends Attrs> = {
  readonly name: string;
  readonly priority?: number;
  readonly supports: (ctx: KernelPrepareContext<A>) => boolean;
} & (
  | { readonly prepare: (ctx: KernelPrepareContext<A>) => KernelRun; readonly run?: never }
  | { readonly run: (args: KernelRunArgs & { readonly node: Node; readonly attrs: A }) => void; readonly prepare?: never }
);

/** Declares a kernel for an op contract; its attributes are typed by the contract. */
export function defineKernel<S extends AttrSchema>(op: OpContract<S>, spec: KernelSpec<AttrsOf<S>>): KernelDef {
  const prepare: (ctx: KernelPrepareContext<AttrsOf<S>>) => KernelRun =
    spec.prepare ??
    ((ctx) => {
      const run = spec.run!;
      const { node, attrs } = ctx;
      return (args) => run({ ...args, node, attrs });
    });
  return Object.freeze({
    op: op.name,
    name: spec.name,
    priority: spec.priority ?? 0,
    supports: spec.supports as KernelDef["supports"],
    prepare: prepare as KernelDef["prepare"],
  });
}
