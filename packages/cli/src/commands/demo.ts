/**
 * `mcu demo`: the whole flow on the bundled model (packages/cli/assets: mnist_cnn.onnx, 200
 * calibration digits, 100 test digits) — `mcu compile` with int8 post-training quantization for
 * nucleo-l4r5zi — then the float32 (TS), int8 (TS) and int8 (C, host compiler) top-1 accuracy on
 * the 100 test digits against their labels, the fit, and where the report is.
 */
import { relative, resolve } from "node:path";
import { buildCortexM, runHostBatch, runQemuBatch, tensorDataBytes } from "@mcu/codegen-c";
import { boardById } from "@mcu/hw-model";
import { createInterpreter, type Graph, McuError, type Registry, type TensorData, verify } from "@mcu/tensor";
import { compileModel } from "../compile/compile-flow.js";
import { formatFit, formatLayerTable, formatPipeline, formatVerification } from "../compile/format-text.js";
import { REPORT_HTML, writeCompileOutput } from "../compile/write-output.js";
import { readDemoAssets } from "../demo-assets.js";
import type { CliIo } from "../io.js";
import { pipelineProgress, startProgress } from "../progress.js";
import { renderTable } from "../table.js";
import { assertVerified, type CompileSummary, compileSummary } from "./compile.js";
import { type CommandContext, reportDiagnostic } from "./context.js";
import { argmax } from "./eval.js";

/** Where `mcu demo` writes by default (relative to the current directory). */
export const DEMO_OUTPUT = "mcu-demo-out";
/** The demo's board. */
export const DEMO_BOARD = "nucleo-l4r5zi";

/** Options of `mcu demo`. */
export interface DemoOptions {
  readonly output: string;
  readonly board: string;
  readonly json?: boolean;
}

/** Correct answers out of `n`. */
export interface DemoScore {
  readonly correct: number;
  readonly n: number;
}

/** The `demo --json` document, schema 1. */
export interface DemoSummary {
  readonly schema: 1;
  readonly model: string;
  /** Number of test digits. */
  readonly samples: number;
  /**
   * Top-1 accuracy in [0, 1]: float32 and int8 in the TS interpreter, the int8 C built for the
   * host, and the Makefile's Cortex-M build under QEMU (null when not run).
   */
  readonly accuracy: {
    readonly float: number;
    readonly int8Ts: number;
    readonly int8C: number | null;
    readonly int8Qemu: number | null;
  };
  /** The host C: `ran`, or `skipped` with the reason; outputs byte-identical to int8 TS on `identicalToTs` digits. */
  readonly c: {
    readonly status: "ran" | "skipped";
    readonly reason?: string;
    readonly identicalToTs: number;
  };
  /** The same under QEMU, with the machine and the instructions of one inference (the largest). */
  readonly qemu: {
    readonly status: "ran" | "skipped";
    readonly reason?: string;
    readonly machine?: string;
    readonly identicalToTs: number;
    readonly instructions?: number;
  };
  readonly compile: CompileSummary;
  /** Wall-clock seconds of the whole demo. */
  readonly seconds: number;
}

function score(outputs: readonly TensorData[], labels: readonly number[]): DemoScore {
  let correct = 0;
  outputs.forEach((o, i) => {
    if (argmax(o, 0, o.length) === labels[i]) correct += 1;
  });
  return { correct, n: outputs.length };
}

function runTs(
  io: CliIo,
  label: string,
  graph: Graph,
  registry: Registry,
  inputs: readonly (readonly TensorData[])[],
): TensorData[] {
  const interpreter = createInterpreter(graph, { registry });
  const bar = startProgress(io, label, inputs.length);
  const out = inputs.map((s) => {
    const [first] = interpreter.invoke(s);
    bar.tick();
    return first!.data;
  });
  bar.stop();
  return out;
}

function sameBytes(a: Uint8Array, b: TensorData): boolean {
  const w = tensorDataBytes(b);
  return a.length === w.length && a.every((x, i) => x === w[i]);
}

function float32Of(bytes: Uint8Array): Float32Array {
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function pct(s: DemoScore): string {
  return `${((100 * s.correct) / s.n).toFixed(1)}%`;
}

/** Runs `mcu demo`. */
export async function demoCommand(ctx: CommandContext, opts: DemoOptions): Promise<void> {
  const t0 = performance.now();
  const { io, registry } = ctx;
  const board = boardById(opts.board);
  const assets = await readDemoAssets();
  const format = registry.formatFor(assets.modelFile);
  if (format.read === undefined) {
    throw new McuError("MCU_E_FORMAT_UNSUPPORTED", `the ${format.name} format cannot read files`);
  }
  const source = verify(format.read(assets.model, { registry }), registry);
  const cwd = io.cwd ?? process.cwd();
  const dir = resolve(cwd, opts.output);
  const progress = pipelineProgress(io);
  const result = await compileModel(source, {
    registry,
    board,
    calibration: assets.calibration,
    name: "mnist_cnn",
    progress,
    onDiagnostic: (d) => {
      if (d.level === "warning") reportDiagnostic(io, d);
    },
  });
  const report = await writeCompileOutput(dir, result, {
    registry,
    file: assets.modelFile,
    format: format.name,
    shownDir: opts.output,
  });

  const float = score(runTs(io, "float32 (TS)", source, registry, assets.test), assets.labels);
  const int8Outputs = runTs(io, "int8 (TS)", result.graph, registry, assets.test);
  const int8 = score(int8Outputs, assets.labels);
  let cScore: DemoScore | undefined;
  let identicalToTs = 0;
  const program = result.verify.program;
  if (program !== undefined) {
    const run = await runHostBatch(
      program,
      result.project.model,
      assets.test.map((s) => s.map(tensorDataBytes)),
    );
    cScore = score(
      run.outputs.map((o) => float32Of(o[0]!)),
      assets.labels,
    );
    run.outputs.forEach((o, i) => {
      if (sameBytes(o[0]!, int8Outputs[i]!)) identicalToTs += 1;
    });
  }
  // The Makefile's Cortex-M build under QEMU, when verification could run it (the build is cached).
  const q = result.verify.verification.qemu;
  let qemuScore: DemoScore | undefined;
  let qemuIdentical = 0;
  let qemuInstructions: number | undefined;
  if (q.status !== "skipped") {
    const elf = await buildCortexM(result.project, { fileIo: true });
    const run = await runQemuBatch(
      elf,
      result.project.model,
      assets.test.map((s) => s.map(tensorDataBytes)),
    );
    qemuScore = score(
      run.outputs.map((o) => float32Of(o[0]!)),
      assets.labels,
    );
    run.outputs.forEach((o, i) => {
      if (sameBytes(o[0]!, int8Outputs[i]!)) qemuIdentical += 1;
    });
    qemuInstructions = run.instructions?.length ? Math.max(...run.instructions) : undefined;
  }
  const cReason = program === undefined ? (result.verify.verification.host.reason ?? "not built") : undefined;
  const seconds = (performance.now() - t0) / 1000;
  const shown = relative(cwd, dir) || ".";

  if (opts.json === true) {
    const summary: DemoSummary = {
      schema: 1,
      model: assets.modelFile,
      samples: assets.test.length,
      accuracy: {
        float: float.correct / float.n,
        int8Ts: int8.correct / int8.n,
        int8C: cScore === undefined ? null : cScore.correct / cScore.n,
        int8Qemu: qemuScore === undefined ? null : qemuScore.correct / qemuScore.n,
      },
      c:
        cReason === undefined
          ? { status: "ran", identicalToTs }
          : { status: "skipped", reason: cReason, identicalToTs },
      qemu: {
        status: qemuScore === undefined ? "skipped" : "ran",
        ...(qemuScore === undefined ? { reason: q.reason ?? "not run" } : {}),
        ...(q.machine !== undefined ? { machine: q.machine } : {}),
        identicalToTs: qemuIdentical,
        ...(qemuInstructions !== undefined ? { instructions: qemuInstructions } : {}),
      },
      compile: compileSummary(report, opts.output),
      seconds,
    };
    io.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    const cc = result.verify.verification.host.compiler ?? "cc";
    io.stdout.write(
      [
        `mcu demo: ${assets.modelFile} (a PyTorch MNIST CNN, ${report.model.nodes} ONNX nodes, ${report.model.paramBytes.toLocaleString("en-US")} B of float32 weights) → ${board.id} (${board.mcu}, ${board.core} @ ${board.clockHz.value / 1e6} MHz)`,
        formatPipeline(report),
        "",
        formatLayerTable(report),
        "",
        `top-1 accuracy on ${assets.test.length} test digits (the first 10 of each class):`,
        ...renderTable(
          ["model", "engine", "top-1", "correct"],
          [
            ["float32", "TS interpreter", pct(float), `${float.correct}/${float.n}`],
            ["int8", "TS interpreter", pct(int8), `${int8.correct}/${int8.n}`],
            cScore !== undefined
              ? [
                  "int8",
                  `C, host ${cc}`,
                  pct(cScore),
                  `${cScore.correct}/${cScore.n}  (outputs byte-identical to int8 TS on ${identicalToTs}/${assets.test.length})`,
                ]
              : ["int8", "C, host", "not run", cReason ?? ""],
            qemuScore !== undefined
              ? [
                  "int8",
                  `C, ${board.core} under QEMU`,
                  pct(qemuScore),
                  `${qemuScore.correct}/${qemuScore.n}  (byte-identical to int8 TS on ${qemuIdentical}/${assets.test.length}; ${(qemuInstructions ?? 0).toLocaleString("en-US")} instructions per digit)`,
                ]
              : ["int8", `C, ${board.core} under QEMU`, "not run", q.reason ?? ""],
          ],
          [2],
        )
          .split("\n")
          .map((l) => `  ${l}`),
        "",
        formatFit(report),
        formatVerification(report),
        "",
        `report: ${shown}/${REPORT_HTML} (and report.json); C project: cd ${shown} && make`,
        `done in ${seconds.toFixed(1)} s`,
        "",
      ].join("\n"),
    );
  }
  assertVerified(result, opts.output);
}
