/**
 * Inference-time batch normalization for TFLite, which has no such builtin: folded into the
 * convolution or dense layer before it by @mcu/tensor's own `core/fold-batchnorm`, and where
 * that is not possible (after a pool, an activation, a graph input) written as MUL + ADD with
 * per-channel constants, as TensorFlow's converter lowers FusedBatchNorm.
 */
import {
  AnalysisCache,
  corePasses,
  type Graph,
  type GraphEditor,
  InternalError,
  type Node,
  normalizeAxis,
  type PassContext,
  type Registry,
  type TensorInfo,
} from "@mcu/tensor";
import { addNodeWriting } from "./legalize-padding.js";

/** What the legalizer reports through (a pass's `ctx.report`). */
export type Reporter = PassContext["report"];

const quietProgress = { tick() {}, done() {} };

/** Runs @mcu/tensor's `core/fold-batchnorm` pass (synchronously) on the graph. */
export function foldBatchNorms(graph: Graph, registry: Registry, report: Reporter): Graph {
  const fold = corePasses.find((p) => p.name === "core/fold-batchnorm");
  if (fold === undefined) throw new InternalError("@mcu/tensor has no core/fold-batchnorm pass");
  const analyses = new AnalysisCache(registry);
  const ctx: PassContext = {
    pass: fold.name,
    options: {},
    registry,
    resources: {},
    report,
    progress: () => quietProgress,
    analysis: (a, g) => analyses.get(a, g),
  };
  const folded = fold.run(graph, ctx as PassContext<never>);
  if (folded instanceof Promise) throw new InternalError("core/fold-batchnorm must run synchronously");
  return folded;
}

const isFloatConstant = (t: TensorInfo | undefined): t is TensorInfo & { data: Float32Array } =>
  t !== undefined && t.dtype === "float32" && t.quant === undefined && t.data instanceof Float32Array;

/**
 * Rewrites a float32 `core.batch_norm` with constant parameters as y = x · s + t with
 * s = γ / √(σ² + ε) and t = β − μ · s per channel (computed in double, stored as float32),
 * constants of shape [C, 1, …] so they broadcast along the channel axis. The ADD keeps the
 * batch_norm's name and output tensor. False when the node is not of that form.
 */
export function batchNormToMulAdd(bn: Node, editor: GraphEditor, report: Reporter): boolean {
  const x = editor.tensor(bn.inputs[0]!);
  if (x.dtype !== "float32" || x.quant !== undefined) return false;
  const params = bn.inputs.slice(1, 5).map((id) => (id === "" ? undefined : editor.tensor(id)));
  if (!params.every(isFloatConstant)) return false;
  const [gamma, beta, mean, variance] = params.map((t) => t!.data) as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  const axis = normalizeAxis(bn.attrs.axis as number, x.shape.length, bn.name);
  const channels = x.shape[axis]!;
  const eps = bn.attrs.epsilon as number;
  const scale = new Float32Array(channels);
  const shift = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = gamma[c]! / Math.sqrt(variance[c]! + eps);
    shift[c] = beta[c]! - mean[c]! * scale[c]!;
  }
  const shape = [channels, ...new Array<number>(x.shape.length - 1 - axis).fill(1)];
  const scaleId = editor.addTensor({ name: `${bn.name}/scale`, shape, dtype: "float32", data: scale });
  const shiftId = editor.addTensor({ name: `${bn.name}/shift`, shape, dtype: "float32", data: shift });
  const [scaled] = editor.addNode("core.mul", [x.name, scaleId], {}, { name: `${bn.name}/mul` });
  editor.removeNode(bn.name);
  addNodeWriting(editor, "core.add", [scaled!, shiftId], {}, bn.outputs[0]!, bn.name);
  report({ level: "info", node: bn.name, message: `batch_norm ${bn.name} → MUL + ADD` });
  return true;
}
