/** `mcu run <model> --input <f>... --output <f> [--engine ts] [--stats <f.json>]`. */
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
    outputs.forEach((v, i) => {
      io.stdout.write(`wrote ${opts.output[i]}: ${v.dtype}${formatShape(v.shape)}\n`);
    });
  } finally {
    await prepared.dispose?.();
  }
}
