/**
 * Recognizing the float chain between a layer and the sign that binarizes its output
 * (layer → [max-pool] → [batch_norm] → sign), and evaluating that chain on one channel exactly as
 * the float kernels of @mcu/tensor do.
 */
import { consumerMap, type Graph, type Node, producerMap, type TensorInfo } from "@mcu/tensor";

/** Batch-normalization parameters per channel as core.batch_norm's kernel uses them. */
export interface BatchNormChannels {
  /** γ/√(σ²+ε), in double precision (as the core kernel computes it). */
  readonly k: Float64Array;
  readonly mean: Float32Array;
  readonly beta: Float32Array;
  /** γ/√(σ²+ε) < 0: the normalization reverses the order. */
}

const floatConst = (t: TensorInfo | undefined): t is TensorInfo & { data: Float32Array } =>
  t !== undefined && t.dtype === "float32" && t.data instanceof Float32Array && t.quant === undefined;

/** The per-channel parameters of a core.batch_norm over the last axis, or a reason it cannot be used. */
export function batchNormChannels(graph: Graph, bn: Node): BatchNormChannels | string {
  const x = graph.tensors.get(bn.inputs[0]!)!;
  const axis = bn.attrs.axis as number;
  if ((axis < 0 ? axis + x.shape.length : axis) !== x.shape.length - 1)
    return "it does not normalize the last axis";
  const [gamma, beta, mean, variance] = bn.inputs.slice(1).map((id) => graph.tensors.get(id));
  if (![gamma, beta, mean, variance].every(floatConst)) return "its parameters are not float32 constants";
  const eps = bn.attrs.epsilon as number;
  const g = gamma!.data as Float32Array;
  const v = variance!.data as Float32Array;
  const k = Float64Array.from(g, (gc, c) => gc / Math.sqrt(v[c]! + eps));
  return { k, mean: mean!.data as Float32Array, beta: beta!.data as Float32Array };
}

/** core.batch_norm's float32 kernel on one value of channel c: fround((x − μ)·k + β). */
export function batchNormValue(p: BatchNormChannels, c: number, x: number): number {
  return Math.fround((x - p.mean[c]!) * p.k[c]! + p.beta[c]!);
}

/** A layer followed, through single-reader tensors, by an optional max-pool and batch_norm and a sign. */
export interface SignChain {
  readonly layer: Node;
  readonly pool?: Node;
  readonly batchNorm?: Node;
  readonly sign: Node;
}

/**
 * The chain ending at `sign` (a binary.sign node), walking back through tensors with exactly one
 * reader that are not graph outputs. Returns undefined when no layer starts it.
 */
export function signChain(graph: Graph, sign: Node): SignChain | undefined {
  const producers = producerMap(graph);
  const readers = consumerMap(graph);
  const single = (id: string): boolean => (readers.get(id)?.length ?? 0) === 1 && !graph.outputs.includes(id);
  let id = sign.inputs[0]!;
  let node = producers.get(id);
  let batchNorm: Node | undefined;
  let pool: Node | undefined;
  if (node?.op === "core.batch_norm" && single(id)) {
    batchNorm = node;
    id = node.inputs[0]!;
    node = producers.get(id);
  }
  if (node?.op === "core.max_pool2d" && single(id)) {
    pool = node;
    id = node.inputs[0]!;
    node = producers.get(id);
  }
  if (node === undefined || !single(id)) return undefined;
  return {
    layer: node,
    ...(pool !== undefined ? { pool } : {}),
    ...(batchNorm !== undefined ? { batchNorm } : {}),
    sign,
  };
}

/** True if a core.max_pool2d is a plain VALID pool the binary kernels can fuse. */
export function fusablePool(pool: Node): boolean {
  const pads = pool.attrs.pads as readonly number[];
  return (
    pool.attrs.fusedActivation === "NONE" &&
    (pool.attrs.padding === "VALID" || (pool.attrs.padding === "EXPLICIT" && pads.every((p) => p === 0)))
  );
}
