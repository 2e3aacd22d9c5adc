import { corePlugin, createRegistry, graphBuilder, type McuError } from "@mcu/tensor";
import { quantPlugin } from "../plugin.js";
import { calibrate } from "./calibrate.js";

const registry = createRegistry([corePlugin, quantPlugin]);

/** x → relu → r;  x · 2 → z. */
function smallGraph() {
  const b = graphBuilder(registry);
  const x = b.input("x", [1, 4]);
  const two = b.constant("two", Float32Array.of(2), [1]);
  const r = b.op("core.relu", [x], {}, { name: "relu" });
  const z = b.op("core.mul", [x, two], {}, { name: "mul" });
  return b.output(r, z).build();
}

const samples = [
  [Float32Array.of(-1, 2, 0.5, 3)],
  [Float32Array.of(4, -3, 1, 0)],
  [Float32Array.of(0, 0, 10, -1)],
];

describe("calibrate", () => {
  const graph = smallGraph();

  it("minmax: the range of every float activation over all samples (hand-derived)", () => {
    const ranges = calibrate(graph, samples, { registry });
    expect(Object.fromEntries(ranges)).toEqual({
      x: { min: -3, max: 10 },
      relu: { min: 0, max: 10 },
      mul: { min: -6, max: 20 },
    });
  });

  it("moving-average: m ← m + c·(sample − m), started at the first sample", () => {
    const ranges = calibrate(graph, samples, { registry, method: "moving-average", averagingConstant: 0.5 });
    // x's per-sample (min, max): (−1, 3), (−3, 4), (−1, 10).
    expect(ranges.get("x")).toEqual({ min: -1.5, max: 6.75 });
    // relu's: (0, 3), (0, 4), (0, 10).
    expect(ranges.get("relu")).toEqual({ min: 0, max: 6.75 });
  });

  it("percentile: clips a rare large value", () => {
    const many = Array.from({ length: 100 }, (_, i) => [Float32Array.of(i % 10, -(i % 7), 1, 0.5)]);
    many[3] = [Float32Array.of(1000, 0, 0, 0)];
    const ranges = calibrate(graph, many, { registry, method: "percentile", percentile: 99.5, bins: 2048 });
    const x = ranges.get("x")!;
    expect(x.min).toBe(-6);
    expect(x.max).toBeGreaterThanOrEqual(9);
    expect(x.max).toBeLessThan(12);
  });

  it.each(["kl", "mse"] as const)("%s: ranges inside the observed min/max", (method) => {
    const ranges = calibrate(graph, samples, { registry, method, bins: 256 });
    for (const [id, r] of ranges) {
      const full = calibrate(graph, samples, { registry }).get(id)!;
      expect(r.min).toBeGreaterThanOrEqual(full.min);
      expect(r.max).toBeLessThanOrEqual(full.max);
      expect(r.max).toBeGreaterThan(r.min);
    }
  });

  it("reports progress: one tick per sample and pass", () => {
    const ticks: string[] = [];
    calibrate(graph, samples, {
      registry,
      method: "kl",
      progress: (label, total) => {
        ticks.push(`${label}/${total}`);
        return { tick: () => ticks.push("t"), done: () => ticks.push("done") };
      },
    });
    expect(ticks).toEqual(["calibrate (kl)/6", "t", "t", "t", "t", "t", "t", "done"]);
  });

  it("refuses samples that do not fit the graph's inputs", () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as McuError).code;
      }
      return "no error";
    };
    expect(code(() => calibrate(graph, [], { registry }))).toBe("MCU_E_CALIBRATION");
    expect(code(() => calibrate(graph, [[Float32Array.of(1, 2, 3)]], { registry }))).toBe(
      "MCU_E_CALIBRATION",
    );
    expect(code(() => calibrate(graph, [[Int8Array.of(1, 2, 3, 4)]], { registry }))).toBe(
      "MCU_E_CALIBRATION",
    );
    expect(code(() => calibrate(graph, [[]], { registry }))).toBe("MCU_E_CALIBRATION");
  });
});
