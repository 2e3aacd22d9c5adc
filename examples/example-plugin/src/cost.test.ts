/**
 * The cost contribution through @mcu/hw-model's estimateModel, and its instruction model against
 * a QEMU measurement at a size scripts/measure-cost.ts did not use.
 */
import { codegenPlugin, cTarget, prepareC } from "@mcu/codegen-c";
import hwModelPlugin, { estimateModel } from "@mcu/hw-model";
import { corePlugin, createRegistry, type Graph, graphBuilder } from "@mcu/tensor";
import hardSigmoidPlugin, { HARD_SIGMOID_INSTRUCTIONS } from "./index.js";
import { randomFloats } from "./testing/random.js";

const registry = createRegistry([corePlugin, codegenPlugin, hwModelPlugin, hardSigmoidPlugin]);

/** x [1, n] → fully connected (n → n) → hard sigmoid. */
function denseThenHardSigmoid(n: number): Graph {
  const b = graphBuilder(registry);
  const w = b.constant("w", randomFloats(n * n, 5), [n, n]);
  const h = b.op("core.fully_connected", [b.input("x", [1, n]), w], {}, { name: "fc" });
  return b.output(b.op("example.hard_sigmoid", [h], {}, { name: "hs" })).build();
}

describe("the hard-sigmoid cost contribution", () => {
  it("costs the layer in estimateModel: no weights, code per layer, measured instructions", () => {
    const report = estimateModel(denseThenHardSigmoid(32), { registry, board: "nucleo-l4r5zi" });
    const hs = report.layers.find((l) => l.name === "hs")!;
    expect(hs.kernel).toBe("example.hard_sigmoid:float32");
    expect(hs.weightBytes).toBe(0);
    expect(hs.flashBytes).toBe(75); // Cortex-M4: the call site with the inlined loop
    expect(hs.instructions.generated).toBe(12.25 * 32 + 20);
    expect(hs.instructions.tflmCmsisNn).toBeNull();
    // TFLM has no hard-sigmoid kernel: the whole model's TFLM figure is unknown, ours is not.
    expect(report.latencyMs.tflmCmsisNn).toBeNull();
    expect(report.latencyMs.generated).toBeGreaterThan(0);
  });

  it("uses each core family's figures (nucleo-h7a3zi-q is a Cortex-M7)", () => {
    const report = estimateModel(denseThenHardSigmoid(16), { registry, board: "nucleo-h7a3zi-q" });
    const hs = report.layers.find((l) => l.name === "hs")!;
    expect(hs.instructions.generated).toBe(HARD_SIGMOID_INSTRUCTIONS["cortex-m7"].perElement * 16 + 20);
    expect(hs.flashBytes).toBe(73);
  });

  it("predicts QEMU's Cortex-M4 instruction count at n = 3000 within one SysTick tick and 2%", async () => {
    const b = graphBuilder(registry);
    b.output(b.op("example.hard_sigmoid", [b.input("x", [1, 3000])], {}, { name: "hs" }));
    const graph = b.build();
    const m4 = await prepareC(graph, registry, cTarget("cortex-m4"), { profile: true });
    await m4.invoke([randomFloats(3000, 9, -5, 5)]);
    const measured = m4.stats().layers![0]!.elapsed;
    const m = HARD_SIGMOID_INSTRUCTIONS["cortex-m4"];
    const predicted = m.perElement * 3000 + m.perCall;
    expect(Math.abs(measured - predicted)).toBeLessThanOrEqual(40 + 0.02 * predicted);
  });
});
