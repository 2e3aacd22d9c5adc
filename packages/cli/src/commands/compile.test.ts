/**
 * `mcu compile` end to end. Oracles: the pytorch-mnist model's architecture (README: hand-counted
 * MACs and weight bytes), the test labels, the generated header's own arena constant, and the
 * written Makefile built and run by `make` on real digits.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { corePlugin, createRegistry, graphBuilder, readNpy, writeMcuir, writeNpy } from "@mcu/tensor";
import { fixturePath, readFixture } from "@mcu/testing";
import type { CompileReport } from "../compile/report.js";
import { captureIo } from "../internal/capture-io.js";
import { main } from "../main.js";
import type { CompileSummary } from "./compile.js";

let dir: string;
const path = (...name: string[]): string => join(dir, ...name);
const cnn = fixturePath("pytorch-mnist", "mnist_cnn.onnx");

/** uint8 digits [n,28,28] → float32 pixel / 255 (the models' input), the first `n`. */
function digits(file: string, n: number): Float32Array {
  const d = readNpy(readFixture("mnist", file));
  return Float32Array.from((d.data as Uint8Array).subarray(0, n * 784), (v) => v / 255);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mcu-compile-"));
  const calib = digits("calib-digits.npy", 200);
  writeFileSync(path("calib.npy"), writeNpy({ dtype: "float32", shape: [200, 1, 1, 28, 28], data: calib }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const readReport = (out: string): CompileReport =>
  JSON.parse(readFileSync(path(out, "report.json"), "utf8")) as CompileReport;

describe("mcu compile", () => {
  it("compiles mnist_cnn to verified int8 C for nucleo-l4r5zi, with report.json and report.html", async () => {
    const io = captureIo();
    const args = [
      "compile",
      cnn,
      "--board",
      "nucleo-l4r5zi",
      "--calib",
      path("calib.npy"),
      "-o",
      path("int8"),
    ];
    expect(await main(args, io)).toBe(0);
    expect(io.err()).toBe("");
    const out = io.out();
    expect(out).toContain("pipeline: quant/int8 (default: calibration samples given");
    expect(out).toMatch(
      /^verified: host C \(\w+\) and cortex-m4 under QEMU \(mps2-an386\) give the TS interpreter's bytes on 10 of 10 calibration samples$/m,
    );
    expect(out).toContain("fits nucleo-l4r5zi: yes");

    const r = readReport("int8");
    expect(r.schema).toBe(1);
    expect(r.board).toMatchObject({
      id: "nucleo-l4r5zi",
      core: "cortex-m4",
      sramBytes: 655360,
      flashBytes: 2097152,
    });
    expect(r.target).toBe("cortex-m4");
    expect(r.pipeline).toMatchObject({ text: "quant/int8", source: "default" });
    expect(r.calibration).toEqual({ samples: 200 });
    expect(r.compiled.inputs[0]).toMatchObject({ dtype: "float32", shape: [1, 1, 28, 28] });
    // By hand from the architecture (3×3 "same" convs 1→8→16→32 with 2×2 pools, dense
    // 1568→10): 28·28·8·9 + 14·14·16·72 + 7·7·32·144 + 1568·10 MACs; int8 weights of
    // 72 + 1152 + 4608 + 15680 bytes, int32 biases of (8+16+32+10)·4 bytes.
    expect(r.compiled.macs).toBe(56448 + 225792 + 225792 + 15680);
    const byDtype = (d: string): number =>
      r.flash.weights.filter((w) => w.dtype === d).reduce((s, w) => s + w.bytes, 0);
    expect(byDtype("int8")).toBe(72 + 1152 + 4608 + 15680);
    expect(byDtype("int32")).toBe((8 + 16 + 32 + 10) * 4);
    expect(r.layers.filter((l) => l.op === "core.conv2d").map((l) => l.cKernel)).toEqual([
      "quant/int8-dsp",
      "quant/int8-dsp",
      "quant/int8-dsp",
    ]);
    expect(r.verify).toMatchObject({
      status: "passed",
      mode: "exact",
      samples: 10,
      host: { status: "passed", identicalSamples: 10 },
      qemu: { status: "passed", machine: "mps2-an386", identicalSamples: 10 },
    });
    // QEMU counted the instructions of one inference: at least one per MAC pair (SMLAD does two).
    expect(r.verify.qemu.instructions!).toBeGreaterThan(r.compiled.macs / 2);
    expect(out).toContain(
      `measured ${r.verify.qemu.instructions!.toLocaleString("en-US")} instructions per inference`,
    );
    expect(r.quality!.samples).toBe(100);
    expect(r.quality!.top1Agreement).toBeGreaterThanOrEqual(0.99);

    // The arena: the size the C declares, and no two buffers live at the same step share a byte.
    const header = readFileSync(path("int8", "mnist_cnn.h"), "utf8");
    expect(header).toContain(`#define MCU_MNIST_CNN_ARENA_BYTES ${r.arena.bytes}`);
    for (const a of r.arena.buffers) {
      expect(a.offset % r.arena.alignment).toBe(0);
      expect(a.offset + a.bytes).toBeLessThanOrEqual(r.arena.bytes);
      for (const b of r.arena.buffers) {
        if (a === b || a.last < b.first || b.last < a.first) continue;
        expect(a.offset + a.bytes <= b.offset || b.offset + b.bytes <= a.offset).toBe(true);
      }
    }
    expect(r.arena.buffers.some((b) => b.kind === "scratch")).toBe(true);
    expect(Math.max(...r.arena.buffers.map((b) => b.offset + b.bytes))).toBe(r.arena.bytes);
    // Flash was measured on the real object file: it holds at least the weights.
    expect(r.flash.basis).toBe("measured");
    expect(r.flash.bytes).toBe(r.flash.measured!.text + r.flash.measured!.data);
    expect(r.flash.bytes).toBeGreaterThan(r.flash.weightBytes);
    expect(r.ram.bytes).toBe(r.arena.bytes + r.ram.stateBytes + r.ram.stackBytes);
    expect(r.fits).toBe(true);
    for (const f of ["mnist_cnn.c", "Makefile", "main_host.c", "main_cortex_m.c", "report.html"]) {
      expect(r.files).toContain(f);
      expect(existsSync(path("int8", f))).toBe(true);
    }
    expect(readFileSync(path("int8", "report.html"), "utf8")).toContain('<svg id="chart-arena"');

    // The written project builds with its own Makefile and classifies real test digits.
    const n = 200;
    const test = digits("test-digits.npy", n);
    writeFileSync(path("in.bin"), new Uint8Array(test.buffer));
    execFileSync("make", ["-s", "host"], { cwd: path("int8") });
    execFileSync(path("int8", "build", "host", "mnist_cnn"), [path("in.bin"), path("out.bin")]);
    const logits = new Float32Array(new Uint8Array(readFileSync(path("out.bin"))).buffer);
    const labels = readNpy(readFixture("mnist", "test-labels.npy")).data as Uint8Array;
    let correct = 0;
    for (let i = 0; i < n; i++) {
      const row = logits.subarray(i * 10, i * 10 + 10);
      if (row.indexOf(Math.max(...row)) === labels[i]) correct += 1;
    }
    expect(correct / n).toBeGreaterThanOrEqual(0.97);
  }, 120_000);

  it("keeps a model float without --calib, says so, and prints the --json summary", async () => {
    const io = captureIo();
    const args = ["compile", cnn, "--board", "nucleo-f446re", "-o", path("float"), "--verify", "3", "--json"];
    expect(await main(args, io)).toBe(0);
    const s = JSON.parse(io.out()) as CompileSummary;
    expect(s).toMatchObject({
      schema: 1,
      dir: path("float"),
      board: "nucleo-f446re",
      target: "cortex-m4",
      pipeline: { text: "core/fold-batchnorm,core/fuse-activation", source: "default" },
      verify: { status: "passed", mode: "tolerance", samples: 3 },
      report: path("float", "report.json"),
      html: path("float", "report.html"),
    });
    const r = readReport("float");
    expect(r.notes.some((n) => n.includes("--calib"))).toBe(true);
    expect(r.verify.inputs).toBe("random");
    expect(r.quality).toBeNull();
    expect(r.layers.filter((l) => l.op === "core.conv2d").every((l) => l.cKernel === "core/float32")).toBe(
      true,
    );
    // float32 weights: 4 bytes per parameter (21,578 parameters, pytorch-mnist README).
    expect(r.flash.weights.every((w) => w.dtype === "float32")).toBe(true);
    expect(r.flash.weightBytes).toBe(21578 * 4);
  }, 120_000);

  it("compiles an integer .tflite as it is, and notes what a core without an FPU adds to a float model", async () => {
    const int8 = captureIo();
    const model = fixturePath("tflite-micro", "hello_world_int8.tflite");
    expect(await main(["compile", model, "--board", "rp2040", "-o", path("hw8"), "--json"], int8)).toBe(0);
    expect(JSON.parse(int8.out())).toMatchObject({
      pipeline: { text: "", source: "default" },
      target: "cortex-m0plus",
      verify: {
        status: "passed",
        mode: "exact",
        samples: 10,
        host: { status: "passed", identicalSamples: 10 },
        qemu: { status: "skipped" }, // QEMU models no Cortex-M0+ board
      },
    });

    const float = captureIo();
    const floatModel = fixturePath("tflite-micro", "hello_world_float.tflite");
    expect(await main(["compile", floatModel, "--board", "nucleo-g0b1re", "-o", path("hwf")], float)).toBe(0);
    expect(float.out()).toContain(
      "note: nucleo-g0b1re (cortex-m0plus) has no FPU: float32 runs in software emulation",
    );
    const r = readReport("hwf");
    expect(r.flash.basis).toBe("measured");
    expect(r.notes.some((n) => n.includes("software floating-point routines (libgcc)"))).toBe(true);
  }, 60_000);

  it("fails with one error line on bad input", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["compile", cnn, "--board", "uno", "-o", path("x")],
        /^error MCU_E_UNKNOWN_BOARD: unknown board "uno"/,
      ],
      [
        ["compile", cnn, "--board", "nucleo-l4r5zi", "-p", "quant/int8", "-o", path("x")],
        /^error MCU_E_CALIBRATION: quant\/int8 needs calibration samples .*\(pass quant\/int8\)$/m,
      ],
      [
        ["compile", cnn, "--board", "nucleo-l4r5zi", "--verify", "-1", "-o", path("x")],
        /^error MCU_E_USAGE: --verify/,
      ],
      [["compile", cnn, "--board", "nucleo-l4r5zi"], /^error MCU_E_USAGE: .*--output/],
    ];
    for (const [args, message] of cases) {
      const io = captureIo();
      expect(await main(args, io)).toBe(1);
      expect(io.err()).toMatch(message);
      expect(io.err().trim().split("\n")).toHaveLength(1);
    }
    expect(existsSync(path("x"))).toBe(false);
  });

  it("fails loudly, with exit code 2, when the C disagrees with the TS interpreter", async () => {
    // relu over float32 [1,4], and a plugin whose (higher-priority) C relu adds 1.
    const b = graphBuilder(createRegistry([corePlugin]));
    const x = b.input("x", [1, 4]);
    writeFileSync(
      path("relu.mcuir"),
      writeMcuir(b.output(b.op("core.relu", [x], {}, { name: "relu" })).build()),
    );
    writeFileSync(
      path("wrong-relu.mjs"),
      `export default { name: "wrong-relu", apiVersion: 1, cKernels: [{
        op: "core.relu", variant: "wrong/relu", priority: 100,
        supports: (ctx) => ctx.inputs[0]?.dtype === "float32",
        emit: (ctx) => ({ code: "{ int i; for (i = 0; i < 4; i++) " + ctx.output(0) + "[i] = " + ctx.input(0) + "[i] + 1.0f; }" }),
      }] };\n`,
    );
    const io = captureIo();
    const args = [
      "--plugin",
      path("wrong-relu.mjs"),
      "compile",
      path("relu.mcuir"),
      "--board",
      "nucleo-l4r5zi",
      "-o",
      path("bad"),
    ];
    expect(await main(args, io)).toBe(2);
    expect(io.err()).toMatch(
      /^error MCU_E_VERIFY: the generated C and the TS interpreter disagree: host C, sample 0, output "relu" \[0\]: C [-\d.e]+, TS [-\d.e]+ — a bug in a C or TS kernel/,
    );
    expect(io.err().trim().split("\n")).toHaveLength(1);
    const r = readReport("bad");
    expect(r.layers[0]!.cKernel).toBe("wrong/relu");
    expect(r.verify).toMatchObject({
      status: "failed",
      mode: "tolerance",
      host: { status: "failed", identicalSamples: 0 },
      qemu: { status: "failed", identicalSamples: 0 },
    });
    // C computes x + 1 where TS computes relu(x).
    const m = r.verify.host.firstMismatch!;
    expect(m.c).not.toBe(m.ts);
    if (m.ts > 0) expect(m.c - m.ts).toBeCloseTo(1, 5);
    else expect(m.c).toBeLessThanOrEqual(1);

    const verbose = captureIo();
    expect(await main([...args, "--verbose"], verbose)).toBe(2);
    expect(verbose.err()).toMatch(/^error MCU_E_VERIFY: .*\n\w*Error: .*\n\s+at /);
  }, 60_000);

  it("verifies under QEMU alone without a host compiler, and says the C is unverified without either", async () => {
    const saved = { cc: process.env.MCU_CC, qemu: process.env.MCU_QEMU };
    const args = (out: string): string[] => [
      "compile",
      cnn,
      "--board",
      "nucleo-l4r5zi",
      "--calib",
      path("calib.npy"),
      "-o",
      path(out),
    ];
    try {
      process.env.MCU_CC = path("no-such-compiler");
      const io = captureIo();
      expect(await main(args("nocc"), io)).toBe(0);
      expect(io.err()).toMatch(
        /^warning: the C was not run on the host: no host C compiler \(.*no-such-compiler was not found/,
      );
      expect(io.out()).toMatch(
        /^verified: cortex-m4 under QEMU \(mps2-an386\) give the TS interpreter's bytes on 10 of 10/m,
      );
      expect(io.out()).toMatch(/^ {2}\(host C not run: no host C compiler/m);
      const r = readReport("nocc");
      expect(r.verify).toMatchObject({
        status: "passed",
        host: { status: "skipped" },
        qemu: { status: "passed" },
      });
      expect(r.warnings.some((w) => w.startsWith("the C was not run on the host"))).toBe(true);

      process.env.MCU_QEMU = path("no-such-qemu");
      const none = captureIo();
      expect(await main(args("none"), none)).toBe(0);
      expect(none.err()).toMatch(/^warning: the C was not verified: no host C compiler/);
      expect(none.out()).toMatch(/^verified: no — no host C compiler/m);
      const n = readReport("none");
      expect(n.verify.status).toBe("skipped");
      expect(n.verify.qemu.reason).toMatch(/no-such-qemu was not found/);
      expect(n.warnings.some((w) => w.startsWith("the C was not verified"))).toBe(true);
      expect(existsSync(path("none", "mnist_cnn.c"))).toBe(true);
    } finally {
      for (const [k, v] of [
        ["MCU_CC", saved.cc],
        ["MCU_QEMU", saved.qemu],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }, 60_000);
});
