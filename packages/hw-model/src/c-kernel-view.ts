/**
 * What hw-model reads of @mcu/codegen-c's C-kernel contract — structurally, without importing
 * that package (DESIGN: codegen-c and hw-model are siblings on @mcu/tensor; hw-model must not
 * need codegen-c at run time). The kernels themselves are the shared description: when the
 * registry holds C kernels (codegen-c's float and data-movement kernels, @mcu/quant's integer
 * kernels, a plugin's), hw-model asks them — with the generator's own selection rule — which
 * kernel a node gets on a core, which scratch buffers it needs (planned in the arena exactly as
 * codegen-c plans them) and what it emits: constant arrays (the weights as stored in flash),
 * shared C code, per-layer declarations.
 *
 * The interfaces below are the subset of codegen-c's `CKernelDef` / `CEmitContext` /
 * `CTarget` that this file uses; `c-kernel-view.test.ts` checks codegen-c's real types against
 * them, so a change of the contract fails to compile there.
 */
import type { CKernelContribution, KernelPrepareContext, Registry } from "@mcu/tensor";
import { CORE_FAMILY_SPECS, type CoreFamily } from "./cores.js";

/** The part of codegen-c's `CTarget` a kernel's `supports()` / `scratch()` / `emit()` reads. */
export interface CTargetView {
  readonly name: string;
  readonly kind: "host" | "cortex-m";
  readonly dsp: boolean;
  readonly fpu: "none" | "sp" | "dp";
  readonly cflags: readonly string[];
}

/** What `supports()` and `scratch()` see (codegen-c's `CKernelContext`). */
export interface CKernelContextView extends KernelPrepareContext {
  readonly target: CTargetView;
  readonly registry: Registry;
}

/** The C scalar types a kernel may declare constant arrays of (codegen-c's `CScalarType`). */
export type CScalarTypeView =
  | "float"
  | "double"
  | "int8_t"
  | "uint8_t"
  | "int16_t"
  | "uint16_t"
  | "int32_t"
  | "uint32_t"
  | "int64_t";

/** What `emit()` sees (codegen-c's `CEmitContext`). */
export interface CEmitContextView extends CKernelContextView {
  readonly symbol: string;
  readonly index: number;
  input(i: number): string;
  output(i: number): string;
  sameBuffer(input: number, output: number): boolean;
  scratch(name: string): string;
  constArray(name: string, ctype: CScalarTypeView, values: ArrayLike<number> | ArrayLike<bigint>): string;
  literal(value: number, ctype: CScalarTypeView): string;
}

/** Shared C code (codegen-c's `CSupportCode`): emitted once per model per `id`. */
export interface CSupportCodeView {
  readonly id: string;
  readonly code: string;
  readonly requires?: readonly CSupportCodeView[];
}

/** What a kernel emits for one node (codegen-c's `CNodeEmission`). */
export interface CNodeEmissionView {
  readonly support?: readonly CSupportCodeView[];
  readonly declarations?: string;
  readonly code: string;
}

/** A C kernel as hw-model reads it (codegen-c's `CKernelDef`). */
export interface CKernelView extends CKernelContribution {
  readonly priority?: number;
  supports(ctx: CKernelContextView): boolean;
  scratch?(ctx: CKernelContextView): readonly { readonly name: string; readonly bytes: number }[];
  emit(ctx: CEmitContextView): CNodeEmissionView;
}

/** True if a registry C-kernel contribution has the members hw-model calls. */
export function isCKernelView(c: CKernelContribution): c is CKernelView {
  const k = c as Partial<CKernelView>;
  return typeof k.supports === "function" && typeof k.emit === "function";
}

const FPU: Readonly<Record<CoreFamily, CTargetView["fpu"]>> = {
  "cortex-m0plus": "none",
  "cortex-m4": "sp",
  // codegen-c's cortex-m7 target builds for the double-precision FPU (fpv5-d16).
  "cortex-m7": "dp",
  "cortex-m33": "sp",
};

/** The code-generation target of a core family, as codegen-c's kernels see it. */
export function cTargetOfFamily(family: CoreFamily): CTargetView {
  return { name: family, kind: "cortex-m", dsp: CORE_FAMILY_SPECS[family].dsp, fpu: FPU[family], cflags: [] };
}

/**
 * The C kernel the generator would pick for a node: the registry's C kernels of the node's op,
 * highest `priority` first (stable: registration order breaks ties), the first whose
 * `supports()` accepts the node — codegen-c's `selectCKernel` rule. Undefined when none does
 * (codegen-c then fails with `MCU_E_NO_C_KERNEL`).
 */
export function selectCKernelView(ctx: CKernelContextView): CKernelView | undefined {
  const all = ctx.registry.cKernels(ctx.node.op).filter(isCKernelView);
  const ordered = all
    .map((k, i) => ({ k, i }))
    .sort((a, b) => (b.k.priority ?? 0) - (a.k.priority ?? 0) || a.i - b.i)
    .map((e) => e.k);
  return ordered.find((k) => k.supports(ctx));
}

/** Bytes of one element of a C scalar type on Arm EABI (and any ILP32/LP64 host). */
export function cScalarBytes(ctype: CScalarTypeView): number {
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
