/**
 * `mcu demo` in-process, into a temporary directory. Oracles: the test labels, onnxruntime's
 * logits for the same digits (fixtures/pytorch-mnist), and the fixtures the bundled assets were
 * made from.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readNpy } from "@mcu/tensor";
import { readFixture } from "@mcu/testing";
import { DEMO_ASSETS_DIR } from "../demo-assets.js";
import { captureIo } from "../internal/capture-io.js";
import { main } from "../main.js";
import type { DemoSummary } from "./demo.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mcu-demo-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Indices into the 1,996-digit test split of the first 10 digits of each class. */
function firstTenPerClass(): number[] {
  const labels = readNpy(readFixture("mnist", "test-labels.npy")).data as Uint8Array;
  const count = new Array<number>(10).fill(0);
  const picked: number[] = [];
  labels.forEach((l, i) => {
    if (count[l]! < 10) {
      count[l]! += 1;
      picked.push(i);
    }
  });
  return picked;
}

const asset = (name: string): Uint8Array => new Uint8Array(readFileSync(join(DEMO_ASSETS_DIR, name)));

describe("mcu demo", () => {
  it("ships assets made from the fixtures: the model, 200 calibration digits, 10 test digits per class", () => {
    expect(
      Buffer.from(asset("mnist_cnn.onnx")).equals(
        Buffer.from(readFixture("pytorch-mnist", "mnist_cnn.onnx")),
      ),
    ).toBe(true);
    expect(
      Buffer.from(asset("calib-digits.npy")).equals(Buffer.from(readFixture("mnist", "calib-digits.npy"))),
    ).toBe(true);
    const picked = firstTenPerClass();
    const all = readNpy(readFixture("mnist", "test-digits.npy")).data as Uint8Array;
    const allLabels = readNpy(readFixture("mnist", "test-labels.npy")).data as Uint8Array;
    const test = readNpy(asset("test-digits.npy"));
    const labels = readNpy(asset("test-labels.npy"));
    expect(test.shape).toEqual([100, 28, 28]);
    expect(labels.shape).toEqual([100]);
    picked.forEach((i, k) => {
      expect(
        Buffer.from(all.subarray(i * 784, (i + 1) * 784)).equals(
          Buffer.from((test.data as Uint8Array).subarray(k * 784, (k + 1) * 784)),
        ),
      ).toBe(true);
      expect((labels.data as Uint8Array)[k]).toBe(allLabels[i]);
    });
  });

  it("compiles the bundled model to int8 C and prints float, int8 TS and int8 C accuracy within 0.5 pt", async () => {
    const io = captureIo(dir);
    expect(await main(["demo"], io)).toBe(0);
    expect(io.err()).toBe("");
    const out = io.out();
    const accuracy = (row: RegExp): number => Number(row.exec(out)![1]);
    const float = accuracy(/^\s+float32\s+TS interpreter\s+([\d.]+)%/m);
    const int8 = accuracy(/^\s+int8\s+TS interpreter\s+([\d.]+)%/m);
    const c = accuracy(/^\s+int8\s+C, host \w+\s+([\d.]+)%/m);
    expect(Math.abs(int8 - float)).toBeLessThanOrEqual(0.5);
    expect(c).toBe(int8);
    expect(out).toContain("outputs byte-identical to int8 TS on 100/100");
    // The Makefile's Cortex-M4 build under QEMU: the same answers, byte for byte.
    expect(accuracy(/^\s+int8\s+C, cortex-m4 under QEMU\s+([\d.]+)%/m)).toBe(int8);
    expect(out).toMatch(/byte-identical to int8 TS on 100\/100; [\d,]+ instructions per digit/);
    // The float column is onnxruntime's accuracy on the same 100 digits.
    const ort = readNpy(readFixture("pytorch-mnist", "mnist_cnn.test_logits_all.npy")).data as Float32Array;
    const labels = readNpy(readFixture("mnist", "test-labels.npy")).data as Uint8Array;
    const picked = firstTenPerClass();
    const ortCorrect = picked.filter((i) => {
      const row = Array.from(ort.subarray(i * 10, i * 10 + 10));
      return row.indexOf(Math.max(...row)) === labels[i];
    }).length;
    expect(float).toBe(ortCorrect);
    // The per-layer table, the fit and the report.
    expect(out).toMatch(/^#\s+layer\s+op\s+C kernel\s+output\s+MACs/m);
    expect(out).toContain("pipeline: quant/int8 (default: calibration samples given");
    expect(out).toContain("fits nucleo-l4r5zi: yes");
    expect(out).toContain("report: mcu-demo-out/report.html");
    expect(existsSync(join(dir, "mcu-demo-out", "report.html"))).toBe(true);
    const report = JSON.parse(readFileSync(join(dir, "mcu-demo-out", "report.json"), "utf8")) as {
      verify: { status: string };
      pipeline: { text: string };
    };
    expect(report.verify.status).toBe("passed");
    expect(report.pipeline.text).toBe("quant/int8");
  }, 120_000);

  it("draws progress bars for calibration, the quality report and the evaluations on a terminal only", async () => {
    let err = "";
    const tty = {
      stdout: { write: () => true },
      stderr: { isTTY: true, columns: 100, write: (s: string) => (err += s) },
      isTTY: true,
      cwd: dir,
    };
    expect(await main(["demo", "-o", "out-tty"], tty)).toBe(0);
    for (const bar of ["calibrate (minmax) [", "quality report [", "float32 (TS) [", "int8 (TS) ["]) {
      expect(err).toContain(bar);
    }
  }, 120_000);

  it("prints the --json summary and says so when there is no host C compiler", async () => {
    const saved = process.env.MCU_CC;
    process.env.MCU_CC = join(dir, "no-such-compiler");
    try {
      const io = captureIo(dir);
      expect(await main(["demo", "-o", "out-json", "--json"], io)).toBe(0);
      const s = JSON.parse(io.out()) as DemoSummary;
      expect(s.schema).toBe(1);
      expect(s.samples).toBe(100);
      expect(Math.abs(s.accuracy.int8Ts - s.accuracy.float)).toBeLessThanOrEqual(0.005);
      expect(s.accuracy.int8C).toBeNull();
      expect(s.c.status).toBe("skipped");
      expect(s.c.reason).toMatch(/^no host C compiler \(.*no-such-compiler was not found/);
      expect(s.compile).toMatchObject({ board: "nucleo-l4r5zi", dir: "out-json", fits: true });
      expect(s.compile.verify.host.status).toBe("skipped");
      expect(s.accuracy.int8Qemu).toBe(s.accuracy.int8Ts);
      expect(s.qemu).toMatchObject({ status: "ran", machine: "mps2-an386", identicalToTs: 100 });
      expect(existsSync(join(dir, "out-json", "report.html"))).toBe(true);

      const text = captureIo(dir);
      expect(await main(["demo", "-o", "out-text"], text)).toBe(0);
      expect(text.out()).toMatch(/^\s+int8\s+C, host\s+not run\s+no host C compiler/m);
    } finally {
      if (saved === undefined) delete process.env.MCU_CC;
      else process.env.MCU_CC = saved;
    }
  }, 120_000);
});
