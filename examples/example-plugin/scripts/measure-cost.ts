/**
 * Measures what src/cost.ts states: instructions of the hard-sigmoid C kernel per element and
 * per call on each core QEMU models, and the kernel's code size, by running the generated C.
 *
 *   node --conditions=source --import tsx examples/example-plugin/scripts/measure-cost.ts
 *
 * Needs arm-none-eabi-gcc + newlib and qemu-system-arm (DEVELOPERS.md). Per-layer instruction
 * counts come from codegen-c's profiling build (SysTick under `-icount shift=0`, a resolution of
 * one tick = 40 or 50 instructions), so two sizes far apart give the slope and the intercept.
 * Flash per layer is the growth of the model object's text from one node to four.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { codegenPlugin, cTarget, prepareC } from "@mcu/codegen-c";
import { corePlugin, createRegistry, graphBuilder } from "@mcu/tensor";
import { hardSigmoidSupport } from "../src/c-kernel.js";
import hardSigmoidPlugin from "../src/index.js";

const registry = createRegistry([corePlugin, codegenPlugin, hardSigmoidPlugin]);
const SIZES = [1024, 8192] as const;

/** Values spread over [-5, 5): with ONNX's alpha 0.2 and beta 0.5, half saturate, half do not. */
function input(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => -5 + (10 * ((i * 7919) % n)) / n);
}

async function layerInstructions(target: string, n: number): Promise<number> {
  const b = graphBuilder(registry);
  b.output(b.op("example.hard_sigmoid", [b.input("x", [1, n])], {}, { name: "hs" }));
  const model = await prepareC(b.build(), registry, cTarget(target), { profile: true });
  await model.invoke([input(n)]);
  return model.stats().layers![0]!.elapsed;
}

/** Thumb code bytes of the kernel function alone (made non-static so the compiler keeps it). */
function codeBytes(cflags: readonly string[]): number {
  const dir = mkdtempSync(join(tmpdir(), "hs-size-"));
  const c = join(dir, "k.c");
  writeFileSync(c, `#include <stdint.h>\n${hardSigmoidSupport.code.replace("static void", "void")}\n`);
  execFileSync("arm-none-eabi-gcc", [...cflags, "-std=c99", "-O2", "-c", c, "-o", join(dir, "k.o")]);
  const out = execFileSync("arm-none-eabi-size", [join(dir, "k.o")], { encoding: "utf8" });
  return Number(out.trim().split("\n")[1]!.trim().split(/\s+/)[0]);
}

/** Text bytes of the model object per extra hard-sigmoid node (gcc -O2 inlines the kernel per call). */
async function bytesPerLayer(target: string): Promise<number> {
  const text = async (k: number): Promise<number> => {
    const b = graphBuilder(registry);
    let t = b.input("x", [1, 64]);
    for (let i = 0; i < k; i++) t = b.op("example.hard_sigmoid", [t], { alpha: 0.1 * (i + 1) });
    const model = await prepareC(b.output(t).build(), registry, cTarget(target));
    return model.stats().text;
  };
  return ((await text(4)) - (await text(1))) / 3;
}

for (const target of ["cortex-m3", "cortex-m4", "cortex-m7", "cortex-m33"]) {
  const [small, large] = await Promise.all(SIZES.map((n) => layerInstructions(target, n)));
  const perElement = (large! - small!) / (SIZES[1] - SIZES[0]);
  const perCall = small! - perElement * SIZES[0];
  process.stdout.write(
    `${target}: ${small} instructions at n=${SIZES[0]}, ${large} at n=${SIZES[1]} → ` +
      `${perElement.toFixed(2)} per element, ${perCall.toFixed(0)} per call; ` +
      `code ${codeBytes(cTarget(target).cflags)} bytes, ${(await bytesPerLayer(target)).toFixed(0)} more per layer\n`,
  );
}
const m0 = cTarget("cortex-m0plus");
process.stdout.write(
  `cortex-m0plus: code ${codeBytes(m0.cflags)} bytes, ${(await bytesPerLayer("cortex-m0plus")).toFixed(0)} more per layer (no QEMU machine: not run)\n`,
);
