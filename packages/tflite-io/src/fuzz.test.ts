import { readFixture } from "@mcu/testing";
import { TFLITE_FIXTURES } from "./testing/fixtures.js";
import { type FuzzReport, fuzzReader } from "./testing/fuzz.js";

const files = TFLITE_FIXTURES.map((f) => [f, readFixture(f)] as const);

describe("reading damaged files", () => {
  // Every fixture in turn (99 files, ~202 cases each); bench/tflite-fuzz.bench.ts runs longer.
  let report: FuzzReport;
  beforeAll(() => {
    report = fuzzReader(files, { seed: 20240607, cases: 20_000, measureEvery: 10 });
  });

  it("20,000 seeded mutations and truncations give only McuError (or a valid graph)", () => {
    expect(report.failures).toEqual([]);
    const rejected = Object.values(report.codes).reduce((a, b) => a + b, 0);
    expect(report.accepted + rejected).toBe(20_000);
    // The mutations do damage: most files are rejected, with the reader's own codes.
    expect(report.codes.MCU_E_TFLITE_TRUNCATED).toBeGreaterThan(1000);
    expect(report.codes.MCU_E_TFLITE_INVALID).toBeGreaterThan(1000);
  });

  it("never hangs: every case finishes within 1 s of CPU time", () => {
    expect(report.slowestMs).toBeLessThan(1000);
  });

  it("allocates at most 4× the file size", () => {
    expect(report.measured).toBe(2000);
    // Typed arrays (the only allocations whose size comes from the file) stay within 4×.
    expect(report.worstAllocationRatio).toBeLessThanOrEqual(4);
    // The JS heap grows by at most 4× the file plus 1 MiB: V8's own allocations while reading
    // (compiled code, inline caches) do not depend on the input.
    expect(report.worstHeapBeyondAllowance).toBeLessThanOrEqual(1 << 20);
  });
});
