import { AnalysisCache } from "../analysis.js";
import { graphBuilder } from "../builder.js";
import { corePlugin } from "../core-plugin.js";
import { createRegistry } from "../registry.js";
import { quantParams } from "../tensor-info.js";
import { planArena } from "./arena-planner.js";
import { livenessAnalysis, type TensorLifetime, tensorLifetimes } from "./liveness.js";

const registry = createRegistry([corePlugin]);

function byTensor(ls: readonly TensorLifetime[]): Record<string, TensorLifetime> {
  return Object.fromEntries(ls.map((l) => [l.tensor, l]));
}

describe("tensorLifetimes", () => {
  it("follows a residual block: inputs at −1, outputs until nodes.length, constants left out", () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 4, 4, 2]); // 128 bytes
    const w = b.constant("w", new Float32Array(2 * 3 * 3 * 2), [2, 3, 3, 2]);
    const c = b.op("core.conv2d", [x, w], { padding: "SAME" }, { name: "conv" }); // node 0
    const r = b.op("core.relu", [c], {}, { name: "relu" }); // node 1
    const s = b.op("core.add", [r, x], {}, { name: "add" }); // node 2
    const t = b.op("core.tanh", [s], {}, { name: "tanh" }); // node 3, output
    b.output(t);
    const g = b.build();
    // By hand: x is written before node 0 and read last by add (2); conv's output lives from
    // node 0 to relu (1); relu's from 1 to add (2); add's from 2 to tanh (3); tanh's output is a
    // graph output, read after the last node (index 4).
    expect(tensorLifetimes(g, registry)).toEqual([
      { tensor: "x", bytes: 128, first: -1, last: 2 },
      { tensor: "conv", bytes: 128, first: 0, last: 1 },
      { tensor: "relu", bytes: 128, first: 1, last: 2 },
      { tensor: "add", bytes: 128, first: 2, last: 3 },
      { tensor: "tanh", bytes: 128, first: 3, last: 4 },
    ]);
    // Plan (all 128 B, TFLM's stable size order x, conv, relu, add, tanh): x@0; conv is live
    // with x → 128; relu is live with x and conv → 256; add is live with x and relu (not conv,
    // dead after 1) → 128; tanh is live with add only → 0. Peak 384 = x + conv + relu at node 1.
    const plan = planArena(g, registry);
    expect(Object.fromEntries(plan.offsets)).toEqual({ x: 0, conv: 128, relu: 256, add: 128, tanh: 0 });
    expect(plan.peakBytes).toBe(384);
    expect(plan.lifetimes).toEqual(tensorLifetimes(g, registry));
  });

  it("keeps one buffer along a reshape / expand_dims / squeeze chain", () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 4, 4, 2]); // 128 bytes
    const a = b.op("core.relu", [x], {}, { name: "a" }); // 0
    const r = b.op("core.reshape", [a], { shape: [1, 32] }, { name: "r" }); // 1
    const e = b.op("core.expand_dims", [r], { axis: 0 }, { name: "e" }); // 2: [1,1,32]
    const s = b.op("core.squeeze", [e], {}, { name: "s" }); // 3: [32]
    const w = b.constant("w", new Float32Array(10 * 32), [10, 32]);
    const y = b.op("core.fully_connected", [s, w], {}, { name: "fc" }); // 4: [1,10], 40 bytes
    b.output(y);
    const g = b.build();
    const ls = byTensor(tensorLifetimes(g, registry));
    // The group a, r, e, s spans a's write (0) to s's read by fc (4).
    expect(ls.a).toEqual({ tensor: "a", bytes: 128, first: 0, last: 4 });
    expect(ls.r).toEqual({ tensor: "r", bytes: 128, first: 1, last: 2, aliasOf: "a" });
    expect(ls.e).toEqual({ tensor: "e", bytes: 128, first: 2, last: 3, aliasOf: "a" });
    expect(ls.s).toEqual({ tensor: "s", bytes: 128, first: 3, last: 4, aliasOf: "a" });
    expect(ls.fc).toEqual({ tensor: "fc", bytes: 40, first: 4, last: 5 });
    expect(ls.w).toBeUndefined();
    // Buffers x (128, −1..0), a (128, 0..4), fc (40, 4..5): x@0, a@128, fc@0 (x is dead).
    const plan = planArena(g, registry);
    expect(Object.fromEntries(plan.offsets)).toEqual({ x: 0, a: 128, r: 128, e: 128, s: 128, fc: 0 });
    expect(plan.peakBytes).toBe(256);
  });

  it("does not alias what is not the same bytes: constants, other quantization, re-packed bit rows", () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [6, 20], "bit"); // 6 rows × 1 word = 24 bytes
    const y = b.op("core.reshape", [x], { shape: [3, 40] }, { name: "y" }); // 3 rows × 2 words = 24 bytes, other layout
    const q = b.input("q", [2, 8], "int8", quantParams(0.5, 0));
    const q2 = b.op(
      "core.reshape",
      [q],
      { shape: [16] },
      { name: "q2", outputs: [{ quant: quantParams(0.25, 0) }] },
    );
    const k = b.constant("k", new Float32Array(4), [4]);
    const k2 = b.op("core.reshape", [k], { shape: [2, 2] }, { name: "k2" });
    b.output(y, q2, k2);
    const ls = byTensor(tensorLifetimes(b.build(), registry));
    expect(ls.y!.aliasOf).toBeUndefined();
    expect(ls.q2!.aliasOf).toBeUndefined();
    expect(ls.k2).toEqual({ tensor: "k2", bytes: 16, first: 2, last: 3 });
    expect(ls.k).toBeUndefined();
  });

  it("lets a code generator add scratch buffers with their own lifetimes", () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 8]); // 32 bytes
    const a = b.op("core.relu", [x], {}, { name: "a" }); // 0
    const c = b.op("core.tanh", [a], {}, { name: "c" }); // 1
    b.output(c);
    const g = b.build();
    // x −1..0, a 0..1, c 1..2, scratch (64 B) only during node 1. TFLM order: scratch (64) then
    // x, a, c (32 each): scratch@0; x@0 (scratch not live yet); a is live with scratch and x →
    // 64; c is live with scratch and a → 96. Peak 128 = scratch + a + c at node 1.
    const plan = planArena(g, registry, { extraBuffers: [{ id: "im2col", bytes: 64, first: 1, last: 1 }] });
    expect(Object.fromEntries(plan.offsets)).toEqual({ im2col: 0, x: 0, a: 64, c: 96 });
    expect(plan.peakBytes).toBe(128);
    expect(() =>
      planArena(g, registry, { extraBuffers: [{ id: "a", bytes: 1, first: 0, last: 0 }] }),
    ).toThrow(/name of a tensor/);
  });

  it("gives an unread output its producer's step only, and caches as an analysis", () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [4]);
    b.op("core.relu", [x], {}, { name: "dead" }); // 0, read by nobody
    const y = b.op("core.tanh", [x], {}, { name: "y" }); // 1
    b.output(y);
    const g = b.build();
    expect(byTensor(tensorLifetimes(g, registry)).dead).toEqual({
      tensor: "dead",
      bytes: 16,
      first: 0,
      last: 0,
    });
    const cache = new AnalysisCache(registry);
    const first = cache.get(livenessAnalysis, g);
    expect(first).toEqual(tensorLifetimes(g, registry));
    expect(cache.get(livenessAnalysis, g)).toBe(first);
  });
});
