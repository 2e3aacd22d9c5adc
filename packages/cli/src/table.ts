/** Plain-text tables and number formatting for the CLI's human-readable output. */

/** Formats an integer with thousands separators: 21578 → "21,578". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Formats a byte count: 86312 → "86,312 B (84.3 KiB)". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${formatCount(n)} B`;
  const kib = n / 1024;
  return kib < 1024
    ? `${formatCount(n)} B (${kib.toFixed(1)} KiB)`
    : `${formatCount(n)} B (${(kib / 1024).toFixed(2)} MiB)`;
}

/** Renders rows under a header; columns listed in `right` are right-aligned (numbers). */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly number[] = [],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (right.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
