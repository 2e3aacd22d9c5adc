/**
 * `mcu compress <in> -p <pipeline> [--calib <f>...] -o <out> [--report <f.json>]`: run a
 * pipeline of passes (e.g. `quant/int8:calib=kl`) on a model and write the result, in any
 * format the installed plugins write (by extension). `--calib` gives calibration samples, one
 * tensor file per model input with a leading batch dimension (`[200,1,1,28,28]` for a
 * `[1,1,28,28]` input), in the model's own layout and dtype. `--report` writes the quality
 * report of @mcu/quant (per-layer SQNR against the input model and top-1 agreement) on the
 * calibration samples as JSON.
 */
import { formatQualityReport, qualityReport } from "@mcu/quant";
import {
  type Progress as PassProgress,
  McuError,
  resolvePipeline,
  runPipeline,
  type TensorData,
  timingInstrument,
} from "@mcu/tensor";
import { writeUserFile } from "../io.js";
import { readModel, writeModel } from "../model-file.js";
import { readModelInputs } from "../model-io.js";
import { startProgress } from "../progress.js";
import { formatCount } from "../table.js";
import { type CommandContext, reportDiagnostic } from "./context.js";

/** Options of `mcu compress`. */
export interface CompressCommandOptions {
  readonly pipeline: string;
  readonly output: string;
  /** Calibration tensor files, one per model input, each with a leading batch dimension. */
  readonly calib?: readonly string[];
  /** Where to write the quality report (JSON); needs `calib`. */
  readonly report?: string;
}

/** Runs `mcu compress`. */
export async function compressCommand(
  ctx: CommandContext,
  input: string,
  opts: CompressCommandOptions,
): Promise<void> {
  const { io, registry } = ctx;
  const steps = resolvePipeline(registry, opts.pipeline); // a bad pipeline fails before any work
  const calibFiles = opts.calib ?? [];
  if (opts.report !== undefined && calibFiles.length === 0) {
    throw new McuError("MCU_E_USAGE", "--report compares on the calibration samples: give --calib too");
  }
  const { graph } = await readModel(io, registry, input);
  let samples: TensorData[][] | undefined;
  if (calibFiles.length > 0) {
    const batched = await readModelInputs(io, graph, calibFiles);
    samples = Array.from({ length: batched.runs }, (_, i) => batched.slice(i));
  }
  const progress = (label: string, total: number): PassProgress => {
    const bar = startProgress(io, label, total);
    return { tick: () => bar.tick(), done: () => bar.stop() };
  };
  const timing = timingInstrument();
  const result = await runPipeline(graph, steps, {
    registry,
    resources: samples !== undefined ? { calibration: samples } : {},
    instruments: [timing],
    onDiagnostic: (d) => {
      if (d.level === "warning") reportDiagnostic(io, d);
    },
    onProgress: progress,
  });
  const written = await writeModel(io, registry, result.graph, opts.output);
  const passes = timing.timings.map((t) => `${t.pass} ${(t.ms / 1000).toFixed(1)} s`).join(", ");
  io.stdout.write(
    `wrote ${opts.output} (${written.format.name}, ${formatCount(written.bytes)} bytes) from ${input}` +
      `${passes !== "" ? `: ${passes}` : ""}\n`,
  );
  if (opts.report === undefined || samples === undefined) return;
  const report = qualityReport(graph, result.graph, samples, { registry, progress });
  await writeUserFile(io, opts.report, `${JSON.stringify(report, null, 2)}\n`);
  io.stdout.write(formatQualityReport(report));
  io.stdout.write(`wrote ${opts.report}\n`);
}
