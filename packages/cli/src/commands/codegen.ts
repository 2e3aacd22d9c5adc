/**
 * `mcu codegen <model> --target <t> -o <dir>`: portable C99 for the model (@mcu/codegen-c) —
 * `<name>.h` / `<name>.c`, host and Cortex-M harnesses, startup code, linker scripts and a
 * Makefile whose default target builds for `<t>`.
 */
import { basename, resolve } from "node:path";
import { C_TARGET_NAMES, cTarget, generateProject, modelIdentifier, writeProject } from "@mcu/codegen-c";
import { McuError } from "@mcu/tensor";
import { readModel } from "../model-file.js";
import type { CommandContext } from "./context.js";

/** Options of `mcu codegen`. */
export interface CodegenCommandOptions {
  readonly target: string;
  readonly output: string;
  /** The C name (`mcu_<name>_invoke`); default: the model file's name. */
  readonly name?: string;
  /** `false` (`--no-dsp`): the portable C path even on a core with the DSP extension. */
  readonly dsp?: boolean;
  readonly json?: boolean;
}

/** The `codegen --json` document, schema 1. */
export interface CodegenSummary {
  readonly schema: 1;
  readonly dir: string;
  readonly target: string;
  /** The C name (`mcu_<name>_invoke`). */
  readonly name: string;
  /** `MCU_<NAME>_ARENA_BYTES`. */
  readonly arenaBytes: number;
  readonly files: readonly string[];
  /** Per node: its C kernel variant and scratch bytes. */
  readonly layers: readonly {
    readonly node: string;
    readonly op: string;
    readonly variant: string;
    readonly scratchBytes: number;
  }[];
  /** The command that builds it (in `dir`). */
  readonly build: string;
}

/** The `--target` help text. */
export const CODEGEN_TARGETS_HELP = `one of ${C_TARGET_NAMES.join(", ")}`;

/** Runs `mcu codegen`. */
export async function codegenCommand(
  ctx: CommandContext,
  model: string,
  opts: CodegenCommandOptions,
): Promise<void> {
  const target = cTarget(opts.target); // an unknown target fails before the model is read
  if (opts.dsp === false && !target.dsp) {
    throw new McuError("MCU_E_OPTION", `--no-dsp: ${target.name} has no DSP extension to turn off`);
  }
  const { graph } = await readModel(ctx.io, ctx.registry, model);
  const name = modelIdentifier(opts.name ?? basename(model));
  const project = generateProject(graph, {
    registry: ctx.registry,
    target,
    name,
    ...(opts.dsp === false ? { features: { dsp: false } } : {}),
  });
  const dir = resolve(ctx.io.cwd ?? process.cwd(), opts.output);
  try {
    await writeProject(project, dir);
  } catch (e) {
    throw new McuError(
      "MCU_E_FILE",
      `cannot write "${opts.output}": ${(e as Error).message}`,
      {},
      { cause: e },
    );
  }
  const g = project.model;
  const variants = new Map<string, number>();
  for (const l of g.layers) variants.set(l.variant, (variants.get(l.variant) ?? 0) + 1);
  const make =
    target.kind === "host"
      ? "make host"
      : `make ${target.name}${target.qemuMachine !== undefined ? ` && make run-${target.name}` : ""}`;
  if (opts.json === true) {
    const summary: CodegenSummary = {
      schema: 1,
      dir: opts.output,
      target: target.name,
      name: g.name,
      arenaBytes: g.arenaBytes,
      files: [...project.files.keys()],
      layers: g.layers.map((l) => ({
        node: l.node,
        op: l.op,
        variant: l.variant,
        scratchBytes: l.scratchBytes,
      })),
      build: make,
    };
    ctx.io.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  ctx.io.stdout.write(
    `wrote ${opts.output}: ${[...project.files.keys()].join(", ")}\n` +
      `model ${g.name} for ${target.name}: ${g.layers.length} layers, arena ${g.arenaBytes} bytes (MCU_${g.name.toUpperCase()}_ARENA_BYTES)\n` +
      `kernels: ${[...variants].map(([v, n]) => `${v} ×${n}`).join(", ")}\n` +
      `build: cd ${opts.output} && ${make}\n`,
  );
}
