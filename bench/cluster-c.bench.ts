/**
 * Clustered int8 models as generated C on a Cortex-M4 (qemu-system-arm -M mps2-an386): mnist_cnn
 * and mnist_vgg after `quant/int8` (200 calibration digits), uncompressed and after
 * `cluster/kernels`, built by @mcu/codegen-c with arm-none-eabi-gcc -O2. For each: the outputs on
 * test digits against the TS interpreter (identical bytes), the model object's flash
 * (arm-none-eabi-size text + data of model.o: code and constants), the conv-weight bytes the
 * storage format claims, and the instructions of one inference (SysTick under -icount shift=0).
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { clusterConvStorage, clusterPlugin } from "@mcu/cluster";
import codegenPlugin, { cTarget, prepareC } from "@mcu/codegen-c";
import { readOnnx } from "@mcu/onnx-io";
import quantPlugin from "@mcu/quant";
import {
  corePlugin,
  createInterpreter,
  createRegistry,
  type Graph,
  numElements,
  readNpy,
  resolvePipeline,
  runPipeline,
} from "@mcu/tensor";
import type { BenchResult } from "../tools/bench/types.js";

const fixtures = resolve(import.meta.dirname, "..", "fixtures");
const bytes = (...parts: string[]) => new Uint8Array(readFileSync(join(fixtures, ...parts)));

/** Conv-weight bytes as stored (clustered: storage format; dense int8: one byte per weight). */
function convWeightBytes(g: Graph): number {
  let total = 0;
  for (const n of g.nodes) {
    const inputs = n.inputs.map((id) => (id === "" ? undefined : g.tensors.get(id)));
    if (n.op === "core.conv2d") total += numElements(inputs[1]!.shape);
    if (n.op === "cluster.conv2d") total += clusterConvStorage({ inputs, attrs: n.attrs }).weights;
  }
  return total;
}

export default async function bench(): Promise<BenchResult> {
  const registry = createRegistry([corePlugin, quantPlugin, codegenPlugin, clusterPlugin]);
  const toInputs = (d: Uint8Array, n: number) =>
    Array.from({ length: n }, (_, i) =>
      Float32Array.from(d.subarray(i * 784, (i + 1) * 784), (v) => v / 255),
    );
  const calib = toInputs(readNpy(bytes("mnist", "calib-digits.npy")).data as Uint8Array, 200).map((x) => [x]);
  const test = toInputs(readNpy(bytes("mnist", "test-digits.npy")).data as Uint8Array, 1996);
  const rows: Record<string, string | number>[] = [];
  const cases: [string, number, string[]][] = [
    [
      "mnist_cnn",
      100,
      ["cluster/kernels:k=32:tic=true", "cluster/kernels:k=16:tic=true:algorithm=decode-then-conv"],
    ],
    [
      "mnist_vgg",
      10,
      [
        "cluster/kernels:k=32:tic=true",
        "cluster/kernels:k=16",
        "cluster/kernels:k=16:algorithm=decode-then-conv",
      ],
    ],
  ];
  for (const [model, n, pipelines] of cases) {
    const float = readOnnx(bytes("pytorch-mnist", `${model}.onnx`), { registry });
    const int8 = (
      await runPipeline(float, resolvePipeline(registry, "quant/int8"), {
        registry,
        resources: { calibration: calib },
      })
    ).graph;
    const samples = test
      .filter((_, i) => i % Math.floor(1996 / n) === 0)
      .slice(0, n)
      .map((x) => [x]);
    let baseFlash = 0;
    let baseWeights = 0;
    for (const pipeline of ["", ...pipelines]) {
      const graph =
        pipeline === ""
          ? int8
          : (
              await runPipeline(int8, resolvePipeline(registry, pipeline), {
                registry,
                resources: { calibration: calib },
              })
            ).graph;
      const it = createInterpreter(graph, { registry });
      const expected = samples.map((s) => it.invoke(s)[0]!.data as Float32Array);
      const m = await prepareC(graph, registry, cTarget("cortex-m4"), { timeoutMs: 3_600_000 });
      const actual = (await m.invokeBatch(samples)).map((o) => o[0] as Float32Array);
      const identical = actual.filter((y, s) => y.every((v, i) => Object.is(v, expected[s]![i]))).length;
      const stats = m.stats();
      const flash = stats.text + stats.data;
      const weights = convWeightBytes(graph);
      if (pipeline === "") {
        baseFlash = flash;
        baseWeights = weights;
      }
      const variants = [
        ...new Set(m.generated.layers.filter((l) => l.op.includes("conv")).map((l) => l.variant)),
      ].join(", ");
      rows.push({
        model: `${model} int8`,
        pipeline: pipeline === "" ? "(uncompressed)" : pipeline,
        "conv kernels": variants,
        "identical to TS": `${identical}/${samples.length}`,
        "model.o flash B": flash,
        "flash saved B": pipeline === "" ? "" : baseFlash - flash,
        "conv weights B (storage)": weights,
        "weights saved B (claimed)": pipeline === "" ? "" : baseWeights - weights,
        "instructions / inference": stats.instructions ?? "",
      });
    }
  }
  return {
    title: "@mcu/cluster: clustered int8 models as C on Cortex-M4 (QEMU)",
    description:
      "mnist_cnn and mnist_vgg after `quant/int8` (200 calibration digits), uncompressed and clustered (with the same calibration digits: energy-weighted k-means, refitted scales and bias), generated by @mcu/codegen-c for cortex-m4 (arm-none-eabi-gcc -O2, -mfloat-abi=hard), run under qemu-system-arm -M mps2-an386 on every ⌊1996/n⌋-th test digit (the dequantized logits compared bit for bit with the TS interpreter). model.o flash: arm-none-eabi-size text + data of the model's object (its kernels' code, constant descriptors and weights, without harness and libc). flash saved vs the claimed weight saving: the difference is the code of the cluster kernels minus the conv kernels they replace and the per-layer descriptors. Instructions: SysTick under -icount shift=0 for one inference (the uncompressed model uses @mcu/quant's DSP-extension kernels; the clustered layers are portable C — compare add-then-conv with decode-then-conv of the same clustering for what the fewer MACs save).",
    columns: [
      "model",
      "pipeline",
      "conv kernels",
      "identical to TS",
      "model.o flash B",
      "flash saved B",
      "conv weights B (storage)",
      "weights saved B (claimed)",
      "instructions / inference",
    ],
    rows,
  };
}
