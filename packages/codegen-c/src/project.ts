/** A complete generated project: the model's C, the harnesses, startup code, linker scripts and a Makefile. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DType, Graph, TensorData } from "@mcu/tensor";
import { type GenerateCOptions, type GeneratedC, generateC } from "./generate.js";
import {
  CORTEX_M_STARTUP,
  cortexMHarness,
  hostHarness,
  linkerScript,
  linkerScriptName,
  makefile,
} from "./harness.js";
import { C_TARGETS } from "./targets.js";

/** Options of {@link generateProject}. */
export interface GenerateProjectOptions extends GenerateCOptions {
  /**
   * Inputs embedded in the Cortex-M harness (one entry per sample, one typed array per graph
   * input); default: one deterministic pseudo-random sample.
   */
  readonly samples?: readonly (readonly TensorData[])[];
}

/** A generated project: file name → contents. */
export interface GeneratedProject {
  readonly model: GeneratedC;
  readonly files: ReadonlyMap<string, string>;
}

/** The bytes of a typed array as stored in memory (little-endian on every supported target). */
export function tensorDataBytes(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A deterministic sample for one tensor: floats in [−1, 1), integers over their full byte range. */
export function patternBytes(dtype: DType, bytes: number, seed: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let s = (seed * 2654435761 + 12345) >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s >>> 8;
  };
  if (dtype === "float32") {
    const f = new Float32Array(out.buffer);
    for (let i = 0; i < f.length; i++) f[i] = (next() % 2000) / 1000 - 1;
  } else if (dtype === "bool") {
    for (let i = 0; i < bytes; i++) out[i] = next() & 1;
  } else {
    for (let i = 0; i < bytes; i++) out[i] = next() & 0xff;
  }
  return out;
}

/** Generates the model's C and everything around it. */
export function generateProject(graph: Graph, options: GenerateProjectOptions): GeneratedProject {
  const model = generateC(graph, options);
  const samples: Uint8Array[][] =
    options.samples !== undefined
      ? options.samples.map((s) => s.map(tensorDataBytes))
      : [model.inputs.map((t, i) => patternBytes(t.dtype, t.bytes, i + 1))];
  const files = new Map<string, string>();
  files.set(model.headerFile, model.header);
  files.set(model.sourceFile, model.source);
  files.set("main_host.c", hostHarness(model));
  files.set("main_cortex_m.c", cortexMHarness(model, samples));
  files.set("mcu_startup.c", CORTEX_M_STARTUP);
  for (const t of Object.values(C_TARGETS)) {
    if (t.kind === "cortex-m") files.set(linkerScriptName(t), linkerScript(t));
  }
  files.set("Makefile", makefile(model, model.target.kind === "host" ? "host" : model.target.name));
  return { model, files };
}

/** Writes a project's files into a directory (created if needed). */
export async function writeProject(project: GeneratedProject, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, text] of project.files) await writeFile(join(dir, name), text);
}
