/**
 * `mcu compile <model> --board <id> [-p <pipeline>] [--calib <f>...] -o <dir>`: the whole flow —
 * import, passes (int8 PTQ by default when calibration samples are given), C for the board's
 * core, estimate, verification of the C against the TS interpreter, report.json and
 * report.html. A verification failure still writes everything, then fails with MCU_E_VERIFY.
 */
import { basename, join, relative, resolve } from "node:path";
import { modelIdentifier } from "@mcu/codegen-c";
import { boardById } from "@mcu/hw-model";
import { McuError, type TensorData } from "@mcu/tensor";
import { type CompileResult, compileModel, DEFAULT_VERIFY_SAMPLES } from "../compile/compile-flow.js";
import { formatFit, formatLayerTable, formatPipeline, formatVerification } from "../compile/format-text.js";
import type { CompileReport } from "../compile/report.js";
import { REPORT_HTML, REPORT_JSON, writeCompileOutput } from "../compile/write-output.js";
import type { CliIo } from "../io.js";
import { readModel } from "../model-file.js";
import { readModelInputs } from "../model-io.js";
import { pipelineProgress } from "../progress.js";
import { type CommandContext, reportDiagnostic } from "./context.js";

/** Options of `mcu compile`. */
export interface CompileCommandOptions {
  readonly board: string;
  readonly output: string;
  readonly pipeline?: string;
  readonly calib?: readonly string[];
  readonly name?: string;
  /** Number of inputs to verify the C on (text from the command line). */
  readonly verify?: string;
  readonly json?: boolean;
}

/** The `compile --json` (and part of `demo --json`) summary, schema 1. */
export interface CompileSummary {
  readonly schema: 1;
  readonly dir: string;
  readonly board: string;
  readonly target: string;
  readonly pipeline: { readonly text: string; readonly source: "user" | "default"; readonly reason: string };
  readonly fits: boolean;
  readonly ramBytes: number;
  readonly flashBytes: number;
  readonly flashBasis: "measured" | "estimate";
  readonly arenaBytes: number;
  readonly latencyMs: { readonly generated: number | null; readonly tflmCmsisNn: number | null };
  readonly verify: {
    readonly status: "passed" | "failed" | "skipped";
    readonly mode: "exact" | "tolerance";
    readonly samples: number;
    readonly host: { readonly status: "passed" | "failed" | "skipped"; readonly identicalSamples: number };
    readonly qemu: {
      readonly status: "passed" | "failed" | "skipped";
      readonly identicalSamples: number;
      readonly instructions?: number;
    };
  };
  readonly report: string;
  readonly html: string;
  readonly files: readonly string[];
}

/** The summary of a written compile (paths as the user gave the directory). */
export function compileSummary(report: CompileReport, dir: string): CompileSummary {
  return {
    schema: 1,
    dir,
    board: report.board.id,
    target: report.target,
    pipeline: { text: report.pipeline.text, source: report.pipeline.source, reason: report.pipeline.reason },
    fits: report.fits,
    ramBytes: report.ram.bytes,
    flashBytes: report.flash.bytes,
    flashBasis: report.flash.basis,
    arenaBytes: report.arena.bytes,
    latencyMs: report.latencyMs,
    verify: {
      status: report.verify.status,
      mode: report.verify.mode,
      samples: report.verify.samples,
      host: { status: report.verify.host.status, identicalSamples: report.verify.host.identicalSamples },
      qemu: {
        status: report.verify.qemu.status,
        identicalSamples: report.verify.qemu.identicalSamples,
        ...(report.verify.qemu.instructions !== undefined
          ? { instructions: report.verify.qemu.instructions }
          : {}),
      },
    },
    report: join(dir, REPORT_JSON),
    html: join(dir, REPORT_HTML),
    files: report.files,
  };
}

/** Fails with MCU_E_VERIFY (exit code 2: a kernel bug, not the user's) when the C and TS disagreed. */
export function assertVerified(result: CompileResult, dir: string): void {
  const v = result.verify.verification;
  if (v.status !== "failed") return;
  throw new McuError(
    "MCU_E_VERIFY",
    `the generated C and the TS interpreter disagree: ${v.reason ?? "outputs differ"} — a bug in a C or TS kernel; the C in ${dir} is not trustworthy (details in ${join(dir, REPORT_JSON)})`,
  );
}

/** Warnings about verification that did not happen (none when `--verify 0` asked for that). */
export function verificationWarnings(report: CompileReport, verifySamples: number): string[] {
  if (verifySamples === 0) return [];
  const v = report.verify;
  if (v.status === "skipped") return [`the C was not verified: ${v.reason ?? "skipped"}`];
  if (v.host.status === "skipped") return [`the C was not run on the host: ${v.host.reason ?? "skipped"}`];
  return [];
}

/** Parses `--verify <n>`. */
export function parseVerifyCount(text: string | undefined): number {
  if (text === undefined) return DEFAULT_VERIFY_SAMPLES;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    throw new McuError("MCU_E_USAGE", `--verify takes a number of inputs (0 or more), got "${text}"`);
  }
  return n;
}

/** Reads calibration files (one per model input, leading batch axis) into samples. */
export async function readCalibration(
  io: CliIo,
  graph: Parameters<typeof readModelInputs>[1],
  files: readonly string[],
): Promise<TensorData[][]> {
  if (files.length === 0) return [];
  const batched = await readModelInputs(io, graph, files);
  return Array.from({ length: batched.runs }, (_, i) => batched.slice(i));
}

/** The text `mcu compile` prints after writing. */
export function formatCompileText(report: CompileReport, dir: string, cwd: string): string {
  const shown = relative(cwd, resolve(cwd, dir)) || ".";
  const notes = [...report.notes.map((n) => `note: ${n}`)];
  return [
    `mcu compile ${report.model.file} → ${report.board.id} (${report.board.mcu}, ${report.board.core} @ ${report.board.clockHz / 1e6} MHz), C target ${report.target}`,
    formatPipeline(report),
    ...notes,
    "",
    formatLayerTable(report),
    "",
    formatFit(report),
    formatVerification(report),
    `wrote ${shown}/: ${report.files.join(", ")}`,
    `report: ${join(shown, REPORT_HTML)}`,
    `build: cd ${shown} && make   (${report.target} ELF; also make host, make run-${report.target})`,
    "",
  ].join("\n");
}

/** Runs `mcu compile`. */
export async function compileCommand(
  ctx: CommandContext,
  model: string,
  opts: CompileCommandOptions,
): Promise<void> {
  const { io, registry } = ctx;
  const board = boardById(opts.board); // an unknown board fails before any work
  const verifySamples = parseVerifyCount(opts.verify);
  const { graph, format } = await readModel(io, registry, model);
  const calibration = await readCalibration(io, graph, opts.calib ?? []);
  const cwd = io.cwd ?? process.cwd();
  const dir = resolve(cwd, opts.output);
  const result = await compileModel(graph, {
    registry,
    board,
    ...(opts.pipeline !== undefined ? { pipeline: opts.pipeline } : {}),
    calibration,
    name: modelIdentifier(opts.name ?? basename(model)),
    verifySamples,
    progress: pipelineProgress(io),
    onDiagnostic: (d) => {
      if (d.level === "warning") reportDiagnostic(io, d);
    },
  });
  const report = await writeCompileOutput(dir, result, {
    registry,
    file: basename(model),
    format: format.name,
    shownDir: opts.output,
  });
  io.stdout.write(
    opts.json === true
      ? `${JSON.stringify(compileSummary(report, opts.output))}\n`
      : formatCompileText(report, opts.output, cwd),
  );
  for (const w of verificationWarnings(report, verifySamples)) io.stderr.write(`warning: ${w}\n`);
  assertVerified(result, opts.output);
}
