/**
 * `mcu compress` end to end on the pytorch-mnist models: post-training quantization with 200
 * calibration digits from the train split, then `mcu eval --reference` on the 1996 test digits.
 * Oracles: the test labels, onnxruntime's logits, and onnxruntime's own quantize_static accuracy
 * (fixtures/pytorch-mnist/manifest.json).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readOnnx } from "@mcu/onnx-io";
import { createInterpreter, readNpy, writeNpy } from "@mcu/tensor";
import { fixturePath, readFixture } from "@mcu/testing";
import { captureIo } from "../internal/capture-io.js";
import { main } from "../main.js";
import { loadRegistry } from "../plugins.js";

let dir: string;
const path = (name: string): string => join(dir, name);

/** uint8 digits [n,28,28] → float32 model inputs [n,1,1,28,28] = pixel / 255, as a .npy file. */
function digitsAsInputs(file: string, out: string): string {
  const d = readNpy(readFixture("mnist", file));
  const n = d.shape[0]!;
  const data = Float32Array.from(d.data as Uint8Array, (v) => v / 255);
  writeFileSync(path(out), writeNpy({ dtype: "float32", shape: [n, 1, 1, 28, 28], data }));
  return path(out);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mcu-compress-"));
  digitsAsInputs("calib-digits.npy", "calib.npy");
  digitsAsInputs("test-digits.npy", "test.npy");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const manifest = JSON.parse(readFileSync(fixturePath("pytorch-mnist", "manifest.json"), "utf8")) as {
  models: Record<string, Record<string, number>>;
};

async function evalJson(
  model: string,
  reference: string,
): Promise<{ n: number; top1: number; agreement: number }> {
  const io = captureIo();
  const args = [
    "eval",
    model,
    "--input",
    path("test.npy"),
    "--labels",
    fixturePath("mnist", "test-labels.npy"),
  ];
  expect(await main([...args, "--reference", reference, "--json"], io)).toBe(0);
  return JSON.parse(io.out()) as { n: number; top1: number; agreement: number };
}

describe("mcu compress", () => {
  it("quantizes mnist_cnn to an int8 .tflite as accurate as onnxruntime's quantize_static", async () => {
    const io = captureIo();
    const model = fixturePath("pytorch-mnist", "mnist_cnn.onnx");
    const args = [
      "compress",
      model,
      "-p",
      "quant/int8",
      "--calib",
      path("calib.npy"),
      "-o",
      path("cnn.tflite"),
    ];
    expect(await main([...args, "--report", path("report.json")], io)).toBe(0);
    expect(io.out()).toMatch(
      /^wrote .*cnn\.tflite \(tflite, [\d,]+ bytes\) from .*mnist_cnn\.onnx: quant\/int8 /,
    );
    expect(io.out()).toContain("top-1 agreement with float:");
    expect(io.err()).toBe("");

    const report = JSON.parse(readFileSync(path("report.json"), "utf8")) as {
      schema: number;
      samples: number;
      layers: { tensor: string; sqnrDb: number }[];
      top1Agreement: number;
    };
    expect(report.schema).toBe(1);
    expect(report.samples).toBe(200);
    expect(report.layers.map((l) => l.tensor)).toContain("/7/Relu_output_0");
    expect(report.top1Agreement).toBeGreaterThanOrEqual(0.99);

    const r = await evalJson(
      path("cnn.tflite"),
      fixturePath("pytorch-mnist", "mnist_cnn.test_logits_all.npy"),
    );
    expect(r.n).toBe(1996);
    expect(r.top1).toBeGreaterThanOrEqual(
      manifest.models.mnist_cnn!.ort_qdq_static_per_channel_int8_acc! - 0.001,
    );
    expect(r.agreement).toBeGreaterThanOrEqual(0.99);
  }, 120_000);

  it("prints the schema-1 --json summary instead of text", async () => {
    const io = captureIo();
    const model = fixturePath("pytorch-mnist", "mnist_cnn.onnx");
    const args = ["compress", model, "-p", "quant/int8", "--calib", path("calib.npy"), "-o", path("j.mcuir")];
    expect(await main([...args, "--report", path("j.json"), "--json"], io)).toBe(0);
    const s = JSON.parse(io.out()) as {
      schema: number;
      bytes: number;
      passes: { pass: string; changed: boolean }[];
      report: { file: string; top1Agreement: number };
    };
    expect(s).toMatchObject({
      schema: 1,
      input: model,
      output: path("j.mcuir"),
      format: "mcuir",
      calibrationSamples: 200,
    });
    expect(s.bytes).toBe(readFileSync(path("j.mcuir")).length);
    expect(s.passes.map((p) => [p.pass, p.changed])).toEqual([["quant/int8", true]]);
    const report = JSON.parse(readFileSync(path("j.json"), "utf8")) as { top1Agreement: number };
    expect(s.report).toEqual({ file: path("j.json"), top1Agreement: report.top1Agreement });
  }, 120_000);

  it("writes int4 weights to .mcuir and reads them back to run", async () => {
    const io = captureIo();
    const model = fixturePath("pytorch-mnist", "mnist_dscnn.onnx");
    const args = [
      "compress",
      model,
      "-p",
      "quant/int4-weights:calib=percentile",
      "--calib",
      path("calib.npy"),
    ];
    expect(await main([...args, "-o", path("dscnn4.mcuir")], io)).toBe(0);
    expect(existsSync(path("dscnn4.mcuir"))).toBe(true);
    const r = await evalJson(
      path("dscnn4.mcuir"),
      fixturePath("pytorch-mnist", "mnist_dscnn.test_logits_all.npy"),
    );
    expect(r.top1).toBeGreaterThan(0.95);
    expect(r.agreement).toBeGreaterThan(0.97);
  }, 120_000);

  it("fails with one error line for a bad pipeline, missing calibration or --report without --calib", async () => {
    const model = fixturePath("pytorch-mnist", "mnist_cnn.onnx");
    let io = captureIo();
    expect(await main(["compress", model, "-p", "quant/int9", "-o", path("x.tflite")], io)).toBe(1);
    expect(io.err()).toMatch(/^error MCU_E_UNKNOWN_PASS: no plugin defines pass "quant\/int9"/);
    io = captureIo();
    expect(await main(["compress", model, "-p", "quant/int8:calib=best", "-o", path("x.tflite")], io)).toBe(
      1,
    );
    expect(io.err()).toMatch(/^error MCU_E_PIPELINE: .*calib/);
    io = captureIo();
    expect(await main(["compress", model, "-p", "quant/int8", "-o", path("x.tflite")], io)).toBe(1);
    expect(io.err()).toMatch(
      /^error MCU_E_CALIBRATION: quant\/int8 needs calibration samples .*\(pass quant\/int8\)$/m,
    );
    io = captureIo();
    expect(
      await main(
        ["compress", model, "-p", "quant/int8", "-o", path("x.tflite"), "--report", path("r.json")],
        io,
      ),
    ).toBe(1);
    expect(io.err()).toMatch(/^error MCU_E_USAGE: --report/);
    expect(existsSync(path("x.tflite"))).toBe(false);
  });
});

describe("mcu eval on onnxruntime's own QDQ model", () => {
  it("runs mnist_cnn_qdq_ort.onnx on the int8 kernels, agreeing with onnxruntime's logits", async () => {
    const model = fixturePath("pytorch-mnist", "mnist_cnn_qdq_ort.onnx");
    const registry = await loadRegistry([], process.cwd());
    const graph = readOnnx(readFixture("pytorch-mnist", "mnist_cnn_qdq_ort.onnx"), { registry });
    const kernels = createInterpreter(graph, { registry }).kernelNames;
    graph.nodes.forEach((n, i) => {
      if (["core.conv2d", "core.max_pool2d", "core.fully_connected"].includes(n.op))
        expect(kernels[i]).toBe("quant/int8");
    });
    const r = await evalJson(model, fixturePath("pytorch-mnist", "mnist_cnn_qdq_ort.test_logits_all.npy"));
    // onnxruntime's accuracy with this model: the README's 0.981463 (1959 of 1996).
    expect(r.agreement).toBeGreaterThanOrEqual(0.99);
    expect(
      Math.abs(r.top1 - manifest.models.mnist_cnn!.ort_qdq_static_per_channel_int8_acc!),
    ).toBeLessThanOrEqual(0.002);
  }, 120_000);
});
