/**
 * Inline-SVG charts for report.html: plain strings, no scripts, no external resources. Every
 * mark carries a `<title>` (the browser's tooltip) with its exact figures, and a class the
 * browser test counts: `bar` (bar charts), `segment` (stacked bars), `buffer` (arena timeline).
 */

/** Escapes text for HTML and SVG content and attribute values. */
export function escapeXml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** Colours of element types (and of code and scratch), colour-blind-safe (Tableau 10). */
export const DTYPE_COLORS: Readonly<Record<string, string>> = {
  float32: "#4e79a7",
  int8: "#59a14f",
  int32: "#f28e2b",
  int16: "#76b7b2",
  int4: "#edc948",
  uint8: "#b07aa1",
  bit: "#e15759",
  int64: "#9c755f",
  bool: "#bab0ac",
  code: "#8c96a3",
  weights: "#59a14f",
  scratch: "#e15759",
  state: "#b07aa1",
  stack: "#bab0ac",
  arena: "#4e79a7",
};

/** The colour of a dtype or part name (grey for unknown names). */
export function colorOf(name: string): string {
  return DTYPE_COLORS[name] ?? "#8c96a3";
}

function n(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** One bar of a {@link barChart}. */
export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Text after the bar (the formatted value). */
  readonly text: string;
  readonly color: string;
  /** Tooltip. */
  readonly title: string;
}

const WIDTH = 760;
const LABEL = 230;
const VALUE = 90;
const ROW = 20;

/** A horizontal bar chart, one `rect.bar` per row, bars scaled to the largest value. */
export function barChart(id: string, caption: string, bars: readonly Bar[]): string {
  const plot = WIDTH - LABEL - VALUE;
  const max = Math.max(0, ...bars.map((b) => b.value));
  const height = bars.length * ROW + 8;
  const rows = bars.map((b, i) => {
    const y = 4 + i * ROW;
    const w = max > 0 && b.value > 0 ? Math.max(1, (b.value / max) * plot) : 0;
    return (
      `<g><title>${escapeXml(b.title)}</title>` +
      `<text x="${LABEL - 8}" y="${y + 14}" text-anchor="end" class="label">${escapeXml(truncate(b.label, 34))}</text>` +
      `<rect class="bar" x="${LABEL}" y="${y + 3}" width="${n(w)}" height="${ROW - 6}" fill="${b.color}"/>` +
      `<text x="${n(LABEL + w + 6)}" y="${y + 14}" class="value">${escapeXml(b.text)}</text></g>`
    );
  });
  return (
    `<figure><figcaption>${escapeXml(caption)}</figcaption>` +
    `<svg id="${id}" class="chart" role="img" aria-label="${escapeXml(caption)}" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" xmlns="http://www.w3.org/2000/svg">` +
    `<line x1="${LABEL}" y1="0" x2="${LABEL}" y2="${height}" class="axis"/>${rows.join("")}</svg></figure>`
  );
}

/** One part of a {@link stackedBars} row. */
export interface Segment {
  readonly value: number;
  readonly color: string;
  readonly title: string;
}

/** One row of {@link stackedBars}: segments side by side, optionally against a limit. */
export interface StackedRow {
  readonly label: string;
  readonly segments: readonly Segment[];
  /** The row's full scale (e.g. the board's RAM): drawn as the track; default: the row's total. */
  readonly limit?: number;
  /** Text under the bar. */
  readonly text: string;
}

/**
 * Horizontal stacked bars, one `rect.segment` per segment, each row on its own scale (its
 * limit, or its total). With a limit, a `rect.track` shows the whole capacity.
 */
export function stackedBars(
  id: string,
  caption: string,
  rows: readonly StackedRow[],
  legend: readonly [string, string][],
): string {
  const label = 90;
  const plot = WIDTH - label - 10;
  const rowH = 52;
  const legendH = legend.length > 0 ? 26 : 0;
  const height = rows.length * rowH + legendH + 6;
  const body = rows.map((r, i) => {
    const y = 6 + i * rowH;
    const total = r.segments.reduce((s, x) => s + x.value, 0);
    const scale = r.limit ?? total;
    let x = label;
    const parts = r.segments.map((s) => {
      const w = scale > 0 ? (s.value / scale) * plot : 0;
      const rect = `<rect class="segment" x="${n(x)}" y="${y}" width="${n(w)}" height="22" fill="${s.color}"><title>${escapeXml(s.title)}</title></rect>`;
      x += w;
      return rect;
    });
    const track =
      r.limit !== undefined ? `<rect class="track" x="${label}" y="${y}" width="${plot}" height="22"/>` : "";
    return (
      `<text x="${label - 8}" y="${y + 16}" text-anchor="end" class="label">${escapeXml(r.label)}</text>` +
      `${track}${parts.join("")}<text x="${label}" y="${y + 38}" class="value">${escapeXml(r.text)}</text>`
    );
  });
  let lx = label;
  const keys = legend.map(([name, color]) => {
    const item = `<rect x="${lx}" y="${height - 20}" width="12" height="12" fill="${color}"/><text x="${lx + 16}" y="${height - 10}" class="value">${escapeXml(name)}</text>`;
    lx += 24 + name.length * 7;
    return item;
  });
  return (
    `<figure><figcaption>${escapeXml(caption)}</figcaption>` +
    `<svg id="${id}" class="chart" role="img" aria-label="${escapeXml(caption)}" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" xmlns="http://www.w3.org/2000/svg">` +
    `${body.join("")}${keys.join("")}</svg></figure>`
  );
}

/** A buffer of the {@link arenaTimeline}. */
export interface TimelineBuffer {
  readonly offset: number;
  readonly bytes: number;
  /** First and last step (−1 … steps). */
  readonly first: number;
  readonly last: number;
  readonly color: string;
  readonly title: string;
  readonly scratch: boolean;
}

/**
 * The arena over time: x is the step (graph inputs, each node, graph outputs), y the byte
 * offset (0 at the bottom). One `rect.buffer` per buffer, spanning the steps it is live and
 * the bytes it occupies; a dashed line at the arena's size.
 */
export function arenaTimeline(
  id: string,
  caption: string,
  steps: number,
  arenaBytes: number,
  buffers: readonly TimelineBuffer[],
  stepTitles: readonly string[],
): string {
  const left = 70;
  const top = 10;
  const plotW = WIDTH - left - 10;
  const plotH = 280;
  const height = top + plotH + 40;
  const columns = steps + 2;
  const colW = plotW / columns;
  const scale = arenaBytes > 0 ? plotH / arenaBytes : 0;
  const yOf = (offset: number): number => top + plotH - offset * scale;
  const rects = buffers.map((b) => {
    const x = left + (b.first + 1) * colW;
    const w = (b.last - b.first + 1) * colW;
    const h = Math.max(1, b.bytes * scale);
    const y = yOf(b.offset) - h;
    return `<rect class="buffer${b.scratch ? " scratch" : ""}" x="${n(x + 0.5)}" y="${n(y)}" width="${n(Math.max(1, w - 1))}" height="${n(h)}" fill="${b.color}"><title>${escapeXml(b.title)}</title></rect>`;
  });
  const ticks: string[] = [];
  for (let c = 0; c < columns; c++) {
    const label = c === 0 ? "in" : c === columns - 1 ? "out" : String(c - 1);
    const every = Math.ceil(columns / 40);
    if (c % every !== 0 && c !== columns - 1) continue;
    ticks.push(
      `<text x="${n(left + (c + 0.5) * colW)}" y="${top + plotH + 16}" text-anchor="middle" class="tick"><title>${escapeXml(stepTitles[c] ?? "")}</title>${label}</text>`,
    );
  }
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = Math.round(arenaBytes * f);
    return `<text x="${left - 6}" y="${n(yOf(v) + 4)}" text-anchor="end" class="tick">${v.toLocaleString("en-US")}</text>`;
  });
  return (
    `<figure><figcaption>${escapeXml(caption)}</figcaption>` +
    `<svg id="${id}" class="chart" role="img" aria-label="${escapeXml(caption)}" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" xmlns="http://www.w3.org/2000/svg">` +
    `<rect class="plot" x="${left}" y="${top}" width="${n(plotW)}" height="${plotH}"/>` +
    `${rects.join("")}` +
    `<line class="peak" x1="${left}" y1="${top}" x2="${n(left + plotW)}" y2="${top}"/>` +
    `${ticks.join("")}${yTicks.join("")}` +
    `<text x="${n(left + plotW / 2)}" y="${height - 4}" text-anchor="middle" class="tick">step (in = graph inputs written, out = graph outputs read)</text>` +
    `</svg></figure>`
  );
}
