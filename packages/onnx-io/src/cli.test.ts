/**
 * The `mcu` command on ONNX files, end to end (the CLI finds this package's plugin through its
 * default export): inspect, eval on all 1996 test digits against onnxruntime's accuracy, run,
 * and convert to .tflite checked in LiteRT.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readNpy, writeNpy } from "@mcu/tensor";
import { fixturePath } from "@mcu/testing";
import { mcu } from "./testing/cli.js";
import { liteRtModel } from "./testing/litert.js";
import { argmax, digitInput, ortLogits, rowRelativeError, testDigits, testLabels } from "./testing/mnist.js";

const model = (m: string) => fixturePath("pytorch-mnist", `${m}.onnx`);

let dir: string;
let digitsFile: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "onnx-io-cli-"));
  // All test digits as one [1996,1,1,28,28] float32 file (pixel / 255): the CLI runs once per slice.
  const digits = testDigits();
  const x = new Float32Array(1996 * 784);
  for (let i = 0; i < 1996; i++) x.set(digitInput(digits, i), i * 784);
  digitsFile = join(dir, "digits.npy");
  writeFileSync(digitsFile, writeNpy({ dtype: "float32", shape: [1996, 1, 1, 28, 28], data: x }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** onnxruntime's correct count, from its shipped logits and the labels. */
function ortCorrect(m: string): number {
  const ref = ortLogits(m);
  const labels = testLabels();
  let n = 0;
  for (let i = 0; i < 1996; i++) if (argmax(ref.subarray(i * 10, i * 10 + 10)) === labels[i]) n++;
  return n;
}

describe("mcu inspect", () => {
  it("counts ops under their ONNX names and keeps the file's interface", async () => {
    const r = await mcu(["inspect", model("mnist_cnn"), "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.format).toBe("onnx");
    expect(doc.inputs).toEqual([{ name: "input", shape: [1, 1, 28, 28], dtype: "float32", quant: null }]);
    expect(doc.outputs).toEqual([{ name: "logits", shape: [1, 10], dtype: "float32", quant: null }]);
    // The file's own ops; the layout reshape the importer added is not among them.
    expect(doc.opCounts).toEqual({ Conv: 3, Relu: 3, MaxPool: 2, Flatten: 1, Gemm: 1 });
    expect(doc.params).toBe(21578); // the README's parameter count
  });

  it("reports an unsupported op in one line with exit code 1", async () => {
    const { buildModel, node, valueInfo } = await import("./testing/onnx-builder.js");
    const file = join(dir, "unsupported.onnx");
    writeFileSync(
      file,
      buildModel({
        inputs: [valueInfo("x", [1, 4])],
        outputs: [valueInfo("y", [1, 4])],
        nodes: [
          node("Erf", ["x"], ["a"], {}, "erf1"),
          node("Mish", ["a"], ["b"], {}, "mish1"),
          node("Erf", ["b"], ["y"], {}, "erf2"),
        ],
      }),
    );
    const r = await mcu(["inspect", file]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("error MCU_E_UNSUPPORTED_OP");
    expect(r.stderr).toContain('Erf ("erf1", "erf2")');
    expect(r.stderr).toContain('Mish ("mish1")');
  });
});

describe("mcu eval", () => {
  // Child processes, two at a time. mnist_vgg and mnist_bnn take about a minute each on all
  // 1996 digits; their full-set accuracy is checked in-process with the same interpreter
  // (mnist-vgg.test.ts, mnist-bnn.test.ts), so here they run on every 10th digit.
  const FULL = ["mnist_cnn", "mnist_dscnn", "mnist_dscnn_bn", "mnist_cnn_qdq_ort"] as const;
  const SAMPLED = ["mnist_vgg", "mnist_bnn"] as const;
  const results = new Map<string, { code: number; stdout: string; stderr: string }>();
  let sampled: { digits: string; labels: string; indices: number[] };
  beforeAll(async () => {
    // Every 10th digit: 0, 10, ..., 1990 (the set is grouped by class, so all ten classes).
    const indices = Array.from({ length: 200 }, (_, k) => k * 10);
    const all = readNpy(readFileSync(digitsFile)).data as Float32Array;
    const x = new Float32Array(indices.length * 784);
    for (const [k, d] of indices.entries()) x.set(all.subarray(d * 784, (d + 1) * 784), k * 784);
    const labels = testLabels();
    sampled = { digits: join(dir, "sampled.npy"), labels: join(dir, "sampled-labels.npy"), indices };
    writeFileSync(
      sampled.digits,
      writeNpy({ dtype: "float32", shape: [indices.length, 1, 1, 28, 28], data: x }),
    );
    writeFileSync(
      sampled.labels,
      writeNpy({
        dtype: "int32",
        shape: [indices.length],
        data: Int32Array.from(indices, (d) => labels[d]!),
      }),
    );
    const jobs: (() => Promise<void>)[] = [
      ...FULL.map((m) => async () => {
        const reference = fixturePath("pytorch-mnist", `${m}.test_logits_all.npy`);
        const labelsFile = fixturePath("mnist", "test-labels.npy");
        const args = [
          "eval",
          model(m),
          "--input",
          digitsFile,
          "--labels",
          labelsFile,
          "--reference",
          reference,
          "--json",
        ];
        results.set(m, await mcu(args));
      }),
      ...SAMPLED.map((m) => async () => {
        const ref = ortLogits(m);
        const r = new Float32Array(indices.length * 10);
        for (const [k, d] of indices.entries()) r.set(ref.subarray(d * 10, d * 10 + 10), k * 10);
        const reference = join(dir, `${m}-sampled-reference.npy`);
        writeFileSync(reference, writeNpy({ dtype: "float32", shape: [indices.length, 1, 10], data: r }));
        const args = [
          "eval",
          model(m),
          "--input",
          sampled.digits,
          "--labels",
          sampled.labels,
          "--reference",
          reference,
          "--json",
        ];
        results.set(m, await mcu(args));
      }),
    ];
    const worker = async () => {
      for (let job = jobs.shift(); job !== undefined; job = jobs.shift()) await job();
    };
    await Promise.all([worker(), worker()]);
  }, 600_000);

  it.each(FULL)("%s on all 1996 digits: top-1 accuracy equals onnxruntime's and every top-1 agrees", (m) => {
    const r = results.get(m)!;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.n).toBe(1996);
    expect(doc.top1).toBe(ortCorrect(m) / 1996);
    expect(doc.agreement).toBe(1);
  });

  it.each(SAMPLED)("%s on 200 digits: top-1 accuracy equals onnxruntime's and every top-1 agrees", (m) => {
    const r = results.get(m)!;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.n).toBe(200);
    const ref = ortLogits(m);
    const labels = testLabels();
    const correct = sampled.indices.filter(
      (d) => argmax(ref.subarray(d * 10, d * 10 + 10)) === labels[d],
    ).length;
    expect(doc.top1).toBe(correct / 200);
    expect(doc.agreement).toBe(1);
  });
});

describe("mcu run", () => {
  it("writes ONNX-shaped outputs for a batch of inputs", async () => {
    const out = join(dir, "dscnn-logits.npy");
    const r = await mcu(["run", model("mnist_dscnn"), "--input", digitsFile, "--output", out]);
    expect(r.code).toBe(0);
    const y = readNpy(readFileSync(out));
    expect(y.shape).toEqual([1996, 1, 10]);
    const ref = ortLogits("mnist_dscnn");
    let worst = 0;
    for (let i = 0; i < 1996; i++) {
      const row = (y.data as Float32Array).subarray(i * 10, i * 10 + 10);
      worst = Math.max(worst, rowRelativeError(row, ref.subarray(i * 10, i * 10 + 10)));
    }
    expect(worst).toBeLessThanOrEqual(1e-4);
  }, 120_000);
});

describe("mcu convert to .tflite, run in LiteRT", () => {
  // LiteRT logs its set-up (accelerators, environment) through console.error and console.warn.
  beforeAll(() => {
    jest.spyOn(console, "error").mockImplementation(() => {});
    jest.spyOn(console, "warn").mockImplementation(() => {});
  });
  afterAll(() => jest.restoreAllMocks());

  /** Converts, then runs every test digit through LiteRT; undefined when the writer refused. */
  async function convertAndRun(m: string) {
    const out = join(dir, `${m}.tflite`);
    const r = await mcu(["convert", model(m), out]);
    if (r.code !== 0) return { convert: r };
    const lrt = await liteRtModel(new Uint8Array(readFileSync(out)));
    const ref = ortLogits(m);
    const digits = testDigits();
    const x = new Float32Array(784);
    let worst = 0;
    let agree = 0;
    for (let i = 0; i < 1996; i++) {
      const y = await lrt.run(digitInput(digits, i, x), [1, 1, 28, 28]);
      const row = ref.subarray(i * 10, i * 10 + 10);
      worst = Math.max(worst, rowRelativeError(y, row));
      if (argmax(y) === argmax(row)) agree++;
    }
    lrt.close();
    return { convert: r, worst, agree };
  }

  it.each(["mnist_cnn", "mnist_vgg"])(
    "%s: LiteRT's logits match onnxruntime's within 1e-4 on all 1996 digits",
    async (m) => {
      const r = await convertAndRun(m);
      expect(r.convert.stderr).toBe("");
      expect(r.worst).toBeLessThanOrEqual(1e-4);
      expect(r.agree).toBe(1996);
    },
    120_000,
  );

  it("mnist_cnn_qdq_ort: converts to an int8 .tflite whose LiteRT logits equal onnxruntime's", async () => {
    const r = await convertAndRun("mnist_cnn_qdq_ort");
    expect(r.convert.stderr).toBe("");
    expect(r.agree).toBe(1996);
    // Measured: identical on every digit (LiteRT's int8 kernels requantize in float, as
    // onnxruntime's QLinearConv does).
    expect(r.worst).toBeLessThanOrEqual(1e-6);
  }, 120_000);

  it.each(["mnist_dscnn", "mnist_dscnn_bn", "mnist_bnn"])(
    "%s: converts and matches in LiteRT, or the writer names what TFLite cannot hold",
    async (m) => {
      const r = await convertAndRun(m);
      if (r.convert.code === 0) {
        expect(r.agree).toBeGreaterThanOrEqual(m === "mnist_bnn" ? 1990 : 1996);
        if (m !== "mnist_bnn") expect(r.worst).toBeLessThanOrEqual(1e-4);
        return;
      }
      // @mcu/tflite-io writes what TFLite holds one to one: ONNX's stride-2 convolutions with
      // pads [1,1,1,1] (TFLite's SAME would be [0,1,0,1]) and unfolded BatchNormalization
      // need a PAD and a MUL/ADD that its writer does not insert (yet).
      expect(r.convert.code).toBe(1);
      expect(r.convert.stderr).toMatch(/^error MCU_E_TFLITE_EXPORT: .*(explicit pads|core\.batch_norm)/);
    },
    120_000,
  );
});
