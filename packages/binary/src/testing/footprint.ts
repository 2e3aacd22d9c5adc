/**
 * Footprint of a graph's generated C on a Cortex-M (test support, not exported): bytes of code and
 * of constants (weights, thresholds, scales) in the model's object file, the arena, and a stack
 * bound from gcc's -fstack-usage (the sum of every function's frame in the model: no call chain
 * can use more).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cortexMCompileFlags, cTarget, findTool, generateC, runProcess, WARNING_FLAGS } from "@mcu/codegen-c";
import type { Graph, Registry } from "@mcu/tensor";

/** What the model takes on the chip. */
export interface Footprint {
  readonly arenaBytes: number;
  /** Sum of the frames of every function in the model object (an upper bound on its stack use). */
  readonly stackBytes: number;
  /** .rodata: weights, thresholds, scales, descriptors. */
  readonly constantBytes: number;
  /** .text: the model's code. */
  readonly codeBytes: number;
}

/** Compiles the model's C for `target` and measures it. */
export async function cortexMFootprint(
  graph: Graph,
  registry: Registry,
  target = "cortex-m4",
): Promise<Footprint> {
  const t = cTarget(target);
  const c = generateC(graph, { registry, name: "model", target: t });
  const dir = mkdtempSync(join(tmpdir(), "mcu-binary-footprint-"));
  try {
    writeFileSync(join(dir, c.headerFile), c.header);
    writeFileSync(join(dir, c.sourceFile), c.source);
    const r = await runProcess(
      findTool("arm-none-eabi-gcc"),
      [...WARNING_FLAGS, ...cortexMCompileFlags(t), "-fstack-usage", "-c", c.sourceFile, "-o", "model.o"],
      { cwd: dir },
    );
    if (r.code !== 0) throw new Error(r.stderr);
    let stackBytes = 0;
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".su"))) {
      for (const line of readFileSync(join(dir, f), "utf8").split("\n")) {
        const m = /\t(\d+)\t/.exec(line);
        if (m !== null) stackBytes += Number(m[1]);
      }
    }
    const size = await runProcess(findTool("arm-none-eabi-size"), ["-A", "model.o"], { cwd: dir });
    let constantBytes = 0;
    let codeBytes = 0;
    for (const line of size.stdout.split("\n")) {
      const m = /^(\.\S+)\s+(\d+)\s+\d+/.exec(line.trim());
      if (m === null) continue;
      if (m[1]!.startsWith(".rodata")) constantBytes += Number(m[2]);
      else if (m[1]!.startsWith(".text")) codeBytes += Number(m[2]);
    }
    return { arenaBytes: c.arenaBytes, stackBytes, constantBytes, codeBytes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
