import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { which } from "@mcu/codegen-c";
import { fixturePath, readFixture } from "@mcu/testing";
import { corePlugin, createRegistry, graphBuilder, readNpy, writeMcuir, writeNpy } from "@mcu/tensor";
import { captureIo } from "../internal/capture-io.js";
import { main } from "../main.js";

const registry = createRegistry([corePlugin]);
let dir: string;
const path = (name: string): string => join(dir, name);

/** A model whose output equals its input: fully connected with identity weights, zero bias. */
function identityModel(name: string, shape: number[], classes: number): string {
  const b = graphBuilder(registry);
  const x = b.input("x", shape);
  const eye = new Float32Array(classes * classes);
  for (let i = 0; i < classes; i++) eye[i * classes + i] = 1;
  const w = b.constant("w", eye, [classes, classes]);
  const y = b.op(
    "core.fully_connected",
    [x, w, b.constant("b", new Float32Array(classes), [classes])],
    {},
    { name: "y" },
  );
  writeFileSync(path(name), writeMcuir(b.output(y).build()));
  return path(name);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mcu-eval-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("mcu eval", () => {
  // Six samples of three class scores; the model passes them through, so its top-1 classes
  // are, by hand: 2, 0, 1, 1, 0, 2.
  const scores = [
    [0.1, 0.2, 0.7],
    [5, -1, 2],
    [0, 3, 1],
    [-2, -1, -3],
    [9, 8, 7],
    [1, 1, 4],
  ];
  // Labels agree with samples 0, 1, 2 and 5: top-1 = 4/6.
  const labels = [2n, 0n, 1n, 0n, 2n, 2n];
  // Reference top-1 classes 2, 0, 1, 1, 0, 0: agreement = 5/6.
  const reference = [
    [0, 0, 1],
    [1, 0, 0],
    [0, 1, 0],
    [0, 1, 0],
    [1, 0, 0],
    [1, 0, 0],
  ];

  const args = (): string[] => {
    const model = identityModel("id3.mcuir", [1, 3], 3);
    writeFileSync(
      path("x.npy"),
      writeNpy({ dtype: "float32", shape: [6, 1, 3], data: new Float32Array(scores.flat()) }),
    );
    writeFileSync(
      path("labels.npy"),
      writeNpy({ dtype: "int64", shape: [6], data: new BigInt64Array(labels) }),
    );
    writeFileSync(path("ref.csv"), reference.map((r) => r.join(",")).join("\n"));
    return ["eval", model, "--input", path("x.npy"), "--labels", path("labels.npy")];
  };

  it("prints top-1 accuracy and agreement as schema-1 JSON", async () => {
    const io = captureIo();
    expect(await main([...args(), "--reference", path("ref.csv"), "--json"], io)).toBe(0);
    expect(io.err()).toBe("");
    expect(JSON.parse(io.out())).toEqual({ schema: 1, n: 6, top1: 4 / 6, agreement: 5 / 6 });
  });

  it("leaves agreement out without --reference, and prints text without --json", async () => {
    const json = captureIo();
    expect(await main([...args(), "--json"], json)).toBe(0);
    expect(JSON.parse(json.out())).toEqual({ schema: 1, n: 6, top1: 4 / 6 });
    const text = captureIo();
    expect(await main([...args(), "--reference", path("ref.csv")], text)).toBe(0);
    expect(text.out()).toBe("top-1 accuracy: 66.67% (4/6)\nagreement with reference: 83.33% (5/6)\n");
  });

  it("reads .csv labels", async () => {
    writeFileSync(path("labels.csv"), "2\n0\n1\n0\n2\n2\n");
    const io = captureIo();
    const a = args();
    a[a.length - 1] = path("labels.csv");
    expect(await main([...a, "--json"], io)).toBe(0);
    expect(JSON.parse(io.out()).top1).toBe(4 / 6);
  });

  it("reproduces onnxruntime's 0.980962 on pytorch-mnist's real logits and labels", async () => {
    // Feeding onnxruntime's logits [1996,1,10] through an identity model: the top-1 accuracy
    // against test_labels.npy must be the README's onnxruntime figure, 1958/1996.
    const model = identityModel("id10.mcuir", [1, 10], 10);
    const logits = fixturePath("pytorch-mnist", "mnist_cnn.test_logits_all.npy");
    const io = captureIo();
    const argv = [
      "eval",
      model,
      "--input",
      logits,
      "--labels",
      fixturePath("pytorch-mnist", "test_labels.npy"),
    ];
    expect(await main([...argv, "--reference", logits, "--json"], io)).toBe(0);
    expect(JSON.parse(io.out())).toEqual({ schema: 1, n: 1996, top1: 1958 / 1996, agreement: 1 });
    expect((1958 / 1996).toFixed(6)).toBe("0.980962");
  });

  it("evaluates 50 digits on a Cortex-M4 in one QEMU run, with the TS interpreter's result", async () => {
    // 50 test digits spread over the classes (every 40th row of the class-sorted file), as the
    // pytorch-mnist models take them: pixel / 255, float32 [50,1,1,28,28]; the int8 QDQ model runs as
    // generated C under QEMU. MCU_QEMU points at a wrapper that logs each start of qemu-system-arm.
    const digits = readNpy(readFixture("mnist", "test-digits.npy"));
    const allLabels = readNpy(readFixture("mnist", "test-labels.npy"));
    const rows = Array.from({ length: 50 }, (_, i) => 40 * i);
    const x = new Float32Array(rows.length * 784);
    rows.forEach((r, i) => {
      for (let k = 0; k < 784; k++) x[i * 784 + k] = Number(digits.data[r * 784 + k]) / 255;
    });
    writeFileSync(path("digits50.npy"), writeNpy({ dtype: "float32", shape: [50, 1, 1, 28, 28], data: x }));
    const labels = BigInt64Array.from(rows, (r) => BigInt(allLabels.data[r] as number));
    writeFileSync(path("labels50.npy"), writeNpy({ dtype: "int64", shape: [50], data: labels }));
    const qemu = which("qemu-system-arm");
    expect(qemu).toBeDefined();
    writeFileSync(path("qemu.sh"), `#!/bin/sh\necho run >> "${path("qemu.log")}"\nexec "${qemu}" "$@"\n`);
    chmodSync(path("qemu.sh"), 0o755);
    const model = fixturePath("pytorch-mnist", "mnist_cnn_qdq_ort.onnx");
    const argv = ["eval", model, "--input", path("digits50.npy"), "--labels", path("labels50.npy"), "--json"];
    const ts = captureIo();
    expect(await main(argv, ts)).toBe(0);
    const saved = process.env.MCU_QEMU;
    process.env.MCU_QEMU = path("qemu.sh");
    try {
      const m4 = captureIo();
      expect(await main([...argv, "--engine", "cortex-m4"], m4)).toBe(0);
      expect(m4.err()).toBe("");
      expect(JSON.parse(m4.out())).toEqual(JSON.parse(ts.out()));
    } finally {
      if (saved === undefined) delete process.env.MCU_QEMU;
      else process.env.MCU_QEMU = saved;
    }
    expect(readFileSync(path("qemu.log"), "utf8")).toBe("run\n");
    expect(JSON.parse(ts.out()).n).toBe(50);
  }, 120_000);

  it.each([
    [
      "too few labels",
      "labels-short.npy",
      writeNpy({ dtype: "int64", shape: [5], data: new BigInt64Array(5) }),
      "MCU_E_LABELS",
    ],
    [
      "float labels",
      "labels-float.npy",
      writeNpy({ dtype: "float32", shape: [6], data: new Float32Array(6) }),
      "MCU_E_LABELS",
    ],
  ])("refuses %s", async (_, name, bytes, code) => {
    writeFileSync(path(name), bytes);
    const a = args();
    a[a.length - 1] = path(name);
    const io = captureIo();
    expect(await main(a, io)).toBe(1);
    expect(io.err()).toMatch(new RegExp(`^error ${code}: .*\\n$`));
  });

  it("refuses a reference of the wrong size", async () => {
    writeFileSync(
      path("ref-short.npy"),
      writeNpy({ dtype: "float32", shape: [5, 3], data: new Float32Array(15) }),
    );
    const io = captureIo();
    expect(await main([...args(), "--reference", path("ref-short.npy")], io)).toBe(1);
    expect(io.err()).toMatch(
      /^error MCU_E_REFERENCE: ".*ref-short\.npy" has shape \[5,3\] \(15 values\); 6 samples of 3 classes need 18\n$/,
    );
  });
});
