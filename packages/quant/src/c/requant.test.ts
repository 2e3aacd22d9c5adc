/**
 * The DSP path's one-multiply requantization equals TFLite's MultiplyByQuantizedMultiplier plus the
 * output zero point (the TS implementation, itself tested against TFLite's reference values) for
 * every input the generator lets through: 30,000 random cases per rounding mode and form, many at
 * the limits (accumulators at the bound, shifts of 1 and 31, zero points of ±128, M = 2^30 and
 * 2^31 − 1), compiled by the host C compiler with UndefinedBehaviorSanitizer (SMMLA/SMMLAR
 * emulated exactly; the instructions themselves run in the Cortex-M4 kernel and model tests).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findTool, runProcess } from "@mcu/codegen-c";
import { multiplyByQuantizedMultiplierFor, type RoundingMode } from "../multiplier.js";
import { fastRequantSupport, fastRequantTable, type RequantForm } from "./requant.js";
import { dspPrimitives } from "./support.js";
import { lcg } from "./test-graphs.js";

describe("fastRequantTable", () => {
  it("encodes {2M − 2^32, 2^(e−1) + z·2^e, e} (gemm) and {M, …} (doubled)", () => {
    expect(Array.from(fastRequantTable([2 ** 30], [-1], 0, [100], "gemm")!)).toEqual([-(2 ** 31), 1, 1]);
    expect(Array.from(fastRequantTable([2 ** 31 - 1], [-3], -128, [100], "gemm")!)).toEqual([
      -2,
      4 - 1024,
      3,
    ]);
    expect(Array.from(fastRequantTable([2 ** 30], [-2], 5, [7], "doubled")!)).toEqual([2 ** 30, 2 + 20, 2]);
  });

  it("refuses what it cannot prove exact", () => {
    expect(fastRequantTable([2 ** 30 - 1], [-1], 0, [1], "gemm")).toBeUndefined(); // M below 2^30
    expect(fastRequantTable([2 ** 30], [0], 0, [1], "gemm")).toBeUndefined(); // no right shift
    expect(fastRequantTable([2 ** 30], [2], 0, [1], "gemm")).toBeUndefined(); // a left shift
    expect(fastRequantTable([2 ** 30], [-31], 1, [1], "gemm")).toBeUndefined(); // c = 2^30 + 2^31 overflows
    expect(fastRequantTable([2 ** 30], [-1], 0, [2 ** 31 - 3], "gemm")).toBeUndefined(); // bound + c + 2 ≥ 2^31
    expect(fastRequantTable([2 ** 30], [-1], 0, [2 ** 31 - 4], "gemm")).toBeDefined();
    expect(fastRequantTable([2 ** 30], [-1], 0, [2 ** 30 - 1], "doubled")).toBeUndefined(); // 2x needs headroom
    expect(fastRequantTable([2 ** 30, 2 ** 30], [-1, 1], 0, [1, 1], "gemm")).toBeUndefined(); // any channel
  });
});

interface Case {
  readonly x: number;
  readonly table: Int32Array;
  readonly expected: number;
}

/** Random cases the table accepts, with TS MultiplyByQuantizedMultiplier + z_y as the expected value. */
function cases(rounding: RoundingMode, form: RequantForm, n: number, seed: number): Case[] {
  const r = lcg(seed);
  const mbqm = multiplyByQuantizedMultiplierFor(rounding);
  const out: Case[] = [];
  while (out.length < n) {
    const edge = r() < 0.3;
    const m = edge ? (r() < 0.5 ? 2 ** 30 : 2 ** 31 - 1) : 2 ** 30 + Math.floor(r() * 2 ** 30);
    const e = edge && r() < 0.5 ? (r() < 0.5 ? 1 : 31) : 1 + Math.floor(r() * 31);
    const zo = edge && r() < 0.5 ? (r() < 0.5 ? -128 : 127) : Math.floor(r() * 256) - 128;
    const c = 2 ** (e - 1) + zo * 2 ** e;
    const room = Math.floor(((2 ** 31 - 3 - Math.abs(c)) / (form === "doubled" ? 2 : 1)) * r() ** 3);
    if (room < 0) continue;
    const table = fastRequantTable([m], [-e], zo, [room], form);
    if (table === undefined) continue;
    const x = edge && r() < 0.5 ? (r() < 0.5 ? room : -room) : Math.round((2 * r() - 1) * room);
    out.push({ x, table, expected: mbqm(x, m, -e) + zo });
  }
  return out;
}

describe("the DSP requantization in C", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mcu-quant-rq-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ["double", "gemm"],
    ["double", "doubled"],
    ["single", "gemm"],
    ["single", "doubled"],
  ] as const)(
    "%s rounding, %s form: equals MultiplyByQuantizedMultiplier + z_y",
    async (rounding, form) => {
      const cs = cases(rounding, form, 30_000, rounding.length * 31 + form.length);
      const fn = form === "gemm" ? "mcu_q_rqg(xs[i], t)" : "mcu_q_rqd((int32_t)(2 * xs[i]), t)";
      const support = [dspPrimitives, fastRequantSupport(rounding)].map((s) => s.code).join("\n");
      const source = `#include <stdint.h>
#include <stdio.h>
#include <string.h>
${support}
static const int32_t xs[] = {${cs.map((c) => c.x).join(",")}};
static const int32_t tables[] = {${cs.map((c) => Array.from(c.table).join(",")).join(",")}};
int main(void) {
  int i;
  for (i = 0; i < ${cs.length}; i++) {
    const int32_t *t = tables + 3 * i;
    printf("%d\\n", (int)${fn});
  }
  return 0;
}
`;
      const src = join(dir, `${rounding}-${form}.c`);
      const exe = join(dir, `${rounding}-${form}`);
      await writeFile(src, source);
      const cc = await runProcess(findTool("cc"), [
        "-std=c99",
        "-O1",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-Wno-unused-function",
        "-fsanitize=undefined",
        "-fno-sanitize-recover=all",
        src,
        "-o",
        exe,
      ]);
      expect(cc.stderr).toBe("");
      const run = await runProcess(exe, []);
      expect(run.code).toBe(0);
      const got = run.stdout.trim().split("\n").map(Number);
      const bad = cs.map((c, i) => ({ ...c, got: got[i] })).filter((c) => c.got !== c.expected);
      expect(bad.slice(0, 5)).toEqual([]);
      expect(got.length).toBe(cs.length);
    },
    60_000,
  );
});
