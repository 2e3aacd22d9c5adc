/**
 * Engines that run a graph as generated C: `c` (the host compiler) and `cortex-m3/m4/m7/m33`
 * (arm-none-eabi-gcc + qemu-system-arm). `prepare()` generates and compiles once (cached by a
 * hash of the sources); every `invoke` or `invokeBatch` is one process run.
 */
import {
  allocateData,
  dataMatchesDType,
  type Engine,
  formatShape,
  type Graph,
  McuError,
  type PreparedModel,
  type Registry,
  storageLength,
  type TensorData,
} from "@mcu/tensor";
import { type BuiltProgram, buildCortexM, buildHost, type SectionSizes, sectionSizes } from "./build.js";
import type { GeneratedC } from "./generate.js";
import { generateProject, tensorDataBytes } from "./project.js";
import { type BatchResult, type LayerTiming, runHostBatch, runQemuBatch } from "./run.js";
import { type CTarget, cTarget } from "./targets.js";

/** Options an engine reads from `prepare(graph, { options })`. */
export interface CEngineOptions {
  /** The model's C name (default `model`). */
  readonly name?: string;
  /** Per-layer profiling: `stats().layers`. */
  readonly profile?: boolean;
  /** Canaries around the arena, checked after every layer. */
  readonly canaries?: boolean;
  /** Host only: build with AddressSanitizer and UndefinedBehaviorSanitizer. */
  readonly sanitize?: boolean;
  /** `false` emits the portable C path on a core with the DSP extension. */
  readonly dsp?: boolean;
  /** Optimization flag (default `-O2`). */
  readonly opt?: string;
  /** Kill a run after this long. */
  readonly timeoutMs?: number;
  /** Build cache directory. */
  readonly cacheDir?: string;
}

/** What `stats()` returns: the `--stats` JSON of `mcu run` (a type alias, so it is a plain record). */
export type CEngineStats = {
  readonly engine: string;
  readonly target: string;
  /** Instructions of the last inference (SysTick under `-icount shift=0`; Cortex-M only). */
  readonly instructions?: number;
  /** `MCU_<NAME>_ARENA_BYTES`. */
  readonly arenaBytes: number;
  /** The model's code and constants (`<name>.o`), without harness and libc. */
  readonly text: number;
  readonly data: number;
  readonly bss: number;
  /** The same figures for the whole program (harness, startup, libc included). */
  readonly elf: SectionSizes;
  /** Per-layer instructions (Cortex-M) or clock() ticks (host) of the last inference, with `profile`. */
  readonly layers?: readonly LayerTiming[];
};

/** A graph prepared by a C engine. */
export interface CPreparedModel extends PreparedModel {
  readonly generated: GeneratedC;
  readonly program: BuiltProgram;
  /** Runs many inferences in one process: per sample, the graph's inputs; returns per sample its outputs. */
  invokeBatch(samples: readonly (readonly TensorData[])[]): Promise<TensorData[][]>;
  /** The raw result of the last batch (instructions and layer timings of every sample). */
  lastBatch(): BatchResult | undefined;
  stats(): CEngineStats;
}

function toBytes(graph: Graph, inputs: readonly TensorData[]): Uint8Array[] {
  if (inputs.length !== graph.inputs.length) {
    throw new McuError(
      "MCU_E_INPUT",
      `the model takes ${graph.inputs.length} input(s), got ${inputs.length}`,
    );
  }
  return graph.inputs.map((id, i) => {
    const t = graph.tensors.get(id)!;
    const data = inputs[i]!;
    const want = storageLength(t.dtype, t.shape);
    if (!dataMatchesDType(t.dtype, data) || data.length !== want) {
      throw new McuError(
        "MCU_E_INPUT",
        `input "${id}" must be ${t.dtype}${formatShape(t.shape)} (${want} values), got ${data.constructor.name}(${data.length})`,
        { tensor: id },
      );
    }
    return tensorDataBytes(data);
  });
}

function fromBytes(graph: Graph, outputs: readonly Uint8Array[]): TensorData[] {
  return graph.outputs.map((id, i) => {
    const t = graph.tensors.get(id)!;
    const data = allocateData(t.dtype, t.shape);
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(outputs[i]!);
    return data;
  });
}

/** Generates, compiles and wraps a graph for a target. */
export async function prepareC(
  graph: Graph,
  registry: Registry,
  target: CTarget,
  options: CEngineOptions = {},
  engineName: string = target.kind === "host" ? "c" : target.name,
): Promise<CPreparedModel> {
  const project = generateProject(graph, {
    registry,
    target,
    name: options.name ?? "model",
    ...(options.dsp !== undefined ? { features: { dsp: options.dsp } } : {}),
  });
  const model = project.model;
  const buildOptions = {
    ...(options.profile !== undefined ? { profile: options.profile } : {}),
    ...(options.canaries !== undefined ? { canaries: options.canaries } : {}),
    ...(options.opt !== undefined ? { opt: options.opt } : {}),
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
  };
  const program =
    target.kind === "host"
      ? await buildHost(project, {
          ...buildOptions,
          ...(options.sanitize !== undefined ? { sanitize: options.sanitize } : {}),
        })
      : await buildCortexM(project, { ...buildOptions, fileIo: true });
  const [modelSizes, programSizes] = await sectionSizes([program.modelObject, program.program], target);
  let last: BatchResult | undefined;
  const runOptions = options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {};
  const invokeBatch = async (samples: readonly (readonly TensorData[])[]): Promise<TensorData[][]> => {
    const bytes = samples.map((s) => toBytes(graph, s));
    last =
      target.kind === "host"
        ? await runHostBatch(program, model, bytes, runOptions)
        : await runQemuBatch(program, model, bytes, runOptions);
    return last.outputs.map((o) => fromBytes(graph, o));
  };
  return {
    generated: model,
    program,
    invokeBatch,
    async invoke(inputs) {
      const [outputs] = await invokeBatch([inputs]);
      return outputs!;
    },
    lastBatch: () => last,
    stats() {
      const instructions = last?.instructions?.[last.instructions.length - 1];
      const layers = last?.layers?.[last.layers.length - 1];
      return {
        engine: engineName,
        target: target.name,
        ...(instructions !== undefined ? { instructions } : {}),
        arenaBytes: model.arenaBytes,
        text: modelSizes!.text,
        data: modelSizes!.data,
        bss: modelSizes!.bss,
        elf: programSizes!,
        ...(layers !== undefined ? { layers } : {}),
      };
    },
  };
}

function engineFor(name: string, targetName: string, description: string): Engine {
  return {
    name,
    description,
    async prepare(graph, ctx) {
      return prepareC(graph, ctx.registry, cTarget(targetName), (ctx.options ?? {}) as CEngineOptions, name);
    },
  };
}

/** `c`: generated C built with the host compiler (gcc, cc or clang; `MCU_CC` overrides). */
export const hostCEngine: Engine = engineFor(
  "c",
  "host",
  "generated C, built with the host C compiler and run",
);

/** `cortex-m3`, `cortex-m4`, `cortex-m7`, `cortex-m33`: generated C under qemu-system-arm (MPS2 AN385/AN386/AN500/AN505). */
export const cortexMEngines: readonly Engine[] = ["cortex-m3", "cortex-m4", "cortex-m7", "cortex-m33"].map(
  (t) =>
    engineFor(
      t,
      t,
      `generated C cross-compiled with arm-none-eabi-gcc and run under qemu-system-arm -M ${cTarget(t).qemuMachine} (instructions from SysTick)`,
    ),
);
