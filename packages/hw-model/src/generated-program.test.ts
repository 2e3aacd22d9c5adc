/**
 * The program hw-model reads from the registry's C kernels is the one @mcu/codegen-c generates:
 * the same kernel per node, the same scratch, the same arena (`MCU_<NAME>_ARENA_BYTES`) — checked
 * against codegen-c's own generator on every int8 fixture model for every Cortex-M target, no
 * compiler needed. (Flash against arm-none-eabi-size: the generated-cortex-* tests.)
 */
import { type CKernelDef, cTarget, generateC, isCKernelDef } from "@mcu/codegen-c";
import { type CKernelView, cTargetOfFamily } from "./c-kernel-view.js";
import {
  cTokenCount,
  declarationBytes,
  definesFunction,
  describeGeneratedProgram,
} from "./generated-program.js";
import { generatedRegistry, loadGeneratedFixtures } from "./testing/generated-fixtures.js";

const registry = generatedRegistry();
let models: { name: string; graph: import("@mcu/tensor").Graph }[] = [];
beforeAll(async () => {
  models = await loadGeneratedFixtures(registry);
}, 120_000);

it("codegen-c's C kernels are CKernelViews (the contract hw-model reads compiles against theirs)", () => {
  const kernels: readonly CKernelDef[] = registry.cKernels().filter(isCKernelDef);
  const views: readonly CKernelView[] = kernels;
  expect(views.length).toBeGreaterThan(0);
});

describe.each(["cortex-m0plus", "cortex-m3", "cortex-m4", "cortex-m7", "cortex-m33"])("on %s", (target) => {
  it("picks codegen-c's kernel for every node and plans its arena to the byte", () => {
    for (const m of models) {
      const c = generateC(m.graph, { registry, target, name: "model" });
      const view =
        target === "cortex-m3"
          ? { ...cTargetOfFamily("cortex-m0plus"), name: "cortex-m3" }
          : cTargetOfFamily(target as "cortex-m4");
      expect(view.dsp).toBe(cTarget(target).dsp);
      const p = describeGeneratedProgram(m.graph, registry, view);
      expect([m.name, p.plan.peakBytes]).toEqual([m.name, c.arenaBytes]);
      expect(p.nodes.map((n) => n.variant?.replace(/^[^:]*:/, ""))).toEqual(c.layers.map((l) => l.variant));
      expect(p.nodes.map((n) => n.scratch.reduce((s, b) => s + b.bytes, 0))).toEqual(
        c.layers.map((l) => l.scratchBytes),
      );
      // Every piece of shared C the generator emitted is in the description, and no other.
      const kernels = c.source.slice(
        c.source.indexOf("/* ---- kernels"),
        c.source.indexOf("/* ---- constants"),
      );
      const emitted = [...kernels.matchAll(/^\/\* ([\w-]+\/[\w./-]+) \*\/$/gm)].map((x) => x[1]!);
      expect([m.name, [...p.support.keys()].sort()]).toEqual([m.name, emitted.sort()]);
    }
  });
});

describe("the size measures of emitted C", () => {
  it("counts 4 bytes per initializer value of each descriptor", () => {
    const decl = [
      "static const mcu_q_conv_t l0_conv = {1, 2, 3, -4, 5};",
      "static const mcu_q_gemm_t l0_gemm[2] = {\n  {9, 3, 8, 0, -128, 127, l0_w + 0, l0_b + 0, NULL, NULL, l0_rq + 0},\n  {9, 3, 8, 0, -128, 127, l0_w + 12, l0_b + 8, NULL, NULL, l0_rq + 24}\n};",
    ].join("\n");
    expect(declarationBytes(decl)).toBe(4 * (5 + 22));
    expect(declarationBytes("")).toBe(0);
  });

  it("counts C tokens without comments, and tells code from types and macros", () => {
    expect(cTokenCount("/* a b c */ static int f(int x) { return x + 1; } // d e")).toBe(14);
    expect(definesFunction("static int f(int x) { return x; }")).toBe(true);
    expect(definesFunction("typedef struct { int a; } t;\n#define M(x) ((x) + 1)")).toBe(false);
  });
});
