import { corePlugin, createRegistry, GraphBuilder, quantParams } from "@mcu/tensor";
import { dominates, type ParetoPoint, paretoFront, paretoVariants } from "./pareto.js";
import { hwModelPlugin } from "./plugin.js";

function point(name: string, ram: number, flash: number, latency: number, accuracy: number): ParetoPoint {
  return { name, ramBytes: ram, flashBytes: flash, latencyMs: latency, accuracy, fits: true } as ParetoPoint;
}

describe("Pareto set", () => {
  it("keeps exactly the non-dominated points (hand-checked)", () => {
    const pts = [
      point("a", 100, 100, 10, 0.9), // dominated by d (same everywhere, d more accurate)
      point("b", 50, 200, 10, 0.8), // less RAM than everyone: kept
      point("c", 100, 100, 20, 0.9), // dominated by a and d
      point("d", 100, 100, 10, 0.95),
      point("e", 200, 50, 30, 0.5), // least flash: kept
    ];
    expect(paretoFront(pts).map((p) => p.name)).toEqual(["b", "d", "e"]);
    expect(dominates(pts[3]!, pts[0]!)).toBe(true);
    expect(dominates(pts[0]!, pts[0]!)).toBe(false);
  });

  it("estimates variants on a board and drops the dominated and the non-fitting", () => {
    const registry = createRegistry([corePlugin, hwModelPlugin]);
    const q = quantParams(0.1, 0);
    const dense = (outFeatures: number) => {
      const b = new GraphBuilder(registry);
      const x = b.input("x", [1, 64], "int8", q);
      const w = b.constant("w", new Int8Array(outFeatures * 64), [outFeatures, 64], { quant: q });
      b.output(b.op("core.fully_connected", [x, w], {}, { outputs: [{ dtype: "int8", quant: q }] }));
      return b.build();
    };
    const variants = [
      { name: "small", graph: dense(16), accuracy: 0.8 },
      { name: "big", graph: dense(256), accuracy: 0.9 },
      { name: "big-worse", graph: dense(256), accuracy: 0.85 },
      { name: "huge", graph: dense(40000), accuracy: 0.99 }, // 2.5 MB of weights: no board flash
    ];
    const front = paretoVariants(variants, { registry, board: "nucleo-f446re" });
    expect(front.map((p) => p.name)).toEqual(["small", "big"]);
    const all = paretoVariants(variants, { registry, board: "nucleo-f446re", includeNonFitting: true });
    expect(all.map((p) => p.name)).toEqual(["small", "big", "huge"]);
  });
});
