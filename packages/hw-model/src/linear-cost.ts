/**
 * The linear instruction model: instructions ≈ a·MACs + b·outputs + e·im2col + c per layer of a
 * kernel class, plus a per-inference constant for the runtime. One coefficient set per latency
 * model (TFLM + CMSIS-NN, TFLM reference kernels, codegen-c) and core family.
 */
import type { KernelClass, LayerFeatures } from "./layer-features.js";

/** Coefficients of one kernel class, in instructions. */
export interface ClassCoefficients {
  readonly perMac: number;
  readonly perOutput: number;
  readonly perIm2col: number;
  readonly perLayer: number;
}

/** A fitted instruction model for one runtime on one ISA class. */
export interface InstructionModel {
  readonly classes: Readonly<Record<KernelClass, ClassCoefficients>>;
  /** Instructions of one inference outside the layers (invoke, I/O copies). */
  readonly perInvoke: number;
}

/** Instructions of one layer under a model. */
export function layerInstructions(model: InstructionModel, cls: KernelClass, f: LayerFeatures): number {
  const c = model.classes[cls];
  return c.perMac * f.macs + c.perOutput * f.outputs + c.perIm2col * f.im2col + c.perLayer;
}
