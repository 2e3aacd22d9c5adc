/**
 * The C kernel of `example.hard_sigmoid` for @mcu/codegen-c, written against its C-kernel
 * contract (`CKernelDef`, see packages/codegen-c/README.md "Writing a C kernel").
 *
 * Only types come from @mcu/codegen-c (an optional peer dependency): everything the kernel
 * emits goes through the context it is given, so this module runs without that package — a
 * plugin user who never generates C need not install it.
 */
import type { CKernelDef, CSupportCode } from "@mcu/codegen-c";
import { numElements } from "@mcu/tensor";
import { isPlainFloat32 } from "./kernel.js";

/**
 * The shared C function, emitted once per model however many nodes call it. Support code must
 * be warning-free C99 under -Wall -Wextra -Werror and declare only `static` symbols; the `ex_`
 * prefix keeps it apart from codegen-c's `mcu_` functions. Two statements for alpha·x and
 * + beta so that no compiler contracts them into a fused multiply-add (see kernel.ts).
 */
export const hardSigmoidSupport: CSupportCode = {
  id: "example/hard-sigmoid-f32",
  code: `
static void ex_hard_sigmoid_f32(const float *x, float *y, int32_t n, float alpha, float beta) {
  int32_t i;
  for (i = 0; i < n; i++) {
    float v = alpha * x[i];
    v = v + beta;
    y[i] = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
  }
}`,
};

/** `example/float32`: one call per node; alpha and beta as exact float literals. */
export const hardSigmoidCKernel: CKernelDef = {
  op: "example.hard_sigmoid",
  variant: "example/float32",
  priority: 0,
  // The same context the TS kernel's supports() gets, plus ctx.target (dsp, fpu, kind).
  supports: isPlainFloat32,
  emit(ctx) {
    const n = numElements(ctx.outputs[0]!.shape);
    // Rounded to float32 first, as the TS kernel's prepare() does.
    const alpha = ctx.literal(Math.fround(ctx.attrs.alpha as number), "float");
    const beta = ctx.literal(Math.fround(ctx.attrs.beta as number), "float");
    return {
      support: [hardSigmoidSupport],
      code: `ex_hard_sigmoid_f32(${ctx.input(0)}, ${ctx.output(0)}, ${n}, ${alpha}, ${beta});`,
    };
  },
};
