/**
 * Accuracy of post-training quantization on the pytorch-mnist models: top-1 on all 1996 test
 * digits of the float model and of each quantized model (200 calibration digits from the train
 * split), on @mcu/quant's integer kernels, next to onnxruntime's figures.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { readOnnx } from "@mcu/onnx-io";
import quantPlugin from "@mcu/quant";
import {
  corePlugin,
  createInterpreter,
  createRegistry,
  type Graph,
  readNpy,
  resolvePipeline,
  runPipeline,
} from "@mcu/tensor";
import type { BenchResult } from "../tools/bench/types.js";

const fixtures = resolve(import.meta.dirname, "..", "fixtures");
const bytes = (...parts: string[]) => new Uint8Array(readFileSync(join(fixtures, ...parts)));

const pct = (correct: number, n: number) => `${((100 * correct) / n).toFixed(2)} (${correct})`;

export default async function bench(): Promise<BenchResult> {
  const registry = createRegistry([corePlugin, quantPlugin]);
  const toInputs = (d: Uint8Array, n: number) =>
    Array.from({ length: n }, (_, i) =>
      Float32Array.from(d.subarray(i * 784, (i + 1) * 784), (v) => v / 255),
    );
  const calib = toInputs(readNpy(bytes("mnist", "calib-digits.npy")).data as Uint8Array, 200).map((x) => [x]);
  const test = toInputs(readNpy(bytes("mnist", "test-digits.npy")).data as Uint8Array, 1996);
  const labels = readNpy(bytes("mnist", "test-labels.npy")).data as Uint8Array;
  const manifest = JSON.parse(new TextDecoder().decode(bytes("pytorch-mnist", "manifest.json"))) as {
    models: Record<string, Record<string, number>>;
  };
  const readme = new TextDecoder().decode(bytes("pytorch-mnist", "README.md"));
  const ortStatic: Record<string, number | undefined> = {
    mnist_cnn: manifest.models.mnist_cnn?.ort_qdq_static_per_channel_int8_acc,
    mnist_vgg: Number(/quantize_static` result for mnist_vgg was ([0-9.]+)/.exec(readme)?.[1]),
    mnist_dscnn: undefined,
  };

  const top1 = (graph: Graph): number => {
    const it = createInterpreter(graph, { registry });
    let correct = 0;
    test.forEach((x, i) => {
      const y = it.invoke([x])[0]!.data as Float32Array;
      let best = 0;
      for (let k = 1; k < y.length; k++) if (y[k]! > y[best]!) best = k;
      if (best === labels[i]) correct++;
    });
    return correct;
  };

  const columns = {
    "int8 minmax": "quant/int8",
    "int8 percentile": "quant/int8:calib=percentile",
    "int8 mse": "quant/int8:calib=mse",
    "int8 kl": "quant/int8:calib=kl",
    int16x8: "quant/int16x8",
    "int4-weights": "quant/int4-weights",
  };
  const rows: Record<string, string | number>[] = [];
  for (const model of ["mnist_cnn", "mnist_dscnn", "mnist_vgg"]) {
    const float = readOnnx(bytes("pytorch-mnist", `${model}.onnx`), { registry });
    const n = 1996;
    const ortFloat = manifest.models[model]!.ort_test_acc!;
    const row: Record<string, string | number> = {
      model,
      "float (onnxruntime)": pct(Math.round(ortFloat * n), n),
      "float (ours)": pct(top1(float), n),
    };
    for (const [column, pipeline] of Object.entries(columns)) {
      const { graph } = await runPipeline(float, resolvePipeline(registry, pipeline), {
        registry,
        resources: { calibration: calib },
      });
      row[column] = pct(top1(graph), n);
    }
    const ort = ortStatic[model];
    row["onnxruntime quantize_static int8"] =
      ort === undefined || Number.isNaN(ort) ? "—" : pct(Math.round(ort * n), n);
    rows.push(row);
  }
  return {
    title: "Post-training quantization accuracy (@mcu/quant, pytorch-mnist)",
    description:
      "Top-1 accuracy in % (correct digits of 1996) on the test split, every quantized model run on @mcu/quant's integer kernels (float interface: quantize at the input, dequantize at the output). PTQ with the 200 calibration digits of fixtures/mnist (20 per class from the train split), per-channel weights, `quant/<scheme>:calib=<method>`. onnxruntime's float accuracy is the manifest's `ort_test_acc`; its quantize_static (QDQ, per-channel int8, 200 train digits) accuracy is the manifest's `ort_qdq_static_per_channel_int8_acc` for mnist_cnn and fixtures/pytorch-mnist/README.md's figure for mnist_vgg; there is none for mnist_dscnn.",
    rows,
    notes:
      "KL (TensorRT's entropy calibration, 128 levels over 2048 |x| bins) clips the first layers hard on these digits: the many background pixels put a few spikes (relu(bias) per channel) into the histograms, and the divergence is smallest when no bin is merged, i.e. at thresholds of 128–256 bins (6–12% of the range). Exact zeros are left out of its histogram; the spikes are not zeros.",
  };
}
