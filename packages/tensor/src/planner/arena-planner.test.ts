import fc from "fast-check";
import { type ArenaBuffer, greedyArenaPlan } from "./arena-planner.js";

/**
 * TFLM's GreedyMemoryPlanner, written here from the description in
 * tensorflow/lite/micro/memory_planner/greedy_memory_planner.h, as an independent oracle:
 * - TFLM's allocator hands the planner sizes rounded up to the buffer alignment;
 * - buffers are sorted by size, descending, with a stable sort (equal sizes keep the order in
 *   which they were added);
 * - the largest goes to offset 0; each next one walks the already-placed buffers in offset
 *   order, looking only at those active at the same time, and takes the first gap between
 *   them that it fits into, or else the end of the last simultaneously active one;
 * - the arena size is the largest offset + (aligned) size.
 */
function tflmGreedy(
  buffers: readonly ArenaBuffer[],
  alignment: number,
): { offsets: number[]; peakAligned: number; peakRaw: number } {
  const size = buffers.map((b) => Math.ceil(b.bytes / alignment) * alignment);
  // Stable sort by size, descending: insertion sort that only moves past strictly smaller sizes.
  const order: number[] = [];
  for (let i = 0; i < buffers.length; i++) {
    let at = order.length;
    while (at > 0 && size[order[at - 1]!]! < size[i]!) at--;
    order.splice(at, 0, i);
  }
  const offsets = new Array<number>(buffers.length).fill(-1);
  const byOffset: number[] = []; // indices of placed buffers, ascending offset; equal offsets: later insertions after
  const active = (j: number, i: number): boolean =>
    !(buffers[j]!.first > buffers[i]!.last || buffers[i]!.first > buffers[j]!.last);
  for (const i of order) {
    let candidate = 0;
    let prior: number | undefined;
    let pos = 0; // position in byOffset after `prior`
    for (;;) {
      let next: number | undefined;
      while (pos < byOffset.length) {
        const j = byOffset[pos++]!;
        if (active(j, i)) {
          next = j;
          break;
        }
      }
      if (prior !== undefined) candidate = Math.max(candidate, offsets[prior]! + size[prior]!);
      if (next === undefined) break;
      if (offsets[next]! - candidate >= size[i]!) break;
      prior = next;
    }
    offsets[i] = candidate;
    let ins = 0;
    while (ins < byOffset.length && offsets[byOffset[ins]!]! <= candidate) ins++;
    byOffset.splice(ins, 0, i);
  }
  let peakAligned = 0;
  let peakRaw = 0;
  buffers.forEach((b, i) => {
    peakAligned = Math.max(peakAligned, offsets[i]! + size[i]!);
    peakRaw = Math.max(peakRaw, offsets[i]! + b.bytes);
  });
  return { offsets, peakAligned, peakRaw };
}

const bufferList = fc
  .array(
    fc.record({
      bytes: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 20000 })),
      first: fc.integer({ min: -1, max: 24 }),
      span: fc.integer({ min: 0, max: 12 }),
    }),
    { maxLength: 40 },
  )
  .map((rs) =>
    rs.map((r, i): ArenaBuffer => ({ id: `t${i}`, bytes: r.bytes, first: r.first, last: r.first + r.span })),
  );

const alignments = fc.constantFrom(1, 4, 16);

describe("greedyArenaPlan", () => {
  it("never overlaps buffers that are live together, aligns every offset, and reports peak = max end", () => {
    fc.assert(
      fc.property(bufferList, alignments, (buffers, alignment) => {
        const plan = greedyArenaPlan(buffers, { alignment });
        expect(plan.alignment).toBe(alignment);
        expect(plan.offsets.size).toBe(buffers.length);
        let maxEnd = 0;
        for (const b of buffers) {
          const o = plan.offsets.get(b.id)!;
          expect(Number.isInteger(o) && o >= 0 && o % alignment === 0).toBe(true);
          maxEnd = Math.max(maxEnd, o + b.bytes);
        }
        expect(plan.peakBytes).toBe(maxEnd);
        for (let i = 0; i < buffers.length; i++) {
          for (let j = i + 1; j < buffers.length; j++) {
            const a = buffers[i]!;
            const b = buffers[j]!;
            if (a.first > b.last || b.first > a.last || a.bytes === 0 || b.bytes === 0) continue;
            const oa = plan.offsets.get(a.id)!;
            const ob = plan.offsets.get(b.id)!;
            const disjoint = oa + a.bytes <= ob || ob + b.bytes <= oa;
            if (!disjoint) throw new Error(`${a.id} and ${b.id} overlap`);
          }
        }
        // No plan beats the bytes live at the busiest moment.
        for (const t of new Set(buffers.map((b) => b.first))) {
          const live = buffers.filter((b) => b.first <= t && t <= b.last).reduce((s, b) => s + b.bytes, 0);
          expect(plan.peakBytes).toBeGreaterThanOrEqual(live);
        }
      }),
      { seed: 20240611, numRuns: 400 },
    );
  });

  it("is never larger than TFLM's GreedyMemoryPlanner, and is TFLM's plan when nothing beats it", () => {
    let better = 0;
    let runs = 0;
    fc.assert(
      fc.property(bufferList, alignments, (buffers, alignment) => {
        runs++;
        const plan = greedyArenaPlan(buffers, { alignment });
        const tflm = tflmGreedy(buffers, alignment);
        expect(plan.peakBytes).toBeLessThanOrEqual(tflm.peakRaw);
        expect(plan.peakBytes).toBeLessThanOrEqual(tflm.peakAligned);
        if (plan.peakBytes < tflm.peakRaw) better++;
        else expect(buffers.map((b) => plan.offsets.get(b.id))).toEqual(tflm.offsets);
      }),
      { seed: 7, numRuns: 600 },
    );
    // The other orderings must matter somewhere, or this test could not tell them apart.
    expect(better).toBeGreaterThan(0);
    expect(runs).toBe(600);
  });

  it("beats largest-first where size order fragments the arena", () => {
    // a 60 B live at steps 0-1, then three 40 B buffers in a relay: d 1-2, c 2-3, b 3-5.
    // TFLM (size order a, b, c, d): a@0; b@0 (a is dead by step 3); c is live with b → 40;
    // d is live with a [0,60) and c [40,80) → 80: 120 bytes.
    // By first use (a, d, c, b): a@0, d@60, c@0 (only d is live with it), b@40 (above c):
    // 100 bytes, which is the bytes live at step 1 (a + d), so optimal.
    const buffers: ArenaBuffer[] = [
      { id: "a", bytes: 60, first: 0, last: 1 },
      { id: "b", bytes: 40, first: 3, last: 5 },
      { id: "c", bytes: 40, first: 2, last: 3 },
      { id: "d", bytes: 40, first: 1, last: 2 },
    ];
    expect(tflmGreedy(buffers, 1).peakRaw).toBe(120);
    const plan = greedyArenaPlan(buffers, { alignment: 1 });
    expect(plan.peakBytes).toBe(100);
    expect(Object.fromEntries(plan.offsets)).toEqual({ a: 0, d: 60, c: 0, b: 40 });
  });

  it("places a chain of three buffers: neighbours apart, the ends sharing", () => {
    // a [0,1] 100 B, b [1,2] 50 B, c [2,3] 100 B. Aligned sizes 112, 64, 112: a at 0, c at 0
    // (a is dead by then), b above both at 112; peak 112 + 50 = 162.
    const plan = greedyArenaPlan([
      { id: "a", bytes: 100, first: 0, last: 1 },
      { id: "b", bytes: 50, first: 1, last: 2 },
      { id: "c", bytes: 100, first: 2, last: 3 },
    ]);
    expect(plan.alignment).toBe(16);
    expect(Object.fromEntries(plan.offsets)).toEqual({ a: 0, b: 112, c: 0 });
    expect(plan.peakBytes).toBe(162);
  });

  it("plans nothing to an empty arena and rejects bad input", () => {
    expect(greedyArenaPlan([])).toEqual({ offsets: new Map(), peakBytes: 0, alignment: 16 });
    expect(() => greedyArenaPlan([], { alignment: 0 })).toThrow(
      expect.objectContaining({ code: "MCU_E_OPTION" }),
    );
    const dup = { id: "x", bytes: 1, first: 0, last: 0 };
    expect(() => greedyArenaPlan([dup, dup])).toThrow(/listed twice/);
    expect(() => greedyArenaPlan([{ id: "y", bytes: 4, first: 3, last: 1 }])).toThrow(/invalid/);
  });
});
