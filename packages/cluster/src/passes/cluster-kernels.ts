/**
 * `cluster/kernels`: replaces `core.conv2d` layers by `cluster.conv2d` with clustered kernels
 * (Son, Nah, Lee, ECCV 2018). Options (`mcu compress -p "cluster/kernels:k=32:tic=true"`):
 * - `k`: codebook size (default 32);
 * - `shared`: one codebook for all chosen layers of a window size, instead of one per layer;
 * - `tic`: transform-invariant clustering (8 symmetries of the square);
 * - `layers`: node names to cluster, `+`-separated (default: every eligible conv);
 * - `seed`: k-means++ seed;
 * - `scales` (`log8`, the default: one byte per kernel, as accurate as `fp16` on the mnist models;
 *   `fp16`; `float32`), `codebook` (`fp16`, `float32`): storage formats of a float model (an int8
 *   model stores int8 factors and an int8 codebook);
 * - `rescale`: least-squares scales (default true) instead of kernel norms;
 * - `algorithm`: the kernel the nodes ask for (`add-then-conv`, or `decode-then-conv`).
 *
 * Eligible: a core.conv2d with constant weights and a window of at least two taps, float32
 * (unquantized) or int8 (int8 activations, per-channel symmetric int8 weights, int32 bias).
 * Without `shared`, a layer with no more kernels than k is left alone (its codebook would
 * outweigh it); it is reported.
 */
import {
  type AttrsOf,
  attr,
  consumerMap,
  createInterpreter,
  definePass,
  editGraph,
  type Graph,
  McuError,
  type Node,
  normalizeAttrs,
  type PassContext,
  type TensorInfo,
} from "@mcu/tensor";
import { CLUSTER_ALGORITHMS, clusterConv2dOp } from "../cluster-conv-op.js";
import {
  type ClusteredKernels,
  clusterKernels,
  type KernelClustering,
  quantizeScales,
} from "../kernel-clustering.js";
import { refitScales } from "../scale-refit.js";
import { clusterConvStorage } from "../storage.js";
import { kernelTransforms } from "../transforms.js";
import { factorizeInt8, type Int8ConvParts, int8ConvEligibility } from "./int8-factorization.js";

const options = {
  k: attr.int(32, "codebook size"),
  shared: attr.bool(false, "one codebook across the chosen layers (per window size)"),
  tic: attr.bool(false, "transform-invariant clustering"),
  layers: attr.strings([], "node names to cluster (default: all eligible)"),
  seed: attr.int(0, "k-means++ seed"),
  scales: attr.enum(["log8", "fp16", "float32"], "log8", "scale storage of a float model"),
  codebook: attr.enum(["fp16", "float32"], "fp16", "codebook storage of a float model"),
  rescale: attr.bool(true, "least-squares scales instead of kernel norms"),
  weighted: attr.bool(true, "k-means weighted by squared kernel norms"),
  calibrated: attr.bool(true, "with calibration data, weigh kernels by their input channel's mean square"),
  refit: attr.bool(true, "with calibration data, refit scales and bias to the layer's outputs"),
  refitSamples: attr.int(32, "calibration samples the scale refit uses"),
  compensate: attr.bool(true, "refit each layer on the inputs the earlier clustered layers produce"),
  algorithm: attr.enum(CLUSTER_ALGORITHMS, "add-then-conv"),
} as const;

type Options = AttrsOf<typeof options>;

interface Candidate {
  readonly node: Node;
  readonly weights: TensorInfo & { readonly data: Float32Array | Int8Array };
  /** Present for an int8 layer. */
  readonly int8?: Int8ConvParts;
}

function isFloatTensor(t: TensorInfo | undefined): boolean {
  return t !== undefined && t.dtype === "float32" && t.quant === undefined;
}

/** Why a conv node cannot be clustered, or the candidate. */
function candidateOf(graph: Graph, node: Node): Candidate | string {
  if (node.op !== "core.conv2d") return `it is ${node.op}, not core.conv2d`;
  const x = graph.tensors.get(node.inputs[0]!);
  const w = graph.tensors.get(node.inputs[1]!);
  const b =
    node.inputs[2] === undefined || node.inputs[2] === "" ? undefined : graph.tensors.get(node.inputs[2]);
  const y = graph.tensors.get(node.outputs[0]!);
  if (w?.data === undefined) return "its weights are not constant";
  if (w.shape[1]! * w.shape[2]! < 2) return `its ${w.shape[1]}x${w.shape[2]} kernels are single taps`;
  if (
    isFloatTensor(x) &&
    isFloatTensor(w) &&
    (b === undefined || (isFloatTensor(b) && b.data !== undefined)) &&
    isFloatTensor(y)
  ) {
    return { node, weights: w as Candidate["weights"] };
  }
  const int8 = int8ConvEligibility(x, w, b, y);
  if (typeof int8 === "string") return int8;
  return { node, weights: w as Candidate["weights"], int8 };
}

function indexDType(k: number): "uint8" | "int16" | "int32" {
  return k <= 256 ? "uint8" : k <= 32768 ? "int16" : "int32";
}

/** What the calibration data says about the chosen layers' inputs (real values). */
interface LayerCalibration {
  /** Mean square of every input channel. */
  readonly energy: Float64Array;
  /** The first samples' inputs, NHWC, for the scale refit. */
  readonly samples: Float32Array[];
  readonly inH: number;
  readonly inW: number;
}

/** Runs the calibration samples and gathers the named nodes' input statistics. */
function calibrate(
  graph: Graph,
  ctx: PassContext<Options>,
  names: ReadonlySet<string>,
  keep: number,
  limit = Number.POSITIVE_INFINITY,
): Map<string, LayerCalibration> {
  const samples = ctx.resources.calibration!.slice(0, limit);
  const stats = new Map<string, LayerCalibration>();
  const counts = new Map<string, number>();
  const interpreter = createInterpreter(graph, { registry: ctx.registry });
  const progress = ctx.progress("calibration statistics", samples.length);
  for (const sample of samples) {
    interpreter.invoke(sample, {
      beforeNode: (e) => {
        if (!names.has(e.node.name)) return;
        const x = e.inputs[0]!;
        const c = x.shape[x.shape.length - 1]!;
        const data = x.data as Float32Array | Int8Array;
        const zero = x.quant?.zeroPoint[0] ?? 0;
        const scale = x.quant?.scale[0] ?? 1;
        let s = stats.get(e.node.name);
        if (s === undefined) {
          s = { energy: new Float64Array(c), samples: [], inH: x.shape[1]!, inW: x.shape[2]! };
          stats.set(e.node.name, s);
        }
        const real = Float32Array.from(data, (v) => (v - zero) * scale);
        for (let i = 0; i < real.length; i++) s.energy[i % c] = s.energy[i % c]! + real[i]! * real[i]!;
        if (s.samples.length < keep) s.samples.push(real);
        counts.set(e.node.name, (counts.get(e.node.name) ?? 0) + data.length / c);
      },
    });
    progress.tick();
  }
  progress.done();
  for (const [name, s] of stats) {
    const n = counts.get(name)!;
    for (let i = 0; i < s.energy.length; i++) s.energy[i] = s.energy[i]! / n;
  }
  return stats;
}

function clusterGraph(graph: Graph, ctx: PassContext<Options>): Graph {
  const o = ctx.options;
  if (!(o.k >= 2))
    throw new McuError("MCU_E_CLUSTER_OPTION", `k must be at least 2, got ${o.k}`, { pass: ctx.pass });
  const wanted = new Set(o.layers);
  const chosen: Candidate[] = [];
  for (const node of graph.nodes) {
    if (node.op !== "core.conv2d" && !wanted.has(node.name)) continue;
    const c = candidateOf(graph, node);
    if (typeof c === "string") {
      if (wanted.has(node.name)) {
        throw new McuError("MCU_E_CLUSTER_OPTION", `layer ${node.name} cannot be clustered: ${c}`, {
          node: node.name,
        });
      }
      if (wanted.size === 0 && node.op === "core.conv2d")
        ctx.report({ level: "info", node: node.name, message: `not clustered: ${c}` });
      continue;
    }
    if (wanted.size === 0 || wanted.has(node.name)) chosen.push(c);
  }
  for (const name of wanted) {
    if (!graph.nodes.some((n) => n.name === name)) {
      throw new McuError("MCU_E_CLUSTER_OPTION", `no node named "${name}" (option layers)`, {
        pass: ctx.pass,
      });
    }
  }
  // Codebook groups: per window size and numeric kind when shared, else one layer each.
  const groups: Candidate[][] = [];
  if (o.shared) {
    const byKey = new Map<string, Candidate[]>();
    for (const c of chosen) {
      const key = `${c.weights.shape[1]}x${c.weights.shape[2]}:${c.int8 === undefined ? "f" : "i"}`;
      const list = byKey.get(key) ?? [];
      list.push(c);
      byKey.set(key, list);
    }
    groups.push(...byKey.values());
  } else {
    for (const c of chosen) {
      const kernels = c.weights.shape[0]! * c.weights.shape[3]!;
      if (kernels <= o.k) {
        ctx.report({
          level: "info",
          node: c.node.name,
          message: `not clustered: ${kernels} kernels, no more than k = ${o.k} (use shared=true to add it to a shared codebook)`,
        });
        continue;
      }
      groups.push([c]);
    }
  }
  if (groups.length === 0) return graph;

  const hasCalibration = ctx.resources.calibration !== undefined && ctx.resources.calibration.length > 0;
  const useEnergy = o.calibrated && o.weighted && hasCalibration;
  const useRefit = o.refit && hasCalibration && o.refitSamples > 0;
  const calibration =
    useEnergy || useRefit
      ? calibrate(graph, ctx, new Set(chosen.map((c) => c.node.name)), useRefit ? o.refitSamples : 0)
      : undefined;
  let editor = editGraph(graph, ctx.registry);
  const readers = consumerMap(graph);
  for (const [g, group] of groups.entries()) {
    const first = group[0]!.node.name;
    const integer = group[0]!.int8 !== undefined;
    const progress = ctx.progress(`k-means ${group.length > 1 ? `${group.length} layers` : first}`, 300);
    const fitted = clusterKernels(
      group.map((c) => ({
        weights: c.int8 === undefined ? c.weights.data : c.int8.realWeights,
        shape: c.weights.shape,
      })),
      {
        k: o.k,
        seed: o.seed,
        tic: o.tic,
        scaleFormat: integer ? "float32" : o.scales,
        codebookFormat: integer ? "float32" : o.codebook,
        rescale: o.rescale,
        weighted: o.weighted,
        ...(useEnergy ? { inputEnergy: group.map((c) => calibration!.get(c.node.name)?.energy) } : {}),
        onIteration: () => progress.tick(),
      },
    );
    progress.done();
    // Error compensation: the refit sees the inputs the layers get once the earlier groups are
    // clustered, and matches the uncompressed model's outputs.
    let inputs: ReadonlyMap<string, LayerCalibration> | undefined;
    if (useRefit && o.compensate && g > 0) {
      const current = editor.finish();
      editor = editGraph(current, ctx.registry);
      inputs = calibrate(
        current,
        ctx,
        new Set(group.map((c) => c.node.name)),
        o.refitSamples,
        o.refitSamples,
      );
    }
    const fit = useRefit ? refitGroup(group, fitted, calibration!, inputs, o.scales) : undefined;
    const clustering = fit === undefined ? fitted : { ...fitted, layers: fit.layers };
    const { kh, kw } = clustering;
    const int8 = integer ? factorizeInt8(fit?.parts ?? group.map((c) => c.int8!), clustering) : undefined;
    const int8Parts = int8?.layers;
    const codebookData = int8 === undefined ? clustering.codebook : int8.codebook;
    const codebookId = editor.addTensor({
      name: group.length > 1 ? `cluster:codebook:${kh}x${kw}` : `${first}:codebook`,
      shape: [clustering.k, kh, kw],
      dtype: integer ? "int8" : "float32",
      data: codebookData,
    });
    group.forEach((c, l) => {
      const node = c.node;
      const layer = clustering.layers[l]!;
      const [oc, , , ic] = c.weights.shape as [number, number, number, number];
      const parts = int8Parts?.[l];
      const indices = editor.addTensor({
        name: `${node.name}:indices`,
        shape: [oc, ic],
        dtype: indexDType(clustering.k),
        data:
          indexDType(clustering.k) === "uint8"
            ? Uint8Array.from(layer.indices)
            : indexDType(clustering.k) === "int16"
              ? Int16Array.from(layer.indices)
              : layer.indices,
      });
      const scales = editor.addTensor(
        parts === undefined
          ? { name: `${node.name}:scales`, shape: [oc, ic], dtype: "float32", data: layer.scales }
          : {
              name: `${node.name}:scales`,
              shape: [oc, ic],
              dtype: "int8",
              data: parts.factors,
              quant: parts.weightQuant,
            },
      );
      const transforms = o.tic
        ? editor.addTensor({
            name: `${node.name}:transforms`,
            shape: [oc, ic],
            dtype: "uint8",
            data: layer.transforms,
          })
        : "";
      let bias = node.inputs[2] ?? "";
      const shift = fit?.biasShift[l];
      if (parts === undefined && shift !== undefined) {
        const old = bias === "" ? undefined : (graph.tensors.get(bias)!.data as Float32Array);
        bias = editor.addTensor({
          name: `${node.name}:bias`,
          shape: [oc],
          dtype: "float32",
          data: Float32Array.from(shift, (d, ch) => (old?.[ch] ?? 0) + d),
        });
      }
      if (parts !== undefined && bias !== "") {
        bias = editor.addTensor({
          name: `${node.name}:bias`,
          shape: [oc],
          dtype: "int32",
          data: parts.bias!,
          quant: parts.biasQuant!,
        });
      }
      const attrs = normalizeAttrs(
        clusterConv2dOp.name,
        clusterConv2dOp.attrs,
        {
          strides: node.attrs.strides!,
          dilations: node.attrs.dilations!,
          padding: node.attrs.padding!,
          pads: node.attrs.pads!,
          fusedActivation: node.attrs.fusedActivation!,
          groups: node.attrs.groups!,
          algorithm: o.algorithm,
          scaleFormat: integer ? "int8" : o.scales,
          codebookFormat: integer ? "int8" : o.codebook,
          codebookOwner: l === 0,
        },
        node.name,
      );
      const inputs = [node.inputs[0]!, codebookId, indices, scales, transforms, bias];
      while (inputs[inputs.length - 1] === "") inputs.pop();
      editor.replaceNode(node.name, {
        name: node.name,
        op: clusterConv2dOp.name,
        inputs,
        outputs: node.outputs,
        attrs,
        ...(node.sourceOp !== undefined ? { sourceOp: node.sourceOp } : {}),
      });
      // The dense weights (and a replaced bias's original) go when nothing else reads them.
      for (const id of [node.inputs[1]!, bias !== (node.inputs[2] ?? "") ? (node.inputs[2] ?? "") : ""]) {
        if (
          id !== "" &&
          (readers.get(id) ?? []).every((r) => r.name === node.name) &&
          !graph.outputs.includes(id)
        ) {
          editor.deleteTensors([id]);
        }
      }
      const stored = clusterConvStorage({
        inputs: [
          undefined,
          { name: "", shape: [clustering.k, kh, kw], dtype: "float32" },
          { name: "", shape: [oc, ic], dtype: "uint8" },
          undefined,
          o.tic ? { name: "", shape: [oc, ic], dtype: "uint8" } : undefined,
        ],
        attrs,
      });
      ctx.report({
        level: "info",
        node: node.name,
        message: `clustered ${oc * ic} ${kh}x${kw} kernels into K=${clustering.k}${o.tic ? " (transform-invariant)" : ""}: ${stored.weights} bytes of weights stored (k-means: ${clustering.iterations} iterations${clustering.converged ? "" : ", not converged"})`,
      });
    });
  }
  return editor.finish();
}

/**
 * Refits the scales (and bias) of every layer of a group to its calibration outputs. A float
 * layer's scales are rounded to their format and the bias shift computed for the rounded ones;
 * an int8 layer's refitted kernels become the real weights the integer factorization fits.
 */
function refitGroup(
  group: readonly Candidate[],
  clustering: KernelClustering,
  calibration: ReadonlyMap<string, LayerCalibration>,
  compensated: ReadonlyMap<string, LayerCalibration> | undefined,
  scaleFormat: Options["scales"],
): {
  layers: ClusteredKernels[];
  parts: Int8ConvParts[] | undefined;
  biasShift: (Float64Array | undefined)[];
} {
  const { kh, kw } = clustering;
  const taps = kh * kw;
  const perm = kernelTransforms(kh, kw, true).perm;
  const layers: ClusteredKernels[] = [];
  const parts: Int8ConvParts[] = [];
  const biasShift: (Float64Array | undefined)[] = [];
  group.forEach((c, l) => {
    const layer = clustering.layers[l]!;
    const cal = calibration.get(c.node.name);
    const real = c.int8 === undefined ? c.weights.data : c.int8.realWeights;
    if (cal === undefined || cal.samples.length === 0) {
      layers.push(layer);
      if (c.int8 !== undefined) parts.push(c.int8);
      biasShift.push(undefined);
      return;
    }
    const refit = refitScales({
      samples: compensated?.get(c.node.name)?.samples ?? cal.samples,
      referenceSamples: cal.samples,
      inH: cal.inH,
      inW: cal.inW,
      attrs: c.node.attrs as Parameters<typeof refitScales>[0]["attrs"],
      weights: real,
      shape: c.weights.shape,
      codebook: clustering.codebook,
      clustered: layer,
    });
    if (c.int8 === undefined) {
      const scales = quantizeScales(refit.scales, scaleFormat);
      layers.push({ ...layer, scales });
      biasShift.push(refit.biasShift(scales));
      return;
    }
    // Int8: the refitted kernels, OHWI, are what the integer factors approximate.
    const [outC, , , inC] = c.weights.shape as [number, number, number, number];
    const decoded = new Float32Array(real.length);
    for (let o = 0; o < outC; o++) {
      for (let i = 0; i < inC; i++) {
        const n = o * inC + i;
        const base = layer.indices[n]! * taps;
        const t = layer.transforms[n]! * taps;
        for (let j = 0; j < taps; j++)
          decoded[(o * taps + j) * inC + i] = refit.scales[n]! * clustering.codebook[base + perm[t + j]!]!;
      }
    }
    const realBias = c.int8.realBias;
    const shift = refit.biasShift(refit.scales);
    parts.push({
      ...c.int8,
      realWeights: decoded,
      realBias: realBias === undefined ? undefined : Float64Array.from(realBias, (v, o) => v + shift[o]!),
    });
    layers.push(layer);
    biasShift.push(undefined);
  });
  return { layers, parts: group[0]!.int8 === undefined ? undefined : parts, biasShift };
}

/** The `cluster/kernels` pass. */
export const clusterKernelsPass = definePass({
  name: "cluster/kernels",
  description: "Cluster conv kernels (normalized k×k slices) into a codebook; conv2d becomes cluster.conv2d.",
  options,
  run: clusterGraph,
});
