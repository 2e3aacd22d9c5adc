/**
 * A graph as @mcu/codegen-c would generate it for a core, described by the registry's C kernels
 * (see c-kernel-view.ts): per node the kernel picked, its scratch buffers, the bytes of the
 * constant arrays it emits and of the constant tensors it references, and the shared C code it
 * needs; the arena planned from the tensors' lifetimes plus that scratch, the same call of
 * `planArena` the generator makes (so its peak is `MCU_<NAME>_ARENA_BYTES`).
 *
 * The emission is recorded, not rendered: `emit()` runs against a context that counts what
 * `constArray()` declares and which constants `input()` names, as the generator would lay them
 * out (one `static const` array per constant tensor however many nodes read it; one array per
 * `constArray()` of `max(n, 1)` elements of its C type).
 */
import {
  type ArenaBuffer,
  type Graph,
  type GraphArenaPlan,
  isConstant,
  type Node,
  normalizeAttrs,
  planArena,
  type Registry,
  storageLength,
  type TensorData,
  type TensorInfo,
} from "@mcu/tensor";
import {
  type CEmitContextView,
  type CKernelContextView,
  type CKernelView,
  type CSupportCodeView,
  type CTargetView,
  cScalarBytes,
  selectCKernelView,
} from "./c-kernel-view.js";

/** One node of the generated program. */
export interface GeneratedNodeView {
  readonly index: number;
  readonly node: Node;
  /** The C kernel's `op:variant`, or undefined when no installed C kernel supports the node. */
  readonly variant: string | undefined;
  readonly scratch: readonly { readonly name: string; readonly bytes: number }[];
  /** Bytes of the arrays the kernel declared with `constArray()` (repacked weights, tables). */
  readonly constArrayBytes: number;
  /** Bytes of the constant tensors this node is the first to name through `input()`. */
  readonly constantTensorBytes: number;
  /** The ids of the shared C code the node needs, its requirements included. */
  readonly supportIds: readonly string[];
  /**
   * True when the node's kernel needs the DSP extension (it does not support the node on the same
   * core without it): latency model (a) then applies the family's DSP-path coefficients.
   */
  readonly dspOnly: boolean;
  /** Bytes of the node's file-scope descriptors (its `declarations`), see {@link declarationBytes}. */
  readonly declarationBytes: number;
  /** The node runs code in invoke (false: an aliased view, or no C kernel). */
  readonly emitsCode: boolean;
  /**
   * No other node calls the functions of the node's own support code (its kernel's driver): the
   * compiler then specializes them for this node's constant descriptor (GCC's IPA constant
   * propagation, `.constprop` clones), which can make the layer markedly cheaper.
   */
  readonly soleUser: boolean;
}

/** The generated program of a graph on one target. */
export interface GeneratedProgramView {
  readonly target: CTargetView;
  readonly nodes: readonly GeneratedNodeView[];
  /** The arena plan: activations plus every node's scratch, as the generator plans it. */
  readonly plan: GraphArenaPlan;
  readonly extraBuffers: readonly ArenaBuffer[];
  /** Every piece of shared C code the program contains, by id. */
  readonly support: ReadonlyMap<string, CSupportCodeView>;
  /** Bytes of variable (state) tensors in RAM, and of their initial values in flash. */
  readonly variableBytes: number;
  readonly variableInitBytes: number;
}

/** Options of {@link describeGeneratedProgram}. */
export interface DescribeOptions {
  /** Scratch bytes of a node no C kernel supports (from the cost contributions). */
  readonly fallbackScratch?: (index: number) => number;
}

/** Bytes of a constant's or a variable's C array: `max(n, 1)` elements (codegen-c's declaration). */
function arrayBytes(t: TensorInfo, data: TensorData | undefined): number {
  if (data !== undefined) return Math.max(data.length, 1) * data.BYTES_PER_ELEMENT;
  const n = Math.max(storageLength(t.dtype, t.shape), 1);
  const per =
    t.dtype === "int64"
      ? 8
      : t.dtype === "float32" || t.dtype === "int32" || t.dtype === "bit"
        ? 4
        : t.dtype === "int16"
          ? 2
          : 1;
  return n * per;
}

function supportClosure(pieces: readonly CSupportCodeView[], into: Map<string, CSupportCodeView>): string[] {
  const ids: string[] = [];
  const visit = (p: CSupportCodeView): void => {
    if (ids.includes(p.id)) return;
    ids.push(p.id);
    if (!into.has(p.id)) into.set(p.id, p);
    for (const r of p.requires ?? []) visit(r);
  };
  for (const p of pieces) visit(p);
  return ids;
}

/** Describes a graph as generated C on a target (see the file comment). */
export function describeGeneratedProgram(
  graph: Graph,
  registry: Registry,
  target: CTargetView,
  options: DescribeOptions = {},
): GeneratedProgramView {
  // 1. The kernel of every node and its scratch (the generator's step 1).
  const scratchIds = new Set<string>();
  const chosen = graph.nodes.map((node, index) => {
    const op = registry.op(node.op);
    const attrs = normalizeAttrs(node.op, op.attrs, node.attrs, node.name);
    const inputs = node.inputs.map((id) => (id === "" ? undefined : graph.tensors.get(id)));
    const outputs = node.outputs.map((id) => graph.tensors.get(id)!);
    const ctx: CKernelContextView = { node, attrs, inputs, outputs, target, registry };
    let kernel: CKernelView | undefined;
    try {
      kernel = selectCKernelView(ctx);
    } catch {
      kernel = undefined; // a kernel's supports() failed on this node: as if none took it
    }
    const requests =
      kernel !== undefined
        ? (kernel.scratch?.(ctx) ?? [])
        : [{ name: "fallback", bytes: options.fallbackScratch?.(index) ?? 0 }].filter((s) => s.bytes > 0);
    const scratch = requests.map((s) => {
      let id = `${node.name}#scratch:${s.name}`;
      for (let k = 1; graph.tensors.has(id) || scratchIds.has(id); k++)
        id = `${node.name}#scratch:${s.name}:${k}`;
      scratchIds.add(id);
      return { name: s.name, id, bytes: s.bytes };
    });
    return { node, index, ctx, kernel, scratch };
  });

  // 2. The arena: activations plus scratch, each scratch buffer live only while its node runs.
  const extraBuffers: ArenaBuffer[] = chosen.flatMap((c) =>
    c.scratch.map((s) => ({ id: s.id, bytes: s.bytes, first: c.index, last: c.index })),
  );
  const plan = planArena(graph, registry, { extraBuffers });

  // 3. What every kernel emits, recorded.
  const support = new Map<string, CSupportCodeView>();
  const namedConstants = new Set<string>();
  const variables = new Set<string>();
  let variableBytes = 0;
  let variableInitBytes = 0;
  const tensorExpr = (id: string | undefined, counted: { bytes: number }): string => {
    if (id === undefined || id === "") return "NULL";
    const t = graph.tensors.get(id);
    if (t === undefined) return "NULL";
    if (t.variable === true) {
      if (!variables.has(id)) {
        variables.add(id);
        variableBytes += arrayBytes(t, undefined);
        if (t.data !== undefined) variableInitBytes += arrayBytes(t, t.data);
      }
      return "v_";
    }
    if (isConstant(t)) {
      if (!namedConstants.has(id)) {
        namedConstants.add(id);
        counted.bytes += arrayBytes(t, t.data);
      }
      return "t_";
    }
    return `MCU_AT_(uint8_t, ${plan.offsets.get(id) ?? 0})`;
  };
  const nodes: (GeneratedNodeView & { direct: string[] })[] = chosen.map((c) => {
    const base = {
      index: c.index,
      node: c.node,
      scratch: c.scratch.map(({ name, bytes }) => ({ name, bytes })),
    };
    if (c.kernel === undefined) {
      return {
        ...base,
        variant: undefined,
        constArrayBytes: 0,
        constantTensorBytes: 0,
        supportIds: [],
        dspOnly: false,
        declarationBytes: 0,
        emitsCode: false,
        soleUser: false,
        direct: [],
      };
    }
    const counted = { bytes: 0 };
    let constArrayBytes = 0;
    const symbol = `l${c.index}`;
    const emitCtx: CEmitContextView = {
      ...c.ctx,
      symbol,
      index: c.index,
      input: (i) => tensorExpr(c.node.inputs[i], counted),
      output: (i) => tensorExpr(c.node.outputs[i], counted),
      sameBuffer: (i, j) => {
        const a = c.node.inputs[i];
        const b = c.node.outputs[j];
        if (a === undefined || b === undefined || a === "") return false;
        const oa = plan.offsets.get(a);
        return oa !== undefined && oa === plan.offsets.get(b);
      },
      scratch: (name) => `scratch_${name}`,
      constArray: (name, ctype, values) => {
        constArrayBytes += Math.max(values.length, 1) * cScalarBytes(ctype);
        return `${symbol}_${name}`;
      },
      literal: (value) => String(value),
    };
    let emission: ReturnType<CKernelView["emit"]>;
    try {
      emission = c.kernel.emit(emitCtx);
    } catch {
      // A kernel that accepted the node but cannot emit it: the node is described without it.
      return {
        ...base,
        variant: undefined,
        constArrayBytes: 0,
        constantTensorBytes: 0,
        supportIds: [],
        dspOnly: false,
        declarationBytes: 0,
        emitsCode: false,
        soleUser: false,
        direct: [],
      };
    }
    return {
      ...base,
      variant: `${c.kernel.op}:${c.kernel.variant}`,
      constArrayBytes,
      constantTensorBytes: counted.bytes,
      supportIds: supportClosure(emission.support ?? [], support),
      dspOnly: target.dsp && !c.kernel.supports({ ...c.ctx, target: { ...target, dsp: false } }),
      declarationBytes: declarationBytes(emission.declarations ?? ""),
      emitsCode: emission.code.trim() !== "",
      soleUser: false,
      direct: (emission.support ?? []).filter((p) => definesFunction(p.code)).map((p) => p.id),
    };
  });
  const users = new Map<string, number>();
  for (const n of nodes) for (const id of new Set(n.direct)) users.set(id, (users.get(id) ?? 0) + 1);
  const finished: GeneratedNodeView[] = nodes.map(({ direct, ...n }) => ({
    ...n,
    soleUser: direct.length > 0 && direct.every((id) => users.get(id) === 1),
  }));
  return { target, nodes: finished, plan, extraBuffers, support, variableBytes, variableInitBytes };
}

/** True if a piece of C defines a function (a `static` declaration with a parameter list and a body). */
export function definesFunction(code: string): boolean {
  return /\bstatic\b[^;{}=]*\([^;{}]*\)\s*\{/.test(code.replace(/\/\*[\s\S]*?\*\//g, " "));
}

/**
 * Bytes of file-scope descriptors: 4 per initializer value of every `static const ... = {...};`
 * (the descriptor structs codegen-c's kernels declare hold int32 fields and pointers, 4 bytes
 * each on a 32-bit core; arrays of structs count every element's values).
 */
export function declarationBytes(declarations: string): number {
  let bytes = 0;
  for (const m of declarations.matchAll(/=\s*\{([\s\S]*?)\};/g)) {
    const body = m[1]!.replace(/[{}]/g, ",");
    bytes += 4 * body.split(",").filter((v) => v.trim() !== "").length;
  }
  return bytes;
}

/** C tokens of a piece of support code (comments left out): the size measure of unmeasured code. */
export function cTokenCount(code: string): number {
  const stripped = code.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/[^\n]*/g, " ");
  return (
    stripped.match(
      /[A-Za-z_]\w*|\d[\w.]*|->|\+\+|--|<<=?|>>=?|[<>=!]=|&&|\|\||[-+*/%&|^~!<>=?:;,.(){}[\]#]/g,
    ) ?? []
  ).length;
}
