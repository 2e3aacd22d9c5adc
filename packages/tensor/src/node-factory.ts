/**
 * Creating nodes with inferred outputs — the one place the builder and the pass editor share.
 */
import type { Attrs } from "./attrs.js";
import { normalizeAttrs } from "./attrs.js";
import type { DType } from "./dtype.js";
import { McuError } from "./errors.js";
import type { Node } from "./graph.js";
import { uniqueName } from "./internal/names.js";
import type { Registry } from "./registry.js";
import type { QuantParams, TensorInfo } from "./tensor-info.js";

/** What a caller may fix about an output instead of (or on top of) shape inference. */
export interface OutputSpec {
  readonly name?: string;
  readonly shape?: readonly number[];
  readonly dtype?: DType;
  readonly quant?: QuantParams;
}

/** Options for creating a node. */
export interface NodeOptions {
  readonly name?: string;
  /** Per-output overrides, or the number of outputs of a variadic-output op. */
  readonly outputs?: readonly OutputSpec[] | number;
  readonly sourceOp?: string;
}

/**
 * Creates a node and its output tensors. Output shapes come from the op's shape inference,
 * dtypes from inference or else the first input; `opts.outputs` overrides both.
 */
export function createNode(
  registry: Registry,
  tensors: ReadonlyMap<string, TensorInfo>,
  nodeNames: { has(name: string): boolean },
  opName: string,
  inputs: readonly (string | undefined)[],
  attrs: Attrs,
  opts: NodeOptions = {},
): { readonly node: Node; readonly outputs: TensorInfo[] } {
  const op = registry.op(opName);
  const shortName = opName.slice(opName.indexOf(".") + 1);
  const name = uniqueName(opts.name ?? shortName, nodeNames);
  const full = normalizeAttrs(opName, op.attrs, attrs, name);
  const inputIds = inputs.map((i) => i ?? "");
  const inputInfos = inputIds.map((id) => {
    if (id === "") return undefined;
    const t = tensors.get(id);
    if (t === undefined) throw new McuError("MCU_E_GRAPH_MISSING_TENSOR", `${opName} input "${id}" does not exist`, { node: name });
    return t;
  });
  const specs: readonly OutputSpec[] =
    typeof opts.outputs === "number"
      ? Array.from({ length: opts.outputs }, () => ({}))
      : (opts.outputs ?? op.outputs.map(() => ({})));
  const inferred = op.inferShape?.({ node: name, inputs: inputInfos, attrs: full });
  const taken = new Set<string>();
  const outputs = specs.map((spec, i): TensorInfo => {
    const shape = spec.shape ?? inferred?.[i]?.shape;
    const dtype = spec.dtype ?? inferred?.[i]?.dtype ?? inputInfos.find((t) => t !== undefined)?.dtype;
    if (shape === undefined || dtype === undefined) {
      throw new McuError("MCU_E_SHAPE", `${opName} cannot infer output ${i}: give its shape and dtype`, { node: name });
    }
    const base = spec.name ?? (specs.length === 1 ? name : `${name}:${i}`);
    const id = uniqueName(base, { has: (n) => tensors.has(n) || taken.has(n) });
    taken.add(id);
    return { name: id, shape: [...shape], dtype, ...(spec.quant !== undefined ? { quant: spec.quant } : {}) };
  });
  const node: Node = {
    name,
    op: opName,
    inputs: inputIds,
    outputs: outputs.map((t) => t.name),
    attrs: full,
    ...(opts.sourceOp !== undefined ? { sourceOp: opts.sourceOp } : {}),
  };
  return { node, outputs };
}
