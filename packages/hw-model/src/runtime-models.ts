/**
 * The instruction models behind latency model (b), per ISA class, and the cycles per instruction
 * that turn instructions of either model into time.
 *
 * - `tflmCmsisNn`: TFLM + CMSIS-NN. On cores with the DSP extension, the fit on QEMU instruction
 *   counts of TFLM + CMSIS-NN; on Cortex-M0+ CMSIS-NN falls back to portable C, approximated by
 *   the fit of TFLM's reference kernels (plain C int8 loops on Armv7-M) — uncalibrated on M0+.
 *   Float32 layers use TFLM's reference kernels on every core (CMSIS-NN has no float kernels).
 * (Latency model (a), @mcu/codegen-c's own kernels, has its own per-family coefficients:
 * generated-models.ts.)
 *
 * Cycles: instructions × κ × relativeCpi(family), κ = cycles per QEMU instruction fitted on the
 * MLPerf Tiny v0.5 NUCLEO-L4R5ZI latencies (TFLM + CMSIS-NN, Cortex-M4 @ 120 MHz). The same factor
 * turns model (a)'s instructions into cycles: it is the only measured instructions→cycles factor
 * we have for int8 NN kernels on real hardware. It includes flash wait states and everything else
 * the 2021 reference build did differently from the QEMU build, so it is conservative for new code.
 */
import { relativeCpi, type CoreFamily } from "./cores.js";
import { instructionModelOf } from "./calibration.js";
import {
  L4R5ZI_CYCLES_PER_INSTRUCTION,
  TFLM_CMSIS_NN_M4_THETA,
  TFLM_REFERENCE_M4_THETA,
} from "./fitted-coefficients.js";
import type { InstructionModel } from "./linear-cost.js";

/** The TFLM instruction models of the builtin cost contributions (latency model b). */
export interface RuntimeModels {
  readonly tflmCmsisNnDsp: InstructionModel;
  readonly tflmReference: InstructionModel;
}

/** The TFLM models the builtin contributions use. */
export const RUNTIME_MODELS: RuntimeModels = {
  tflmCmsisNnDsp: instructionModelOf(TFLM_CMSIS_NN_M4_THETA),
  tflmReference: instructionModelOf(TFLM_REFERENCE_M4_THETA),
};

/** Cycles per QEMU instruction of int8 NN code on a core family (κ × relative CPI). */
export function cyclesPerInstruction(family: CoreFamily): number {
  return L4R5ZI_CYCLES_PER_INSTRUCTION * relativeCpi(family);
}
