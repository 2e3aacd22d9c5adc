/** Graph-editing helpers the binary passes share. */
import {
  type Attrs,
  type Graph,
  type GraphEditor,
  normalizeAttrs,
  type PassContext,
  type Registry,
  type TensorData,
  type TensorInfo,
} from "@mcu/tensor";

/**
 * Replaces node `name` by a node of `op` that writes the existing tensor `output` (so graph
 * outputs keep their names); the tensor's shape and dtype become the new op's.
 */
export function rewriteNode(
  editor: GraphEditor,
  registry: Registry,
  name: string,
  op: string,
  inputs: readonly string[],
  attrs: Attrs,
  output: string,
  sourceOp?: string,
): void {
  const contract = registry.op(op);
  const full = normalizeAttrs(op, contract.attrs, attrs, name);
  const infos = inputs.map((id) => (id === "" ? undefined : editor.tensor(id)));
  const [inferred] = contract.inferShape!({ node: name, inputs: infos, attrs: full });
  const old = editor.tensor(output);
  editor.setTensor(output, { shape: [...inferred!.shape], dtype: inferred!.dtype ?? old.dtype });
  editor.replaceNode(name, {
    name,
    op,
    inputs: [...inputs],
    outputs: [output],
    attrs: full,
    ...(sourceOp !== undefined ? { sourceOp } : {}),
  });
}

/** Adds a constant tensor named after `base` and returns its id. */
export function addConstant(
  editor: GraphEditor,
  base: string,
  dtype: TensorInfo["dtype"],
  shape: readonly number[],
  data: TensorData,
): string {
  return editor.addTensor({ name: base, dtype, shape: [...shape], data });
}

/** Runs the core dead-code elimination on a pass's result (drops replaced nodes' leftovers). */
export async function removeDeadCode(graph: Graph, ctx: PassContext<unknown>): Promise<Graph> {
  const dce = ctx.registry.pass("core/dce");
  return dce.run(graph, { ...ctx, report: () => {} } as never);
}

/** Trims trailing epilogue inputs that are absent (`""`), so nodes list only what they use. */
export function trimInputs(inputs: readonly string[]): string[] {
  const out = [...inputs];
  while (out.length > 2 && out[out.length - 1] === "") out.pop();
  return out;
}
