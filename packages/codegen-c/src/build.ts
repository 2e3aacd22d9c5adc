/**
 * Building generated projects for the host and for Cortex-M, cached in a temporary directory
 * keyed by a hash of the sources, the flags and the compiler, so that preparing the same model
 * twice compiles it once.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InternalError } from "@mcu/tensor";
import { cortexMCompileFlags, cortexMLinkFlags, WARNING_FLAGS } from "./harness.js";
import { type GeneratedProject, writeProject } from "./project.js";
import type { CTarget } from "./targets.js";
import { findTool, runBuildStep } from "./toolchain.js";

/** Variants of a build. */
export interface BuildOptions {
  /** Host only: AddressSanitizer + UndefinedBehaviorSanitizer. */
  readonly sanitize?: boolean;
  /** Canaries around the arena, checked after every layer (`MCU_DEBUG_CANARIES`). */
  readonly canaries?: boolean;
  /** Per-layer profiling (`MCU_PROFILE`). */
  readonly profile?: boolean;
  /** Optimization flag (default `-O2`). */
  readonly opt?: string;
  /** Extra compiler flags (e.g. `-DNAME=value`). */
  readonly cflags?: readonly string[];
  /** The host compiler (default: `MCU_CC`, else gcc, cc, clang). */
  readonly cc?: string;
  /** Where builds are cached (default `<tmpdir>/mcu-codegen-c`). */
  readonly cacheDir?: string;
}

/** Sizes in bytes, as arm-none-eabi-size (Berkeley format) reports them. */
export interface SectionSizes {
  readonly text: number;
  readonly data: number;
  readonly bss: number;
}

/** A finished build. */
export interface BuiltProgram {
  /** The executable (host) or ELF (Cortex-M). */
  readonly program: string;
  /** The model's own object file (`<name>.o`): its code and constants, without harness or libc. */
  readonly modelObject: string;
  readonly dir: string;
  readonly target: CTarget;
  /** True when this call compiled it (false: found in the cache). */
  readonly compiled: boolean;
}

function defaultCacheDir(): string {
  return join(tmpdir(), "mcu-codegen-c");
}

function hashOf(parts: readonly string[], files: ReadonlyMap<string, string>): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(`${p}\u0000`);
  for (const [name, text] of [...files].sort(([a], [b]) => (a < b ? -1 : 1)))
    h.update(`${name}\u0000${text}\u0000`);
  return h.digest("hex").slice(0, 32);
}

/**
 * Builds into `<cache>/<hash>` unless it is there: a fresh directory is filled and renamed into
 * place, so concurrent builds of one project never see a half-written result.
 */
async function cachedBuild(
  key: string,
  cacheDir: string,
  artifact: string,
  build: (dir: string) => Promise<void>,
): Promise<{ dir: string; compiled: boolean }> {
  const dir = join(cacheDir, key);
  if (existsSync(join(dir, artifact))) return { dir, compiled: false };
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await mkdir(tmp, { recursive: true });
    await build(tmp);
    try {
      await rename(tmp, dir);
    } catch {
      // Another process finished the same build first; use theirs.
      if (!existsSync(join(dir, artifact))) throw new InternalError(`cannot move the build into ${dir}`);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return { dir, compiled: true };
}

function defineFlags(o: BuildOptions, cortexM: boolean): string[] {
  return [
    ...(o.canaries === true ? ["-DMCU_DEBUG_CANARIES"] : []),
    ...(o.profile === true ? ["-DMCU_PROFILE", ...(cortexM ? ["-DMCU_PROFILE_USER_TIMER"] : [])] : []),
    ...(o.cflags ?? []),
  ];
}

/** Compiles the host program (`<name>` from `<name>.c` and `main_host.c`) with gcc or clang. */
export async function buildHost(
  project: GeneratedProject,
  options: BuildOptions = {},
): Promise<BuiltProgram> {
  const cc = options.cc ?? findTool("cc");
  const name = project.model.name;
  const opt = options.sanitize === true ? "-O1" : (options.opt ?? "-O2");
  const flags = [
    ...WARNING_FLAGS,
    opt,
    ...(options.sanitize === true
      ? ["-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined", "-fno-sanitize-recover=all"]
      : []),
    ...defineFlags(options, false),
  ];
  const libs = project.model.usesMath ? ["-lm"] : [];
  const key = hashOf(["host", cc, ...flags, ...libs], project.files);
  const { dir, compiled } = await cachedBuild(key, options.cacheDir ?? defaultCacheDir(), name, async (d) => {
    await writeProject(project, d);
    await runBuildStep(cc, [...flags, "-c", `${name}.c`, "-o", `${name}.o`], d);
    await runBuildStep(cc, [...flags, "-c", "main_host.c", "-o", "main_host.o"], d);
    await runBuildStep(cc, [...flags, "-o", name, `${name}.o`, "main_host.o", ...libs], d);
  });
  return {
    program: join(dir, name),
    modelObject: join(dir, `${name}.o`),
    dir,
    target: project.model.target,
    compiled,
  };
}

/**
 * Cross-compiles the Cortex-M ELF with arm-none-eabi-gcc: `<name>.o` (the model alone),
 * the harness (reading inputs over semihosting when `fileIo`), startup code, newlib/rdimon.
 */
export async function buildCortexM(
  project: GeneratedProject,
  options: BuildOptions & { readonly fileIo?: boolean } = {},
): Promise<BuiltProgram> {
  const target = project.model.target;
  if (target.kind !== "cortex-m")
    throw new InternalError(`buildCortexM needs a Cortex-M target, got ${target.name}`);
  const cc = findTool("arm-none-eabi-gcc");
  const name = project.model.name;
  const compile = [
    ...WARNING_FLAGS,
    ...cortexMCompileFlags(target, options.opt ?? "-O2"),
    ...defineFlags(options, true),
  ];
  const harness = options.fileIo === true ? ["-DMCU_HARNESS_FILE_IO"] : [];
  const link = cortexMLinkFlags(target);
  const libs = project.model.usesMath ? ["-lm"] : [];
  const key = hashOf(["cortex-m", cc, target.name, ...compile, ...harness, ...link, ...libs], project.files);
  const elf = `${name}.elf`;
  const { dir, compiled } = await cachedBuild(key, options.cacheDir ?? defaultCacheDir(), elf, async (d) => {
    await writeProject(project, d);
    await runBuildStep(cc, [...compile, "-c", `${name}.c`, "-o", `${name}.o`], d);
    await runBuildStep(cc, [...compile, ...harness, "-c", "main_cortex_m.c", "-o", "main_cortex_m.o"], d);
    await runBuildStep(cc, [...compile, "-c", "mcu_startup.c", "-o", "mcu_startup.o"], d);
    await runBuildStep(cc, [...link, "-o", elf, `${name}.o`, "main_cortex_m.o", "mcu_startup.o", ...libs], d);
  });
  return { program: join(dir, elf), modelObject: join(dir, `${name}.o`), dir, target, compiled };
}

/** Parses `size` output (Berkeley format): text, data, bss of each file, in order. */
export function parseSizeOutput(text: string): SectionSizes[] {
  const rows: SectionSizes[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+\d+\s+[0-9a-f]+\s+/.exec(line);
    if (m !== null) rows.push({ text: Number(m[1]), data: Number(m[2]), bss: Number(m[3]) });
  }
  return rows;
}

/** text/data/bss of object files or programs, with arm-none-eabi-size (Cortex-M) or size (host). */
export async function sectionSizes(files: readonly string[], target: CTarget): Promise<SectionSizes[]> {
  const tool = findTool(target.kind === "cortex-m" ? "arm-none-eabi-size" : "size");
  const r = await runBuildStep(tool, files, process.cwd());
  const rows = parseSizeOutput(r.stdout);
  if (rows.length !== files.length) throw new InternalError(`cannot read ${tool}'s output:\n${r.stdout}`);
  return rows;
}
