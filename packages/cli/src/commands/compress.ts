/**
 * `mcu compress <in> -p <pipeline> [--calib <f>...] -o <out> [--report <f.json>]`: run a
 * pipeline of passes (e.g. `quant/int8:calib=kl`) on a model and write the result, in any
 * format the installed plugins write (by extension). `--calib` gives calibration samples, one
 * tensor file per model input with a leading batch dimension (`[200,1,1,28,28]` for a
 * `[1,1,28,28]` input), in the model's own layout and dtype. `--report` writes the quality
 * report of @mcu/quant (per-layer SQNR against the input model and top-1 agreement) on the
 * calibration samples as JSON. `--json` prints a schema-1 summary instead of text.
 */
import { formatQualityReport, qualityReport } from "@mcu/quant";
import {
  McuError,
  type PassTiming,
  resolvePipeline,
  runPipeline,
  type TensorData,
  timingInstrument,
} from "@mcu/tensor";
import { writeUserFile } from "../io.js";
import { readModel, writeModel } from "../model-file.js";
import { readModelInputs } from "../model-io.js";
import { pipelineProgress } from "../progress.js";
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
  readonly json?: boolean;
}

/** The `compress --json` document, schema 1. */
export interface CompressSummary {
  readonly schema: 1;
  readonly input: string;
  readonly output: string;
  readonly format: string;
  /** Bytes written. */
  readonly bytes: number;
  readonly passes: readonly PassTiming[];
  /** Calibration samples given. */
  readonly calibrationSamples: number;
  /** With `--report`: the file, and the top-1 agreement with the input model on the calibration samples. */
  readonly report?: { readonly file: string; readonly top1Agreement: number };
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
  const progress = pipelineProgress(io);
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
  const report =
    opts.report !== undefined && samples !== undefined
      ? qualityReport(graph, result.graph, samples, { registry, progress })
      : undefined;
  if (report !== undefined) await writeUserFile(io, opts.report!, `${JSON.stringify(report, null, 2)}\n`);
  if (opts.json === true) {
    const summary: CompressSummary = {
      schema: 1,
      input,
      output: opts.output,
      format: written.format.name,
      bytes: written.bytes,
      passes: timing.timings,
      calibrationSamples: samples?.length ?? 0,
      ...(report !== undefined
        ? { report: { file: opts.report!, top1Agreement: report.top1Agreement } }
        : {}),
    };
    io.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  const passes = timing.timings.map((t) => `${t.pass} ${(t.ms / 1000).toFixed(1)} s`).join(", ");
  io.stdout.write(
    `wrote ${opts.output} (${written.format.name}, ${formatCount(written.bytes)} bytes) from ${input}` +
      `${passes !== "" ? `: ${passes}` : ""}\n`,
  );
  if (report === undefined) return;
  io.stdout.write(formatQualityReport(report));
  io.stdout.write(`wrote ${opts.report}\n`);
}
