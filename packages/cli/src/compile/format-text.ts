/** The human-readable parts of `mcu compile` and `mcu demo` output, from the report document. */
import { formatShape } from "@mcu/tensor";
import { formatCount, renderTable } from "../table.js";
import type { CompileReport } from "./report.js";

function ms(x: number | null): string {
  if (x === null) return "-";
  if (x === 0) return "0";
  return x < 0.01 ? x.toExponential(1) : x.toFixed(x < 10 ? 3 : 1);
}

function pct(part: number, whole: number): string {
  return `${((100 * part) / whole).toFixed(2)}%`;
}

/** The per-layer table: op, C kernel, output, MACs, weights, live arena, estimated latency (and SQNR after quantization). */
export function formatLayerTable(r: CompileReport): string {
  const hasSqnr = r.layers.some((l) => l.sqnrDb !== undefined);
  const rows = r.layers.map((l) => [
    String(l.index),
    // The end of a long name is what differs between layers (MobilenetV1/MobilenetV1/Conv2d_3_…).
    l.name.length > 28 ? `…${l.name.slice(-27)}` : l.name,
    l.op,
    l.cKernel,
    `${l.dtype}${formatShape(l.outputShape)}`,
    formatCount(l.macs),
    formatCount(l.weightBytes),
    formatCount(l.liveArenaBytes),
    ms(l.latencyMs.generated ?? l.latencyMs.tflmCmsisNn),
    ...(hasSqnr ? [l.sqnrDb === undefined ? "" : l.sqnrDb === null ? "exact" : l.sqnrDb.toFixed(1)] : []),
  ]);
  return renderTable(
    [
      "#",
      "layer",
      "op",
      "C kernel",
      "output",
      "MACs",
      "weights B",
      "live arena B",
      "est. ms",
      ...(hasSqnr ? ["SQNR dB"] : []),
    ],
    rows,
    [0, 5, 6, 7, 8, 9],
  );
}

/** RAM, flash, latency and the verdict against the board. */
export function formatFit(r: CompileReport): string {
  const flashBasis =
    r.flash.basis === "measured"
      ? `measured with ${r.flash.measured?.compiler ?? "the Arm compiler"}`
      : "estimate";
  return [
    `RAM      ${formatCount(r.ram.bytes)} B of ${formatCount(r.ram.limitBytes)} B (${pct(r.ram.bytes, r.ram.limitBytes)}): arena ${formatCount(r.ram.arenaBytes)} + state ${formatCount(r.ram.stateBytes)} + stack estimate ${formatCount(r.ram.stackBytes)}`,
    `flash    ${formatCount(r.flash.bytes)} B of ${formatCount(r.flash.limitBytes)} B (${pct(r.flash.bytes, r.flash.limitBytes)}, ${flashBasis}): weights ${formatCount(r.flash.weightBytes)} + code ${formatCount(r.flash.codeBytes)}`,
    `latency  ${ms(r.latencyMs.generated)} ms estimated (TFLM + CMSIS-NN: ${ms(r.latencyMs.tflmCmsisNn)} ms) at ${r.board.clockHz / 1e6} MHz`,
    `fits ${r.board.id}: ${r.fits ? "yes" : "NO"}`,
  ].join("\n");
}

/** One line on the verification. */
export function formatVerification(r: CompileReport): string {
  const v = r.verify;
  const inputs = v.inputs === "calibration" ? "calibration samples" : "random inputs";
  if (v.status === "skipped") return `verified: no — ${v.reason ?? "skipped"}`;
  if (v.status === "failed") return `verified: FAILED — ${v.reason ?? ""}`;
  return v.mode === "exact"
    ? `verified: host C (${v.compiler}) and the TS interpreter give identical bytes on ${v.identicalSamples} of ${v.samples} ${inputs}`
    : `verified: host C (${v.compiler}) within ${(v.tolerance ?? 0).toExponential(0)} of the TS interpreter on ${v.samples} ${inputs} (largest difference ${v.maxAbsDiff.toExponential(2)}; ${v.identicalSamples} byte-identical)`;
}

/** The pipeline line: what ran and why. */
export function formatPipeline(r: CompileReport): string {
  const text = r.pipeline.text === "" ? "(none)" : r.pipeline.text;
  return r.pipeline.source === "user"
    ? `pipeline: ${text}`
    : `pipeline: ${text} (default: ${r.pipeline.reason})`;
}
