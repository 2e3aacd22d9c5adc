/**
 * `report.html`: the compile report as one self-contained page — inline CSS and inline SVG,
 * no scripts, no fonts, no network — drawn only from the report.json document.
 */
import { formatShape } from "@mcu/tensor";
import { formatBytes, formatCount } from "../table.js";
import type { CompileReport, ReportLayer } from "./report.js";
import type { EngineVerification } from "./verify-c.js";
import {
  arenaTimeline,
  type Bar,
  barChart,
  colorOf,
  escapeXml,
  type Segment,
  stackedBars,
} from "./svg-charts.js";

const CSS = `
:root { color-scheme: light; --fg: #1f2933; --muted: #616e7c; --line: #d9e2ec; --ok: #2f855a; --bad: #c53030; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1120px; padding: 24px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 150px; }
.card .k { color: var(--muted); font-size: 12px; } .card .v { font-size: 17px; font-weight: 600; }
.ok { color: var(--ok); } .bad { color: var(--bad); }
figure { margin: 12px 0; } figcaption { color: var(--muted); font-size: 12px; margin-bottom: 4px; }
svg.chart { max-width: 100%; height: auto; display: block; }
svg .label, svg .value, svg .tick { font: 11px system-ui, sans-serif; fill: var(--fg); }
svg .axis { stroke: var(--line); } svg .track { fill: #f0f4f8; stroke: var(--line); }
svg .plot { fill: #f8fafc; stroke: var(--line); } svg .peak { stroke: var(--bad); stroke-dasharray: 4 3; }
svg rect.buffer { stroke: #ffffff; stroke-width: 0.5; } svg rect.scratch { opacity: 0.75; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 6px; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
ul { margin: 4px 0; padding-left: 20px; } code { font: 12px ui-monospace, Menlo, Consolas, monospace; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: middle; }
`;

function ms(x: number | null): string {
  if (x === null) return "–";
  if (x === 0) return "0";
  return x < 0.01 ? x.toExponential(1) : x.toFixed(x < 10 ? 3 : 1);
}

function pct(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(part / whole < 0.1 ? 2 : 1)}%` : "–";
}

function card(key: string, value: string, cls = ""): string {
  return `<div class="card"><div class="k">${escapeXml(key)}</div><div class="v ${cls}">${value}</div></div>`;
}

function layerLatency(l: ReportLayer): number | null {
  return l.latencyMs.generated ?? l.latencyMs.tflmCmsisNn;
}

function layerLabel(l: ReportLayer): string {
  return `#${l.index} ${l.name}`;
}

/** A chart label: the index and the end of the name (where exporters put what differs). */
function shortLabel(l: ReportLayer): string {
  return `#${l.index} ${l.name.length > 28 ? `…${l.name.slice(-27)}` : l.name}`;
}

function verifyText(r: CompileReport): { text: string; cls: string } {
  const v = r.verify;
  if (v.status === "skipped") return { text: "not run", cls: "bad" };
  if (v.status === "failed") return { text: "FAILED", cls: "bad" };
  const where = [v.host.status === "passed" ? "host" : "", v.qemu.status === "passed" ? "QEMU" : ""]
    .filter((x) => x !== "")
    .join(" + ");
  return {
    text:
      v.mode === "exact"
        ? `identical bytes (${where}), ${v.samples} inputs`
        : `within ${(v.tolerance ?? 0).toExponential(0)} (${where}), ${v.samples} inputs`,
    cls: "ok",
  };
}

function summary(r: CompileReport): string {
  const v = verifyText(r);
  const latency = r.latencyMs.generated ?? r.latencyMs.tflmCmsisNn;
  return `<div class="cards">
${card("fits the board", r.fits ? "yes" : "no", r.fits ? "ok" : "bad")}
${card("RAM", `${formatCount(r.ram.bytes)} B <small>(${pct(r.ram.bytes, r.ram.limitBytes)})</small>`)}
${card(`flash (${r.flash.basis})`, `${formatCount(r.flash.bytes)} B <small>(${pct(r.flash.bytes, r.flash.limitBytes)})</small>`)}
${card("latency (estimate)", `${ms(latency)} ms`)}
${r.verify.qemu.instructions !== undefined ? card(`instructions (QEMU ${r.verify.qemu.machine ?? ""})`, formatCount(r.verify.qemu.instructions)) : ""}
${card("MACs", formatCount(r.compiled.macs))}
${card("C verified against TS", escapeXml(v.text), v.cls)}
</div>`;
}

function fitChart(r: CompileReport): string {
  const ramSegments: Segment[] = [
    {
      value: r.ram.arenaBytes,
      color: colorOf("arena"),
      title: `arena (MCU_${r.model.name.toUpperCase()}_ARENA_BYTES): ${formatCount(r.ram.arenaBytes)} B`,
    },
    {
      value: r.ram.stateBytes,
      color: colorOf("state"),
      title: `state tensors: ${formatCount(r.ram.stateBytes)} B`,
    },
    {
      value: r.ram.stackBytes,
      color: colorOf("stack"),
      title: `stack (estimate): ${formatCount(r.ram.stackBytes)} B`,
    },
  ];
  const flashSegments: Segment[] = [
    {
      value: r.flash.weightBytes,
      color: colorOf("weights"),
      title: `weights and constants: ${formatCount(r.flash.weightBytes)} B`,
    },
    {
      value: r.flash.codeBytes,
      color: colorOf("code"),
      title: `code and kernel tables: ${formatCount(r.flash.codeBytes)} B`,
    },
  ];
  return stackedBars(
    "chart-fit",
    `Fit on ${r.board.name}: RAM and flash used against the board's ${formatBytes(r.board.sramBytes)} SRAM and ${formatBytes(r.board.flashBytes)} flash`,
    [
      {
        label: "RAM",
        segments: ramSegments,
        limit: r.ram.limitBytes,
        text: `${formatCount(r.ram.bytes)} of ${formatCount(r.ram.limitBytes)} B (${pct(r.ram.bytes, r.ram.limitBytes)}): arena ${formatCount(r.ram.arenaBytes)} + state ${formatCount(r.ram.stateBytes)} + stack estimate ${formatCount(r.ram.stackBytes)}`,
      },
      {
        label: "flash",
        segments: flashSegments,
        limit: r.flash.limitBytes,
        text: `${formatCount(r.flash.bytes)} of ${formatCount(r.flash.limitBytes)} B (${pct(r.flash.bytes, r.flash.limitBytes)}, ${r.flash.basis}): weights ${formatCount(r.flash.weightBytes)} + code ${formatCount(r.flash.codeBytes)}`,
      },
    ],
    [
      ["arena", colorOf("arena")],
      ["state", colorOf("state")],
      ["stack", colorOf("stack")],
      ["weights", colorOf("weights")],
      ["code", colorOf("code")],
    ],
  );
}

function latencyChart(r: CompileReport): string {
  const basis = r.layers.some((l) => l.latencyMs.generated !== null)
    ? "generated-code model"
    : "TFLM + CMSIS-NN model";
  const bars: Bar[] = r.layers.map((l) => {
    const v = layerLatency(l);
    return {
      label: shortLabel(l),
      value: v ?? 0,
      text: v === null ? "no cost model" : `${ms(v)} ms`,
      color: colorOf(l.dtype),
      title: `${layerLabel(l)} (${l.op}, ${l.cKernel}): ${ms(v)} ms estimated; TFLM + CMSIS-NN ${ms(l.latencyMs.tflmCmsisNn)} ms`,
    };
  });
  return barChart(
    "chart-latency",
    `Estimated latency per layer on ${r.board.name} (@mcu/hw-model, ${basis}), ms`,
    bars,
  );
}

function macsChart(r: CompileReport): string {
  const bars: Bar[] = r.layers.map((l) => ({
    label: shortLabel(l),
    value: l.macs,
    text: formatCount(l.macs),
    color: colorOf(l.dtype),
    title: `${layerLabel(l)} (${l.op}): ${formatCount(l.macs)} MACs`,
  }));
  return barChart("chart-macs", "Multiply-accumulates per layer (one inference)", bars);
}

function arenaChart(r: CompileReport): string {
  const stepTitles = [
    "graph inputs written",
    ...r.layers.map((l) => `${layerLabel(l)} (${l.op})`),
    "graph outputs read",
  ];
  const buffers = r.arena.buffers.map((b) => {
    const live = b.first === b.last ? `step ${b.first}` : `steps ${b.first}…${b.last}`;
    const what =
      b.kind === "scratch"
        ? `scratch of ${b.node ?? "?"}`
        : `${b.tensors.join(" = ")}${b.dtype !== undefined ? ` (${b.dtype})` : ""}`;
    return {
      offset: b.offset,
      bytes: b.bytes,
      first: b.first,
      last: b.last,
      color: b.kind === "scratch" ? colorOf("scratch") : colorOf(b.dtype ?? "float32"),
      scratch: b.kind === "scratch",
      title: `${what}: ${formatCount(b.bytes)} B at offset ${formatCount(b.offset)}, live ${live}`,
    };
  });
  return arenaTimeline(
    "chart-arena",
    `Arena timeline: which buffers are live at each step and where they sit (offsets baked into the C; ${formatCount(r.arena.bytes)} B, ${r.arena.alignment}-byte aligned; red = kernel scratch)`,
    r.arena.steps,
    r.arena.bytes,
    buffers,
    stepTitles,
  );
}

function flashChart(r: CompileReport): string {
  const segments: Segment[] = r.flash.weights.map((w) => ({
    value: w.bytes,
    color: colorOf(w.dtype),
    title: `#${w.layerIndex} ${w.layer}: ${w.tensor} (${w.dtype}) ${formatCount(w.bytes)} B`,
  }));
  segments.push({
    value: r.flash.codeBytes,
    color: colorOf("code"),
    title: `code, kernel tables and descriptors: ${formatCount(r.flash.codeBytes)} B (${r.flash.basis})`,
  });
  const dtypes = [...new Set(r.flash.weights.map((w) => w.dtype))];
  return stackedBars(
    "chart-flash",
    `Flash composition (${r.flash.basis}): weights by layer (in layer order) and format, then code`,
    [
      {
        label: "model",
        segments,
        text: `${formatCount(r.flash.bytes)} B: weights ${formatCount(r.flash.weightBytes)} B in ${r.flash.weights.length} constants, code ${formatCount(r.flash.codeBytes)} B`,
      },
    ],
    [...dtypes.map((d): [string, string] => [d, colorOf(d)]), ["code", colorOf("code")]],
  );
}

function formatTable(r: CompileReport): string {
  const byFormat = new Map<string, { bytes: number; count: number }>();
  for (const w of r.flash.weights) {
    const e = byFormat.get(w.dtype) ?? { bytes: 0, count: 0 };
    e.bytes += w.bytes;
    e.count += 1;
    byFormat.set(w.dtype, e);
  }
  const rows = [...byFormat].map(
    ([d, e]) =>
      `<tr><td><span class="swatch" style="background:${colorOf(d)}"></span>${escapeXml(d)}</td><td class="n">${e.count}</td><td class="n">${formatCount(e.bytes)}</td><td class="n">${pct(e.bytes, r.flash.bytes)}</td></tr>`,
  );
  rows.push(
    `<tr><td><span class="swatch" style="background:${colorOf("code")}"></span>code and tables</td><td class="n"></td><td class="n">${formatCount(r.flash.codeBytes)}</td><td class="n">${pct(r.flash.codeBytes, r.flash.bytes)}</td></tr>`,
  );
  return `<table id="flash-formats"><thead><tr><th>format</th><th class="n">constants</th><th class="n">bytes</th><th class="n">share</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function layerTable(r: CompileReport): string {
  const hasSqnr = r.layers.some((l) => l.sqnrDb !== undefined);
  const head = [
    "#",
    "layer",
    "op",
    "C kernel",
    "output",
    "MACs",
    "weights B",
    "scratch B",
    "live arena B",
    "latency ms",
    ...(hasSqnr ? ["SQNR dB"] : []),
  ];
  const numeric = new Set([0, 5, 6, 7, 8, 9, 10]);
  const rows = r.layers.map((l) => {
    const cells = [
      String(l.index),
      l.name,
      l.sourceOp !== null && l.sourceOp !== "" ? `${l.op} (${l.sourceOp})` : l.op,
      l.cKernel,
      `${l.dtype}${formatShape(l.outputShape)}`,
      formatCount(l.macs),
      formatCount(l.weightBytes),
      formatCount(l.scratchBytes),
      formatCount(l.liveArenaBytes),
      ms(layerLatency(l)),
      ...(hasSqnr ? [l.sqnrDb === undefined ? "" : l.sqnrDb === null ? "exact" : l.sqnrDb.toFixed(1)] : []),
    ];
    return `<tr>${cells.map((c, i) => `<td${numeric.has(i) ? ' class="n"' : ""}>${escapeXml(c)}</td>`).join("")}</tr>`;
  });
  return `<table id="layers"><thead><tr>${head.map((h, i) => `<th${numeric.has(i) ? ' class="n"' : ""}>${escapeXml(h)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function list(items: readonly string[]): string {
  return items.length === 0 ? "" : `<ul>${items.map((s) => `<li>${escapeXml(s)}</li>`).join("")}</ul>`;
}

function engineLine(name: string, e: EngineVerification, r: CompileReport): string {
  const v = r.verify;
  if (e.status === "skipped") return `${name}: not run — ${e.reason ?? "skipped"}.`;
  const diff =
    v.mode === "tolerance"
      ? `, largest difference ${e.maxAbsDiff.toExponential(2)} (float32 outputs must agree within ${(v.tolerance ?? 0).toExponential(0)} of each output's largest magnitude)`
      : "";
  const failed = e.status === "failed" ? ` FAILED: ${e.reason ?? ""}` : "";
  return `${name}: ${e.identicalSamples} of ${v.samples} outputs byte-identical to the TypeScript interpreter's${diff}.${failed}`;
}

function verifySection(r: CompileReport): string {
  const v = r.verify;
  const lines = [
    `The generated C ran on ${v.samples} ${v.inputs === "calibration" ? "calibration samples" : "random inputs"} and every output was compared with the TypeScript interpreter's.`,
    engineLine(`Host build (${v.host.compiler ?? "cc"}; Cortex-M DSP instructions emulated in C)`, v.host, r),
    engineLine(
      `The Makefile's ${r.target} build under QEMU (${v.qemu.machine ?? "no machine"})${v.qemu.instructions !== undefined ? `, ${formatCount(v.qemu.instructions)} instructions per inference` : ""}`,
      v.qemu,
      r,
    ),
  ];
  if (r.quality !== null) {
    lines.push(
      `Against the source model on ${r.quality.samples} calibration samples: top-1 agreement ${(100 * r.quality.top1Agreement).toFixed(1)}%; output SQNR ${r.quality.outputs.map((o) => `${o.tensor} ${o.sqnrDb === null ? "exact" : `${o.sqnrDb.toFixed(1)} dB`}`).join(", ")}.`,
    );
  }
  return list(lines);
}

/** The report as a self-contained HTML page. */
export function renderReportHtml(r: CompileReport): string {
  const pipeline = r.pipeline.text === "" ? "(no passes)" : r.pipeline.text;
  const passes = r.pipeline.passes.map(
    (p) => `${p.pass}: ${(p.ms / 1000).toFixed(2)} s${p.changed ? "" : " (no change)"}`,
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(`${r.model.file} on ${r.board.name} — mcu compile report`)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeXml(r.model.file)} on ${escapeXml(r.board.name)}</h1>
<p class="sub">${escapeXml(`${r.board.mcu}, ${r.board.core} @ ${r.board.clockHz / 1e6} MHz · C target ${r.target} · pipeline ${pipeline} (${r.pipeline.source === "default" ? `default: ${r.pipeline.reason}` : "given with -p"})`)}</p>
${summary(r)}
${r.notes.length + r.warnings.length > 0 ? `<h2>Notes</h2>${list([...r.notes, ...r.warnings.map((w) => `warning: ${w}`)])}` : ""}
<h2>Fit</h2>
${fitChart(r)}
<h2>Latency and MACs per layer</h2>
${latencyChart(r)}
${macsChart(r)}
<h2>Arena</h2>
${arenaChart(r)}
<h2>Flash</h2>
${flashChart(r)}
${formatTable(r)}
<h2>Layers</h2>
${layerTable(r)}
<h2>Verification</h2>
${verifySection(r)}
<h2>Build</h2>
${list([
  `C API: mcu_${r.model.name}_invoke(const void *in[], void *out[]); inputs ${r.compiled.inputs.map((t) => `${t.name} ${t.dtype}${formatShape(t.shape)}`).join(", ")}; outputs ${r.compiled.outputs.map((t) => `${t.name} ${t.dtype}${formatShape(t.shape)}`).join(", ")}`,
  `make (${r.target} ELF), make host, make run-${r.target} (QEMU, where it models the core); files: ${r.files.join(", ")}`,
  ...passes.map((p) => `pass ${p}`),
])}
<p class="sub">Generated by ${escapeXml(`${r.generator.name} ${r.generator.version}`)}. Latency and energy are @mcu/hw-model estimates; RAM is the generated arena plus state and an estimated stack; flash is ${r.flash.basis === "measured" ? `measured (${escapeXml(r.flash.measured?.compiler ?? "")}, text + data of the model object)` : "estimated"}. The same figures are in report.json.</p>
</body>
</html>
`;
}
