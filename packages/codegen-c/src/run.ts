/**
 * Running built programs on batches of inputs: the host program with raw tensor files, the
 * Cortex-M ELF under qemu-system-arm with `in.bin` / `out.bin` over semihosting. One process
 * per batch, whatever its size.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { McuError } from "@mcu/tensor";
import type { BuiltProgram } from "./build.js";
import type { GeneratedC } from "./generate.js";
import { qemuArgs } from "./harness.js";
import { findTool, runProcess } from "./toolchain.js";

/** One layer's profile line. */
export interface LayerTiming {
  readonly index: number;
  readonly op: string;
  readonly node: string;
  /** Instructions (Cortex-M under QEMU) or clock() ticks (host). */
  readonly elapsed: number;
}

/** The results of one batch. */
export interface BatchResult {
  /** Per sample, per graph output: the output's bytes. */
  readonly outputs: Uint8Array[][];
  /** Per sample: instructions of one inference (Cortex-M only). */
  readonly instructions?: number[];
  /** Per sample: per-layer timings (profiling builds only). */
  readonly layers?: LayerTiming[][];
  /** Instructions per SysTick tick found by the harness's calibration loop (Cortex-M only). */
  readonly instructionsPerTick?: number;
  /** What the program printed. */
  readonly log: string;
}

/** Options of a run. */
export interface RunOptions {
  /** Kill the program after this long (default 20 minutes). */
  readonly timeoutMs?: number;
}

function checkSample(model: GeneratedC, sample: readonly Uint8Array[], s: number): void {
  if (sample.length !== model.inputs.length) {
    throw new McuError(
      "MCU_E_INPUT",
      `sample ${s} has ${sample.length} inputs, the model takes ${model.inputs.length}`,
    );
  }
  sample.forEach((b, i) => {
    const want = model.inputs[i]!.bytes;
    if (b.length !== want) {
      throw new McuError("MCU_E_INPUT", `input ${i} of sample ${s} has ${b.length} bytes, expected ${want}`, {
        tensor: model.inputs[i]!.name,
      });
    }
  });
}

/** Parses `layer <model> <index> <op> <name...> <elapsed>` lines, grouped per inference. */
function parseLayers(text: string, layerCount: number): LayerTiming[][] | undefined {
  const all: LayerTiming[] = [];
  for (const line of text.split("\n")) {
    const parts = line.trim().split(/\s+/);
    if (parts[0] !== "layer" || parts.length < 6) continue;
    all.push({
      index: Number(parts[2]),
      op: parts[3]!,
      node: parts.slice(4, -1).join(" "),
      elapsed: Number(parts[parts.length - 1]),
    });
  }
  if (all.length === 0 || layerCount === 0) return undefined;
  const out: LayerTiming[][] = [];
  for (let i = 0; i < all.length; i += layerCount) out.push(all.slice(i, i + layerCount));
  return out;
}

function splitOutputs(model: GeneratedC, bytes: Uint8Array[], count: number): Uint8Array[][] {
  return Array.from({ length: count }, (_, s) =>
    model.outputs.map((t, o) => bytes[o]!.slice(s * t.bytes, (s + 1) * t.bytes)),
  );
}

function describeFailure(
  what: string,
  r: { code: number | null; stdout: string; stderr: string; timedOut: boolean },
): string {
  const tail = `${r.stdout}\n${r.stderr}`.trim().split("\n").slice(-12).join("\n");
  return `${what} ${r.timedOut ? "timed out" : `exited with code ${r.code}`}${tail !== "" ? `:\n${tail}` : ""}`;
}

/** Runs the host program once on a batch of samples (raw bytes per input). */
export async function runHostBatch(
  built: BuiltProgram,
  model: GeneratedC,
  samples: readonly (readonly Uint8Array[])[],
  options: RunOptions = {},
): Promise<BatchResult> {
  samples.forEach((s, i) => {
    checkSample(model, s, i);
  });
  const dir = await mkdtemp(join(tmpdir(), "mcu-run-"));
  try {
    const inFiles = model.inputs.map((_, i) => join(dir, `in_${i}.bin`));
    const outFiles = model.outputs.map((_, i) => join(dir, `out_${i}.bin`));
    await Promise.all(inFiles.map((f, i) => writeFile(f, Buffer.concat(samples.map((s) => s[i]!)))));
    const r = await runProcess(built.program, [...inFiles, ...outFiles], {
      cwd: dir,
      timeoutMs: options.timeoutMs ?? 20 * 60 * 1000,
    });
    if (r.code !== 0) {
      const code = r.code === 3 ? "MCU_E_C_CANARY" : "MCU_E_C_RUN";
      throw new McuError(code, describeFailure(`the generated program for ${model.name}`, r));
    }
    const bytes = await Promise.all(outFiles.map(async (f) => new Uint8Array(await readFile(f))));
    const layers = parseLayers(r.stderr, model.layers.length);
    return {
      outputs: splitOutputs(model, bytes, samples.length),
      ...(layers !== undefined ? { layers } : {}),
      log: `${r.stdout}${r.stderr}`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs the Cortex-M ELF (built with `fileIo`) once under QEMU on a batch of samples. */
export async function runQemuBatch(
  built: BuiltProgram,
  model: GeneratedC,
  samples: readonly (readonly Uint8Array[])[],
  options: RunOptions = {},
): Promise<BatchResult> {
  const target = built.target;
  if (target.qemuMachine === undefined) {
    throw new McuError(
      "MCU_E_TARGET",
      `QEMU models no board with a ${target.name}; build it, but run it on hardware`,
    );
  }
  samples.forEach((s, i) => {
    checkSample(model, s, i);
  });
  const qemu = findTool("qemu-system-arm");
  const dir = await mkdtemp(join(tmpdir(), "mcu-qemu-"));
  try {
    await writeFile(join(dir, "in.bin"), Buffer.concat(samples.flatMap((s) => [...s])));
    const r = await runProcess(qemu, qemuArgs(target, built.program), {
      cwd: dir,
      timeoutMs: options.timeoutMs ?? 20 * 60 * 1000,
    });
    const instructions = [...r.stdout.matchAll(/^instructions (\d+)$/gm)].map((m) => Number(m[1]));
    const done = /^mcu: done (\d+)$/m.exec(r.stdout);
    if (r.code !== 0 || done === null || Number(done[1]) !== samples.length) {
      const code = /invoke returned/.test(r.stdout) ? "MCU_E_C_CANARY" : "MCU_E_C_RUN";
      throw new McuError(
        code,
        describeFailure(`qemu-system-arm -M ${target.qemuMachine} (${model.name})`, r),
      );
    }
    const all = new Uint8Array(await readFile(join(dir, "out.bin")));
    // out.bin holds, per sample, every output in order.
    const sampleBytes = model.outputs.reduce((s, t) => s + t.bytes, 0);
    const outputs = samples.map((_, s) => {
      let at = s * sampleBytes;
      return model.outputs.map((t) => {
        const b = all.slice(at, at + t.bytes);
        at += t.bytes;
        return b;
      });
    });
    const ipt = /(\d+) instructions per SysTick tick/.exec(r.stdout);
    const layers = parseLayers(r.stdout, model.layers.length);
    return {
      outputs,
      instructions,
      ...(ipt !== null ? { instructionsPerTick: Number(ipt[1]) } : {}),
      ...(layers !== undefined ? { layers } : {}),
      log: r.stdout + r.stderr,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
