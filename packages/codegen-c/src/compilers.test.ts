/**
 * Generated code compiles warning-free (-std=c99 -Wall -Wextra -Werror, and -pedantic for the
 * model itself) with gcc and clang on the host and with arm-none-eabi-gcc for every Cortex-M
 * target (M0+, M3, M4, M7, M33), for graphs that use every builtin C kernel; the harnesses and
 * startup code too.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { graphBuilder, quantParams } from "@mcu/tensor";
import { cortexMCompileFlags, WARNING_FLAGS } from "./harness.js";
import { generateProject, writeProject } from "./project.js";
import { C_TARGETS } from "./targets.js";
import { testRegistry } from "./testing/compare.js";
import {
  convCases,
  denseCases,
  elementwiseCases,
  normalizationCases,
  poolCases,
} from "./testing/float-graphs.js";
import { findTool, runProcess } from "./toolchain.js";

const registry = testRegistry();

/** A graph with the float ↔ int and movement kernels the random families do not cover. */
function movementAndQuantize() {
  const b = graphBuilder(registry);
  const x = b.input("x", [1, 4, 4, 3]);
  const q = b.op("core.quantize", [x], {}, { outputs: [{ dtype: "int8", quant: quantParams(0.1, 2) }] });
  const p = b.op(
    "core.pad",
    [q],
    { paddings: [0, 0, 1, 1, 2, 0, 0, 0] },
    { outputs: [{ quant: quantParams(0.1, 2) }] },
  );
  const t = b.op(
    "core.transpose",
    [p],
    { perm: [0, 3, 1, 2] },
    { outputs: [{ quant: quantParams(0.1, 2) }] },
  );
  const s = b.op(
    "core.strided_slice",
    [t],
    { begin: [0, 0, 0, 0], end: [1, 3, 6, 6], strides: [1, 1, 2, -1], beginMask: 8, endMask: 8 },
    { outputs: [{ quant: quantParams(0.1, 2) }] },
  );
  const c = b.op("core.concat", [s, s], { axis: 1 }, { outputs: [{ quant: quantParams(0.1, 2) }] });
  const d = b.op("core.dequantize", [c]);
  const h = b.op("core.clip", [d], { min: Number.NEGATIVE_INFINITY, max: 0.5 });
  b.output(
    b.op("core.squeeze", [b.op("core.slice", [h], { begin: [0, 0, 0, 0], size: [1, 2, -1, 3] })], {
      axes: [0],
    }),
  );
  return b.build();
}

const graphs = [
  ["conv", convCases(registry, 5, 12).graph],
  ["dense", denseCases(registry, 5, 12).graph],
  ["elementwise", elementwiseCases(registry, 5, 24).graph],
  ["pool", poolCases(registry, 5, 12).graph],
  ["normalization", normalizationCases(registry, 5, 9).graph],
  ["movement+quantize", movementAndQuantize()],
] as const;

async function compileAll(compiler: string, flags: readonly string[], files: readonly string[], dir: string) {
  const failures: string[] = [];
  for (const f of files) {
    const extra = f === "model.c" ? ["-pedantic"] : [];
    const r = await runProcess(compiler, [...WARNING_FLAGS, ...extra, ...flags, "-c", f, "-o", `${f}.o`], {
      cwd: dir,
    });
    if (r.code !== 0) failures.push(`${f}: ${r.stderr}`);
  }
  return failures;
}

describe("generated C compiles with -std=c99 -Wall -Wextra -Werror", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mcu-compilers-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("gcc and clang on the host: every graph's model.c (plain, and with profiling hooks and canaries), the host harness", async () => {
    for (const cc of [findTool("gcc"), findTool("clang")]) {
      for (const [name, graph] of graphs) {
        const sub = join(dir, `host-${name}`);
        await writeProject(generateProject(graph, { registry, name: "model" }), sub);
        expect(await compileAll(cc, ["-O2"], ["model.c"], sub)).toEqual([]);
        expect(
          await compileAll(cc, ["-O2", "-DMCU_PROFILE", "-DMCU_DEBUG_CANARIES"], ["model.c"], sub),
        ).toEqual([]);
        if (name === "conv") expect(await compileAll(cc, ["-O2"], ["main_host.c"], sub)).toEqual([]);
      }
    }
  });

  it.each(Object.values(C_TARGETS).filter((t) => t.kind === "cortex-m"))(
    "arm-none-eabi-gcc for $name: every graph's model.c, the harness (both modes) and startup",
    async (target) => {
      const cc = findTool("arm-none-eabi-gcc");
      const flags = cortexMCompileFlags(target);
      for (const [name, graph] of graphs) {
        const sub = join(dir, `${target.name}-${name}`);
        await writeProject(generateProject(graph, { registry, name: "model", target }), sub);
        expect(await compileAll(cc, flags, ["model.c"], sub)).toEqual([]);
        if (target.name === "cortex-m0plus" || target.name === "cortex-m4") {
          // The SysTick (M0+) and DWT (M4) timers of the profiling hooks.
          expect(
            await compileAll(cc, [...flags, "-DMCU_PROFILE", "-DMCU_DEBUG_CANARIES"], ["model.c"], sub),
          ).toEqual([]);
        }
        if (name === "conv") {
          expect(await compileAll(cc, flags, ["main_cortex_m.c", "mcu_startup.c"], sub)).toEqual([]);
          expect(
            await compileAll(
              cc,
              [...flags, "-DMCU_PROFILE", "-DMCU_HARNESS_FILE_IO"],
              ["main_cortex_m.c"],
              sub,
            ),
          ).toEqual([]);
        }
      }
    },
  );
});
