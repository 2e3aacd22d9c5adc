/** `mcu run <model> --input <f>... --output <f> [--engine ts] [--stats <f.json>] [--json]`. */
import { formatShape } from "@mcu/tensor";
import { writeUserFile } from "../io.js";
import { readModel } from "../model-file.js";
import { checkOutputFiles, readModelInputs, runBatches, writeModelOutputs } from "../model-io.js";
import { startProgress } from "../progress.js";
import { type CommandContext, reportDiagnostic } from "./context.js";

/** Options of `mcu run`. */
export interface RunOptions {
  readonly input: readonly string[];
  readonly output: readonly string[];
  readonly engine: string;
  readonly stats?: string;
  readonly json?: boolean;
}

/** The `run --json` document, schema 1. */
export interface RunSummary {
  readonly schema: 1;
  readonly engine: string;
  /** Inferences run (the leading batch, or 1). */
  readonly runs: number;
  /** The files written, one per model output. */
  readonly outputs: readonly {
    readonly file: string;
    readonly dtype: string;
    readonly shape: readonly number[];
  }[];
}

/** Runs `mcu run`. */
export async function runCommand(ctx: CommandContext, model: string, opts: RunOptions): Promise<void> {
  const { io, registry } = ctx;
  const { graph } = await readModel(io, registry, model);
  checkOutputFiles(graph, opts.output);
  const inputs = await readModelInputs(io, graph, opts.input);
  const engine = registry.engine(opts.engine);
  const prepared = await engine.prepare(graph, { registry, report: (d) => reportDiagnostic(io, d) });
  try {
    const progress = startProgress(io, "run", inputs.runs);
    const outputs = await runBatches(graph, prepared, inputs, progress);
    progress.stop();
    await writeModelOutputs(io, outputs, opts.output);
    if (opts.stats !== undefined) {
      await writeUserFile(io, opts.stats, `${JSON.stringify(prepared.stats?.() ?? {}, null, 2)}\n`);
    }
    if (opts.json === true) {
      const summary: RunSummary = {
        schema: 1,
        engine: opts.engine,
        runs: inputs.runs,
        outputs: outputs.map((v, i) => ({ file: opts.output[i]!, dtype: v.dtype, shape: [...v.shape] })),
      };
      io.stdout.write(`${JSON.stringify(summary)}\n`);
      return;
    }
    outputs.forEach((v, i) => {
      io.stdout.write(`wrote ${opts.output[i]}: ${v.dtype}${formatShape(v.shape)}\n`);
    });
  } finally {
    await prepared.dispose?.();
  }
}
