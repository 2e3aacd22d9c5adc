/**
 * The cost/storage contribution of `example.hard_sigmoid` for @mcu/hw-model, written against its
 * contract (`HwCostContribution`, packages/hw-model/src/cost-contract.ts). Like the C kernel it
 * needs only types from @mcu/hw-model (an optional peer dependency).
 *
 * Every figure is measured on the generated C by `scripts/measure-cost.ts` (arm-none-eabi-gcc
 * -O2, QEMU MPS2 boards under `-icount shift=0`, codegen-c's per-layer profiling):
 *
 * | core | instructions per element | per call | flash per layer |
 * |---|---:|---:|---:|
 * | Cortex-M4 (AN386) | 12.25 | ≈ 17 | 75 B |
 * | Cortex-M7 (AN500) | 11.50 | ≈ 23 | 73 B |
 * | Cortex-M33 (AN505) | 11.50 | ≈ 21 | 73 B |
 * | Cortex-M3 (AN385, soft float) | 162.5 | — | 80 B |
 * | Cortex-M0+ (not run: no QEMU machine) | — | — | 79 B |
 *
 * The per-call figure is below the SysTick resolution (40–50 instructions) and is rounded to 20
 * for every core. The M0+ has no FPU and no QEMU board: its instruction count is the Cortex-M3's
 * soft-float figure, a lower bound (libgcc's Armv6-M float routines are longer than Armv7-M's),
 * and its flash excludes those routines (shared with every other float kernel of a model).
 */
import type { CoreCostContext, CoreFamily, HwCostContribution } from "@mcu/hw-model";
import { numElements } from "@mcu/tensor";
import { isPlainFloat32 } from "./kernel.js";

/** Measured instructions of the C kernel per element and per call, by core family. */
export const HARD_SIGMOID_INSTRUCTIONS: Readonly<
  Record<CoreFamily, { readonly perElement: number; readonly perCall: number }>
> = {
  "cortex-m0plus": { perElement: 162.5, perCall: 20 },
  "cortex-m4": { perElement: 12.25, perCall: 20 },
  "cortex-m7": { perElement: 11.5, perCall: 20 },
  "cortex-m33": { perElement: 11.5, perCall: 20 },
};

/** Measured growth of the model's code per hard-sigmoid layer (gcc inlines the kernel at each call). */
const LAYER_CODE_BYTES: Readonly<Record<CoreFamily, number>> = {
  "cortex-m0plus": 79,
  "cortex-m4": 75,
  "cortex-m7": 73,
  "cortex-m33": 73,
};

/** `example.hard_sigmoid` / `float32`: no weights, code per layer, measured instructions. */
export const hardSigmoidCost: HwCostContribution = {
  op: "example.hard_sigmoid",
  variant: "float32",
  // The cost context has the node's tensors like a kernel context: the same dtype test applies.
  supports: isPlainFloat32,
  // alpha and beta are float literals in the code, not constant tensors.
  weightBytes: () => 0,
  // No out-of-line copy survives -O2 (the static function is inlined into every call site), so
  // all the code is counted per layer.
  kernelCodeBytes: () => 0,
  layerCodeBytes: (ctx: CoreCostContext) => LAYER_CODE_BYTES[ctx.family],
  generatedInstructions: (ctx: CoreCostContext) => {
    const m = HARD_SIGMOID_INSTRUCTIONS[ctx.family];
    return m.perElement * numElements(ctx.outputs[0]!.shape) + m.perCall;
  },
  // tflmInstructions is omitted on purpose: TensorFlow Lite has no hard-sigmoid builtin, so TFLM
  // cannot run this node, and the contract then reports the model's TFLM latency as null.
};
