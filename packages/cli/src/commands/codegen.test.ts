/**
 * `mcu codegen` writes a C project that builds with its Makefile and computes what `mcu run`
 * computes; `mcu run --engine c|cortex-m4 --stats` runs the generated C through the CLI.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { corePlugin, createRegistry, graphBuilder, readNpy, writeMcuir, writeNpy } from "@mcu/tensor";
import { captureIo } from "../internal/capture-io.js";
import { main } from "../main.js";

const registry = createRegistry([corePlugin]);
let dir: string;
let model: string;
const path = (name: string): string => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mcu-codegen-"));
  const b = graphBuilder(registry);
  const x = b.input("x", [1, 4, 4, 2]);
  const w = b.constant(
    "w",
    Float32Array.from({ length: 36 }, (_, i) => ((i % 5) - 2) / 4),
    [2, 3, 3, 2],
  );
  const c = b.op("core.conv2d", [x, w], { padding: "SAME", fusedActivation: "RELU" }, { name: "conv" });
  const p = b.op("core.mean", [c], { axes: [1, 2], keepDims: false }, { name: "gap" });
  b.output(b.op("core.softmax", [p], {}, { name: "prob" }));
  model = path("small.mcuir");
  writeFileSync(model, writeMcuir(b.build()));
  const input = Float32Array.from({ length: 32 }, (_, i) => Math.sin(i));
  writeFileSync(path("x.npy"), writeNpy({ dtype: "float32", shape: [1, 4, 4, 2], data: input }));
  writeFileSync(path("x.bin"), input);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runWith(engine: string, out: string, extra: string[] = []): Promise<Float32Array> {
  const io = captureIo();
  const code = await main(
    ["run", model, "--input", path("x.npy"), "--output", path(out), "--engine", engine, ...extra],
    io,
  );
  expect(io.err()).toBe("");
  expect(code).toBe(0);
  return readNpy(new Uint8Array(readFileSync(path(out)))).data as Float32Array;
}

describe("mcu codegen", () => {
  it("prints the schema-1 --json summary instead of text", async () => {
    const io = captureIo();
    expect(await main(["codegen", model, "--target", "host", "-o", path("json"), "--json"], io)).toBe(0);
    const s = JSON.parse(io.out()) as {
      schema: number;
      target: string;
      name: string;
      arenaBytes: number;
      files: string[];
      layers: { node: string; op: string; variant: string }[];
      build: string;
    };
    expect(s).toMatchObject({
      schema: 1,
      dir: path("json"),
      target: "host",
      name: "small",
      build: "make host",
    });
    expect(s.layers.map((l) => [l.node, l.op])).toEqual([
      ["conv", "core.conv2d"],
      ["gap", "core.mean"],
      ["prob", "core.softmax"],
    ]);
    expect(s.files).toContain("small.c");
    const header = readFileSync(path("json/small.h"), "utf8");
    expect(header).toContain(`#define MCU_SMALL_ARENA_BYTES ${s.arenaBytes}`);
  });

  it("writes the project for cortex-m4; its host build computes what `mcu run` computes", async () => {
    const io = captureIo();
    expect(await main(["codegen", model, "--target", "cortex-m4", "-o", path("out")], io)).toBe(0);
    expect(io.out()).toMatch(/^wrote .*out: small\.h, small\.c, main_host\.c, main_cortex_m\.c, /m);
    expect(io.out()).toMatch(
      /^model small for cortex-m4: 3 layers, arena \d+ bytes \(MCU_SMALL_ARENA_BYTES\)$/m,
    );
    for (const f of ["small.h", "small.c", "Makefile", "main_cortex_m.c", "mcu_startup.c", "mps2.ld"]) {
      expect(existsSync(path(`out/${f}`))).toBe(true);
    }
    execFileSync("make", ["-s", "host"], { cwd: path("out") });
    execFileSync(path("out/build/host/small"), [path("x.bin"), path("y.bin")]);
    const c = new Float32Array(Uint8Array.from(readFileSync(path("y.bin"))).buffer);
    const ts = await runWith("ts", "ts.npy");
    expect(c.length).toBe(2);
    c.forEach((v, i) => {
      expect(Math.abs(v - ts[i]!)).toBeLessThanOrEqual(1e-6);
    });
  });

  it("an unknown target is MCU_E_TARGET", async () => {
    const io = captureIo();
    expect(await main(["codegen", model, "--target", "cortex-a53", "-o", path("bad")], io)).toBe(1);
    expect(io.err()).toMatch(/^error MCU_E_TARGET: unknown C target "cortex-a53"/);
  });
});

describe("mcu run --engine c / cortex-m4", () => {
  it("agree with the TS engine, and --stats writes instructions, arena and text/data/bss", async () => {
    const ts = await runWith("ts", "ts2.npy");
    const host = await runWith("c", "c.npy", ["--stats", path("c.json")]);
    const m4 = await runWith("cortex-m4", "m4.npy", ["--stats", path("m4.json")]);
    for (const out of [host, m4]) {
      out.forEach((v, i) => {
        expect(Math.abs(v - ts[i]!)).toBeLessThanOrEqual(1e-6);
      });
    }
    const stats = JSON.parse(readFileSync(path("m4.json"), "utf8"));
    expect(stats).toMatchObject({ engine: "cortex-m4", target: "cortex-m4" });
    for (const k of ["instructions", "arenaBytes", "text", "data", "bss"])
      expect(typeof stats[k]).toBe("number");
    expect(Object.keys(stats.elf).sort()).toEqual(["bss", "data", "text"]);
    const hostStats = JSON.parse(readFileSync(path("c.json"), "utf8"));
    expect(hostStats.arenaBytes).toBe(stats.arenaBytes);
  }, 60_000);
});
