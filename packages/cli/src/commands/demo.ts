/**
 * `mcu demo`: the whole flow on the bundled model. Until the importers land the model is the
 * builder-made demo CNN: it is run with the `ts` engine on a deterministic input, its arena
 * is planned, and the per-layer table and totals are printed.
 */
import { formatShape, getTensor, planArena, tensorBytes } from "@mcu/tensor";
import { buildDemoCnn, demoInput } from "../demo-model.js";
import { layerSummaries } from "../model-summary.js";
import { formatBytes, formatCount, renderTable } from "../table.js";
import { type CommandContext, reportDiagnostic } from "./context.js";

/** Runs `mcu demo`. */
export async function demoCommand(ctx: CommandContext): Promise<void> {
  const { io, registry } = ctx;
  const graph = buildDemoCnn(registry);
  const prepared = await registry
    .engine("ts")
    .prepare(graph, { registry, report: (d) => reportDiagnostic(io, d) });
  const [probs] = await prepared.invoke([demoInput()]);
  await prepared.dispose?.();
  const plan = planArena(graph, registry);
  const lifetimes = new Map(plan.lifetimes.map((l) => [l.tensor, l]));
  const layers = layerSummaries(graph, registry);

  const arenaCells = (id: string): [string, string] => {
    const offset = plan.offsets.get(id);
    if (offset === undefined) return ["-", "-"];
    const l = lifetimes.get(id);
    const bytes = l !== undefined && l.aliasOf === undefined ? l.bytes : tensorBytes(getTensor(graph, id));
    return [formatCount(offset), formatCount(bytes)];
  };
  const input = getTensor(graph, graph.inputs[0]!);
  const rows = [
    [input.name, "(input)", `${input.dtype}${formatShape(input.shape)}`, "0", "0", ...arenaCells(input.name)],
    ...layers.map((l, i) => [
      l.name,
      l.op,
      `${l.dtype}${formatShape(l.outputShape)}`,
      formatCount(l.macs),
      formatCount(l.params),
      ...arenaCells(graph.nodes[i]!.outputs[0]!),
    ]),
  ];
  const macs = layers.reduce((s, l) => s + l.macs, 0);
  const params = layers.reduce((s, l) => s + l.params, 0);
  const paramBytes = layers.reduce((s, l) => s + l.paramBytes, 0);
  const unshared = plan.lifetimes.filter((l) => l.aliasOf === undefined).reduce((s, l) => s + l.bytes, 0);

  const p = probs as Float32Array;
  let best = 0;
  for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
  io.stdout.write(
    [
      "mcu demo: a small CNN built with the graph builder (random weights from a fixed seed), run with the ts engine",
      "",
      renderTable(
        ["layer", "op", "output", "MACs", "params", "arena offset", "arena bytes"],
        rows,
        [3, 4, 5, 6],
      ),
      "",
      `total MACs:  ${formatCount(macs)}`,
      `params:      ${formatCount(params)} (${formatBytes(paramBytes)} of weights)`,
      `peak arena:  ${formatBytes(plan.peakBytes)} (${formatBytes(unshared)} without buffer reuse, ${plan.alignment}-byte aligned)`,
      `output:      [${Array.from(p, (v) => v.toFixed(4)).join(", ")}]`,
      `top-1 class: ${best} (p = ${p[best]!.toFixed(4)})`,
      "",
    ].join("\n"),
  );
}
