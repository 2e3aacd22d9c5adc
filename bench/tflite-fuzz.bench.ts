/**
 * The long fuzz run of the .tflite reader: the same harness as the package's test
 * (packages/tflite-io/src/testing/fuzz.ts: random bytes, bit flips, aligned 32-bit overwrites,
 * block copies and truncations of every .tflite fixture), with another seed and ten times the
 * cases. Every case must read or throw McuError.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { TFLITE_FIXTURES } from "../packages/tflite-io/src/testing/fixtures.js";
import { fuzzReader } from "../packages/tflite-io/src/testing/fuzz.js";
import type { BenchResult } from "../tools/bench/types.js";

const fixtures = resolve(import.meta.dirname, "..", "fixtures");
const CASES = 200_000;
const SEED = 7_919;

export default async function bench(): Promise<BenchResult> {
  const files = TFLITE_FIXTURES.map((f) => {
    const buf = readFileSync(join(fixtures, f));
    return [f, new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)] as const;
  });
  const t0 = performance.now();
  const report = fuzzReader(files, { seed: SEED, cases: CASES, measureEvery: 20 });
  const seconds = (performance.now() - t0) / 1000;
  const rejected = Object.values(report.codes).reduce((a, b) => a + b, 0);
  return {
    title: "TFLite reader fuzzing (@mcu/tflite-io)",
    description: `${CASES.toLocaleString("en")} seeded mutations (seed ${SEED}) cycling through the ${files.length} .tflite fixtures: random bytes, bit flips, aligned 32-bit overwrites (0, −1, huge, small), 64-byte block copies and truncations, half of them aimed at the first and last 4 KiB where the flatbuffer structure lives. A case passes if it reads as a verified graph (which must then write, or throw McuError) or throws McuError; anything else is a failure. Allocation is measured every 20 cases after a minor GC: typed-array growth / file size, and JS-heap growth beyond 4 × the file size.`,
    columns: [
      "cases",
      "failures",
      "accepted",
      "rejected",
      "slowest CPU ms",
      "slowest wall ms",
      "max typed-array / file",
      "max heap beyond 4× file (KiB)",
      "seconds",
    ],
    rows: [
      {
        cases: CASES,
        failures: report.failures.length,
        accepted: report.accepted,
        rejected,
        "slowest CPU ms": report.slowestMs.toFixed(1),
        "slowest wall ms": report.slowestWallMs.toFixed(1),
        "max typed-array / file": report.worstAllocationRatio.toFixed(2),
        "max heap beyond 4× file (KiB)": (report.worstHeapBeyondAllowance / 1024).toFixed(0),
        seconds: seconds.toFixed(1),
      },
    ],
    notes: [
      `McuError codes: ${Object.entries(report.codes)
        .sort((a, b) => b[1] - a[1])
        .map(([c, n]) => `${c} ${n}`)
        .join(", ")}.`,
      `Slowest case: ${report.slowestCase}; largest typed-array allocation: ${report.worstAllocation}.`,
      report.failures.length > 0 ? `Failures: ${report.failures.slice(0, 20).join("; ")}` : "No failures.",
    ].join(" "),
  };
}
