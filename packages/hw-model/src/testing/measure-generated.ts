/**
 * Test and bench support (not exported, not built): measures a graph as @mcu/codegen-c builds
 * it — instructions of one inference under QEMU (`-icount shift=0`, SysTick; per layer with the
 * `MCU_PROFILE` hooks), the arena macro, arm-none-eabi-size of the model's object file, and the
 * size of every section of that object (codegen-c compiles with -ffunction-sections
 * -fdata-sections, so each function and each constant array is a section of its own: `size -A`
 * gives per-function code sizes, as `nm --size-sort` would).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildCortexM,
  C_TARGETS,
  type CTarget,
  cortexMCompileFlags,
  cortexMLinkFlags,
  cTarget,
  findTool,
  generateProject,
  linkerScript,
  linkerScriptName,
  prepareC,
  runProcess,
  runQemuBatch,
  sectionSizes,
  tensorDataBytes,
  WARNING_FLAGS,
  writeProject,
} from "@mcu/codegen-c";
import { type Graph, numElements, type Registry, type TensorData } from "@mcu/tensor";

/** One build of a model on one target. */
export interface BuildRecord {
  readonly target: string;
  readonly dsp: boolean;
  /** Mean instructions of one inference (undefined: build only, the target has no QEMU machine). */
  readonly instructions?: number;
  /** With `profile`: mean instructions of each node, by node index (hooks included). */
  readonly layers?: readonly number[];
  /** `MCU_<NAME>_ARENA_BYTES`. */
  readonly arenaBytes: number;
  /** arm-none-eabi-size (Berkeley) of the model's object file. */
  readonly text: number;
  readonly data: number;
  readonly bss: number;
  /** Every allocated section of the object with its size (`.text.<fn>`, `.rodata.<array>`, ...). */
  readonly sections: readonly { readonly name: string; readonly bytes: number }[];
  /** The C kernel variant of every node (`quant/int8-dsp`, `core/any`, ...). */
  readonly variants: readonly string[];
}

/** Deterministic inputs: integers over their whole range, floats in [−1, 1). */
export function sampleInputs(graph: Graph, seed: number, n: number): TensorData[][] {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s >>> 8;
  };
  return Array.from({ length: n }, () =>
    graph.inputs.map((id) => {
      const t = graph.tensors.get(id)!;
      const k = numElements(t.shape);
      if (t.dtype === "int8") return Int8Array.from({ length: k }, () => (next() & 255) - 128);
      if (t.dtype === "uint8") return Uint8Array.from({ length: k }, () => next() & 255);
      if (t.dtype === "int16") return Int16Array.from({ length: k }, () => (next() & 65535) - 32768);
      return Float32Array.from({ length: k }, () => (next() % 2000) / 1000 - 1);
    }),
  );
}

/** `size -A` of an object file: every allocated section and its size. */
export async function objectSections(object: string): Promise<{ name: string; bytes: number }[]> {
  const r = await runProcess(findTool("arm-none-eabi-size"), ["-A", object]);
  const out: { name: string; bytes: number }[] = [];
  for (const line of r.stdout.split("\n")) {
    const m = /^(\.\S+)\s+(\d+)\s+\d+\s*$/.exec(line.trim());
    if (m === null) continue;
    const name = m[1]!;
    if (/^\.(text|rodata|data|bss)/.test(name) && Number(m[2]) > 0) out.push({ name, bytes: Number(m[2]) });
  }
  return out;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Options of {@link measureGenerated}. */
export interface MeasureOptions {
  /** `false`: the portable C path on a DSP core. */
  readonly dsp?: boolean;
  /** Per-layer profile build (`MCU_PROFILE`): `layers` instead of a plain count. */
  readonly profile?: boolean;
  /** Inputs per run (the counts are averaged); default 3. */
  readonly samples?: number;
  /** `false`: build only (sizes), even where QEMU could run it. */
  readonly run?: boolean;
}

/**
 * Builds a graph for a Cortex-M target with codegen-c and measures it; runs it under QEMU when the
 * target has a QEMU machine (all samples in one run).
 */
export async function measureGenerated(
  graph: Graph,
  registry: Registry,
  targetName: string,
  options: MeasureOptions = {},
): Promise<BuildRecord> {
  const target = cTarget(targetName);
  const dsp = options.dsp ?? target.dsp;
  if (target.qemuMachine === undefined || options.run === false) {
    const project = generateProject(graph, {
      registry,
      target,
      name: "model",
      ...(dsp !== target.dsp ? { features: { dsp } } : {}),
    });
    const program = await buildCortexM(project, {
      fileIo: true,
      ...(options.profile === true ? { profile: true } : {}),
    });
    const [sizes] = await sectionSizes([program.modelObject], target);
    return {
      target: targetName,
      dsp,
      arenaBytes: project.model.arenaBytes,
      ...sizes!,
      sections: await objectSections(program.modelObject),
      variants: project.model.layers.map((l) => l.variant),
    };
  }
  const m = await prepareC(graph, registry, target, {
    name: "model",
    ...(dsp !== target.dsp ? { dsp } : {}),
    ...(options.profile === true ? { profile: true } : {}),
  });
  await m.invokeBatch(sampleInputs(graph, 12345, options.samples ?? 3));
  const batch = m.lastBatch();
  const counts = batch?.instructions ?? [];
  let layers: number[] | undefined;
  if (options.profile === true && batch?.layers !== undefined && batch.layers.length > 0) {
    layers = graph.nodes.map(() => Number.NaN);
    const runs = batch.layers;
    runs[0]!.forEach((l, i) => {
      layers![l.index] = mean(runs.map((r) => r[i]?.elapsed ?? 0));
    });
  }
  const s = m.stats();
  return {
    target: targetName,
    dsp,
    ...(counts.length > 0 && options.profile !== true ? { instructions: mean(counts) } : {}),
    ...(layers !== undefined ? { layers } : {}),
    arenaBytes: s.arenaBytes,
    text: s.text,
    data: s.data,
    bss: s.bss,
    sections: await objectSections(m.program.modelObject),
    variants: m.generated.layers.map((l) => l.variant),
  };
}

/**
 * QEMU's BBC micro:bit (nRF51822: a Cortex-M0, Armv6-M — the instruction set of the Cortex-M0+ —
 * 256 KB flash, 16 KB RAM), with codegen-c's cortex-m0plus code, harness and startup linked for its
 * memory. Models whose arena, buffers and newlib's file buffers do not fit its RAM fail to run.
 */
export const MICROBIT_TARGET: CTarget = {
  ...C_TARGETS["cortex-m0plus"]!,
  qemuMachine: "microbit",
  memory: { flash: 0, flashBytes: 256 * 1024, ram: 0x20000000, ramBytes: 16 * 1024 },
};

/**
 * Mean instructions of one inference of a graph on the micro:bit's Cortex-M0 (SysTick under
 * `-icount shift=0`, as on the MPS2 boards), or undefined when the model does not run there.
 */
export async function measureOnMicrobit(graph: Graph, registry: Registry): Promise<number | undefined> {
  const project = generateProject(graph, { registry, target: MICROBIT_TARGET, name: "model" });
  const dir = await mkdtemp(join(tmpdir(), "mcu-microbit-"));
  try {
    await writeProject(project, dir);
    await writeFile(join(dir, linkerScriptName(MICROBIT_TARGET)), linkerScript(MICROBIT_TARGET));
    const cc = findTool("arm-none-eabi-gcc");
    const compile = [...WARNING_FLAGS, ...cortexMCompileFlags(MICROBIT_TARGET, "-O2")];
    const step = async (args: string[]) => {
      const r = await runProcess(cc, args, { cwd: dir });
      if (r.code !== 0) throw new Error(r.stderr);
    };
    await step([...compile, "-c", "model.c", "-o", "model.o"]);
    await step([...compile, "-DMCU_HARNESS_FILE_IO", "-c", "main_cortex_m.c", "-o", "main_cortex_m.o"]);
    await step([...compile, "-c", "mcu_startup.c", "-o", "mcu_startup.o"]);
    const libs = project.model.usesMath ? ["-lm"] : [];
    try {
      await step([
        ...cortexMLinkFlags(MICROBIT_TARGET),
        "-o",
        "model.elf",
        "model.o",
        "main_cortex_m.o",
        "mcu_startup.o",
        ...libs,
      ]);
    } catch {
      return undefined; // does not fit the flash or the RAM
    }
    const samples = sampleInputs(graph, 12345, 3).map((s) => s.map((t) => tensorDataBytes(t)));
    try {
      const program = {
        program: join(dir, "model.elf"),
        modelObject: join(dir, "model.o"),
        dir,
        target: MICROBIT_TARGET,
        compiled: true,
      };
      const r = await runQemuBatch(program, project.model, samples, { timeoutMs: 300_000 });
      const counts = r.instructions ?? [];
      return counts.length > 0 ? mean(counts) : undefined;
    } catch {
      return undefined; // out of RAM at run time
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
