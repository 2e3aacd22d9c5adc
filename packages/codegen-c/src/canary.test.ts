/**
 * The debug build (MCU_DEBUG_CANARIES) puts canary bytes on both sides of the arena and checks
 * them after every layer: a kernel that writes past its output, at the end of the arena, is
 * caught and named — on the host and on Cortex-M4 under QEMU. The release build does not check.
 */
import { definePlugin, graphBuilder, numElements, PLUGIN_API_VERSION, reluOp } from "@mcu/tensor";
import { type CKernelDef, defineCKernel } from "./contract.js";
import { generateC } from "./generate.js";
import { prepareFor, randomFloats, testRegistry } from "./testing/compare.js";

// A deliberately broken relu: it writes one float past the end of its output.
const overflowingRelu: CKernelDef = defineCKernel(reluOp, {
  variant: "test/overflowing-relu",
  priority: 100,
  supports: () => true,
  emit: (ctx) => {
    const n = numElements(ctx.outputs[0]!.shape);
    return {
      code: [
        "volatile int32_t past = 0;",
        "int32_t i;",
        `for (i = 0; i < ${n}; i++) ${ctx.output(0)}[i] = ${ctx.input(0)}[i] > 0.0f ? ${ctx.input(0)}[i] : 0.0f;`,
        `${ctx.output(0)}[${n} + past] = 12345.0f;`,
      ].join("\n"),
    };
  },
});

const registry = testRegistry(
  definePlugin({ name: "test-overflow", apiVersion: PLUGIN_API_VERSION, cKernels: [overflowingRelu] }),
);

function graph() {
  const b = graphBuilder(registry);
  const x = b.input("x", [1, 8]);
  const t = b.op("core.pad", [x], { paddings: [0, 0, 4, 4] }, { name: "fine" });
  b.output(b.op("core.relu", [t], {}, { name: "broken" }));
  return b.build();
}

describe("arena canaries", () => {
  const g = graph();
  const input = randomFloats(8, 3);

  it("the broken layer's output ends the arena, so its overflow lands in the canary", () => {
    const gen = generateC(g, { registry });
    const out = g.outputs[0]!;
    expect(gen.plan.offsets.get(out)! + 64).toBe(gen.arenaBytes);
  });

  it("a debug build on the host catches the overflow and names layer 1", async () => {
    const m = await prepareFor(g, registry, "host", { canaries: true });
    await expect(m.invoke([input])).rejects.toThrow(
      expect.objectContaining({
        code: "MCU_E_C_CANARY",
        message: expect.stringContaining("layer 1 wrote outside the arena"),
      }),
    );
  });

  it("a debug build on Cortex-M4 under QEMU catches it too", async () => {
    const m = await prepareFor(g, registry, "cortex-m4", { canaries: true });
    await expect(m.invoke([input])).rejects.toThrow(
      expect.objectContaining({
        code: "MCU_E_C_CANARY",
        message: expect.stringContaining("layer 1 wrote outside the arena"),
      }),
    );
  });

  it("the release build does not check (the overflow goes unnoticed)", async () => {
    const m = await prepareFor(g, registry, "host", {});
    const [y] = await m.invoke([input]);
    expect(y!.length).toBe(16);
  });
});
