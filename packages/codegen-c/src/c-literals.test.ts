/**
 * C literals read back exactly: checked by parsing them in JS and, independently, by compiling
 * them with gcc and comparing the bits the C compiler produced.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { cIdentifier, cLiteral, doubleLiteral, floatLiteral, modelIdentifier } from "./c-literals.js";
import { findTool, runProcess } from "./toolchain.js";

const finiteFloat = fc.float({ noNaN: true, noDefaultInfinity: true });

describe("C literals", () => {
  it("floatLiteral is the shortest decimal that reads back as the same float32", () => {
    fc.assert(
      fc.property(finiteFloat, (v) => {
        const lit = floatLiteral(v);
        expect(lit.endsWith("f")).toBe(true);
        const back = Math.fround(Number(lit.slice(0, -1)));
        expect(Object.is(back, v) || (back === v && v !== 0)).toBe(true);
        const digits = lit
          .replace(/e.*$/, "")
          .replace(/[^0-9]/g, "")
          .replace(/^0+/, "")
          .replace(/0+$/, "");
        expect(digits.length).toBeLessThanOrEqual(9);
      }),
      { seed: 42, numRuns: 3000 },
    );
    expect(floatLiteral(1)).toBe("1.0f");
    expect(floatLiteral(0.1)).toBe("0.1f");
    expect(floatLiteral(-0)).toBe("-0.0f");
    expect(floatLiteral(Number.POSITIVE_INFINITY)).toBe("INFINITY");
  });

  it("gcc reads float, double and integer literals back to the same bits", async () => {
    const floats = fc.sample(finiteFloat, { seed: 7, numRuns: 400 });
    floats.push(1.401298464324817e-45, -3.4028234663852886e38, 1e-40, 16777217, 0.30000001192092896);
    const doubles = fc.sample(fc.double({ noNaN: true, noDefaultInfinity: true }), { seed: 8, numRuns: 200 });
    const ints: [number | bigint, "int32_t" | "int8_t" | "uint32_t" | "int64_t"][] = [
      [-2147483648, "int32_t"],
      [2147483647, "int32_t"],
      [-128, "int8_t"],
      [4294967295, "uint32_t"],
      [-(2n ** 63n), "int64_t"],
      [2n ** 63n - 1n, "int64_t"],
    ];
    const fbits = Array.from(new Uint32Array(Float32Array.from(floats).buffer));
    const dbits = Array.from(new BigUint64Array(Float64Array.from(doubles).buffer));
    const src = `#include <stdio.h>
#include <stdint.h>
#include <string.h>
static const float f[] = {${floats.map(floatLiteral).join(", ")}};
static const uint32_t fb[] = {${fbits.map((b) => `${b}u`).join(", ")}};
static const double d[] = {${doubles.map(doubleLiteral).join(", ")}};
static const uint64_t db[] = {${dbits.map((b) => `UINT64_C(${b})`).join(", ")}};
int main(void) {
  unsigned i, bad = 0;
  for (i = 0; i < sizeof f / sizeof f[0]; i++) { uint32_t b; memcpy(&b, &f[i], 4); if (b != fb[i]) { printf("float %u\\n", i); bad++; } }
  for (i = 0; i < sizeof d / sizeof d[0]; i++) { uint64_t b; memcpy(&b, &d[i], 8); if (b != db[i]) { printf("double %u\\n", i); bad++; } }
  if (${cLiteral(ints[0]![0], ints[0]![1])} != -2147483647 - 1) bad++;
  if (${cLiteral(ints[1]![0], ints[1]![1])} != 2147483647) bad++;
  if (${cLiteral(ints[2]![0], ints[2]![1])} != -128) bad++;
  if (${cLiteral(ints[3]![0], ints[3]![1])} != 0xFFFFFFFFu) bad++;
  if (${cLiteral(ints[4]![0], ints[4]![1])} != INT64_MIN) bad++;
  if (${cLiteral(ints[5]![0], ints[5]![1])} != INT64_MAX) bad++;
  printf("bad %u\\n", bad);
  return 0;
}
`;
    const dir = await mkdtemp(join(tmpdir(), "mcu-literals-"));
    try {
      await writeFile(join(dir, "t.c"), src);
      const cc = await runProcess(
        findTool("gcc"),
        ["-std=c99", "-Wall", "-Wextra", "-Werror", "-o", "t", "t.c"],
        {
          cwd: dir,
        },
      );
      expect(cc.stderr).toBe("");
      const r = await runProcess(join(dir, "t"), [], { cwd: dir });
      expect(r.stdout).toBe("bad 0\n");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("identifiers are valid C, never keywords or leading digits", () => {
    expect(cIdentifier("conv/weights:0")).toBe("conv_weights_0");
    expect(cIdentifier("3x3 conv")).toBe("_3x3_conv");
    expect(cIdentifier("int")).toBe("int_");
    expect(cIdentifier("")).toBe("t");
    expect(modelIdentifier("person_detect.tflite")).toBe("person_detect");
    expect(modelIdentifier("My Model-v2.onnx")).toBe("my_model_v2");
    expect(() => modelIdentifier("...")).toThrow(expect.objectContaining({ code: "MCU_E_OPTION" }));
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(cIdentifier(s)).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      }),
      { seed: 3, numRuns: 500 },
    );
  });
});
