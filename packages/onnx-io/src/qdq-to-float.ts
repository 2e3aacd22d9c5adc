/**
 * `onnx/qdq-to-float`: makes a quantized graph runnable with float kernels. Every node that
 * reads or writes quantized tensors and that no installed kernel can run is rewritten as
 *
 *     core.dequantize (each quantized runtime input) → the same op in float32 → core.quantize
 *
 * with quantized constants (weights, int32 biases) dequantized at rewrite time. The quantized
 * tensors between ops, with their parameters, stay as they were: this is the graph onnxruntime
 * runs for a QDQ model with graph optimizations disabled (DequantizeLinear → float op →
 * QuantizeLinear). Nodes that some kernel runs (e.g. @mcu/quant's integer kernels, once
 * installed) are left alone.
 */
import {
  attr,
  definePass,
  editGraph,
  type Graph,
  isIntegerDType,
  numElements,
  type Registry,
  type TensorInfo,
} from "@mcu/tensor";

/** True if a tensor is a quantized integer tensor. */
function isQuantized(t: TensorInfo | undefined): boolean {
  return t !== undefined && t.quant !== undefined && isIntegerDType(t.dtype);
}

/** Float data of a quantized constant, as DequantizeLinear computes it: float(q − zp) · scale in float32. */
export function dequantizeData(t: TensorInfo): Float32Array {
  const q = t.quant!;
  const data = t.data!;
  const out = new Float32Array(numElements(t.shape));
  const perAxis = q.scale.length > 1 && q.axis !== undefined;
  let inner = 1;
  if (perAxis) for (let i = q.axis! + 1; i < t.shape.length; i++) inner *= t.shape[i]!;
  const channels = perAxis ? q.scale.length : 1;
  for (let i = 0; i < out.length; i++) {
    const c = perAxis ? Math.floor(i / inner) % channels : 0;
    out[i] = Math.fround(Math.fround(Number(data[i]!) - q.zeroPoint[c]!) * Math.fround(q.scale[c]!));
  }
  return out;
}

/** Rewrites the quantized nodes that no kernel in `registry` runs (all of them with `all`). */
export function simulateQuantized(
  graph: Graph,
  registry: Registry,
  options: { readonly all?: boolean } = {},
): Graph {
  const ed = editGraph(graph, registry);
  const floatOf = new Map<string, string>();
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((id) => (id === "" ? undefined : graph.tensors.get(id)));
    const outputs = node.outputs.map((id) => graph.tensors.get(id)!);
    if (!inputs.some(isQuantized) && !outputs.some(isQuantized)) continue;
    // Dequantize always has a float kernel; quantize from float too.
    if (node.op === "core.dequantize" || (node.op === "core.quantize" && !isQuantized(inputs[0]))) continue;
    if (!options.all && runnable(graph, registry, node)) continue;
    // Float inputs: dequantized constants, or a core.dequantize of runtime tensors (once each).
    const newInputs = node.inputs.map((id, i) => {
      const t = inputs[i];
      if (t === undefined || !isQuantized(t)) return id;
      const cached = floatOf.get(id);
      if (cached !== undefined) return cached;
      const f =
        t.data !== undefined
          ? ed.addTensor({ name: `${id}:float`, shape: t.shape, dtype: "float32", data: dequantizeData(t) })
          : ed.addNode(
              "core.dequantize",
              [id],
              {},
              {
                name: `${id}/dequantize`,
                outputs: [{ name: `${id}:float`, dtype: "float32" }],
                sourceOp: "",
              },
            )[0]!;
      floatOf.set(id, f);
      return f;
    });
    if (node.op === "core.quantize") {
      // Requantization: quantize the dequantized input to the output's parameters.
      ed.replaceNode(node.name, { ...node, inputs: newInputs });
      continue;
    }
    ed.removeNode(node.name);
    // The float op writes float tensors; quantized outputs get a core.quantize back to their id.
    ed.deleteTensors(node.outputs);
    const floatOuts = outputs.map((t) => ({
      name: isQuantized(t) ? `${t.name}:float` : t.name,
      dtype: "float32" as const,
    }));
    const made = ed.addNode(node.op, newInputs, node.attrs, {
      name: node.name,
      outputs: floatOuts,
      ...(node.sourceOp !== undefined ? { sourceOp: node.sourceOp } : {}),
    });
    outputs.forEach((t, k) => {
      if (!isQuantized(t)) return;
      ed.addNode(
        "core.quantize",
        [made[k]!],
        {},
        {
          name: `${node.name}/quantize`,
          outputs: [{ name: t.name, dtype: t.dtype, quant: t.quant! }],
          sourceOp: "",
        },
      );
    });
  }
  return ed.finish();
}

function runnable(graph: Graph, registry: Registry, node: Graph["nodes"][number]): boolean {
  const ctx = {
    node,
    attrs: node.attrs,
    inputs: node.inputs.map((id) => (id === "" ? undefined : graph.tensors.get(id))),
    outputs: node.outputs.map((id) => graph.tensors.get(id)!),
  };
  return registry.kernels(node.op).some((k) => k.supports(ctx));
}

/** The pass form of {@link simulateQuantized}. */
export const qdqToFloatPass = definePass({
  name: "onnx/qdq-to-float",
  description:
    "Run quantized ops that no installed kernel supports as dequantize → float op → quantize (keeps the quantized tensors).",
  options: { all: attr.bool(false, "rewrite every quantized op, even those a kernel supports") },
  run: (graph, ctx) => simulateQuantized(graph, ctx.registry, { all: ctx.options.all }),
});
