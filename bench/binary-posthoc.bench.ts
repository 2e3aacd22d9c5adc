/**
 * Post-hoc binarization and power-of-two weights on the float MNIST models, no retraining:
 * binary/xnor (XNOR-Net: binary weights and inputs; and the Binary-Weight-Network form with float
 * inputs) and binary/pow2 (4-, 3- and 2-bit codes) on mnist_cnn and mnist_vgg — accuracy on the
 * 1996 test digits, weight bytes as stored, and Cortex-M4 instructions per inference.
 */
import { createBinaryPlugin } from "@mcu/binary";
import { codegenPlugin, cTarget, prepareC } from "@mcu/codegen-c";
import onnxPlugin, { readOnnx } from "@mcu/onnx-io";
import {
  corePlugin,
  createRegistry,
  type Graph,
  isConstant,
  readNpy,
  resolvePipeline,
  runPipeline,
  tensorBytes,
} from "@mcu/tensor";
import { readFixture } from "@mcu/testing";
import type { BenchResult } from "../tools/bench/types.js";

const registry = createRegistry([corePlugin, onnxPlugin, codegenPlugin, createBinaryPlugin()]);

const VARIANTS: readonly [string, string][] = [
  ["float (as imported)", ""],
  ["XNOR-Net (binary weights + inputs), first/last float", "binary/xnor"],
  ["XNOR-Net, every layer binary", "binary/xnor:keepFirstLast=false"],
  ["BWN (binary weights, float inputs), first/last float", "binary/xnor:activations=float"],
  ["pow2, 4-bit codes (0, ±2^0…±2^6)", "binary/pow2"],
  ["pow2, 3-bit codes (0, ±2^0…±2^2)", "binary/pow2:bits=3"],
  ["pow2, 2-bit (ternary, TWN rule)", "binary/pow2:bits=2"],
];

function digits(file: string, count?: number): Float32Array[] {
  const t = readNpy(readFixture("mnist", file));
  const px = t.data as Uint8Array;
  const n = Math.min(count ?? t.shape[0]!, t.shape[0]!);
  return Array.from({ length: n }, (_, i) =>
    Float32Array.from(px.subarray(i * 784, (i + 1) * 784), (p) => p / 255),
  );
}

const argmax = (v: ArrayLike<number>): number => {
  let b = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[b]!) b = i;
  return b;
};

const weightBytes = (g: Graph): number =>
  [...g.tensors.values()].filter(isConstant).reduce((s, t) => s + tensorBytes(t), 0);

export default async function bench(): Promise<BenchResult> {
  const test = digits("test-digits.npy");
  const labels = Array.from(
    readNpy(readFixture("pytorch-mnist", "test_labels.npy")).data as BigInt64Array,
    Number,
  );
  const calibration = digits("calib-digits.npy", 200).map((x) => [x]);
  const rows: Record<string, string | number>[] = [];
  const ortAccuracy: string[] = [];
  for (const model of ["mnist_cnn", "mnist_vgg"]) {
    const float = readOnnx(readFixture("pytorch-mnist", `${model}.onnx`), { registry });
    const ort = readNpy(readFixture("pytorch-mnist", `${model}.test_logits_all.npy`)).data as Float32Array;
    const ortCorrect = labels.filter((l, i) => argmax(ort.subarray(i * 10, i * 10 + 10)) === l).length;
    ortAccuracy.push(`${model} ${ortCorrect}/${labels.length}`);
    const floatBytes = weightBytes(float);
    let floatAccuracy = 0;
    for (const [name, pipeline] of VARIANTS) {
      const { graph, diagnostics } =
        pipeline === ""
          ? { graph: float, diagnostics: [] }
          : await runPipeline(float, resolvePipeline(registry, pipeline), {
              registry,
              resources: { calibration },
            });
      const converted = graph.nodes.filter(
        (n) => n.op.startsWith("binary.") && n.op !== "binary.sign",
      ).length;
      const host = await prepareC(graph, registry, cTarget("host"));
      const outs = await host.invokeBatch(test.map((x) => [x]));
      const correct = outs.filter((o, i) => argmax(o[0] as Float32Array) === labels[i]).length;
      const accuracy = correct / test.length;
      if (pipeline === "") floatAccuracy = accuracy;
      const m4 = await prepareC(graph, registry, cTarget("cortex-m4"));
      await m4.invoke([test[0]!]);
      const bytes = weightBytes(graph);
      rows.push({
        model,
        variant: name,
        pipeline: pipeline === "" ? "—" : `\`${pipeline}\``,
        "layers converted": converted,
        "weight bytes (as stored)": bytes.toLocaleString("en-US"),
        "× smaller": (floatBytes / bytes).toFixed(1),
        accuracy: `${correct}/${test.length} = ${(accuracy * 100).toFixed(2)}%`,
        "Δ vs float (pt)": pipeline === "" ? "—" : ((accuracy - floatAccuracy) * 100).toFixed(2),
        "Cortex-M4 instructions": m4.stats().instructions!.toLocaleString("en-US"),
        notes: diagnostics
          .filter((d) => d.level === "warning")
          .map((d) => d.message)
          .join("; "),
      });
    }
  }
  return {
    title: "Post-hoc binarization and power-of-two weights (no retraining)",
    description:
      "fixtures/pytorch-mnist mnist_cnn and mnist_vgg (float-trained) → each pipeline (200 calibration digits from fixtures/mnist/calib-digits.npy: β of XNOR-Net, int8 input ranges of pow2) → accuracy on the 1996 test digits of the generated C on the host (the binary/pow2 kernels are byte-identical to the TS interpreter, the float core kernels within 1e-5), weight bytes as stored (bits packed 32 per word, pow2 codes 4 bits, float32 elsewhere, with scales, thresholds and biases), instructions of one inference on Cortex-M4 (QEMU).",
    rows,
    notes: [
      `onnxruntime's accuracy of the float models: ${ortAccuracy.join(", ")}.`,
      "XNOR-Net binarizes the inputs of a layer trained on ReLU outputs: almost every input is > 0 or exactly 0, both of which are +1, so a binarized layer sees a nearly constant input; without retraining (or at least batch-norm re-estimation) its accuracy collapses. The Binary-Weight-Network form keeps float inputs and loses much less. Power-of-two weights at 4 and 3 bits stay close to float; 2 bits (ternary) loses more. The pow2 codes are stored in 4 bits whatever `bits` is.",
    ].join("\n\n"),
  };
}
