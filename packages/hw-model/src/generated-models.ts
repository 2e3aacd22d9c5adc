/**
 * Latency model (a) and the code sizes of generated C for each core family, from the committed
 * calibration (generated-coefficients.ts, written by scripts/calibrate-generated.ts from
 * @mcu/codegen-c builds measured under QEMU and with arm-none-eabi-size).
 *
 * Instructions: Cortex-M4 from mps2-an386, M7 from mps2-an500, M33 from mps2-an505 — each its own
 * fit. QEMU has no Cortex-M0+ board, so the M0+ is derived from the Cortex-M3 (mps2-an385, the same
 * portable C kernels, Armv7-M) times {@link M0PLUS_PER_M3_INSTRUCTIONS}. Code sizes are measured
 * for every family, the M0+ included (its builds are compiled, not run).
 */
import { CORE_FAMILY_SPECS, type CoreFamily } from "./cores.js";
import { type GeneratedCoefficients, scaleGenerated } from "./generated-calibration.js";
import type { CodeSizeTable } from "./generated-code-size.js";
import {
  GENERATED_CODE_SIZES,
  GENERATED_INSTRUCTIONS,
  M0PLUS_PER_M3_INSTRUCTIONS,
} from "./generated-coefficients.js";

export { M0PLUS_PER_M3_INSTRUCTIONS };

/** Model (a)'s coefficients for a core family (the M0+ derived from the Cortex-M3 measurement). */
export function generatedCoefficientsOf(family: CoreFamily): GeneratedCoefficients {
  if (family === "cortex-m0plus") return M0PLUS_COEFFICIENTS;
  return GENERATED_INSTRUCTIONS[family];
}

const M0PLUS_COEFFICIENTS = scaleGenerated(GENERATED_INSTRUCTIONS["cortex-m3"], M0PLUS_PER_M3_INSTRUCTIONS);

/** Code sizes of generated C on a core family. */
export function codeSizeTableOf(family: CoreFamily): CodeSizeTable {
  return GENERATED_CODE_SIZES[family];
}

/** How model (a) was obtained for a family (for reports). */
export function generatedModelSource(family: CoreFamily): string {
  const machine: Readonly<Record<CoreFamily, string>> = {
    "cortex-m0plus": `derived: Cortex-M3 (mps2-an385) × ${M0PLUS_PER_M3_INSTRUCTIONS}`,
    "cortex-m4": "QEMU mps2-an386",
    "cortex-m7": "QEMU mps2-an500",
    "cortex-m33": "QEMU mps2-an505",
  };
  return `${machine[family]}${CORE_FAMILY_SPECS[family].dsp ? " (DSP and portable kernels)" : " (portable kernels)"}`;
}
