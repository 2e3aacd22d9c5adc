/** Text renderings of an estimate and of the board catalog (what `mcu estimate` prints). */
import { BOARDS, type Board } from "./boards.js";
import { CORE_FAMILY_SPECS } from "./cores.js";
import type { EstimateReport } from "./estimate.js";

function table(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  rightAlign: ReadonlySet<number>,
): string {
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, j) => (rightAlign.has(j) ? c.padStart(widths[j]!) : c.padEnd(widths[j]!)))
      .join("  ")
      .trimEnd();
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

function ms(x: number | null): string {
  return x === null ? "-" : x < 0.01 ? x.toExponential(1) : x.toFixed(x < 10 ? 3 : 1);
}

function int(x: number): string {
  return x.toLocaleString("en-US");
}

/** The per-layer table, totals, fit with margins and the bottleneck layer. */
export function formatEstimate(r: EstimateReport): string {
  const b = r.board;
  const rows = r.layers.map((l, i) => [
    String(i),
    l.name.length > 28 ? `${l.name.slice(0, 27)}…` : l.name,
    l.kernel ?? `${l.op} (no cost model)`,
    int(l.macs),
    int(l.weightBytes),
    int(l.activationBytes),
    int(l.liveArenaBytes),
    ms(l.latencyMs.generated),
    ms(l.latencyMs.tflmCmsisNn),
  ]);
  const out: string[] = [];
  out.push(
    `${b.name} (${b.mcu}, ${CORE_FAMILY_SPECS[b.core].family} @ ${b.clockHz.value / 1e6} MHz, ${kb(b.sramBytes.value)} SRAM, ${kb(b.flashBytes.value)} flash)`,
    "",
    table(
      ["#", "layer", "kernel", "MACs", "weights B", "act. B", "live arena B", "gen ms", "TFLM ms"],
      rows,
      new Set([0, 3, 4, 5, 6, 7, 8]),
    ),
    "",
    `RAM    ${int(r.ramBytes)} B  (arena ${int(r.ram.arenaBytes)} + state ${int(r.ram.stateBytes)} + stack estimate ${int(r.ram.stackBytes)})  of ${int(b.sramBytes.value)} B: margin ${int(r.ramMarginBytes)} B`,
    `flash  ${int(r.flashBytes)} B  (weights ${int(r.flash.weightBytes)} + kernels ${int(r.flash.kernelCodeBytes)} + layers ${int(r.flash.layerCodeBytes)} + runtime ${int(r.flash.runtimeBytes)})  of ${int(b.flashBytes.value)} B: margin ${int(r.flashMarginBytes)} B`,
    `latency  generated ${ms(r.latencyMs.generated)} ms   TFLM + CMSIS-NN ${ms(r.latencyMs.tflmCmsisNn)} ms`,
    `energy   ${r.energyUj === null ? "- (no published active power for this board)" : `${r.energyUj.toFixed(1)} µJ per inference (generated)`}`,
    r.fits
      ? `fits: yes`
      : `fits: NO (${r.ramMarginBytes < 0 ? "RAM" : ""}${r.ramMarginBytes < 0 && r.flashMarginBytes < 0 ? " and " : ""}${r.flashMarginBytes < 0 ? "flash" : ""} over)`,
  );
  const bn = r.layers[r.bottleneck];
  if (bn !== undefined) {
    const total = r.latencyMs.generated ?? r.latencyMs.tflmCmsisNn;
    const mine = bn.latencyMs.generated ?? bn.latencyMs.tflmCmsisNn;
    const share =
      total !== null && mine !== null && total > 0
        ? ` (${((mine / total) * 100).toFixed(0)}% of the latency)`
        : "";
    const name = bn.name.length > 60 ? `${bn.name.slice(0, 59)}…` : bn.name;
    out.push(`bottleneck: #${r.bottleneck} ${name} ${bn.kernel ?? bn.op}${share}`);
  }
  for (const w of r.warnings) out.push(`note: ${w}`);
  return `${out.join("\n")}\n`;
}

/** The board catalog as a table, with the source of each figure below it. */
export function formatBoardList(boards: readonly Board[] = BOARDS): string {
  const rows = boards.map((b) => [
    b.id,
    b.mcu,
    b.core,
    `${b.clockHz.value / 1e6}`,
    `${Math.round(b.sramBytes.value / 1024)}${b.sramBytes.unverified !== undefined ? "*" : ""}`,
    `${Math.round(b.flashBytes.value / 1024)}${b.flashBytes.unverified !== undefined ? "*" : ""}`,
    b.activePower === undefined ? "-" : b.activePower.milliwatts.toFixed(1),
  ]);
  const lines = [
    table(["board", "mcu", "core", "MHz", "SRAM KB", "flash KB", "active mW"], rows, new Set([3, 4, 5, 6])),
    "",
    "* not verified against a cited source. Sources:",
  ];
  for (const b of boards) {
    const srcs = new Set([
      b.clockHz.source,
      b.sramBytes.source,
      b.flashBytes.source,
      ...(b.activePower ? [b.activePower.source] : []),
    ]);
    for (const s of srcs) lines.push(`  ${b.id}: ${s.document} <${s.url}>`);
  }
  return `${lines.join("\n")}\n`;
}
