/**
 * The C-kernel contract: what a plugin contributes, per op and kernel variant, so that
 * @mcu/codegen-c can emit C for a node without knowing the technique behind it.
 *
 * A C kernel extends `CKernelContribution { op, variant }` of @mcu/tensor and is listed in a
 * plugin's `cKernels`. For each node the generator takes the registry's C kernels of the node's
 * op, highest `priority` first (equal priorities keep plugin order), and uses the first whose
 * `supports()` accepts the node on the target — the rule the interpreter uses for TS kernels.
 *
 * A kernel contributes three things:
 * - shared C source (`CSupportCode`: types, macros, static functions, fixed-point helpers),
 *   emitted once per generated model however many nodes use it, in dependency order;
 * - per node, file-scope declarations (constant parameter arrays, descriptor structs) and the
 *   statements that run the node inside `mcu_<name>_invoke`;
 * - scratch buffers (im2col, accumulators) that live only while the node runs; they are
 *   planned in the same static arena as the activations (`planArena`'s `extraBuffers`).
 *
 * Kernel modules need nothing from this package at run time: everything they emit goes
 * through the context they are given (`input()`, `output()`, `scratch()`, `constArray()`), so
 * a technique package can depend on @mcu/codegen-c for its types only (an optional peer).
 */
import type {
  AttrSchema,
  Attrs,
  AttrsOf,
  CKernelContribution,
  KernelPrepareContext,
  OpContract,
  Registry,
} from "@mcu/tensor";
import type { CTarget } from "./targets.js";

/** The C element types a kernel may declare constant arrays of. */
export type CScalarType =
  | "float"
  | "double"
  | "int8_t"
  | "uint8_t"
  | "int16_t"
  | "uint16_t"
  | "int32_t"
  | "uint32_t"
  | "int64_t";

/**
 * C source shared by every node that uses it, emitted once per model. `id` identifies it
 * (`core/conv2d-f32`); two pieces with one id must be the same text. `requires` lists pieces
 * that must come first.
 */
export interface CSupportCode {
  readonly id: string;
  /** File-scope C: `typedef`s, `#define`s and `static` functions (never `extern` symbols). */
  readonly code: string;
  readonly requires?: readonly CSupportCode[];
  /** True when the code calls `<math.h>` functions. */
  readonly math?: boolean;
}

/** What `supports()` and `scratch()` see: the TS kernel's context plus the target. */
export interface CKernelContext<A extends Attrs = Attrs> extends KernelPrepareContext<A> {
  readonly target: CTarget;
  readonly registry: Registry;
}

/** What `emit()` sees: the node, the target, and the means to name data in the generated C. */
export interface CEmitContext<A extends Attrs = Attrs> extends CKernelContext<A> {
  /** A C identifier unique to this node, to prefix its file-scope declarations with. */
  readonly symbol: string;
  /** The node's index in the graph (the layer number in profiles and canary reports). */
  readonly index: number;
  /**
   * A C expression of type `const T *` for input `i` (`T` the dtype's C type; see
   * {@link cTypeOf}): an arena address, or the name of the constant's array, which is then
   * emitted (once per tensor, however many nodes read it). A kernel that re-lays out a
   * constant (repacked weights, folded biases) declares its own arrays with `constArray()` and
   * need not call `input()` for it: the original array is then left out of the program.
   */
  input(i: number): string;
  /** A C expression of type `T *` for output `i` (an arena address). */
  output(i: number): string;
  /** True when `input(i)` and `output(j)` are the same bytes (an aliased reshape). */
  sameBuffer(input: number, output: number): boolean;
  /** A `void *` expression of a scratch buffer this kernel asked for in `scratch()`. */
  scratch(name: string): string;
  /**
   * Declares `static const <ctype> <symbol>_<name>[] = {...}` for this node and returns its
   * name. Values must fit the type; floats are written so that they read back exactly.
   */
  constArray(name: string, ctype: CScalarType, values: ArrayLike<number> | ArrayLike<bigint>): string;
  /** A C literal of a number of this type that reads back exactly (`1.5f`, `-3`, `INT32_MIN`). */
  literal(value: number, ctype: CScalarType): string;
}

/** A scratch buffer a kernel needs while its node runs. */
export interface CScratchRequest {
  readonly name: string;
  readonly bytes: number;
}

/** What a kernel emits for one node. */
export interface CNodeEmission {
  /** Shared code the node's statements call (deduplicated across nodes by `id`). */
  readonly support?: readonly CSupportCode[];
  /** File-scope declarations for this node (parameter structs), beyond `constArray()`s. */
  readonly declarations?: string;
  /** Statements run inside `mcu_<name>_invoke`; may be empty (a reshape that aliases). */
  readonly code: string;
}

/** A C kernel: one op, one variant (`core/float32`, `quant/int8`, `quant/int8-dsp`). */
export interface CKernelDef<A extends Attrs = Attrs> extends CKernelContribution {
  readonly op: string;
  readonly variant: string;
  /** Higher wins when several kernels support a node (default 0). */
  readonly priority?: number;
  /** True if this kernel can run this node on this target (dtypes, attributes, core features). */
  supports(ctx: CKernelContext<A>): boolean;
  /** Scratch buffers the node needs while it runs (planned in the arena). */
  scratch?(ctx: CKernelContext<A>): readonly CScratchRequest[];
  /** The C for one node. */
  emit(ctx: CEmitContext<A>): CNodeEmission;
}

/** True if a registry's C-kernel contribution implements this package's full contract. */
export function isCKernelDef(c: CKernelContribution): c is CKernelDef {
  const k = c as Partial<CKernelDef>;
  return typeof k.supports === "function" && typeof k.emit === "function";
}

/** Declares a C kernel for an op contract; its attributes are typed by the contract (like `defineKernel`). */
export function defineCKernel<S extends AttrSchema>(
  op: OpContract<S>,
  spec: Omit<CKernelDef<AttrsOf<S>>, "op">,
): CKernelDef {
  return Object.freeze({ ...spec, op: op.name }) as unknown as CKernelDef;
}
