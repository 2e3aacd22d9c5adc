/**
 * The float32 TS kernel of `example.hard_sigmoid`, which the interpreter (the `ts` engine) runs.
 *
 * Numerics: alpha·x is rounded to float32, then + beta is rounded to float32, then clamped —
 * exactly what the three core ops it replaces compute (core.mul, core.add, core.clip, each
 * storing a float32), and what the C kernel computes with `float` arithmetic in two statements
 * (C99 6.5p8 allows contraction into a fused multiply-add only within one expression, and gcc
 * does not contract at all under -std=c99: its -ffp-contract defaults to off in ISO C modes).
 * So the fused op, the unfused graph and the generated C produce the same bytes.
 */
import { defineKernel, type KernelPrepareContext, type TensorInfo } from "@mcu/tensor";
import { hardSigmoidOp } from "./op.js";

/** True if the input and output are plain float32 (no quantization parameters). */
export function isPlainFloat32(ctx: Pick<KernelPrepareContext, "inputs" | "outputs">): boolean {
  const plain = (t: TensorInfo | undefined): boolean =>
    t !== undefined && t.dtype === "float32" && t.quant === undefined;
  return plain(ctx.inputs[0]) && plain(ctx.outputs[0]);
}

/** `example/float32`: y = clamp(fround(fround(alpha·x) + beta), 0, 1). */
export const hardSigmoidFloat32Kernel = defineKernel(hardSigmoidOp, {
  name: "example/float32",
  supports: isPlainFloat32,
  // prepare() runs once per interpreter: round the attributes to float32 here, not per element.
  prepare(ctx) {
    const alpha = Math.fround(ctx.attrs.alpha);
    const beta = Math.fround(ctx.attrs.beta);
    return ({ inputs: [xv], outputs: [yv] }) => {
      const x = xv!.data as Float32Array;
      const y = yv!.data as Float32Array;
      for (let i = 0; i < x.length; i++) {
        const v = Math.fround(Math.fround(alpha * x[i]!) + beta);
        // Comparisons, not Math.min/max: NaN stays NaN, and −0 stays −0, as in core.clip and C.
        y[i] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    };
  },
});
