/** Choosing the C kernel of a node: the registry's C kernels of its op, by priority then supports(). */
import { McuError } from "@mcu/tensor";
import { type CKernelContext, type CKernelDef, isCKernelDef } from "./contract.js";

/** The C kernels of an op that implement the full contract, highest priority first (stable). */
export function cKernelsOf(ctx: CKernelContext): CKernelDef[] {
  const all = ctx.registry.cKernels(ctx.node.op).filter(isCKernelDef);
  return all
    .map((k, i) => ({ k, i }))
    .sort((a, b) => (b.k.priority ?? 0) - (a.k.priority ?? 0) || a.i - b.i)
    .map((e) => e.k);
}

/**
 * The C kernel that will emit this node: the highest-priority one whose `supports()` accepts it
 * (the interpreter's rule for TS kernels), or `MCU_E_NO_C_KERNEL`.
 */
export function selectCKernel(ctx: CKernelContext): CKernelDef {
  const candidates = cKernelsOf(ctx);
  const k = candidates.find((c) => c.supports(ctx));
  if (k === undefined) {
    const dtypes = ctx.inputs.map((t) => t?.dtype ?? "-").join(",");
    const tried = candidates.map((c) => c.variant).join(", ");
    throw new McuError(
      "MCU_E_NO_C_KERNEL",
      `no C kernel for ${ctx.target.name} emits ${ctx.node.op} "${ctx.node.name}" with input dtypes (${dtypes})` +
        (tried === "" ? " (no installed plugin contributes one for this op)" : ` (tried ${tried})`),
      { node: ctx.node.name },
    );
  }
  return k;
}
