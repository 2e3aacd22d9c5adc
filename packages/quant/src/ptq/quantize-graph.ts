/**
 * Post-training quantization of a float graph with calibrated activation ranges: every node the
 * integer kernels can run becomes an integer node (weights per-channel symmetric, biases int32
 * or int64, activations int8 asymmetric or int16 symmetric); the rest stays float, with
 * `core.quantize` / `core.dequantize` at each border. By default the graph keeps its float
 * interface (quantize after each input, dequantize before each output); with `io: "integer"`
 * its inputs and outputs become integer tensors, like a fully-integer TFLite model.
 *
 * Tensor names: an integer activation keeps the float tensor's name, except where the float
 * tensor must stay (a float graph input or output), whose integer twin is `<name>:q`; a float
 * copy for float consumers is `<name>:f`. So a quantized tensor and the float tensor it
 * approximates share a name — the quality report pairs them that way.
 */
import {
  type Attrs,
  consumerMap,
  createGraph,
  type Graph,
  getTensor,
  McuError,
  type Node,
  normalizeAttrs,
  producerMap,
  type Registry,
  type TensorInfo,
  topologicalOrder,
  verify,
} from "@mcu/tensor";
import type { CalibrationRanges } from "../calibration/calibrate.js";
import type { Range } from "../calibration/histogram.js";
import { INT8_KERNEL, INT16X8_KERNEL } from "../kernels/options.js";
import { type OpQuantRule, opQuantRule } from "./op-rules.js";
import {
  type ActivationDType,
  type AffineParams,
  activationParams,
  quantizeActivationConstant,
  quantizeBias,
  quantizeWeights,
  toQuantParams,
  type WeightBits,
} from "./params.js";

/** What a quantization scheme makes of activations and weights. */
export interface PtqScheme {
  /** int8 (asymmetric) or int16 (symmetric, zero point 0) activations. */
  readonly activations: ActivationDType;
  /** 8: int8 weights [−127, 127]; 4: int4 weights [−7, 7]. */
  readonly weightBits: WeightBits;
}

/** A note about the quantization (a node left in float, an output left float, ...). */
export interface PtqNote {
  readonly level?: "warning" | "info";
  readonly message: string;
  readonly node?: string;
  readonly tensor?: string;
}

/** Options of {@link quantizeGraph}. */
export interface QuantizeGraphOptions {
  readonly registry: Registry;
  readonly scheme: PtqScheme;
  /** `float` (default): keep float inputs and outputs; `integer`: take and give the activation type. */
  readonly io?: "float" | "integer";
  /** Per-channel weight scales (default true); false: one scale per weight tensor. */
  readonly perChannel?: boolean;
  readonly report?: (note: PtqNote) => void;
}

/** Union-find over tensor ids, for the same-parameters constraint. */
class ParamGroups {
  private readonly parent = new Map<string, string>();

  find(id: string): string {
    let root = id;
    for (let p = this.parent.get(root); p !== undefined && p !== root; p = this.parent.get(root)) root = p;
    // Path compression.
    for (let cur = id; cur !== root; ) {
      const next = this.parent.get(cur)!;
      this.parent.set(cur, root);
      cur = next;
    }
    return root;
  }

  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

function sameAffine(a: AffineParams, b: AffineParams): boolean {
  return Math.fround(a.scale) === Math.fround(b.scale) && a.zeroPoint === b.zeroPoint;
}

function constantRange(t: TensorInfo): Range {
  let min = 0;
  let max = 0;
  for (const v of t.data as Float32Array) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** True if PTQ can turn `node` into an integer node under `rule` (float tensors where it needs them). */
function quantizable(graph: Graph, node: Node, rule: OpQuantRule, dtype: ActivationDType): boolean {
  if (rule.fixedOutput !== undefined && rule.fixedOutput[dtype] === undefined) return false;
  const constantFloat = (i: number): boolean => {
    const id = node.inputs[i];
    if (id === undefined || id === "") return true;
    const t = getTensor(graph, id);
    return t.data !== undefined && t.dtype === "float32";
  };
  if (rule.weights !== undefined && (node.inputs[rule.weights.input] ?? "") === "") return false;
  if (rule.weights !== undefined && !constantFloat(rule.weights.input)) return false;
  if (rule.bias !== undefined && !constantFloat(rule.bias)) return false;
  const inputsOk = node.inputs.every(
    (id, i) => id === "" || rule.keepInputs?.includes(i) === true || getTensor(graph, id).dtype === "float32",
  );
  return inputsOk && node.outputs.every((id) => getTensor(graph, id).dtype === "float32");
}

interface Built {
  readonly graph: Graph;
  /** Names of the nodes made integer. */
  readonly quantized: ReadonlySet<string>;
}

function build(
  graph: Graph,
  ranges: CalibrationRanges,
  options: QuantizeGraphOptions,
  keepFloat: ReadonlySet<string>,
): Built {
  const dtype = options.scheme.activations;
  const io = options.io ?? "float";
  const perChannel = options.perChannel ?? true;
  const report = options.report ?? (() => {});

  // Which nodes become integer, and which activations they read and write.
  const quantized = new Set<string>();
  const rules = new Map<string, OpQuantRule>();
  for (const node of graph.nodes) {
    const rule = opQuantRule(node.op);
    if (rule === undefined || keepFloat.has(node.name) || !quantizable(graph, node, rule, dtype)) continue;
    quantized.add(node.name);
    rules.set(node.name, rule);
  }
  const activations = new Set<string>();
  for (const node of graph.nodes) {
    if (!quantized.has(node.name)) continue;
    const rule = rules.get(node.name)!;
    node.inputs.forEach((id, i) => {
      if (id !== "" && rule.keepInputs?.includes(i) !== true && getTensor(graph, id).data === undefined)
        activations.add(id);
    });
    for (const id of node.outputs) activations.add(id);
  }

  // Parameters: same-parameter groups, fixed outputs, then each group's range.
  const groups = new ParamGroups();
  const fixed = new Map<string, AffineParams>();
  for (const node of graph.nodes) {
    const rule = rules.get(node.name);
    const f = rule?.fixedOutput?.[dtype];
    if (f !== undefined) fixed.set(node.outputs[0]!, { scale: Math.fround(f.scale), zeroPoint: f.zeroPoint });
  }
  const fixedOf = (id: string): AffineParams | undefined => {
    for (const [t, p] of fixed) if (groups.find(t) === groups.find(id)) return p;
    return undefined;
  };
  for (const node of graph.nodes) {
    const rule = rules.get(node.name);
    if (rule?.sameParams !== true) continue;
    const out = node.outputs[0]!;
    for (const id of node.inputs) {
      if (id === "") continue;
      const a = fixedOf(id);
      const b = fixedOf(out);
      if (a !== undefined && b !== undefined && !sameAffine(a, b)) {
        // Two different fixed parameters cannot be one group; the kernel requantizes instead.
        report({
          level: "info",
          node: node.name,
          message: `${node.op} ${node.name}: input "${id}" keeps its own fixed parameters`,
        });
        continue;
      }
      groups.union(out, id);
    }
  }
  const rangeOf = (id: string): Range => {
    const t = getTensor(graph, id);
    if (t.data !== undefined) return constantRange(t);
    const r = ranges.get(id);
    if (r === undefined) {
      throw new McuError("MCU_E_CALIBRATION", `no calibrated range for tensor "${id}"`, { tensor: id });
    }
    return r;
  };
  const groupRange = new Map<string, Range>();
  const addToGroup = (id: string): void => {
    const root = groups.find(id);
    const r = rangeOf(id);
    const g = groupRange.get(root);
    groupRange.set(root, g === undefined ? r : { min: Math.min(g.min, r.min), max: Math.max(g.max, r.max) });
  };
  for (const id of activations) addToGroup(id);
  for (const node of graph.nodes) {
    if (rules.get(node.name)?.sameParams !== true) continue;
    for (const id of node.inputs) if (id !== "" && getTensor(graph, id).data !== undefined) addToGroup(id);
  }
  const paramsCache = new Map<string, AffineParams>();
  const paramsOf = (id: string): AffineParams => {
    const root = groups.find(id);
    let p = paramsCache.get(root);
    if (p === undefined) {
      p = fixedOf(id) ?? activationParams(groupRange.get(root) ?? rangeOf(id), dtype);
      paramsCache.set(root, p);
    }
    return p;
  };

  // Names: integer and float versions of each activation.
  const tensors = new Map(graph.tensors);
  const taken = new Set(tensors.keys());
  const fresh = (base: string): string => {
    let name = base;
    for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
    taken.add(name);
    return name;
  };
  const nodeNames = new Set(graph.nodes.map((n) => n.name));
  const freshNode = (base: string): string => {
    let name = base;
    for (let i = 1; nodeNames.has(name); i++) name = `${base}_${i}`;
    nodeNames.add(name);
    return name;
  };
  const producers = producerMap(graph);
  const consumers = consumerMap(graph);
  const intId = new Map<string, string>();
  const floatId = new Map<string, string>();
  const borderNodes: Node[] = [];
  const activationInfo = (id: string, name: string): TensorInfo => ({
    name,
    shape: [...getTensor(graph, id).shape],
    dtype,
    quant: toQuantParams(paramsOf(id)),
  });
  for (const id of activations) {
    const p = producers.get(id);
    const byInteger = p !== undefined && quantized.has(p.name);
    const isOutput = graph.outputs.includes(id);
    const isInput = graph.inputs.includes(id);
    const floatReaders = (consumers.get(id) ?? []).some((n) => !quantized.has(n.name));
    const dequantize = (from: string, to: string): void => {
      borderNodes.push({
        name: freshNode(`${to}/dequantize`),
        op: "core.dequantize",
        inputs: [from],
        outputs: [to],
        attrs: {},
      });
    };
    if ((byInteger && !(isOutput && io === "float")) || (isInput && io === "integer")) {
      // The integer tensor takes the name; a float copy serves float readers.
      intId.set(id, id);
      tensors.set(id, activationInfo(id, id));
      if (floatReaders) {
        const f = fresh(`${id}:f`);
        floatId.set(id, f);
        tensors.set(f, { name: f, shape: [...getTensor(graph, id).shape], dtype: "float32" });
        dequantize(id, f);
      }
    } else {
      const q = fresh(`${id}:q`);
      intId.set(id, q);
      tensors.set(q, activationInfo(id, q));
      floatId.set(id, id);
      if (byInteger) dequantize(q, id);
      else
        borderNodes.push({
          name: freshNode(`${id}/quantize`),
          op: "core.quantize",
          inputs: [id],
          outputs: [q],
          attrs: {},
        });
    }
  }
  for (const id of graph.outputs) {
    if (io === "integer" && !activations.has(id)) {
      report({
        level: "warning",
        tensor: id,
        message: `graph output "${id}" is computed in float and stays float32`,
      });
    }
  }

  // Constants: quantized weights, biases and operands, each under its own name when it has
  // exactly one use, else under a fresh one.
  const uses = new Map<string, number>();
  for (const n of graph.nodes)
    for (const id of n.inputs) if (id !== "") uses.set(id, (uses.get(id) ?? 0) + 1);
  const constCache = new Map<string, TensorInfo>();
  const placeConstant = (id: string, key: string, make: (name: string) => TensorInfo): TensorInfo => {
    const cached = constCache.get(`${id}\u0000${key}`);
    if (cached !== undefined) return cached;
    const name = uses.get(id) === 1 ? id : fresh(`${id}:q`);
    const t = make(name);
    tensors.set(name, t);
    constCache.set(`${id}\u0000${key}`, t);
    return t;
  };
  const weightScales = new Map<string, readonly number[]>();

  /** The id an integer node reads at input `i` (weights and biases quantized on first use). */
  const quantizedInput = (
    node: Node,
    rule: OpQuantRule,
    id: string,
    i: number,
    done: readonly string[],
  ): string => {
    if (id === "" || rule.keepInputs?.includes(i) === true) return id;
    const t = getTensor(graph, id);
    if (t.data === undefined) return intId.get(id)!;
    if (rule.weights?.input === i) {
      const axis = perChannel ? rule.weights.axis : undefined;
      const w = placeConstant(id, `w${axis ?? ""}`, (name) => {
        const q = quantizeWeights(t, axis, options.scheme.weightBits, name);
        weightScales.set(name, q.scales);
        return q.tensor;
      });
      return w.name;
    }
    if (rule.bias === i) {
      // The weights come before the bias in every rule, so they are quantized already.
      const sW = weightScales.get(done[rule.weights!.input]!)!;
      const sIn = paramsOf(node.inputs[0]!).scale;
      const biasType = dtype === "int16" ? "int64" : "int32";
      return placeConstant(id, `b${sIn}:${sW.join(",")}`, (name) => quantizeBias(t, sIn, sW, biasType, name))
        .name;
    }
    const p = rule.sameParams === true ? paramsOf(id) : activationParams(constantRange(t), dtype);
    return placeConstant(id, `a${p.scale}:${p.zeroPoint}`, (name) =>
      quantizeActivationConstant(t, p, dtype, name),
    ).name;
  };

  const nodes: Node[] = [...borderNodes];
  for (const node of graph.nodes) {
    if (!quantized.has(node.name)) {
      nodes.push({ ...node, inputs: node.inputs.map((id) => (activations.has(id) ? floatId.get(id)! : id)) });
      continue;
    }
    const rule = rules.get(node.name)!;
    const inputs: string[] = [];
    node.inputs.forEach((id, i) => {
      inputs.push(quantizedInput(node, rule, id, i, inputs));
    });
    let attrs: Attrs = node.attrs;
    // Calibrated int16 scales are not powers of two: TFLite's general-scale int16 ADD/SUB.
    if (dtype === "int16" && (node.op === "core.add" || node.op === "core.sub"))
      attrs = { ...attrs, potScaleInt16: false };
    nodes.push({ ...node, inputs, outputs: node.outputs.map((id) => intId.get(id)!), attrs });
  }

  // Drop tensors no node and no graph input or output refers to any more.
  const referenced = new Set<string>([...graph.inputs, ...graph.outputs]);
  for (const n of nodes) for (const id of [...n.inputs, ...n.outputs]) referenced.add(id);
  for (const id of [...tensors.keys()]) if (!referenced.has(id)) tensors.delete(id);

  const inputs = new Set(graph.inputs);
  const ordered = topologicalOrder(nodes, (id) => {
    const t = tensors.get(id);
    return inputs.has(id) || t?.data !== undefined || t?.variable === true;
  });
  return {
    graph: createGraph({
      tensors,
      nodes: ordered,
      inputs: graph.inputs,
      outputs: graph.outputs,
      metadata: graph.metadata,
    }),
    quantized,
  };
}

/** True if the kernel the registry picks for `node` is an integer one. */
function runsOnIntegerKernel(graph: Graph, node: Node, registry: Registry): boolean {
  const op = registry.op(node.op);
  const ctx = {
    node,
    attrs: normalizeAttrs(node.op, op.attrs, node.attrs, node.name),
    inputs: node.inputs.map((id) => (id === "" ? undefined : graph.tensors.get(id))),
    outputs: node.outputs.map((id) => graph.tensors.get(id)!),
  };
  const k = registry.kernels(node.op).find((kernel) => kernel.supports(ctx));
  // Data movement of integer tensors is the core "any dtype" copy kernels' work.
  return k !== undefined && (k.name === INT8_KERNEL || k.name === INT16X8_KERNEL || k.name === "core/any");
}

/**
 * Quantizes a float graph with calibrated ranges. Nodes whose integer form no kernel in the
 * registry runs are left in float (reported), and the graph is rebuilt until every integer node
 * has an integer kernel.
 */
export function quantizeGraph(graph: Graph, ranges: CalibrationRanges, options: QuantizeGraphOptions): Graph {
  const keepFloat = new Set<string>();
  for (let round = 0; round <= graph.nodes.length; round++) {
    const built = build(graph, ranges, options, keepFloat);
    const failing = built.graph.nodes.filter(
      (n) => built.quantized.has(n.name) && !runsOnIntegerKernel(built.graph, n, options.registry),
    );
    if (failing.length === 0) {
      for (const n of graph.nodes) {
        if (!built.quantized.has(n.name)) {
          options.report?.({ level: "info", node: n.name, message: `${n.op} ${n.name} stays float32` });
        }
      }
      if (built.quantized.size === 0)
        options.report?.({ level: "warning", message: "no node could be quantized" });
      return verify(built.graph, options.registry);
    }
    for (const n of failing) {
      keepFloat.add(n.name);
      options.report?.({
        level: "warning",
        node: n.name,
        message: `no ${options.scheme.activations} kernel runs ${n.op} ${n.name} as quantized; it stays float32`,
      });
    }
  }
  throw new McuError("MCU_E_QUANT", "quantization did not settle on a graph the integer kernels run");
}
