/**
 * Targets of the generated C: the host (gcc or clang) and Arm Cortex-M cores
 * (arm-none-eabi-gcc, run under qemu-system-arm where QEMU models a board with that core).
 */
import { McuError } from "@mcu/tensor";

/** Where the generated code runs. */
export interface CTarget {
  /** `host`, `cortex-m4`, ... */
  readonly name: string;
  readonly kind: "host" | "cortex-m";
  /** The core has the Armv7E-M DSP extension (SMLAD, SXTB16, SSAT). */
  readonly dsp: boolean;
  /** Hardware floating point: none, single precision, or single and double. */
  readonly fpu: "none" | "sp" | "dp";
  /** arm-none-eabi-gcc code-generation flags (`-mcpu ... -mfloat-abi ...`). */
  readonly cflags: readonly string[];
  /** The qemu-system-arm machine with this core, when QEMU has one. */
  readonly qemuMachine?: string;
  /** Memory map of that machine: code (flash) and RAM origins and lengths. */
  readonly memory?: {
    readonly flash: number;
    readonly flashBytes: number;
    readonly ram: number;
    readonly ramBytes: number;
  };
}

const MPS2 = { flash: 0x00000000, flashBytes: 0x400000, ram: 0x20000000, ramBytes: 0x400000 };
// AN505 (Cortex-M33, TrustZone): code in the secure alias of SSRAM1, data in SSRAM2/3.
const MPS2_AN505 = { flash: 0x10000000, flashBytes: 0x400000, ram: 0x38000000, ramBytes: 0x200000 };

const arm = (cpu: string, float: string[]): string[] => [`-mcpu=${cpu}`, "-mthumb", ...float];

/** Every target, by name. */
export const C_TARGETS: Readonly<Record<string, CTarget>> = Object.freeze({
  host: { name: "host", kind: "host", dsp: false, fpu: "dp", cflags: [] },
  "cortex-m0plus": {
    name: "cortex-m0plus",
    kind: "cortex-m",
    dsp: false,
    fpu: "none",
    cflags: arm("cortex-m0plus", ["-mfloat-abi=soft"]),
    memory: MPS2,
  },
  "cortex-m3": {
    name: "cortex-m3",
    kind: "cortex-m",
    dsp: false,
    fpu: "none",
    cflags: arm("cortex-m3", ["-mfloat-abi=soft"]),
    qemuMachine: "mps2-an385",
    memory: MPS2,
  },
  "cortex-m4": {
    name: "cortex-m4",
    kind: "cortex-m",
    dsp: true,
    fpu: "sp",
    cflags: arm("cortex-m4", ["-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"]),
    qemuMachine: "mps2-an386",
    memory: MPS2,
  },
  "cortex-m7": {
    name: "cortex-m7",
    kind: "cortex-m",
    dsp: true,
    fpu: "dp",
    cflags: arm("cortex-m7", ["-mfloat-abi=hard", "-mfpu=fpv5-d16"]),
    qemuMachine: "mps2-an500",
    memory: MPS2,
  },
  "cortex-m33": {
    name: "cortex-m33",
    kind: "cortex-m",
    dsp: true,
    fpu: "sp",
    cflags: arm("cortex-m33", ["-mfloat-abi=hard", "-mfpu=fpv5-sp-d16"]),
    qemuMachine: "mps2-an505",
    memory: MPS2_AN505,
  },
});

/** The names `mcu codegen --target` accepts. */
export const C_TARGET_NAMES: readonly string[] = Object.keys(C_TARGETS);

/** The target with this name, or `MCU_E_TARGET`. */
export function cTarget(name: string): CTarget {
  const t = C_TARGETS[name];
  if (t === undefined) {
    throw new McuError("MCU_E_TARGET", `unknown C target "${name}" (known: ${C_TARGET_NAMES.join(", ")})`);
  }
  return t;
}

/** The target with some core features switched off (e.g. `{ dsp: false }` for the portable C path). */
export function withFeatures(target: CTarget, features: { readonly dsp?: boolean }): CTarget {
  if (features.dsp === undefined || features.dsp === target.dsp) return target;
  if (features.dsp && !target.dsp) {
    throw new McuError("MCU_E_TARGET", `${target.name} has no DSP extension`);
  }
  return { ...target, dsp: features.dsp };
}
