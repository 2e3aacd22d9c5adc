/**
 * `core/constant-folding`: nodes whose inputs are all constants are run once, at compile time,
 * with the registry's own kernels, and their outputs become constants. The inputs they no longer
 * need are left for `core/dce`.
 */
import { attr, normalizeAttrs } from "../attrs.js";
import { allocateData } from "../dtype.js";
import { isMcuError } from "../errors.js";
import { editGraph } from "../editor.js";
import type { Graph, Node } from "../graph.js";
import type { KernelDef, KernelPrepareContext } from "../kernel.js";
import { definePass } from "../pass.js";
import type { Registry } from "../registry.js";
import type { TensorInfo, Value } from "../tensor-info.js";

const isFixed = (t: TensorInfo | undefined): boolean =>
  t === undefined || (t.data !== undefined && t.variable !== true);

/** The kernel that would run `node`, or undefined when none supports it. */
function kernelFor(registry: Registry, ctx: KernelPrepareContext): KernelDef | undefined {
  try {
    return registry.selectKernel(ctx);
  } catch (e) {
    if (isMcuError(e) && e.code === "MCU_E_NO_KERNEL") return undefined;
    throw e;
  }
}

/** Runs `node` on its constant inputs; the output values, or undefined when no kernel runs it. */
function evaluate(registry: Registry, node: Node, tensor: (id: string) => TensorInfo): Value[] | undefined {
  const inputs = node.inputs.map((id) => (id === "" ? undefined : tensor(id)));
  const outputs = node.outputs.map(tensor);
  const attrs = normalizeAttrs(node.op, registry.op(node.op).attrs, node.attrs, node.name);
  const ctx = { node, attrs, inputs, outputs };
  const kernel = kernelFor(registry, ctx);
  if (kernel === undefined) return undefined;
  const values = outputs.map((t): Value => ({ ...t, data: allocateData(t.dtype, t.shape) }));
  kernel.prepare(ctx)({ inputs: inputs as (Value | undefined)[], outputs: values });
  return values;
}

/** Folds every node computable from constants into constants, until nothing changes. */
export const constantFolding = definePass({
  name: "core/constant-folding",
  description: "Evaluate nodes whose inputs are all constants and replace their outputs by constants.",
  options: {
    skipOps: attr.strings([], "ops never folded, e.g. core.dequantize to keep weights compressed"),
  },
  run(graph: Graph, ctx): Graph {
    const skip = new Set<string>(ctx.options.skipOps);
    const editor = editGraph(graph, ctx.registry);
    let folded = 0;
    // Nodes are in topological order, so one sweep sees every folded output as a constant
    // before its readers; a second sweep confirms the fixpoint.
    for (let sweep = -1; sweep !== 0; ) {
      sweep = 0;
      for (const node of [...editor.currentNodes]) {
        if (node.op === "core.custom" || skip.has(node.op)) continue;
        const inputs = node.inputs.map((id) => (id === "" ? undefined : editor.tensor(id)));
        if (!inputs.every(isFixed) || node.outputs.some((id) => editor.tensor(id).variable === true))
          continue;
        const values = evaluate(ctx.registry, node, (id) => editor.tensor(id));
        if (values === undefined) continue;
        editor.removeNode(node.name);
        values.forEach((v, i) => {
          editor.setTensor(node.outputs[i]!, v);
        });
        sweep++;
      }
      folded += sweep;
    }
    if (folded > 0) ctx.report({ level: "info", message: `folded ${folded} node(s) into constants` });
    return editor.finish();
  },
});
