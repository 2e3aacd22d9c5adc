/** `mcu inspect <model> [--json]`: ops, tensors, parameters, MACs and a per-layer table. */
import { formatShape } from "@mcu/tensor";
import { readModel } from "../model-file.js";
import { type ModelSummary, summarizeModel, type TensorSummary } from "../model-summary.js";
import { formatBytes, formatCount, renderTable } from "../table.js";
import type { CommandContext } from "./context.js";

/** Options of `mcu inspect`. */
export interface InspectOptions {
  readonly json?: boolean;
}

function tensorLine(t: TensorSummary): string {
  let q = "";
  if (t.quant !== null) {
    q =
      t.quant.scale.length === 1
        ? `  scale ${t.quant.scale[0]} zero point ${t.quant.zeroPoint[0]}`
        : `  per-axis (axis ${t.quant.axis}, ${t.quant.scale.length} scales)`;
  }
  return `  ${t.name}  ${t.dtype}${formatShape(t.shape)}${q}`;
}

/** The human-readable form of a model summary. */
export function formatSummary(path: string, s: ModelSummary): string {
  const counts = (c: Readonly<Record<string, number>>): string =>
    Object.entries(c)
      .map(([op, n]) => `${op} ×${n}`)
      .join(", ");
  const lines = [
    `${path} (${s.format})`,
    "inputs:",
    ...s.inputs.map(tensorLine),
    "outputs:",
    ...s.outputs.map(tensorLine),
    `nodes: ${s.nodes}`,
    `ops: ${counts(s.opCounts)}`,
  ];
  if (JSON.stringify(Object.keys(s.opCounts)) !== JSON.stringify(Object.keys(s.irOpCounts))) {
    lines.push(`IR ops: ${counts(s.irOpCounts)}`);
  }
  lines.push(
    `params: ${formatCount(s.params)} (${formatBytes(s.paramBytes)})`,
    `MACs: ${formatCount(s.macs)}`,
    "",
  );
  const rows = s.layers.map((l, i) => [
    String(i),
    l.name,
    l.sourceOp ?? l.op,
    `${l.dtype}${formatShape(l.outputShape)}`,
    formatCount(l.macs),
    formatCount(l.params),
    formatCount(l.paramBytes),
  ]);
  lines.push(
    renderTable(["#", "layer", "op", "output", "MACs", "params", "param bytes"], rows, [0, 4, 5, 6]),
  );
  return `${lines.join("\n")}\n`;
}

/** Runs `mcu inspect`. */
export async function inspectCommand(
  ctx: CommandContext,
  model: string,
  opts: InspectOptions,
): Promise<void> {
  const { graph, format } = await readModel(ctx.io, ctx.registry, model);
  const summary = summarizeModel(graph, ctx.registry, format.name);
  ctx.io.stdout.write(opts.json === true ? `${JSON.stringify(summary)}\n` : formatSummary(model, summary));
}
