import { readFixture } from "@mcu/testing";
import fc from "fast-check";
import { McuError } from "../errors.js";
import { formatFloat32, readCsv, writeCsv } from "./csv.js";

const text = (name: string): string => new TextDecoder().decode(readFixture("npy", name));
const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof McuError ? e.code : `not an McuError: ${String(e)}`;
  }
  return undefined;
};

describe("readCsv", () => {
  it("reads np.savetxt's default output (space-separated %.18e) to the values NumPy saved", () => {
    const v = readCsv(text("savetxt_f4_2x3.csv"), "float32", [2, 3]);
    expect(v.shape).toEqual([2, 3]);
    expect(Array.from(v.data as Float32Array)).toEqual([1.5, -2.25, 0, 3.0e38, -1e-7, 7].map(Math.fround));
  });

  it("reads np.savetxt's comma-separated integers as int64 and int32", () => {
    const csv = text("savetxt_i8_2x2.csv");
    expect(Array.from(readCsv(csv, "int64", [2, 2]).data as BigInt64Array)).toEqual([
      -3n,
      0n,
      2147483647n,
      -2147483648n,
    ]);
    expect(Array.from(readCsv(csv, "int32", [4]).data as Int32Array)).toEqual([
      -3, 0, 2147483647, -2147483648,
    ]);
  });

  it("accepts commas, newlines and surrounding whitespace in any mix, and a trailing comma", () => {
    const v = readCsv(" 1, 2 ,3,\r\n\n4\n5 , 6\n", "int16", [2, 3]);
    expect(Array.from(v.data as Int16Array)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("returns a 1-D tensor when no shape is given", () => {
    const v = readCsv("0.5,1e-3,-inf,NaN,+2", "float32");
    expect(v.shape).toEqual([5]);
    expect(Array.from(v.data as Float32Array)).toEqual([0.5, Math.fround(1e-3), -Infinity, Number.NaN, 2]);
  });

  it("reads integral float literals into integer dtypes, and true/false as bool", () => {
    expect(Array.from(readCsv("3.000e+00,-1.0", "int8").data as Int8Array)).toEqual([3, -1]);
    expect(Array.from(readCsv("true,False,1,0", "bool").data as Uint8Array)).toEqual([1, 0, 1, 0]);
  });

  it("packs ±1 values of bit tensors (set bit = −1, least significant first)", () => {
    const v = readCsv("-1,1,-1\n1,1,-1", "bit", [2, 3]);
    expect(Array.from(v.data as Uint32Array)).toEqual([0b101, 0b100]);
  });

  it.each([
    ["too few values", () => readCsv("1,2,3", "float32", [2, 2])],
    ["too many values", () => readCsv("1,2,3,4,5", "float32", [2, 2])],
    ["a header line", () => readCsv("a,b\n1,2", "float32")],
    ["an empty field", () => readCsv("1,,2", "float32")],
    ["hex", () => readCsv("0x10", "float32")],
    ["a fraction in an integer tensor", () => readCsv("1.5", "int32")],
    ["int8 overflow", () => readCsv("128", "int8")],
    ["uint8 negative", () => readCsv("-1", "uint8")],
    ["int4 overflow", () => readCsv("8", "int4")],
    ["int64 overflow", () => readCsv("9223372036854775808", "int64")],
    ["a zero in a bit tensor", () => readCsv("1,0", "bit")],
  ])("refuses %s with MCU_E_CSV", (_, f) => {
    expect(codeOf(f)).toBe("MCU_E_CSV");
  });

  it("names the line of a bad value", () => {
    expect(() => readCsv("1,2\n3,x\n", "float32")).toThrow(/line 2: "x" is not a number/);
  });
});

describe("formatFloat32", () => {
  // NumPy 2.4.6's shortest repr of np.float32(v), in JavaScript number notation.
  it.each([
    [0.1, "0.1"],
    [1 / 3, "0.33333334"],
    [3e38, "3e+38"],
    [1e-45, "1e-45"],
    [16777217, "16777216"],
    [3.4028235e38, "3.4028235e+38"],
    [-2.5, "-2.5"],
    [123456.789, "123456.79"],
    [1e-7, "1e-7"],
  ])("formats float32(%p) as NumPy's shortest repr %s", (v, want) => {
    expect(formatFloat32(Math.fround(v))).toBe(want);
  });

  it("round-trips every float32 through text and readCsv", () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true }), (x) => {
        expect(Object.is(readCsv(formatFloat32(x), "float32").data[0], x)).toBe(true);
      }),
      { seed: 1, numRuns: 2000 },
    );
  });
});

describe("writeCsv", () => {
  it("writes one line per row of the last axis", () => {
    const csv = writeCsv({
      dtype: "float32",
      shape: [2, 3],
      data: new Float32Array([1.5, -2.25, 0, 0.1, Number.NaN, -Infinity]),
    });
    expect(csv).toBe("1.5,-2.25,0\n0.1,nan,-inf\n");
  });

  it("writes int64, bool, bit and scalars", () => {
    expect(writeCsv({ dtype: "int64", shape: [2], data: new BigInt64Array([-(2n ** 63n), 5n]) })).toBe(
      "-9223372036854775808,5\n",
    );
    expect(writeCsv({ dtype: "bool", shape: [3], data: new Uint8Array([1, 0, 1]) })).toBe("1,0,1\n");
    expect(writeCsv({ dtype: "bit", shape: [1, 3], data: new Uint32Array([0b110]) })).toBe("1,-1,-1\n");
    expect(writeCsv({ dtype: "float32", shape: [], data: new Float32Array([7]) })).toBe("7\n");
  });

  it("round-trips through readCsv for every dtype", () => {
    const arb = fc.record({
      rows: fc.integer({ min: 1, max: 4 }),
      cols: fc.integer({ min: 1, max: 40 }),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(arb, ({ rows, cols, seed }) => {
        const n = rows * cols;
        let s = seed >>> 0;
        const next = (): number => {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
          return s;
        };
        const f = new Float32Array(n).map(() => (next() / 2 ** 32 - 0.5) * 1e6);
        const i8 = new Int8Array(n).map(() => next() & 0xff);
        const i64 = BigInt64Array.from({ length: n }, () => BigInt(next()) * BigInt(next()) - 2n ** 62n);
        const bits = Uint32Array.from({ length: rows * Math.ceil(cols / 32) }, () => next());
        if (cols % 32 !== 0) {
          // Padding bits beyond the row are always clear in canonical data.
          const words = Math.ceil(cols / 32);
          for (let r = 0; r < rows; r++)
            bits[r * words + words - 1] = bits[r * words + words - 1]! & ((1 << (cols % 32)) - 1);
        }
        for (const [dtype, data] of [
          ["float32", f],
          ["int8", i8],
          ["int64", i64],
          ["bit", bits],
        ] as const) {
          const back = readCsv(writeCsv({ dtype, shape: [rows, cols], data }), dtype, [rows, cols]);
          expect(back.data).toEqual(data);
        }
      }),
      { seed: 7, numRuns: 100 },
    );
  });
});
