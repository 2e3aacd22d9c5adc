/**
 * The arena planner: places buffers with known lifetimes in one static arena so that buffers
 * live at the same time never share bytes, keeping the arena (its peak) small.
 *
 * The placement rule is TFLM's GreedyMemoryPlanner
 * (tensorflow/lite/micro/memory_planner/greedy_memory_planner.cc): take the buffers in some
 * order and put each at the lowest offset where it overlaps no already-placed buffer whose
 * lifetime intersects its own. TFLM orders by size, largest first (a stable sort of the
 * 16-byte-aligned sizes, in the order buffers were added). We run that ordering and a few
 * others and keep the smallest peak, so the plan is never larger than TFLM's.
 */
import { InternalError, McuError } from "../errors.js";
import type { Graph } from "../graph.js";
import type { Registry } from "../registry.js";
import { type TensorLifetime, tensorLifetimes } from "./liveness.js";

/** A buffer to place: its size and the node indices [first, last] (inclusive) it is live. */
export interface ArenaBuffer {
  readonly id: string;
  readonly bytes: number;
  readonly first: number;
  readonly last: number;
}

/** Where each buffer goes. `peakBytes` is the largest `offset + bytes`: the arena size. */
export interface ArenaPlan {
  readonly offsets: ReadonlyMap<string, number>;
  readonly peakBytes: number;
  readonly alignment: number;
}

/** An arena plan for a graph, with the lifetimes it was planned from. */
export interface GraphArenaPlan extends ArenaPlan {
  readonly lifetimes: readonly TensorLifetime[];
}

/** TFLM's buffer alignment (`MicroArenaBufferAlignment()`, tensorflow/lite/micro/micro_arena_constants.h). */
export const DEFAULT_ARENA_ALIGNMENT = 16;

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** Two buffers are live together when their inclusive intervals intersect. */
function liveTogether(a: ArenaBuffer, b: ArenaBuffer): boolean {
  return a.first <= b.last && b.first <= a.last;
}

interface Placed {
  readonly buffer: ArenaBuffer;
  readonly offset: number;
}

/**
 * Places buffers in the given order, each at the lowest aligned offset that is free for its
 * whole lifetime. This is TFLM's first-fit gap search: walking the live buffers by offset,
 * the first gap wide enough starts at the end of everything before it.
 */
function placeInOrder(
  order: readonly ArenaBuffer[],
  alignment: number,
): { offsets: Map<string, number>; peak: number } {
  const placed: Placed[] = []; // kept sorted by offset
  const offsets = new Map<string, number>();
  let peak = 0;
  for (const b of order) {
    let candidate = 0;
    for (const p of placed) {
      if (!liveTogether(p.buffer, b)) continue;
      if (p.offset - candidate >= b.bytes) break;
      candidate = Math.max(candidate, alignUp(p.offset + p.buffer.bytes, alignment));
    }
    let at = placed.length;
    while (at > 0 && placed[at - 1]!.offset > candidate) at--;
    placed.splice(at, 0, { buffer: b, offset: candidate });
    offsets.set(b.id, candidate);
    peak = Math.max(peak, candidate + b.bytes);
  }
  return { offsets, peak };
}

/**
 * For each buffer, the largest total of bytes live at any one step of its lifetime (the
 * "breadth" of the busiest moment it takes part in; Pisarchyk & Lee 2020, "Efficient Memory
 * Management for Deep Neural Net Inference", greedy by breadth).
 */
function busiestBreadth(buffers: readonly ArenaBuffer[]): Map<ArenaBuffer, number> {
  const times = [...new Set(buffers.flatMap((b) => [b.first, b.last]))].sort((x, y) => x - y);
  const index = new Map(times.map((t, i) => [t, i]));
  // Live bytes between consecutive event times are constant, so the event times suffice.
  const live = new Float64Array(times.length);
  for (const b of buffers)
    for (let i = index.get(b.first)!; i <= index.get(b.last)!; i++) live[i]! += b.bytes;
  const result = new Map<ArenaBuffer, number>();
  for (const b of buffers) {
    let m = 0;
    for (let i = index.get(b.first)!; i <= index.get(b.last)!; i++) m = Math.max(m, live[i]!);
    result.set(b, m);
  }
  return result;
}

/** The orderings tried, TFLM's first (it wins ties). Each is a stable sort of the input order. */
function candidateOrders(buffers: readonly ArenaBuffer[], alignment: number): ArenaBuffer[][] {
  const span = (b: ArenaBuffer): number => b.last - b.first;
  const breadth = busiestBreadth(buffers);
  const by = (cmp: (a: ArenaBuffer, b: ArenaBuffer) => number): ArenaBuffer[] => [...buffers].sort(cmp);
  return [
    // TFLM: aligned size, largest first; equal sizes keep the order they were added in.
    by((a, b) => alignUp(b.bytes, alignment) - alignUp(a.bytes, alignment)),
    by((a, b) => b.bytes - a.bytes || span(b) - span(a)),
    by((a, b) => span(b) - span(a) || b.bytes - a.bytes),
    by((a, b) => b.bytes * (span(b) + 1) - a.bytes * (span(a) + 1)),
    by((a, b) => a.first - b.first || b.bytes - a.bytes),
    by((a, b) => breadth.get(b)! - breadth.get(a)! || b.bytes - a.bytes),
  ];
}

function checkAlignment(alignment: number): void {
  if (!Number.isInteger(alignment) || alignment < 1) {
    throw new McuError("MCU_E_OPTION", `arena alignment must be a positive integer, got ${alignment}`);
  }
}

/**
 * Plans an arena for buffers with known lifetimes: the smallest peak among several greedy
 * orderings, TFLM's (largest aligned size first) among them. Offsets are multiples of
 * `alignment` (default 16, TFLM's buffer alignment).
 */
export function greedyArenaPlan(
  buffers: readonly ArenaBuffer[],
  options: { alignment?: number } = {},
): ArenaPlan {
  const alignment = options.alignment ?? DEFAULT_ARENA_ALIGNMENT;
  checkAlignment(alignment);
  const ids = new Set<string>();
  for (const b of buffers) {
    if (ids.has(b.id)) throw new InternalError(`arena buffer "${b.id}" is listed twice`);
    ids.add(b.id);
    if (
      !Number.isInteger(b.bytes) ||
      b.bytes < 0 ||
      !Number.isInteger(b.first) ||
      !Number.isInteger(b.last) ||
      b.first > b.last
    ) {
      throw new InternalError(`arena buffer "${b.id}" has an invalid size or lifetime`);
    }
  }
  let best: { offsets: Map<string, number>; peak: number } | undefined;
  for (const order of candidateOrders(buffers, alignment)) {
    const plan = placeInOrder(order, alignment);
    if (best === undefined || plan.peak < best.peak) best = plan;
  }
  return { offsets: best?.offsets ?? new Map(), peakBytes: best?.peak ?? 0, alignment };
}

/**
 * Plans the activation arena of a graph: one buffer per alias group (see
 * {@link tensorLifetimes}), plus `extraBuffers` (e.g. a code generator's im2col scratch).
 * Every arena tensor gets an offset; an alias gets its root's.
 */
export function planArena(
  graph: Graph,
  registry: Registry,
  options: { alignment?: number; extraBuffers?: readonly ArenaBuffer[] } = {},
): GraphArenaPlan {
  const lifetimes = tensorLifetimes(graph, registry);
  const buffers: ArenaBuffer[] = lifetimes
    .filter((l) => l.aliasOf === undefined)
    .map((l) => ({ id: l.tensor, bytes: l.bytes, first: l.first, last: l.last }));
  for (const extra of options.extraBuffers ?? []) {
    if (graph.tensors.has(extra.id)) {
      throw new InternalError(`extra arena buffer "${extra.id}" has the name of a tensor of the graph`);
    }
    buffers.push(extra);
  }
  const plan = greedyArenaPlan(
    buffers,
    options.alignment !== undefined ? { alignment: options.alignment } : {},
  );
  const offsets = new Map(plan.offsets);
  for (const l of lifetimes) if (l.aliasOf !== undefined) offsets.set(l.tensor, plan.offsets.get(l.aliasOf)!);
  return { offsets, peakBytes: plan.peakBytes, alignment: plan.alignment, lifetimes };
}
