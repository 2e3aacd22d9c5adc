/**
 * `tflite/legalize`: rewrites what TFLite has no one-to-one builtin for, but can express with
 * other builtins, so that the writer can hold graphs imported from elsewhere (ONNX):
 * - EXPLICIT window pads → SAME or VALID when they equal them, else PAD/PADV2 + a VALID op
 *   (transpose_conv2d: the output shape with SAME/VALID, or VALID + SLICE);
 * - core.batch_norm → folded into the conv/dense before it (`core/fold-batchnorm`), else
 *   MUL + ADD with per-channel constants;
 * - a conv2d / depthwise_conv2d without bias → with a zero bias (TFLite's kernels need one).
 * What cannot be expressed is left for the writer's one `MCU_E_TFLITE_EXPORT`. A graph that
 * needs nothing comes back as the same reference.
 */
import { definePass, editGraph, type Graph, type Registry } from "@mcu/tensor";
import { batchNormToMulAdd, foldBatchNorms, type Reporter } from "./internal/legalize-batch-norm.js";
import { addZeroBias, lacksConvBias } from "./internal/legalize-bias.js";
import { legalizePadding } from "./internal/legalize-padding.js";

const silent: Reporter = () => {};

/**
 * Legalizes a graph for the TFLite writer (see {@link tfliteLegalize}); `registry` must hold the
 * core ops (PAD, MUL, ADD, SLICE are inserted). Returns `graph` itself when nothing changes.
 */
export function legalizeForTflite(graph: Graph, registry: Registry, report: Reporter = silent): Graph {
  let current = graph;
  if (current.nodes.some((n) => n.op === "core.batch_norm"))
    current = foldBatchNorms(current, registry, report);
  const pending = current.nodes.filter(
    (n) => n.op === "core.batch_norm" || n.attrs.padding === "EXPLICIT" || lacksConvBias(n),
  );
  if (pending.length === 0) return current;
  const editor = editGraph(current, registry);
  for (const n of pending) if (n.op === "core.batch_norm") batchNormToMulAdd(n, editor, report);
  legalizePadding(pending, editor, report);
  // Last: the padding rewrite replaces a conv's input; this reads the conv as edited.
  for (const n of pending) if (lacksConvBias(n)) addZeroBias(n, editor);
  return editor.finish();
}

/** The pass `tflite/legalize`, applied by the writer and available to pipelines. */
export const tfliteLegalize = definePass({
  name: "tflite/legalize",
  description:
    "Rewrite EXPLICIT pads (SAME/VALID or PAD + VALID), batch_norm (folded, or MUL + ADD) and bias-less convs (zero bias) into what TFLite runs.",
  run: (graph, ctx) => legalizeForTflite(graph, ctx.registry, ctx.report),
});
