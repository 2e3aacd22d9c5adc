/**
 * The flow behind `mcu compile` and `mcu demo`: passes → C for the board's core → estimate →
 * verification of the C against the TS interpreter → the model's measured size on the core →
 * (after quantization) the quality report. Everything a report needs is in the result; nothing
 * is written or printed here.
 */
import { type CTarget, cTarget, type GeneratedProject, generateProject } from "@mcu/codegen-c";
import { type Board, boardById, type EstimateReport, estimateModel } from "@mcu/hw-model";
import { type QualityReport, qualityReport } from "@mcu/quant";
import {
  type Diagnostic,
  type Graph,
  type PassTiming,
  type Progress,
  type Registry,
  resolvePipeline,
  runPipeline,
  type TensorData,
  timingInstrument,
} from "@mcu/tensor";
import { type TargetMeasurement, measureTarget } from "./measure-target.js";
import { choosePipeline, type PipelineChoice } from "./pipeline-choice.js";
import { randomInputs, type VerifyResult, verifyGeneratedC } from "./verify-c.js";

/** Default number of inputs the C is verified on. */
export const DEFAULT_VERIFY_SAMPLES = 10;

/** Most calibration samples the quality report runs on. */
export const QUALITY_SAMPLES = 100;

/** Options of {@link compileModel}. */
export interface CompileOptions {
  readonly registry: Registry;
  /** A catalog board id or board. */
  readonly board: string | Board;
  /** The pipeline (`-p`); default: {@link choosePipeline}'s choice. */
  readonly pipeline?: string;
  /** Calibration samples: per sample, one tensor per graph input (model layout and dtypes). */
  readonly calibration?: readonly (readonly TensorData[])[];
  /** The C model name (`mcu_<name>_invoke`). */
  readonly name: string;
  /** Inputs to verify the C on (default {@link DEFAULT_VERIFY_SAMPLES}; 0 skips verification). */
  readonly verifySamples?: number;
  /** Cross-compile for the board's core to measure flash (default true). */
  readonly measure?: boolean;
  /** Also verify the Cortex-M build under QEMU when the tools are installed (default true). */
  readonly qemu?: boolean;
  readonly progress?: (label: string, total: number) => Progress;
  readonly onDiagnostic?: (d: Diagnostic) => void;
}

/** Everything a compile produced. */
export interface CompileResult {
  /** The model as read. */
  readonly source: Graph;
  /** The model after the pipeline: what the C implements. */
  readonly graph: Graph;
  readonly board: Board;
  readonly target: CTarget;
  readonly choice: PipelineChoice;
  readonly passes: readonly PassTiming[];
  readonly diagnostics: readonly Diagnostic[];
  readonly calibrationSamples: number;
  readonly project: GeneratedProject;
  readonly estimate: EstimateReport;
  readonly verify: VerifyResult;
  readonly measurement: TargetMeasurement;
  /** Per-layer SQNR against the source model, when the pipeline changed dtypes and calibration samples exist. */
  readonly quality?: QualityReport;
  /** Milliseconds of each step. */
  readonly stepMs: Readonly<Record<string, number>>;
}

/** The C target of a board: its core. */
export function boardTarget(board: Board): CTarget {
  return cTarget(board.core);
}

function changesDtypes(a: Graph, b: Graph): boolean {
  for (const [id, t] of b.tensors) {
    const s = a.tensors.get(id);
    if (s !== undefined && s.data === undefined && s.dtype !== t.dtype) return true;
  }
  return false;
}

/** Runs the whole flow on a graph. */
export async function compileModel(source: Graph, options: CompileOptions): Promise<CompileResult> {
  const { registry } = options;
  const board = typeof options.board === "string" ? boardById(options.board) : options.board;
  const target = boardTarget(board);
  const calibration = options.calibration ?? [];
  const choice = choosePipeline(source, board, {
    ...(options.pipeline !== undefined ? { pipeline: options.pipeline } : {}),
    hasCalibration: calibration.length > 0,
  });
  const steps = resolvePipeline(registry, choice.pipeline); // a bad pipeline fails before any work
  const stepMs: Record<string, number> = {};
  const timed = async <T>(step: string, f: () => T | Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      stepMs[step] = performance.now() - t0;
    }
  };

  const timing = timingInstrument();
  const diagnostics: Diagnostic[] = [];
  const { graph } = await timed("passes", () =>
    runPipeline(source, steps, {
      registry,
      resources: calibration.length > 0 ? { calibration } : {},
      instruments: [timing],
      onDiagnostic: (d) => {
        diagnostics.push(d);
        options.onDiagnostic?.(d);
      },
      ...(options.progress !== undefined ? { onProgress: options.progress } : {}),
    }),
  );

  const verifyCount = options.verifySamples ?? DEFAULT_VERIFY_SAMPLES;
  const fromCalibration = calibration.length > 0;
  const verifyInputs = fromCalibration ? calibration.slice(0, verifyCount) : randomInputs(graph, verifyCount);

  const project = await timed("codegen", () =>
    generateProject(graph, {
      registry,
      target,
      name: options.name,
      // The Cortex-M harness embeds one real input when there is one.
      ...(verifyInputs.length > 0 ? { samples: [verifyInputs[0]!] } : {}),
    }),
  );
  const estimate = await timed("estimate", () => estimateModel(graph, { registry, board }));
  const verify = await timed("verify", () =>
    verifyGeneratedC(graph, project, registry, verifyInputs, fromCalibration ? "calibration" : "random", {
      ...(options.qemu !== undefined ? { qemu: options.qemu } : {}),
    }),
  );
  const measurement: TargetMeasurement =
    options.measure === false
      ? { status: "skipped", reason: "not requested" }
      : await timed("measure", () => measureTarget(project.model, target));
  let quality: QualityReport | undefined;
  if (calibration.length > 0 && changesDtypes(source, graph)) {
    quality = await timed("quality", () =>
      qualityReport(source, graph, calibration.slice(0, QUALITY_SAMPLES), {
        registry,
        ...(options.progress !== undefined ? { progress: options.progress } : {}),
      }),
    );
  }
  return {
    source,
    graph,
    board,
    target,
    choice,
    passes: timing.timings,
    diagnostics,
    calibrationSamples: calibration.length,
    project,
    estimate,
    verify,
    measurement,
    ...(quality !== undefined ? { quality } : {}),
    stepMs,
  };
}
