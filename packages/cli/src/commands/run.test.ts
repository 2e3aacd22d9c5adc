import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFixture } from "@mcu/testing";
import { corePlugin, createRegistry, graphBuilder, readNpy, writeMcuir, writeNpy } from "@mcu/tensor";
import { captureIo } from "../internal/capture-io.js";
import { main } from "../main.js";

const registry = createRegistry([corePlugin]);
let dir: string;
let model: string;

/** y = [x0, 2·x1, x0 + x1 + x2 + x3 − 1] for x of shape [4]; y has shape [1,3]. */
function expected(x: readonly number[]): number[] {
  return [x[0]!, 2 * x[1]!, x[0]! + x[1]! + x[2]! + x[3]! - 1];
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mcu-run-"));
  const b = graphBuilder(registry);
  const x = b.input("x", [4]);
  const w = b.constant("w", new Float32Array([1, 0, 0, 0, 0, 2, 0, 0, 1, 1, 1, 1]), [3, 4]);
  const bias = b.constant("b", new Float32Array([0, 0, -1]), [3]);
  const y = b.op("core.fully_connected", [x, w, bias], {}, { name: "y" });
  model = join(dir, "fc.mcuir");
  writeFileSync(model, writeMcuir(b.output(y).build()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const path = (name: string): string => join(dir, name);
const npyFile = (name: string, shape: number[], values: number[]): string => {
  writeFileSync(path(name), writeNpy({ dtype: "float32", shape, data: new Float32Array(values) }));
  return path(name);
};
const readOut = (name: string) => readNpy(new Uint8Array(readFileSync(path(name))));

describe("mcu run", () => {
  it("prints the schema-1 --json summary instead of text", async () => {
    const io = captureIo();
    const input = npyFile("batch2.npy", [2, 4], [1, 2, 3, 4, 0, 0, 0, 1]);
    const args = ["run", model, "--input", input, "--output", path("batch2.out.npy"), "--json"];
    expect(await main(args, io)).toBe(0);
    expect(JSON.parse(io.out())).toEqual({
      schema: 1,
      engine: "ts",
      runs: 2,
      outputs: [{ file: path("batch2.out.npy"), dtype: "float32", shape: [2, 1, 3] }],
    });
    expect(Array.from(readOut("batch2.out.npy").data as Float32Array)).toEqual([
      ...expected([1, 2, 3, 4]),
      ...expected([0, 0, 0, 1]),
    ]);
  });

  it("runs one .npy input and writes a .npy output in the graph's shape", async () => {
    const io = captureIo();
    const input = npyFile("one.npy", [4], [1, 2, 3, 4]);
    expect(await main(["run", model, "--input", input, "--output", path("one.out.npy")], io)).toBe(0);
    expect(io.err()).toBe("");
    expect(io.out()).toBe(`wrote ${path("one.out.npy")}: float32[1,3]\n`);
    const out = readOut("one.out.npy");
    expect(out.shape).toEqual([1, 3]);
    expect(Array.from(out.data as Float32Array)).toEqual(expected([1, 2, 3, 4]));
  });

  it("reads and writes .csv", async () => {
    writeFileSync(path("one.csv"), "0.5, -1\n2,\n3\n");
    expect(
      await main(["run", model, "--input", path("one.csv"), "--output", path("one.out.csv")], captureIo()),
    ).toBe(0);
    expect(readFileSync(path("one.out.csv"), "utf8")).toBe(`${expected([0.5, -1, 2, 3]).join(",")}\n`);
  });

  it("runs once per slice of a leading batch dimension and stacks the outputs", async () => {
    const xs = [
      [1, 2, 3, 4],
      [-1, 0, 0.5, 8],
      [0, 0, 0, 0],
      [10, -20, 30, -40],
      [0.25, 0.5, 0.75, 1],
    ];
    const input = npyFile("batch.npy", [5, 4], xs.flat());
    expect(await main(["run", model, "--input", input, "--output", path("batch.out.npy")], captureIo())).toBe(
      0,
    );
    const out = readOut("batch.out.npy");
    expect(out.shape).toEqual([5, 1, 3]);
    expect(Array.from(out.data as Float32Array)).toEqual(xs.flatMap(expected));
  });

  it("treats a .csv with a multiple of the input's values as a batch", async () => {
    writeFileSync(path("batch.csv"), "1,2,3,4\n5,6,7,8\n");
    expect(
      await main(
        ["run", model, "--input", path("batch.csv"), "--output", path("batch.out.npy")],
        captureIo(),
      ),
    ).toBe(0);
    const out = readOut("batch.out.npy");
    expect(out.shape).toEqual([2, 1, 3]);
    expect(Array.from(out.data as Float32Array)).toEqual([
      ...expected([1, 2, 3, 4]),
      ...expected([5, 6, 7, 8]),
    ]);
  });

  it("accepts a float64 .npy for a float32 input (NumPy-written file, values rounded to float32)", async () => {
    // fixtures/npy/read_f8.npy: float64 [0.1, -2.5, 1e10, 1.0000000001].
    writeFileSync(path("f8.npy"), readFixture("npy", "read_f8.npy"));
    expect(
      await main(["run", model, "--input", path("f8.npy"), "--output", path("f8.out.npy")], captureIo()),
    ).toBe(0);
    const out = Array.from(readOut("f8.out.npy").data as Float32Array);
    expect(out[0]).toBe(Math.fround(0.1));
    expect(out[1]).toBe(-5);
    expect(out[2]).toBeCloseTo(1e10, -4);
  });

  it("shows a progress bar for a batch only when stderr is a terminal", async () => {
    const input = npyFile("tty.npy", [3, 4], new Array<number>(12).fill(1));
    let err = "";
    const tty = {
      stdout: { write: () => true },
      stderr: { isTTY: true, columns: 80, write: (s: string) => (err += s) },
      isTTY: true,
    };
    expect(await main(["run", model, "--input", input, "--output", path("tty.out.npy")], tty)).toBe(0);
    expect(err).toContain("run [");
    const quiet = captureIo();
    expect(await main(["run", model, "--input", input, "--output", path("tty.out.npy")], quiet)).toBe(0);
    expect(quiet.err()).toBe("");
  });

  it("runs every slice of a batch through an engine's invokeBatch, in one call", async () => {
    // A third-party engine whose models only run in batches: it computes the same y as the model
    // and logs the size of every batch it is given.
    const log = path("batches.log");
    writeFileSync(
      path("batch-engine.cjs"),
      `"use strict";
const fs = require("node:fs");
const y = (x) => Float32Array.of(x[0], 2 * x[1], x[0] + x[1] + x[2] + x[3] - 1);
exports.default = {
  name: "batch-engine",
  apiVersion: 1,
  engines: [{
    name: "batchy",
    description: "runs whole batches only",
    async prepare() {
      return {
        async invoke() { throw new Error("invoke must not be called when invokeBatch exists"); },
        async invokeBatch(samples) {
          fs.appendFileSync(${JSON.stringify(log)}, samples.length + "\\n");
          return samples.map(([x]) => [y(x)]);
        },
      };
    },
  }],
};
`,
    );
    const xs = [
      [1, 2, 3, 4],
      [-1, 0, 0.5, 8],
      [0, 0, 0, 0],
    ];
    const input = npyFile("batchy.npy", [3, 4], xs.flat());
    const args = ["--plugin", path("batch-engine.cjs"), "run", model, "--input", input];
    expect(await main([...args, "--output", path("batchy.out.npy"), "--engine", "batchy"], captureIo())).toBe(
      0,
    );
    expect(readFileSync(log, "utf8")).toBe("3\n");
    const out = readOut("batchy.out.npy");
    expect(out.shape).toEqual([3, 1, 3]);
    expect(Array.from(out.data as Float32Array)).toEqual(xs.flatMap(expected));
  });

  it("writes the engine's stats as JSON ({} for ts)", async () => {
    const input = npyFile("s.npy", [4], [0, 0, 0, 0]);
    const args = [
      "run",
      model,
      "--input",
      input,
      "--output",
      path("s.out.npy"),
      "--engine",
      "ts",
      "--stats",
      path("s.json"),
    ];
    expect(await main(args, captureIo())).toBe(0);
    expect(JSON.parse(readFileSync(path("s.json"), "utf8"))).toEqual({});
  });

  it.each([
    [
      "a wrong input shape",
      () => ["--input", npyFile("bad.npy", [2, 2], [1, 2, 3, 4]), "--output", path("o.npy")],
      /^error MCU_E_INPUT: ".*bad\.npy" has shape \[2,2\]; model input "x" takes float32\[4\] \(or \[N,4\] for a batch of N\) \(tensor x\)\n$/,
    ],
    [
      "a wrong .csv value count",
      () => {
        writeFileSync(path("bad.csv"), "1,2,3");
        return ["--input", path("bad.csv"), "--output", path("o.npy")];
      },
      /^error MCU_E_INPUT: ".*bad\.csv" has 3 values; model input "x" takes float32\[4\] \(4 values, or a multiple of 4 for a batch\) \(tensor x\)\n$/,
    ],
    [
      "an integer file for a float input",
      () => {
        writeFileSync(path("i8.npy"), writeNpy({ dtype: "int8", shape: [4], data: new Int8Array(4) }));
        return ["--input", path("i8.npy"), "--output", path("o.npy")];
      },
      /^error MCU_E_TENSOR_FILE: ".*i8\.npy" holds int8 values where float32 is expected\n$/,
    ],
    [
      "a missing input file",
      () => ["--input", path("absent.npy"), "--output", path("o.npy")],
      /^error MCU_E_FILE: cannot read ".*absent\.npy": no such file or directory\n$/,
    ],
    [
      "too many inputs",
      () => ["--input", path("a.npy"), "--input", path("b.npy"), "--output", path("o.npy")],
      /^error MCU_E_INPUT: the model takes 1 input\(s\) \("x"\); got 2 --input file\(s\)\n$/,
    ],
    [
      "an output file per model output",
      () => [
        "--input",
        npyFile("ok.npy", [4], [1, 1, 1, 1]),
        "--output",
        path("o1.npy"),
        "--output",
        path("o2.npy"),
      ],
      /^error MCU_E_OUTPUT: the model has 1 output\(s\); give --output once per output \(got 2\)\n$/,
    ],
    [
      "an unknown output extension",
      () => ["--input", npyFile("ok.npy", [4], [1, 1, 1, 1]), "--output", path("o.txt")],
      /^error MCU_E_TENSOR_FILE: ".*o\.txt" is not a tensor file: use \.npy or \.csv\n$/,
    ],
    [
      "an unknown engine",
      () => ["--input", npyFile("ok.npy", [4], [1, 1, 1, 1]), "--output", path("o.npy"), "--engine", "gpu"],
      /^error MCU_E_UNKNOWN_ENGINE: no installed plugin provides engine "gpu" \(known: ts[^)]*\)\n$/,
    ],
    [
      "a missing --output",
      () => ["--input", path("a.npy")],
      /^error MCU_E_USAGE: required option '--output <file>' not specified\n$/,
    ],
  ])("refuses %s with one error line and exit code 1", async (_, args, line) => {
    const io = captureIo();
    expect(await main(["run", model, ...args()], io)).toBe(1);
    expect(io.err()).toMatch(line);
    expect(io.out()).toBe("");
  });
});
