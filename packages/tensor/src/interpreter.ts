/**
 * The interpreter: runs a graph node by node with the kernels the registry selects. Kernels are
 * chosen and prepared once per interpreter; buffers are allocated once and reused.
 */
import { allocateData, dataMatchesDType, storageLength, type TensorData } from "./dtype.js";
import { McuError } from "./errors.js";
import type { Graph, Node } from "./graph.js";
import type { KernelRun } from "./kernel.js";
import type { Registry } from "./registry.js";
import { formatShape, type Value } from "./tensor-info.js";
import { normalizeAttrs } from "./attrs.js";

/** One node's execution, as hooks see it. Buffers are live: copy what you keep. */
export interface NodeEvent {
  readonly node: Node;
  readonly index: number;
  /** The kernel that ran the node (`core/float32`, `quant/int8`, ...). */
  readonly kernel: string;
  readonly inputs: readonly (Value | undefined)[];
  readonly outputs: readonly Value[];
}

/** Per-node hooks, for calibration and for dumping intermediates. */
export interface InterpreterHooks {
  readonly beforeNode?: (e: NodeEvent) => void;
  readonly afterNode?: (e: NodeEvent) => void;
}

/** Interpreter options. */
export interface InterpreterOptions {
  readonly registry: Registry;
  readonly hooks?: InterpreterHooks;
}

/** Inputs by position (graph input order) or by tensor name. */
export type InterpreterInputs = readonly TensorData[] | Readonly<Record<string, TensorData>>;

/** A graph prepared for repeated runs. */
export interface Interpreter {
  readonly graph: Graph;
  /** Runs once; returns copies of the graph outputs in graph order. */
  invoke(inputs: InterpreterInputs, hooks?: InterpreterHooks): Value[];
  /** Restores variable (state) tensors to their initial values. */
  resetState(): void;
  /** The kernel chosen for each node, in node order. */
  readonly kernelNames: readonly string[];
}

interface Step {
  readonly node: Node;
  readonly kernel: string;
  readonly run: KernelRun;
  readonly inputs: readonly (Value | undefined)[];
  readonly outputs: readonly Value[];
}

function copyData(data: TensorData): TensorData {
  return data.slice() as TensorData;
}

/** Prepares a graph for running: selects and prepares a kernel for every node. */
export function createInterpreter(graph: Graph, options: InterpreterOptions): Interpreter {
  const { registry } = options;
  const values = new Map<string, Value>();
  const initialState = new Map<string, TensorData>();
  for (const [id, t] of graph.tensors) {
    if (t.data !== undefined && t.variable !== true) {
      values.set(id, t as Value);
    } else {
      const data = allocateData(t.dtype, t.shape);
      if (t.variable === true && t.data !== undefined) {
        data.set(t.data as never);
        initialState.set(id, t.data);
      } else if (t.variable === true && t.dtype === "int8" && (t.quant?.zeroPoint[0] ?? 0) !== 0) {
        // A variable without initial data starts at real 0: TFLite's ResetVariableTensor (and
        // TFLM's) fills an int8 variable with its zero point, every other dtype with zeros.
        (data as Int8Array).fill(t.quant!.zeroPoint[0]!);
        initialState.set(id, data.slice());
      }
      values.set(id, { ...t, data });
    }
  }
  const get = (id: string): Value | undefined => (id === "" ? undefined : values.get(id));

  const steps: Step[] = graph.nodes.map((node) => {
    const op = registry.op(node.op);
    const attrs = normalizeAttrs(node.op, op.attrs, node.attrs, node.name);
    const inputs = node.inputs.map((id) => (id === "" ? undefined : graph.tensors.get(id)));
    const outputs = node.outputs.map((id) => graph.tensors.get(id)!);
    const ctx = { node, attrs, inputs, outputs };
    const kernel = registry.selectKernel(ctx);
    return {
      node,
      kernel: kernel.name,
      run: kernel.prepare(ctx),
      inputs: node.inputs.map(get),
      outputs: node.outputs.map((id) => values.get(id)!),
    };
  });

  const resetState = (): void => {
    for (const [id, t] of graph.tensors) {
      if (t.variable !== true) continue;
      const buf = values.get(id)!.data;
      const init = initialState.get(id);
      if (init !== undefined) buf.set(init as never);
      else buf.fill(0 as never);
    }
  };

  const setInputs = (inputs: InterpreterInputs): void => {
    const list: readonly (TensorData | undefined)[] = Array.isArray(inputs)
      ? (inputs as readonly TensorData[])
      : graph.inputs.map((id) => (inputs as Readonly<Record<string, TensorData>>)[id]);
    if (list.length !== graph.inputs.length) {
      throw new McuError("MCU_E_INPUT", `the model takes ${graph.inputs.length} input(s), got ${list.length}`);
    }
    graph.inputs.forEach((id, i) => {
      const data = list[i];
      const v = values.get(id)!;
      if (data === undefined) throw new McuError("MCU_E_INPUT", `input "${id}" is missing`, { tensor: id });
      const want = storageLength(v.dtype, v.shape);
      if (!dataMatchesDType(v.dtype, data) || data.length !== want) {
        throw new McuError(
          "MCU_E_INPUT",
          `input "${id}" must be ${v.dtype}${formatShape(v.shape)} (${want} values), got ${data.constructor.name}(${data.length})`,
          { tensor: id },
        );
      }
      v.data.set(data as never);
    });
  };

  return {
    graph,
    kernelNames: steps.map((s) => s.kernel),
    resetState,
    invoke(inputs, hooks = options.hooks) {
      setInputs(inputs);
      steps.forEach((s, index) => {
        const event = hooks ? { node: s.node, index, kernel: s.kernel, inputs: s.inputs, outputs: s.outputs } : undefined;
        hooks?.beforeNode?.(event!);
        try {
          s.run(s);
        } catch (e) {
          if (e instanceof McuError && e.node === undefined) {
            throw new McuError(e.code, e.message, { node: s.node.name }, { cause: e });
          }
          throw e;
        }
        hooks?.afterNode?.(event!);
      });
      return graph.outputs.map((id) => {
        const v = values.get(id)!;
        return { ...v, data: copyData(v.data) };
      });
    },
  };
}

/** Runs a graph once on the given inputs and returns its outputs. */
export function runGraph(graph: Graph, inputs: InterpreterInputs, options: InterpreterOptions): Value[] {
  return createInterpreter(graph, options).invoke(inputs);
}
