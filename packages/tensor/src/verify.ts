/**
 * The verifier: every structural and semantic rule of a graph, each with a stable code.
 * Tests run it after every pass.
 *
 * | code | rule |
 * |---|---|
 * | MCU_E_GRAPH_TENSOR_NAME | a tensor's `name` equals its id |
 * | MCU_E_GRAPH_MISSING_TENSOR | every id a node or the graph names exists |
 * | MCU_E_GRAPH_NODE_NAME | node names are unique and non-empty |
 * | MCU_E_GRAPH_MULTIPLE_PRODUCERS | each tensor has at most one producer and graph inputs none |
 * | MCU_E_GRAPH_ORDER | nodes are topologically ordered (inputs defined before use) |
 * | MCU_E_GRAPH_INPUT | graph inputs are non-constant, listed once |
 * | MCU_E_GRAPH_OUTPUT | every graph output is produced, a graph input, or a constant |
 * | MCU_E_UNKNOWN_OP | every op is registered |
 * | MCU_E_ARITY | input and output counts match the op contract |
 * | MCU_E_ATTR | attributes match the op's schema |
 * | MCU_E_SHAPE | shapes are valid and equal to the op's shape inference |
 * | MCU_E_DTYPE | dtypes are consistent with the op's inference |
 * | MCU_E_CONST_DATA | constant data is the dtype's typed array of the right length |
 * | MCU_E_QUANT | quantization parameters are well formed |
 */
import { normalizeAttrs } from "./attrs.js";
import { dataMatchesDType, dtypeRange, isDType, isIntegerDType, storageLength } from "./dtype.js";
import { McuError } from "./errors.js";
import type { Graph } from "./graph.js";
import type { Registry } from "./registry.js";
import { formatShape, type TensorInfo } from "./tensor-info.js";

function checkTensor(t: TensorInfo, id: string, problems: McuError[]): void {
  const at = { tensor: id };
  if (t.name !== id) problems.push(new McuError("MCU_E_GRAPH_TENSOR_NAME", `tensor "${id}" is named "${t.name}"`, at));
  if (!isDType(t.dtype)) problems.push(new McuError("MCU_E_DTYPE", `unknown dtype "${String(t.dtype)}"`, at));
  if (!t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    problems.push(new McuError("MCU_E_SHAPE", `invalid shape ${formatShape(t.shape)}`, at));
    return;
  }
  if (t.data !== undefined && isDType(t.dtype)) {
    const want = storageLength(t.dtype, t.shape);
    if (!dataMatchesDType(t.dtype, t.data) || t.data.length !== want) {
      problems.push(
        new McuError(
          "MCU_E_CONST_DATA",
          `constant ${t.dtype}${formatShape(t.shape)} needs ${want} elements of its typed array, has ${t.data.constructor.name}(${t.data.length})`,
          at,
        ),
      );
    }
  }
  const q = t.quant;
  if (q !== undefined) {
    const fail = (msg: string) => problems.push(new McuError("MCU_E_QUANT", msg, at));
    if (q.scale.length === 0 || q.scale.length !== q.zeroPoint.length) {
      fail(`quantization has ${q.scale.length} scales and ${q.zeroPoint.length} zero points`);
    } else if (!q.scale.every((s) => Number.isFinite(s) && s > 0)) {
      fail("quantization scales must be finite and positive");
    } else if (isDType(t.dtype) && isIntegerDType(t.dtype)) {
      const { min, max } = dtypeRange(t.dtype);
      if (!q.zeroPoint.every((z) => Number.isInteger(z) && z >= min && z <= max)) {
        fail(`zero points must be integers in ${t.dtype}'s range [${min}, ${max}]`);
      }
    }
    if (q.axis !== undefined) {
      if (!Number.isInteger(q.axis) || q.axis < 0 || q.axis >= t.shape.length) {
        fail(`quantization axis ${q.axis} is out of range for ${formatShape(t.shape)}`);
      } else if (q.scale.length !== 1 && q.scale.length !== t.shape[q.axis]) {
        fail(`per-axis quantization needs ${t.shape[q.axis]} scales along axis ${q.axis}, has ${q.scale.length}`);
      }
    } else if (q.scale.length !== 1) {
      fail(`${q.scale.length} scales but no quantization axis`);
    }
  }
}

/** Every rule the graph violates (empty when the graph is valid). */
export function findProblems(graph: Graph, registry: Registry): McuError[] {
  const problems: McuError[] = [];
  for (const [id, t] of graph.tensors) checkTensor(t, id, problems);

  const defined = new Set<string>();
  const seenInputs = new Set<string>();
  for (const id of graph.inputs) {
    const t = graph.tensors.get(id);
    if (t === undefined) {
      problems.push(new McuError("MCU_E_GRAPH_MISSING_TENSOR", `graph input "${id}" is not a tensor`, { tensor: id }));
    } else if (t.data !== undefined) {
      problems.push(new McuError("MCU_E_GRAPH_INPUT", `graph input "${id}" is a constant`, { tensor: id }));
    }
    if (seenInputs.has(id)) problems.push(new McuError("MCU_E_GRAPH_INPUT", `graph input "${id}" is listed twice`));
    seenInputs.add(id);
    defined.add(id);
  }
  for (const [id, t] of graph.tensors) if (t.data !== undefined || t.variable === true) defined.add(id);

  const produced = new Set<string>();
  const nodeNames = new Set<string>();
  for (const node of graph.nodes) {
    const at = { node: node.name };
    if (node.name === "" || nodeNames.has(node.name)) {
      problems.push(new McuError("MCU_E_GRAPH_NODE_NAME", `node name "${node.name}" is empty or repeated`, at));
    }
    nodeNames.add(node.name);
    let missing = false;
    for (const id of [...node.inputs, ...node.outputs]) {
      if (id !== "" && !graph.tensors.has(id)) {
        problems.push(new McuError("MCU_E_GRAPH_MISSING_TENSOR", `${node.op} refers to missing tensor "${id}"`, at));
        missing = true;
      }
    }
    for (const id of node.inputs) {
      if (id !== "" && graph.tensors.has(id) && !defined.has(id)) {
        problems.push(
          new McuError("MCU_E_GRAPH_ORDER", `${node.op} reads "${id}" before any node produces it`, {
            ...at,
            tensor: id,
          }),
        );
      }
    }
    for (const id of node.outputs) {
      if (produced.has(id) || seenInputs.has(id) || graph.tensors.get(id)?.data !== undefined) {
        problems.push(
          new McuError("MCU_E_GRAPH_MULTIPLE_PRODUCERS", `tensor "${id}" is written more than once`, {
            ...at,
            tensor: id,
          }),
        );
      }
      produced.add(id);
      defined.add(id);
    }
    if (missing) continue;

    if (!registry.hasOp(node.op)) {
      problems.push(new McuError("MCU_E_UNKNOWN_OP", `no plugin defines op "${node.op}"`, at));
      continue;
    }
    const op = registry.op(node.op);
    const nIn = node.inputs.length;
    const variadicOut = op.outputs[op.outputs.length - 1]?.endsWith("...") ?? false;
    const outOk = variadicOut ? node.outputs.length >= op.outputs.length - 1 : node.outputs.length === op.outputs.length;
    if (nIn < op.minInputs || nIn > op.maxInputs || !outOk) {
      problems.push(
        new McuError(
          "MCU_E_ARITY",
          `${node.op} takes ${op.minInputs}..${op.maxInputs} inputs and ${op.outputs.length} outputs, got ${nIn} and ${node.outputs.length}`,
          at,
        ),
      );
      continue;
    }
    const requiredMissing = op.inputs.some((name, i) => !name.endsWith("?") && !name.endsWith("...") && node.inputs[i] === "");
    if (requiredMissing) {
      problems.push(new McuError("MCU_E_ARITY", `${node.op} is missing a required input`, at));
      continue;
    }
    try {
      const attrs = normalizeAttrs(node.op, op.attrs, node.attrs, node.name);
      if (op.inferShape === undefined) continue;
      const inputs = node.inputs.map((id) => (id === "" ? undefined : graph.tensors.get(id)!));
      const inferred = op.inferShape({ node: node.name, inputs, attrs });
      inferred.forEach((inf, i) => {
        const id = node.outputs[i]!;
        const t = graph.tensors.get(id)!;
        if (inf.shape.length !== t.shape.length || inf.shape.some((d, k) => d !== t.shape[k])) {
          problems.push(
            new McuError(
              "MCU_E_SHAPE",
              `${node.op} produces ${formatShape(inf.shape)} but "${id}" is recorded as ${formatShape(t.shape)}`,
              { ...at, tensor: id },
            ),
          );
        }
        if (inf.dtype !== undefined && inf.dtype !== t.dtype) {
          problems.push(
            new McuError("MCU_E_DTYPE", `${node.op} produces ${inf.dtype} but "${id}" is ${t.dtype}`, {
              ...at,
              tensor: id,
            }),
          );
        }
      });
    } catch (e) {
      if (e instanceof McuError) problems.push(e.node === undefined ? new McuError(e.code, e.message, at) : e);
      else throw e;
    }
  }

  for (const id of graph.outputs) {
    if (!defined.has(id)) {
      problems.push(new McuError("MCU_E_GRAPH_OUTPUT", `graph output "${id}" is never produced`, { tensor: id }));
    }
  }
  return problems;
}

/** Throws the first violated rule as an `McuError`; returns the graph when it is valid. */
export function verify(graph: Graph, registry: Registry): Graph {
  const problems = findProblems(graph, registry);
  if (problems.length > 0) throw problems[0]!;
  return graph;
}
