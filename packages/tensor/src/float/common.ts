/** Helpers shared by the float32 reference kernels. */
import type { KernelPrepareContext } from "../kernel.js";
import type { TensorInfo } from "../tensor-info.js";

/** True if every present input and every output is float32 and unquantized. */
export function allFloat32(ctx: KernelPrepareContext): boolean {
  const isFloat = (t: TensorInfo | undefined): boolean => t === undefined || (t.dtype === "float32" && t.quant === undefined);
  return ctx.inputs.every(isFloat) && ctx.outputs.every(isFloat);
}

/**
 * True if all present inputs and the outputs share one dtype and identical quantization:
 * data-movement kernels then copy values without requantizing.
 */
export function sameTypeMovement(ctx: KernelPrepareContext): boolean {
  const first = ctx.outputs[0];
  if (first === undefined) return false;
  const same = (t: TensorInfo | undefined): boolean => {
    if (t === undefined) return true;
    if (t.dtype !== first.dtype) return false;
    const a = t.quant;
    const b = first.quant;
    if (a === undefined || b === undefined) return a === b;
    return (
      a.scale.length === b.scale.length &&
      a.scale.every((s, i) => s === b.scale[i]) &&
      a.zeroPoint.every((z, i) => z === b.zeroPoint[i])
    );
  };
  return ctx.inputs.every(same) && ctx.outputs.every(same);
}
