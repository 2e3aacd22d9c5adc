/**
 * Recalibrates latency model (a) and the code sizes of generated C from @mcu/codegen-c builds
 * measured now (QEMU mps2-an386/an500/an505/an385 instruction counts, arm-none-eabi-size), and
 * writes src/generated-coefficients.ts. Run it after changing C kernels:
 *
 *   npm run calibrate -w @mcu/hw-model
 *
 * (the package's tests measure the same builds and fail when the committed coefficients no longer
 * predict them within the issue's bounds).
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CoreFamily } from "../src/cores.js";
import type { GeneratedCoefficients } from "../src/generated-calibration.js";
import type { CodeSizeTable } from "../src/generated-code-size.js";
import { GENERATED_PARAMETERS } from "../src/generated-features.js";
import { pieceBytes } from "../src/generated-code-size.js";
import { costContexts } from "../src/graph-layers.js";
import { kernelClassOf } from "../src/layer-features.js";
import {
  type CalibrationData,
  collectCalibrationData,
  fingerprint,
} from "../src/testing/calibration-data.js";
import { generatedRegistry } from "../src/testing/generated-fixtures.js";
import { fitCodeSizes, fitInstructions } from "../src/testing/generated-fit.js";

const registry = generatedRegistry();
const data = new Map<string, CalibrationData>();
for (const target of ["cortex-m4", "cortex-m7", "cortex-m33", "cortex-m3", "cortex-m0plus"]) {
  const t0 = Date.now();
  const d = await collectCalibrationData(target, { registry });
  data.set(target, d);
  process.stderr.write(`measured ${target} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  for (const s of d.skipped) process.stderr.write(`  left out ${s.name}: ${s.reason}\n`);
}

const round = (x: number, digits = 4): number => Number(x.toPrecision(digits));
const instructions: Record<string, GeneratedCoefficients> = {};
for (const target of ["cortex-m4", "cortex-m7", "cortex-m33", "cortex-m3"]) {
  const c = fitInstructions(data.get(target)!, registry);
  const r = (t: GeneratedCoefficients["dsp"]) =>
    Object.fromEntries(GENERATED_PARAMETERS.map((p) => [p, round(t[p])]));
  instructions[target] = { dsp: r(c.dsp) as never, portable: r(c.portable) as never };
}
const codeSizes: Record<string, CodeSizeTable> = {};
for (const family of ["cortex-m0plus", "cortex-m4", "cortex-m7", "cortex-m33"] as CoreFamily[]) {
  const d = data.get(family)!;
  const t = fitCodeSizes(d).table;
  // Per kernel class, the largest closure of support code one layer of it needs (sweep and fixtures).
  const classBytes: Record<string, number> = {};
  for (const m of [...d.sweep, ...d.models]) {
    const ctxs = costContexts(m.graph, registry);
    m.program.nodes.forEach((n, i) => {
      const cls = kernelClassOf(ctxs[i]!);
      if (cls === undefined || cls === "view") return;
      const bytes = n.supportIds.reduce((s, id) => s + pieceBytes(t, m.program.support.get(id)!), 0);
      classBytes[cls] = Math.max(classBytes[cls] ?? 0, Math.round(bytes));
    });
  }
  codeSizes[family] = {
    bytesPerToken: round(t.bytesPerToken),
    pieces: Object.fromEntries(Object.entries(t.pieces).map(([id, b]) => [id, Math.round(b)])),
    perLayer: round(t.perLayer),
    perIoTensor: round(t.perIoTensor),
    base: round(t.base),
    classBytes,
  };
}

// Armv6-M per Armv7-M instructions of the same portable C: the fixture models that run on QEMU's
// micro:bit (Cortex-M0) against the same models on mps2-an385 (Cortex-M3), instruction-weighted.
let armv6m = 0;
let armv7m = 0;
for (const m of data.get("cortex-m0plus")!.models) {
  const m3 = data.get("cortex-m3")!.models.find((q) => q.name === m.name)?.build.instructions;
  if (m.armv6mInstructions === undefined || m3 === undefined) continue;
  armv6m += m.armv6mInstructions;
  armv7m += m3;
}
if (armv7m === 0) throw new Error("no fixture model ran on QEMU's micro:bit");
const M0PLUS_PER_M3_INSTRUCTIONS = round(armv6m / armv7m);

const toolchain = execFileSync("arm-none-eabi-gcc", ["-dumpversion"]).toString().trim();
const qemu = execFileSync("qemu-system-arm", ["--version"]).toString().split("\n")[0]!.trim();

const source = `/**
 * Latency model (a) and the code sizes of the C that @mcu/codegen-c generates, fitted on builds
 * measured by scripts/calibrate-generated.ts (QEMU instruction counts, arm-none-eabi-size). Do not
 * edit: rerun the script after changing C kernels (npm run calibrate -w @mcu/hw-model).
 */
import type { CoreFamily } from "./cores.js";
import type { GeneratedCoefficients } from "./generated-calibration.js";
import type { CodeSizeTable } from "./generated-code-size.js";

/** What the coefficients were fitted on. */
export const GENERATED_CALIBRATION_INFO = ${JSON.stringify(
  {
    date: new Date().toISOString().slice(0, 10),
    toolchain: `arm-none-eabi-gcc ${toolchain} -O2`,
    qemu,
    kernels: fingerprint([...data.values()]),
  },
  null,
  2,
)} as const;

/**
 * Instructions of one inference per feature (generated-features.ts), per calibration core: the
 * kernels that need the DSP extension and the portable ones. cortex-m3 (mps2-an385) is the
 * measured base of the Cortex-M0+.
 */
export const GENERATED_INSTRUCTIONS: Readonly<Record<"cortex-m4" | "cortex-m7" | "cortex-m33" | "cortex-m3", GeneratedCoefficients>> = ${JSON.stringify(instructions, null, 2)};

/** Code sizes per core family (the M0+ built for cortex-m0plus, not run). */
export const GENERATED_CODE_SIZES: Readonly<Record<CoreFamily, CodeSizeTable>> = ${JSON.stringify(codeSizes, null, 2)};

/**
 * Instructions of Armv6-M (Cortex-M0+) per instruction of Armv7-M (Cortex-M3) for the same
 * portable C: the fixture models that run on QEMU's micro:bit (Cortex-M0, Armv6-M) against
 * mps2-an385 (Cortex-M3), instruction-weighted.
 */
export const M0PLUS_PER_M3_INSTRUCTIONS = ${M0PLUS_PER_M3_INSTRUCTIONS};
`;
const out = join(import.meta.dirname, "..", "src", "generated-coefficients.ts");
writeFileSync(out, source);
execFileSync("npx", ["biome", "format", "--write", out], { stdio: "inherit" });
process.stderr.write(`wrote ${out}\n`);
