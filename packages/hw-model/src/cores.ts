/**
 * Core families and the documented factors that carry a cost measured on one family to another.
 *
 * Two facts describe a family for the cost model:
 * - `dsp`: the Armv7E-M / Armv8-M DSP extension (SMLAD: two 16×16 MACs per instruction, SXTB16
 *   to widen two int8 at once). Kernels written for it (CMSIS-NN's DSP path, codegen-c's DSP
 *   path) run the same instruction stream on Cortex-M4, M7 and M33-with-DSP; without it
 *   (Cortex-M0+, Armv6-M) every MAC is a separate multiply and the instruction count grows.
 * - `coremarkPerMhz`: published CoreMark/MHz, our measure of instructions retired per cycle on
 *   general integer code. Cycles per instruction relative to the Cortex-M4 are taken as
 *   coremark(M4) / coremark(family) — the same compiler class and ISA for M4/M7/M33, so the ratio
 *   is an IPC ratio (M7: dual-issue 6-stage pipeline; M33: 3-stage with a faster multiplier path).
 */
import type { Citation } from "./citation.js";

/** The core families the catalog and the cost functions know. */
export const CORE_FAMILIES = ["cortex-m0plus", "cortex-m4", "cortex-m7", "cortex-m33"] as const;

/** A core family. */
export type CoreFamily = (typeof CORE_FAMILIES)[number];

/** What the cost model knows about a core family. */
export interface CoreFamilySpec {
  readonly family: CoreFamily;
  readonly architecture: string;
  /** The DSP extension (SMLAD, SXTB16) is available on every catalog part of this family. */
  readonly dsp: boolean;
  /** CoreMark per MHz, with its source. */
  readonly coremarkPerMhz: number;
  readonly coremarkSource: Citation;
  readonly notes: string;
}

const MBED_BOOK: Citation = {
  url: "https://digilib.universitaspertamina.ac.id/ebook/ARM-Based%20Microcontroller%20Projects%20Using%20MBED/files/basic-html/page44.html",
  document:
    "D. Ibrahim, ARM-Based Microcontroller Projects Using MBED (2019), §3.3.4, Table 3.2 CoreMark/MHz",
};

/** The families, with their documented factors. */
export const CORE_FAMILY_SPECS: Readonly<Record<CoreFamily, CoreFamilySpec>> = {
  "cortex-m0plus": {
    family: "cortex-m0plus",
    architecture: "Armv6-M",
    dsp: false,
    coremarkPerMhz: 2.49,
    coremarkSource: MBED_BOOK,
    notes:
      "2-stage pipeline, Thumb-1 (no MLA, no SIMD, no DSP): int8 MACs take separate loads, a MULS and an ADDS. " +
      "Single-cycle multiplier on the catalog parts (STM32G0, RP2040).",
  },
  "cortex-m4": {
    family: "cortex-m4",
    architecture: "Armv7E-M",
    dsp: true,
    coremarkPerMhz: 3.4,
    coremarkSource: MBED_BOOK,
    notes: "3-stage pipeline, single issue, DSP extension (SMLAD dual 16-bit MAC), optional SP FPU.",
  },
  "cortex-m7": {
    family: "cortex-m7",
    architecture: "Armv7E-M",
    dsp: true,
    coremarkPerMhz: 5.01,
    coremarkSource: MBED_BOOK,
    notes:
      "6-stage dual-issue superscalar pipeline with branch prediction and L1 caches; same ISA as the M4.",
  },
  "cortex-m33": {
    family: "cortex-m33",
    architecture: "Armv8-M Mainline",
    dsp: true,
    coremarkPerMhz: 4.07,
    coremarkSource: {
      url: "https://docs.zephyrproject.org/3.2.0/boards/arm/nucleo_u575zi_q/doc/nucleou575zi_q.html",
      document:
        "Zephyr board documentation Nucleo U575ZI Q, quoting the STM32U575 datasheet: 651 CoreMark (4.07 CoreMark/MHz)",
    },
    notes:
      "3-stage pipeline; the DSP extension is optional in the architecture but present on the catalog parts " +
      "(STM32U575, RA6M4), so CMSIS-NN and codegen-c take the same DSP path as on the M4.",
  },
};

/**
 * Cycles per instruction of a family relative to the Cortex-M4, from CoreMark/MHz:
 * coremark(M4) / coremark(family). Used to carry a cycles-per-instruction figure measured on an
 * M4 board to other families running the same kind of code.
 */
export function relativeCpi(family: CoreFamily): number {
  return CORE_FAMILY_SPECS["cortex-m4"].coremarkPerMhz / CORE_FAMILY_SPECS[family].coremarkPerMhz;
}
