/**
 * `cluster/weights`: scalar weight clustering as TensorFlow Model Optimization's
 * `cluster_weights` does it — the weights of each layer (or of each output channel with
 * `perChannel`) are replaced by the nearest of 2^bits centroids found by k-means (k-means++
 * seeding), and stored as bits-wide indices plus the codebook. Options:
 * `bits` (2–8, default 4), `perChannel` (default false), `layers` (`+`-separated node names),
 * `seed`. Layers: conv2d, depthwise_conv2d and fully_connected with constant weights, float32, or
 * int8 (the codebook holds integer weights; the decoded tensor keeps the weights' quantization).
 *
 * The weights become the output of a `cluster.lookup` node; the layer itself is unchanged. The
 * TS interpreter runs any such graph; in generated C the decoded weights live in the arena while
 * the layer runs (flash holds only indices and codebook), which needs C kernels that accept
 * weights that are not constants (the float32 ones of @mcu/codegen-c do).
 */
import {
  type AttrsOf,
  attr,
  consumerMap,
  definePass,
  editGraph,
  type Graph,
  McuError,
  type PassContext,
  type TensorInfo,
} from "@mcu/tensor";
import { kmeans } from "../kmeans.js";

const options = {
  bits: attr.int(4, "bits per stored index: 2^bits centroids"),
  perChannel: attr.bool(false, "one codebook per output channel"),
  layers: attr.strings([], "node names to cluster (default: every eligible layer)"),
  seed: attr.int(0, "k-means++ seed"),
} as const;

type Options = AttrsOf<typeof options>;

const OPS: Readonly<Record<string, number>> = {
  "core.conv2d": 0,
  "core.fully_connected": 0,
  "core.depthwise_conv2d": 3,
};

/** k-means of scalar values into at most k centroids (sorted), and each value's centroid. */
export function clusterScalars(values: ArrayLike<number>, k: number, seed: number, integer: boolean) {
  const pts = Float64Array.from(values);
  const r = kmeans(pts, 1, { k, seed, tolerance: 0, maxIterations: 300 });
  let centroids = Array.from(r.centroids);
  if (integer) centroids = [...new Set(centroids.map((c) => Math.max(-128, Math.min(127, Math.round(c)))))];
  else centroids = centroids.map(Math.fround);
  centroids.sort((a, b) => a - b);
  // Nearest (rounded) centroid of every value.
  const assignment = new Uint8Array(pts.length);
  for (let n = 0; n < pts.length; n++) {
    let best = 0;
    for (let c = 1; c < centroids.length; c++)
      if (Math.abs(pts[n]! - centroids[c]!) < Math.abs(pts[n]! - centroids[best]!)) best = c;
    assignment[n] = best;
  }
  return { centroids, assignment };
}

function eligible(graph: Graph, readers: Map<string, unknown[]>, id: string): TensorInfo | string {
  const w = graph.tensors.get(id);
  if (w?.data === undefined) return "its weights are not constant";
  if ((readers.get(id)?.length ?? 0) !== 1) return "its weights are shared with another node";
  if (w.dtype === "float32" && w.quant === undefined) return w;
  if (w.dtype === "int8") return w;
  return `its weights are ${w.dtype}`;
}

function clusterWeights(graph: Graph, ctx: PassContext<Options>): Graph {
  const o = ctx.options;
  if (!(Number.isInteger(o.bits) && o.bits >= 2 && o.bits <= 8)) {
    throw new McuError("MCU_E_CLUSTER_OPTION", `bits must be 2–8, got ${o.bits}`, { pass: ctx.pass });
  }
  const wanted = new Set(o.layers);
  for (const name of wanted) {
    if (!graph.nodes.some((n) => n.name === name))
      throw new McuError("MCU_E_CLUSTER_OPTION", `no node named "${name}" (option layers)`);
  }
  const readers = consumerMap(graph);
  const editor = editGraph(graph, ctx.registry);
  for (const node of graph.nodes) {
    if (wanted.size > 0 && !wanted.has(node.name)) continue;
    const axis = OPS[node.op];
    if (axis === undefined) {
      if (wanted.has(node.name))
        throw new McuError(
          "MCU_E_CLUSTER_OPTION",
          `layer ${node.name} (${node.op}) has no weights to cluster`,
        );
      continue;
    }
    const w = eligible(graph, readers as Map<string, unknown[]>, node.inputs[1]!);
    if (typeof w === "string") {
      if (wanted.has(node.name))
        throw new McuError("MCU_E_CLUSTER_OPTION", `layer ${node.name} cannot be clustered: ${w}`);
      ctx.report({ level: "info", node: node.name, message: `not clustered: ${w}` });
      continue;
    }
    const integer = w.dtype === "int8";
    const data = w.data as Float32Array | Int8Array;
    const channels = o.perChannel ? w.shape[axis]! : 1;
    const inner = w.shape.slice(axis + 1).reduce((a, d) => a * d, 1);
    const entries = 2 ** o.bits;
    const codebook = integer ? new Int8Array(channels * entries) : new Float32Array(channels * entries);
    const indices = new Uint8Array(data.length);
    for (let c = 0; c < channels; c++) {
      const members: number[] = [];
      for (let n = 0; n < data.length; n++)
        if (channels === 1 || Math.floor(n / inner) % channels === c) members.push(n);
      const { centroids, assignment } = clusterScalars(
        members.map((n) => data[n]!),
        entries,
        o.seed,
        integer,
      );
      centroids.forEach((v, j) => {
        codebook[c * entries + j] = v;
      });
      members.forEach((n, j) => {
        indices[n] = assignment[j]!;
      });
    }
    const idx = editor.addTensor({
      name: `${w.name}:indices`,
      shape: w.shape,
      dtype: "uint8",
      data: indices,
    });
    const cb = editor.addTensor({
      name: `${w.name}:codebook`,
      shape: [channels, entries],
      dtype: w.dtype,
      data: codebook,
    });
    const [decoded] = editor.addNode(
      "cluster.lookup",
      [idx, cb],
      { axis, bits: o.bits },
      {
        name: `${node.name}/weights`,
        outputs: [
          {
            name: `${w.name}:decoded`,
            shape: w.shape,
            dtype: w.dtype,
            ...(w.quant !== undefined ? { quant: w.quant } : {}),
          },
        ],
      },
    );
    editor.replaceNode(node.name, { ...node, inputs: node.inputs.map((id, i) => (i === 1 ? decoded! : id)) });
    editor.deleteTensors([w.name]);
    ctx.report({
      level: "info",
      node: node.name,
      message: `${data.length} weights clustered into ${channels === 1 ? "one codebook" : `${channels} codebooks`} of ${entries} values (${o.bits}-bit indices)`,
    });
  }
  return editor.finish();
}

/** The `cluster/weights` pass. */
export const clusterWeightsPass = definePass({
  name: "cluster/weights",
  description:
    "Scalar weight clustering (TF Model Optimization): weights as b-bit indices into 2^b centroids, per layer or per channel.",
  options,
  run: clusterWeights,
});
