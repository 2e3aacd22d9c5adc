/**
 * Kernel clustering (@mcu/cluster, `cluster/kernels`) on mnist_cnn and mnist_vgg, float32 and
 * int8 (after @mcu/quant's `quant/int8` on the 200 calibration digits): for k ∈ {8…256} with and
 * without transform-invariant clustering (TIC), the conv-weight bytes as the generated C stores
 * them (packed indices and transforms, log8 scales — int8 factors for int8 — and the codebook)
 * against the float32 conv weights, top-1 accuracy on the 1996 test digits, and the conv MACs of
 * add-then-conv against the direct convolution. No retraining.
 *
 * Accuracy is computed on the uncompressed model built from the decoded weights (core.conv2d
 * with the decoded kernels: the fast float32 / @mcu/quant int8 kernels). Column "agrees" checks
 * on the first 200 digits that the clustered model itself (cluster.conv2d, add-then-conv kernels)
 * gives the same result: identical int8 bytes, float32 logits within 1e-5 of each row's largest.
 *
 * `MCU_BENCH_CLUSTER_MODELS=mnist_cnn` limits the models.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { clusterPlugin } from "@mcu/cluster";
import { readOnnx } from "@mcu/onnx-io";
import quantPlugin from "@mcu/quant";
import {
  corePlugin,
  createInterpreter,
  createRegistry,
  editGraph,
  type Graph,
  normalizeAttrs,
  numElements,
  type Registry,
  readNpy,
  resolvePipeline,
  runPipeline,
  type TensorData,
  type TensorInfo,
} from "@mcu/tensor";
import type { BenchResult } from "../tools/bench/types.js";

const fixtures = resolve(import.meta.dirname, "..", "fixtures");
const bytes = (...parts: string[]) => new Uint8Array(readFileSync(join(fixtures, ...parts)));
const KS = [8, 16, 32, 64, 128, 256];
/** Digits on which the clustered model's own kernels are compared with the decoded model. */
const AGREE = 50;

/** Bytes per stored value of the clustered formats (see packages/cluster/src/storage.ts). */
const FORMAT_BYTES: Record<string, number> = { float32: 4, fp16: 2, log8: 1, int8: 1 };
const bitsFor = (n: number) => Math.max(1, Math.ceil(Math.log2(n)));

/** Conv-weight bytes as stored: clustered layers by their storage format, others at their dtype. */
function convWeightBytes(g: Graph): number {
  let total = 0;
  for (const n of g.nodes) {
    const t = n.inputs.map((id) => (id === "" ? undefined : g.tensors.get(id)));
    if (n.op === "core.conv2d") total += (numElements(t[1]!.shape) * (t[1]!.dtype === "int8" ? 8 : 32)) / 8;
    if (n.op === "cluster.conv2d") {
      const [k, kh, kw] = t[1]!.shape as number[];
      const kernels = numElements(t[2]!.shape);
      const codeBits = bitsFor(k!) + (t[4] !== undefined ? bitsFor(kh === kw ? 8 : 4) : 0);
      const scales =
        kernels * FORMAT_BYTES[String(n.attrs.scaleFormat)]! + (n.attrs.scaleFormat === "log8" ? 4 : 0);
      const codebook =
        n.attrs.codebookOwner === false ? 0 : k! * kh! * kw! * FORMAT_BYTES[String(n.attrs.codebookFormat)]!;
      total += Math.ceil((kernels * codeBits) / 8) + scales + codebook;
    }
  }
  return total;
}

/** Conv MACs of the graph's own kernels (add-then-conv for clustered layers) and of direct convolution. */
function convMacs(g: Graph, registry: Registry): { readonly used: number; readonly direct: number } {
  let used = 0;
  let direct = 0;
  for (const n of g.nodes) {
    if (n.op !== "core.conv2d" && n.op !== "cluster.conv2d") continue;
    const inputs = n.inputs.map((id) => (id === "" ? undefined : g.tensors.get(id)));
    const outputs = n.outputs.map((id) => g.tensors.get(id)!);
    const ctx = { node: n.name, inputs, outputs, attrs: n.attrs };
    const op = registry.op(n.op);
    used += op.macs(ctx as never);
    direct += op.macs({ ...ctx, attrs: { ...n.attrs, algorithm: "decode-then-conv" } } as never);
  }
  return { used, direct };
}

/** The same model with every cluster.conv2d replaced by core.conv2d on its decoded weights. */
async function decodedModel(g: Graph, registry: Registry): Promise<Graph> {
  const { decodeClusterWeights } = await import("@mcu/cluster");
  const ed = editGraph(g, registry);
  for (const n of g.nodes) {
    if (n.op !== "cluster.conv2d") continue;
    const inputs = n.inputs.map((id) => (id === "" ? undefined : g.tensors.get(id)));
    const dense: TensorInfo = decodeClusterWeights(inputs, n.attrs, n.name);
    const w = ed.addTensor({ ...dense, name: `${n.name}:dense` });
    const { strides, dilations, padding, pads, fusedActivation, groups } = n.attrs;
    ed.replaceNode(n.name, {
      name: n.name,
      op: "core.conv2d",
      inputs: [n.inputs[0]!, w, n.inputs[5] ?? ""],
      outputs: n.outputs,
      attrs: normalizeAttrs("core.conv2d", registry.op("core.conv2d").attrs, {
        strides: strides!,
        dilations: dilations!,
        padding: padding!,
        pads: pads!,
        fusedActivation: fusedActivation!,
        groups: groups!,
      }),
    });
  }
  return ed.finish();
}

function argmax(y: ArrayLike<number>): number {
  let b = 0;
  for (let k = 1; k < y.length; k++) if (y[k]! > y[b]!) b = k;
  return b;
}

export default async function bench(): Promise<BenchResult> {
  const registry = createRegistry([corePlugin, quantPlugin, clusterPlugin]);
  const toInputs = (d: Uint8Array, n: number) =>
    Array.from({ length: n }, (_, i) =>
      Float32Array.from(d.subarray(i * 784, (i + 1) * 784), (v) => v / 255),
    );
  const calib = toInputs(readNpy(bytes("mnist", "calib-digits.npy")).data as Uint8Array, 200).map((x) => [x]);
  const test = toInputs(readNpy(bytes("mnist", "test-digits.npy")).data as Uint8Array, 1996);
  const labels = readNpy(bytes("mnist", "test-labels.npy")).data as Uint8Array;

  const outputs = (graph: Graph, n = test.length): TensorData[] => {
    const it = createInterpreter(graph, { registry });
    return test.slice(0, n).map((x) => it.invoke([x])[0]!.data);
  };
  const correct = (ys: readonly TensorData[]) =>
    ys.filter((y, i) => argmax(y as Float32Array) === labels[i]).length;
  const agrees = (a: readonly TensorData[], b: readonly TensorData[]) =>
    a.every((y, s) => {
      const ref = b[s] as Float32Array;
      const scale = Math.max(...Array.from(ref, Math.abs));
      return (y as Float32Array).every((v, i) => Math.abs(v - ref[i]!) <= 1e-5 * scale);
    });

  const models = (process.env.MCU_BENCH_CLUSTER_MODELS ?? "mnist_cnn,mnist_vgg").split(",");
  const rows: Record<string, string | number>[] = [];
  for (const model of models) {
    const float = readOnnx(bytes("pytorch-mnist", `${model}.onnx`), { registry });
    const int8 = (
      await runPipeline(float, resolvePipeline(registry, "quant/int8"), {
        registry,
        resources: { calibration: calib },
      })
    ).graph;
    const floatBytes = convWeightBytes(float);
    for (const [kind, base] of [
      ["float32", float],
      ["int8", int8],
    ] as const) {
      const baseCorrect = correct(outputs(base));
      const baseMacs = convMacs(base, registry);
      rows.push({
        model,
        weights: kind,
        k: "—",
        TIC: "—",
        "conv weight bytes": convWeightBytes(base),
        "× vs float32": (floatBytes / convWeightBytes(base)).toFixed(2),
        "top-1 %": ((100 * baseCorrect) / test.length).toFixed(2),
        "Δ pt": "",
        "conv MACs": baseMacs.used,
        "MACs vs direct": "1.00",
        agrees: "",
      });
      for (const k of KS) {
        for (const tic of [false, true]) {
          const pipeline = `cluster/kernels:k=${k}:tic=${tic}`;
          const clustered = (
            await runPipeline(base, resolvePipeline(registry, pipeline), {
              registry,
              resources: { calibration: calib },
            })
          ).graph;
          const dense = await decodedModel(clustered, registry);
          const denseOut = outputs(dense);
          const c = correct(denseOut);
          const own = outputs(clustered, AGREE);
          const same =
            kind === "int8"
              ? own.every((y, s) => (y as Int8Array).every((v, i) => v === (denseOut[s] as Int8Array)[i]))
              : agrees(own, denseOut.slice(0, AGREE));
          const macs = convMacs(clustered, registry);
          const b = convWeightBytes(clustered);
          rows.push({
            model,
            weights: kind,
            k,
            TIC: tic ? "on" : "off",
            "conv weight bytes": b,
            "× vs float32": (floatBytes / b).toFixed(2),
            "top-1 %": ((100 * c) / test.length).toFixed(2),
            "Δ pt": ((100 * (c - baseCorrect)) / test.length).toFixed(2),
            "conv MACs": macs.used,
            "MACs vs direct": (macs.used / macs.direct).toFixed(2),
            agrees: same ? "yes" : "NO",
          });
        }
      }
    }
  }
  return {
    title: "@mcu/cluster: kernel clustering of mnist_cnn and mnist_vgg (no retraining)",
    description:
      "`cluster/kernels:k=<k>:tic=<on|off>` with the defaults (one codebook per layer, log8 scales and an fp16 codebook for float32; int8 factors and codebook after `quant/int8` on the 200 calibration digits; k-means weighted by squared kernel norms and the input channels' calibration energy, seed 0; scales and bias then refitted by least squares to each layer's outputs on 32 of the 200 calibration digits — closed form, no retraining). A layer with no more kernels than k keeps its dense weights (counted at their dtype). Conv weight bytes as the generated C stores them (packed ⌈log2 k⌉-bit indices + 3-bit transforms with TIC, scales, codebook); × vs float32: the float32 conv weights over that. Top-1 on the 1996 test digits, Δ against the uncompressed model of the same dtype. Conv MACs: add-then-conv (group sums + one convolution per distinct centroid/transform) for clustered layers, over direct convolution. agrees: the clustered model's own kernels (add-then-conv) give the same int8 bytes / float32 logits within 1e-5 as the decoded model on the first 50 digits.",
    columns: [
      "model",
      "weights",
      "k",
      "TIC",
      "conv weight bytes",
      "× vs float32",
      "top-1 %",
      "Δ pt",
      "conv MACs",
      "MACs vs direct",
      "agrees",
    ],
    rows,
  };
}
