/** `mcu eval <model> --input <f> --labels <f> [--reference <f>] [--json]`: top-1 accuracy. */
import {
  decodeTensorFile,
  formatShape,
  isIntegerDType,
  McuError,
  numElements,
  type TensorData,
  tensorFileKind,
} from "@mcu/tensor";
import { readUserFile } from "../io.js";
import { readModel } from "../model-file.js";
import { readModelInputs, runBatches } from "../model-io.js";
import { startProgress } from "../progress.js";
import { type CommandContext, reportDiagnostic } from "./context.js";

/** Options of `mcu eval`. */
export interface EvalOptions {
  readonly input: readonly string[];
  readonly labels: string;
  readonly reference?: string;
  readonly json?: boolean;
  readonly engine: string;
}

/** The `eval --json` document, schema 1. */
export interface EvalReport {
  readonly schema: 1;
  /** Number of samples (rows of the first output). */
  readonly n: number;
  /** Fraction of samples whose top-1 class equals the label. */
  readonly top1: number;
  /** With `--reference`: fraction of samples whose top-1 class equals the reference's. */
  readonly agreement?: number;
}

/** Index of the largest of `count` values from `offset` (the first one on ties, like NumPy's argmax). */
export function argmax(data: TensorData, offset: number, count: number): number {
  let best = 0;
  for (let k = 1; k < count; k++) if (data[offset + k]! > data[offset + best]!) best = k;
  return best;
}

/** Top-1 class of each row of `classes` values. */
function topClasses(data: TensorData, classes: number): Int32Array {
  const rows = data.length / classes;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = argmax(data, r * classes, classes);
  return out;
}

async function readLabels(ctx: CommandContext, file: string, n: number): Promise<number[]> {
  const bytes = await readUserFile(ctx.io, file);
  const value = decodeTensorFile(bytes, file, tensorFileKind(file) === "csv" ? { dtype: "int64" } : {});
  if (!isIntegerDType(value.dtype) || value.dtype === "bit") {
    throw new McuError(
      "MCU_E_LABELS",
      `"${file}" holds ${value.dtype} values; labels must be integer class indices`,
    );
  }
  if (value.data.length !== n) {
    throw new McuError("MCU_E_LABELS", `"${file}" has ${value.data.length} labels for ${n} samples`);
  }
  return Array.from(value.data as ArrayLike<number | bigint>, (v) => Number(v));
}

/** Runs `mcu eval`. */
export async function evalCommand(ctx: CommandContext, model: string, opts: EvalOptions): Promise<void> {
  const { io, registry } = ctx;
  const { graph } = await readModel(io, registry, model);
  const inputs = await readModelInputs(io, graph, opts.input);
  const prepared = await registry
    .engine(opts.engine)
    .prepare(graph, { registry, report: (d) => reportDiagnostic(io, d) });
  let outputs: Awaited<ReturnType<typeof runBatches>>;
  try {
    const progress = startProgress(io, "eval", inputs.runs);
    outputs = await runBatches(graph, prepared, inputs, progress);
    progress.stop();
  } finally {
    await prepared.dispose?.();
  }
  const scores = outputs[0]!;
  if (scores.dtype === "bit")
    throw new McuError("MCU_E_OUTPUT", "the model's first output is a bit tensor, not class scores");
  // Each row of the last axis of the first output is one sample's class scores.
  const classes = scores.shape.length === 0 ? 1 : scores.shape[scores.shape.length - 1]!;
  const n = classes === 0 ? 0 : numElements(scores.shape) / classes;
  if (n === 0) throw new McuError("MCU_E_INPUT", "there is nothing to evaluate: the inputs hold no samples");
  const predicted = topClasses(scores.data, classes);
  const labels = await readLabels(ctx, opts.labels, n);
  let correct = 0;
  for (let i = 0; i < n; i++) if (predicted[i] === labels[i]) correct += 1;
  const report: { schema: 1; n: number; top1: number; agreement?: number } = {
    schema: 1,
    n,
    top1: correct / n,
  };

  let agreeing = 0;
  if (opts.reference !== undefined) {
    const ref = decodeTensorFile(await readUserFile(io, opts.reference), opts.reference, {
      dtype: scores.dtype,
    });
    if (ref.data.length !== n * classes) {
      throw new McuError(
        "MCU_E_REFERENCE",
        `"${opts.reference}" has shape ${formatShape(ref.shape)} (${ref.data.length} values); ${n} samples of ${classes} classes need ${n * classes}`,
      );
    }
    const refTop = topClasses(ref.data, classes);
    for (let i = 0; i < n; i++) if (predicted[i] === refTop[i]) agreeing += 1;
    report.agreement = agreeing / n;
  }

  if (opts.json === true) {
    io.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
  io.stdout.write(`top-1 accuracy: ${pct(report.top1)} (${correct}/${n})\n`);
  if (report.agreement !== undefined) {
    io.stdout.write(`agreement with reference: ${pct(report.agreement)} (${agreeing}/${n})\n`);
  }
}
