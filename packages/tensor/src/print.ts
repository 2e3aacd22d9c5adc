/** A readable text form of a graph, for IR dumps and debugging. */
import type { AttrValue } from "./attrs.js";
import type { Graph } from "./graph.js";
import { formatShape, type TensorInfo } from "./tensor-info.js";

function typeOf(t: TensorInfo): string {
  let s = `${t.dtype}${formatShape(t.shape)}`;
  if (t.quant !== undefined) {
    const q = t.quant;
    s +=
      q.scale.length === 1
        ? ` q(${q.scale[0]}, ${q.zeroPoint[0]})`
        : ` q(axis ${q.axis}, ${q.scale.length} scales)`;
  }
  return s;
}

function attrText(v: AttrValue): string {
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (Array.isArray(v)) return `[${v.join(",")}]`;
  return typeof v === "string" ? v : String(v);
}

/** Prints a graph: inputs, constants (without data), then one line per node. */
export function printGraph(graph: Graph): string {
  const lines: string[] = [];
  lines.push(`graph(${graph.inputs.map((id) => `%${id}: ${typeOf(graph.tensors.get(id)!)}`).join(", ")}) {`);
  for (const t of graph.tensors.values()) {
    if (t.data !== undefined) lines.push(`  const %${t.name}: ${typeOf(t)}${t.variable ? " variable" : ""}`);
  }
  for (const n of graph.nodes) {
    const outs = n.outputs.map((id) => `%${id}: ${typeOf(graph.tensors.get(id)!)}`).join(", ");
    const ins = n.inputs.map((id) => (id === "" ? "_" : `%${id}`)).join(", ");
    const attrs = Object.entries(n.attrs)
      .map(([k, v]) => `${k}=${attrText(v)}`)
      .join(" ");
    lines.push(`  ${outs} = ${n.op}(${ins})${attrs ? ` {${attrs}}` : ""}  # ${n.name}`);
  }
  lines.push(`  return ${graph.outputs.map((id) => `%${id}`).join(", ")}`);
  lines.push("}");
  return lines.join("\n");
}
