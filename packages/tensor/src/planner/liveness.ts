/**
 * Liveness: when each activation tensor of a graph is first written and last read, in node
 * indices. These intervals are what the arena planner packs into one static buffer.
 *
 * Conventions (the same ideas as TFLM's `AllocationInfoBuilder`, with graph I/O made explicit):
 * - `first` is the index of the producing node; graph inputs are written before node 0: −1.
 * - `last` is the index of the last node that reads the tensor; graph outputs are read after the
 *   last node: `nodes.length`. A tensor nobody reads lives only while its producer runs.
 * - Constants and variable (state) tensors live outside the arena and are not listed.
 * - Reshape-like outputs (ops whose contract sets `aliasesInput`) share their input's buffer when
 *   the bytes are laid out identically; `aliasOf` then names the group's root buffer.
 */
import { defineAnalysis } from "../analysis.js";
import { McuError } from "../errors.js";
import type { Graph } from "../graph.js";
import type { Registry } from "../registry.js";
import { sameQuant, type TensorInfo, tensorBytes } from "../tensor-info.js";

/**
 * The lifetime of one arena tensor. For a buffer root (no `aliasOf`), `first`, `last` and
 * `bytes` describe the whole alias group — the buffer's own lifetime and size — so the roots
 * alone are the arena's buffers. An alias keeps its own interval and names its root.
 */
export interface TensorLifetime {
  readonly tensor: string;
  readonly bytes: number;
  readonly first: number;
  readonly last: number;
  readonly aliasOf?: string;
}

function inArena(t: TensorInfo | undefined): t is TensorInfo {
  return t !== undefined && t.data === undefined && t.variable !== true;
}

/**
 * True when `out` may be a view of `input`'s bytes: same element type, quantization and
 * storage size. Bit tensors pack rows along the last axis (see `bitRowWords`), so a view is
 * only the same bytes when the last axis is unchanged.
 */
function sameStorage(input: TensorInfo, out: TensorInfo): boolean {
  if (input.dtype !== out.dtype || !sameQuant(input.quant, out.quant)) return false;
  if (tensorBytes(input) !== tensorBytes(out)) return false;
  if (input.dtype === "bit") return input.shape[input.shape.length - 1] === out.shape[out.shape.length - 1];
  return true;
}

/** The lifetime of every arena tensor of the graph, in tensor-table order. */
export function tensorLifetimes(graph: Graph, registry: Registry): TensorLifetime[] {
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  const arena = (id: string): boolean => id !== "" && inArena(graph.tensors.get(id));

  for (const id of graph.inputs) {
    if (!arena(id)) continue;
    first.set(id, -1);
    last.set(id, -1);
  }
  const root = new Map<string, string>();
  graph.nodes.forEach((node, i) => {
    for (const id of node.inputs) {
      if (!arena(id)) continue;
      if (!first.has(id)) {
        throw new McuError("MCU_E_GRAPH_ORDER", `${node.op} reads "${id}" before any node produces it`, {
          node: node.name,
          tensor: id,
        });
      }
      last.set(id, i);
    }
    for (const id of node.outputs) {
      if (!arena(id)) continue;
      first.set(id, i);
      last.set(id, i);
    }
    const k = registry.op(node.op).aliasesInput;
    if (k === undefined) return;
    const src = node.inputs[k];
    const out = node.outputs[0];
    if (src === undefined || out === undefined || !arena(src) || !arena(out)) return;
    if (sameStorage(graph.tensors.get(src)!, graph.tensors.get(out)!)) root.set(out, root.get(src) ?? src);
  });
  for (const id of graph.outputs) if (first.has(id)) last.set(id, graph.nodes.length);

  // The group of a root spans every member's interval; its size is the largest member's.
  const group = new Map<string, { first: number; last: number; bytes: number }>();
  for (const [id, f] of first) {
    const r = root.get(id) ?? id;
    const bytes = tensorBytes(graph.tensors.get(id)!);
    const g = group.get(r);
    const l = last.get(id)!;
    if (g === undefined) group.set(r, { first: f, last: l, bytes });
    else {
      g.first = Math.min(g.first, f);
      g.last = Math.max(g.last, l);
      g.bytes = Math.max(g.bytes, bytes);
    }
  }

  const lifetimes: TensorLifetime[] = [];
  for (const id of graph.tensors.keys()) {
    const f = first.get(id);
    if (f === undefined) continue;
    const r = root.get(id);
    if (r === undefined) {
      const g = group.get(id)!;
      lifetimes.push({ tensor: id, bytes: g.bytes, first: g.first, last: g.last });
    } else {
      const bytes = tensorBytes(graph.tensors.get(id)!);
      lifetimes.push({ tensor: id, bytes, first: f, last: last.get(id)!, aliasOf: r });
    }
  }
  return lifetimes;
}

/** Tensor lifetimes as a cached analysis, for passes: `ctx.analysis(livenessAnalysis, graph)`. */
export const livenessAnalysis = defineAnalysis("core/liveness", tensorLifetimes);
