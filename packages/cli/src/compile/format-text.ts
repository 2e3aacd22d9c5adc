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
    ...(r.verify.qemu.instructions !== undefined
      ? [
          `measured ${formatCount(r.verify.qemu.instructions)} instructions per inference on ${r.target} under QEMU (${r.verify.qemu.machine})`,
        ]
      : []),
    `fits ${r.board.id}: ${r.fits ? "yes" : "NO"}`,
  ].join("\n");
}

/** The verification: which builds of the C ran, and how they compared with the TS interpreter. */
export function formatVerification(r: CompileReport): string {
  const v = r.verify;
  if (v.status === "skipped") return `verified: no — ${v.reason ?? "skipped"}`;
  if (v.status === "failed") return `verified: FAILED — ${v.reason ?? ""}`;
  const inputs = v.inputs === "calibration" ? "calibration samples" : "random inputs";
  const engines = [
    { name: `host C (${v.host.compiler ?? "cc"})`, e: v.host },
    { name: `${r.target} under QEMU (${v.qemu.machine ?? "qemu"})`, e: v.qemu },
  ];
  const ran = engines.filter((x) => x.e.status === "passed");
  const identical = Math.min(...ran.map((x) => x.e.identicalSamples));
  const largest = Math.max(...ran.map((x) => x.e.maxAbsDiff));
  const line =
    v.mode === "exact"
      ? `verified: ${ran.map((x) => x.name).join(" and ")} give the TS interpreter's bytes on ${identical} of ${v.samples} ${inputs}`
      : `verified: ${ran.map((x) => x.name).join(" and ")} within ${(v.tolerance ?? 0).toExponential(0)} of the TS interpreter on ${v.samples} ${inputs} (largest difference ${largest.toExponential(2)})`;
  const notRun = engines
    .filter((x) => x.e.status === "skipped")
    .map((x) => `${x.name.replace(/ \(.*\)$/, "")} not run: ${x.e.reason ?? "skipped"}`);
  return [line, ...notRun.map((n) => `  (${n})`)].join("\n");
}

/** The pipeline line: what ran and why. */
export function formatPipeline(r: CompileReport): string {
  const text = r.pipeline.text === "" ? "(none)" : r.pipeline.text;
  return r.pipeline.source === "user"
    ? `pipeline: ${text}`
    : `pipeline: ${text} (default: ${r.pipeline.reason})`;
}
