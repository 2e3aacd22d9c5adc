/**
 * The engines: `c` and `cortex-m3/m4/m7/m33` through the registry's Engine interface, batches,
 * `--stats` figures (instructions from SysTick checked against a loop of known length,
 * arm-none-eabi-size), per-layer profiling, and a clear MCU_E_TOOLCHAIN when a tool is missing.
 */
import { definePlugin, graphBuilder, PLUGIN_API_VERSION, reluOp, type TensorData } from "@mcu/tensor";
import { buildHost } from "./build.js";
import { type CKernelDef, defineCKernel } from "./contract.js";
import type { CPreparedModel } from "./engines.js";
import { generateProject } from "./project.js";
import { interpret, randomFloats, relativeError, sameBytes, testRegistry } from "./testing/compare.js";
import { findTool, runProcess } from "./toolchain.js";

// A relu that also spins a loop of exactly 2,000,000 instructions (subs + bne, 1,000,000 times)
// on Arm: an independent yardstick for the SysTick instruction counts.
const spinningRelu: CKernelDef = defineCKernel(reluOp, {
  variant: "test/spin",
  priority: 100,
  supports: (ctx) => ctx.node.name.startsWith("spin"),
  emit: (ctx) => ({
    code: [
      "#if defined(__arm__)",
      '{ uint32_t n = 1000000u; __asm volatile(".syntax unified\\n1: subs %0, %0, #1\\n\\tbne 1b" : "+l"(n) : : "cc"); }',
      "#endif",
      `${ctx.output(0)}[0] = ${ctx.input(0)}[0] > 0.0f ? ${ctx.input(0)}[0] : 0.0f;`,
    ].join("\n"),
  }),
});

const registry = testRegistry(
  definePlugin({ name: "test-spin", apiVersion: PLUGIN_API_VERSION, cKernels: [spinningRelu] }),
);

function mlp() {
  const b = graphBuilder(registry);
  const x = b.input("x", [2, 16]);
  const h = b.op("core.fully_connected", [x, b.constant("w1", randomFloats(32 * 16, 1), [32, 16])], {
    fusedActivation: "RELU",
  });
  const y = b.op("core.fully_connected", [h, b.constant("w2", randomFloats(4 * 32, 2), [4, 32])]);
  b.output(b.op("core.softmax", [y]));
  return b.build();
}

function spinGraph() {
  const b = graphBuilder(registry);
  const x = b.input("x", [1]);
  b.output(b.op("core.relu", [b.op("core.relu", [x], {}, { name: "spin" })], {}, { name: "plain" }));
  return b.build();
}

const prepare = (engine: string, graph = mlp(), options: Record<string, unknown> = {}) =>
  registry.engine(engine).prepare(graph, { registry, options }) as Promise<CPreparedModel>;

describe("engines", () => {
  const graph = mlp();
  const samples: TensorData[][] = [0, 1, 2].map((s) => [randomFloats(32, 40 + s, 2)]);
  const expected = interpret(graph, registry, samples);

  it.each(["c", "cortex-m3", "cortex-m4", "cortex-m7", "cortex-m33"])(
    "%s runs a batch in one process, equal to one invoke per sample and within 1e-5 of the TS interpreter",
    async (engine) => {
      const m = await prepare(engine);
      const batch = await m.invokeBatch(samples);
      expect(batch.length).toBe(3);
      batch.forEach((outs, s) => {
        expect(relativeError(outs[0]!, expected[s]![0]!)).toBeLessThanOrEqual(1e-5);
      });
      const single = await m.invoke(samples[1]!);
      expect(sameBytes(single[0]!, batch[1]![0]!)).toBe(true);
    },
  );

  it("cortex-m4 stats: instructions, arena, and text/data/bss of the model object vs the whole ELF", async () => {
    const m = await prepare("cortex-m4");
    await m.invokeBatch(samples);
    const s = m.stats();
    expect(Object.keys(s).sort()).toEqual([
      "arenaBytes",
      "bss",
      "data",
      "elf",
      "engine",
      "instructions",
      "target",
      "text",
    ]);
    expect(s.arenaBytes).toBe(m.generated.arenaBytes);
    // The weights (2,560 B of floats) are in the model's text (.rodata); its bss is the arena.
    expect(s.text).toBeGreaterThan(2560);
    expect(s.bss).toBeGreaterThanOrEqual(s.arenaBytes);
    expect(s.bss).toBeLessThan(s.arenaBytes + 8);
    expect(s.elf.text).toBeGreaterThan(s.text);
    expect(s.instructions).toBeGreaterThan(2 * (16 * 32 + 32 * 4));
    // Every inference of this model runs the same instructions.
    const counts = m.lastBatch()!.instructions!;
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(80);
  });

  it.each([
    ["cortex-m4", 40],
    ["cortex-m33", 50],
  ])(
    "%s counts a 2,000,000-instruction loop as 2,000,000 instructions (per-layer profile, %i per tick)",
    async (engine, ipt) => {
      const m = await prepare(engine, spinGraph(), { profile: true });
      await m.invoke([Float32Array.of(0.5)]);
      const run = m.lastBatch()!;
      expect(run.instructionsPerTick).toBe(ipt);
      const [spin, plain] = m.stats().layers!;
      expect(spin!.node).toBe("spin");
      expect(Math.abs(spin!.elapsed - 2_000_000)).toBeLessThanOrEqual(200);
      expect(plain!.elapsed).toBeLessThan(400);
      expect(Math.abs(m.stats().instructions! - 2_000_000)).toBeLessThanOrEqual(1000);
    },
  );

  it("profiling hooks compile to nothing unless MCU_PROFILE is defined", async () => {
    const project = generateProject(mlp(), { registry, name: "prof" });
    const nm = findTool("nm");
    const plain = await buildHost(project);
    const profiled = await buildHost(project, { profile: true });
    const symbols = async (o: string) => (await runProcess(nm, [o])).stdout;
    expect(await symbols(plain.modelObject)).not.toMatch(/mcu_profile_layer|clock/);
    expect(await symbols(profiled.modelObject)).toMatch(/U mcu_profile_layer/);
    const m = await prepare("c", mlp(), { profile: true });
    await m.invoke(samples[0]!);
    expect(m.stats().layers!.map((l) => l.op)).toEqual([
      "core.fully_connected",
      "core.fully_connected",
      "core.softmax",
    ]);
  });

  it.each([
    ["c", "MCU_CC"],
    ["cortex-m4", "MCU_ARM_CC"],
  ])("%s: a missing compiler (%s) is MCU_E_TOOLCHAIN", async (engine, env) => {
    const saved = process.env[env];
    process.env[env] = "/nonexistent/mcu-test-compiler";
    try {
      await expect(prepare(engine, mlp(), { cacheDir: "/nonexistent-cache" })).rejects.toThrow(
        expect.objectContaining({ code: "MCU_E_TOOLCHAIN", message: expect.stringContaining("not found") }),
      );
    } finally {
      if (saved === undefined) delete process.env[env];
      else process.env[env] = saved;
    }
  });

  it("cortex-m4: a missing qemu-system-arm is MCU_E_TOOLCHAIN at the first run", async () => {
    const m = await prepare("cortex-m4");
    const saved = process.env.MCU_QEMU;
    process.env.MCU_QEMU = "/nonexistent/qemu-system-arm";
    try {
      await expect(m.invoke(samples[0]!)).rejects.toThrow(
        expect.objectContaining({ code: "MCU_E_TOOLCHAIN" }),
      );
    } finally {
      if (saved === undefined) delete process.env.MCU_QEMU;
      else process.env.MCU_QEMU = saved;
    }
  });

  it("rejects inputs of the wrong dtype or size with MCU_E_INPUT", async () => {
    const m = await prepare("c");
    await expect(m.invoke([new Float32Array(3)])).rejects.toThrow(
      expect.objectContaining({ code: "MCU_E_INPUT" }),
    );
    await expect(m.invoke([new Int32Array(32)])).rejects.toThrow(
      expect.objectContaining({ code: "MCU_E_INPUT" }),
    );
  });
});
