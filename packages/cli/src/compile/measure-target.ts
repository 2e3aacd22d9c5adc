/**
 * The model's real flash footprint on the board's core: the generated `<name>.c` alone,
 * cross-compiled with arm-none-eabi-gcc as the project's Makefile does (`-O2`, function and data
 * sections), measured with arm-none-eabi-size. text + data is its flash (code, weights, tables);
 * bss its static RAM (the arena and state). A missing toolchain is reported, not fatal.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type CTarget,
  cortexMCompileFlags,
  findTool,
  type GeneratedC,
  runProcess,
  sectionSizes,
  WARNING_FLAGS,
} from "@mcu/codegen-c";
import { isMcuError, McuError } from "@mcu/tensor";

/** Sizes of the model's object file for the target (the `flash.measured` object of report.json). */
export interface TargetSizes {
  readonly target: string;
  /** The compiler, e.g. `arm-none-eabi-gcc -O2`. */
  readonly compiler: string;
  /** Code and constants (weights, tables): flash. */
  readonly text: number;
  /** Initialized data: flash (its initial values) and RAM. */
  readonly data: number;
  /** Zero-initialized data: the arena and state tensors, RAM only. */
  readonly bss: number;
}

/** The measurement, or why there is none. */
export type TargetMeasurement =
  | { readonly status: "measured"; readonly sizes: TargetSizes }
  | { readonly status: "skipped"; readonly reason: string };

/** Cross-compiles the model's C for a Cortex-M target and measures it; `skipped` without the toolchain or for the host. */
export async function measureTarget(model: GeneratedC, target: CTarget): Promise<TargetMeasurement> {
  if (target.kind !== "cortex-m")
    return { status: "skipped", reason: `${target.name} is not a Cortex-M target` };
  let cc: string;
  try {
    cc = findTool("arm-none-eabi-gcc");
    findTool("arm-none-eabi-size");
  } catch (e) {
    if (!isMcuError(e)) throw e;
    return { status: "skipped", reason: e.message };
  }
  const dir = await mkdtemp(join(tmpdir(), "mcu-measure-"));
  try {
    await writeFile(join(dir, model.headerFile), model.header);
    await writeFile(join(dir, model.sourceFile), model.source);
    const object = join(dir, `${model.name}.o`);
    const args = [
      ...WARNING_FLAGS,
      ...cortexMCompileFlags(target, "-O2"),
      "-c",
      model.sourceFile,
      "-o",
      object,
    ];
    const r = await runProcess(cc, args, { cwd: dir, timeoutMs: 10 * 60 * 1000 });
    if (r.code !== 0) {
      const text = `${r.stderr}\n${r.stdout}`.trim().split("\n").slice(0, 20).join("\n");
      throw new McuError("MCU_E_C_BUILD", `the generated C does not compile for ${target.name}:\n${text}`);
    }
    const [sizes] = await sectionSizes([object], target);
    return {
      status: "measured",
      sizes: { target: target.name, compiler: "arm-none-eabi-gcc -O2", ...sizes! },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
