/**
 * The generator: a graph becomes `<name>.h` / `<name>.c` — C99 with one static arena laid out
 * by @mcu/tensor's planner (offsets baked in), the model's constants as `const` arrays, the
 * shared code of only the kernels the model uses, and `mcu_<name>_invoke`.
 */
import {
  type ArenaBuffer,
  type DType,
  type Graph,
  type GraphArenaPlan,
  InternalError,
  isConstant,
  McuError,
  type Node,
  normalizeAttrs,
  planArena,
  type Registry,
  storageLength,
  type TensorInfo,
} from "@mcu/tensor";
import {
  arrayNeedsMath,
  cArrayInitializer,
  cIdentifier,
  cLiteral,
  cString,
  cTypeBytes,
  cTypeOf,
  literalNeedsMath,
  modelIdentifier,
} from "./c-literals.js";
import type { CEmitContext, CKernelContext, CKernelDef, CScalarType, CSupportCode } from "./contract.js";
import { selectCKernel } from "./select.js";
import { type CTarget, cTarget, withFeatures } from "./targets.js";

/** Options of {@link generateC}. */
export interface GenerateCOptions {
  readonly registry: Registry;
  /** A target name (`host`, `cortex-m4`, ...) or target; default `host`. */
  readonly target?: string | CTarget;
  /** The model's C name (`mcu_<name>_invoke`); default `model`. */
  readonly name?: string;
  /** Switch core features off, e.g. `{ dsp: false }` to emit the portable C path on a DSP core. */
  readonly features?: { readonly dsp?: boolean };
}

/** A graph input or output as the generated code describes it. */
export interface CTensorDescriptor {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Bytes of one tensor in memory (the size of the buffer `invoke` reads or writes). */
  readonly bytes: number;
  readonly scale?: number;
  readonly zeroPoint?: number;
}

/** One node of the generated program. */
export interface CLayer {
  readonly index: number;
  readonly node: string;
  readonly op: string;
  /** The C kernel variant that emitted it (`core/float32`, `quant/int8-dsp`, ...). */
  readonly variant: string;
  /** Bytes of scratch buffers it uses (in the arena). */
  readonly scratchBytes: number;
}

/** The generated C of one model. */
export interface GeneratedC {
  /** The C model name: `mcu_<name>_invoke`, `MCU_<NAME>_ARENA_BYTES`. */
  readonly name: string;
  readonly target: CTarget;
  readonly headerFile: string;
  readonly sourceFile: string;
  readonly header: string;
  readonly source: string;
  /** `MCU_<NAME>_ARENA_BYTES`: the planner's peak. */
  readonly arenaBytes: number;
  readonly plan: GraphArenaPlan;
  /** The kernels' scratch buffers in `plan` (id `<node>#scratch:<name>`), each live only while its node runs. */
  readonly scratch: readonly ArenaBuffer[];
  readonly inputs: readonly CTensorDescriptor[];
  readonly outputs: readonly CTensorDescriptor[];
  readonly layers: readonly CLayer[];
  /** True when the source includes `<math.h>` (link with `-lm` on the host). */
  readonly usesMath: boolean;
}

/** Canary bytes on each side of the arena in a `MCU_DEBUG_CANARIES` build. */
export const CANARY_BYTES = 64;

const DTYPE_CODES: Readonly<Record<DType, number>> = {
  float32: 1,
  int32: 2,
  int16: 3,
  int8: 4,
  uint8: 5,
  int4: 6,
  bit: 7,
  int64: 8,
  bool: 9,
};

interface Prepared {
  readonly node: Node;
  readonly index: number;
  readonly ctx: CKernelContext;
  readonly kernel: CKernelDef;
  readonly scratch: readonly { readonly name: string; readonly id: string; readonly bytes: number }[];
}

function memoryBytes(t: TensorInfo): number {
  return storageLength(t.dtype, t.shape) * cTypeBytes(cTypeOf(t.dtype));
}

function descriptor(t: TensorInfo): CTensorDescriptor {
  return {
    name: t.name,
    dtype: t.dtype,
    shape: t.shape,
    bytes: memoryBytes(t),
    ...(t.quant !== undefined && t.quant.scale.length > 0
      ? { scale: t.quant.scale[0]!, zeroPoint: t.quant.zeroPoint[0] ?? 0 }
      : {}),
  };
}

/** Makes names unique: `w`, `w_1`, `w_2`, ... */
class NameSet {
  private readonly used = new Set<string>();
  unique(base: string): string {
    let s = base;
    for (let k = 1; this.used.has(s); k++) s = `${base}_${k}`;
    this.used.add(s);
    return s;
  }
}

/** Orders support code so that every piece follows what it requires; one copy per id. */
function orderSupport(pieces: readonly CSupportCode[]): CSupportCode[] {
  const out: CSupportCode[] = [];
  const seen = new Map<string, CSupportCode>();
  const visit = (p: CSupportCode, stack: readonly string[]): void => {
    const prior = seen.get(p.id);
    if (prior !== undefined) {
      if (prior.code !== p.code) {
        throw new InternalError(`two different C support pieces are both called "${p.id}"`);
      }
      return;
    }
    if (stack.includes(p.id)) throw new InternalError(`C support "${p.id}" requires itself`);
    for (const r of p.requires ?? []) visit(r, [...stack, p.id]);
    seen.set(p.id, p);
    out.push(p);
  };
  for (const p of pieces) visit(p, []);
  return out;
}

/** Generates `<name>.h` and `<name>.c` for a graph. */
export function generateC(graph: Graph, options: GenerateCOptions): GeneratedC {
  const { registry } = options;
  const base = typeof options.target === "object" ? options.target : cTarget(options.target ?? "host");
  const target = withFeatures(base, options.features ?? {});
  const name = modelIdentifier(options.name ?? "model");
  const NAME = name.toUpperCase();

  // 1. Choose a C kernel per node and collect its scratch needs.
  const scratchIds = new Set<string>();
  const prepared: Prepared[] = graph.nodes.map((node, index) => {
    const op = registry.op(node.op);
    const attrs = normalizeAttrs(node.op, op.attrs, node.attrs, node.name);
    const inputs = node.inputs.map((id) => (id === "" ? undefined : graph.tensors.get(id)));
    const outputs = node.outputs.map((id) => graph.tensors.get(id)!);
    const ctx: CKernelContext = { node, attrs, inputs, outputs, target, registry };
    const kernel = selectCKernel(ctx);
    const scratch = (kernel.scratch?.(ctx) ?? []).map((s) => {
      let id = `${node.name}#scratch:${s.name}`;
      for (let k = 1; graph.tensors.has(id) || scratchIds.has(id); k++)
        id = `${node.name}#scratch:${s.name}:${k}`;
      scratchIds.add(id);
      if (!Number.isInteger(s.bytes) || s.bytes < 0) {
        throw new InternalError(`C kernel ${kernel.variant} asked for ${s.bytes} scratch bytes`);
      }
      return { name: s.name, id, bytes: s.bytes };
    });
    return { node, index, ctx, kernel, scratch };
  });

  // 2. Plan the arena: activations plus scratch buffers, each live only while its node runs.
  const extraBuffers: ArenaBuffer[] = prepared.flatMap((p) =>
    p.scratch.map((s) => ({ id: s.id, bytes: s.bytes, first: p.index, last: p.index })),
  );
  for (const t of graph.tensors.values()) {
    // The planner sizes buffers as stored (int4 two per byte); C holds int4 one per byte.
    if (t.dtype === "int4" && !isConstant(t)) {
      throw new McuError("MCU_E_UNSUPPORTED", `int4 activations are not supported by the C generator`, {
        tensor: t.name,
      });
    }
  }
  const plan = planArena(graph, registry, { extraBuffers });
  const arenaBytes = plan.peakBytes;

  // 3. Names of the data in C.
  const names = new NameSet();
  let usesMath = false;
  const constantDecls: string[] = [];
  const constantSymbols = new Map<string, string>();
  const variableSymbols = new Map<string, { symbol: string; init?: string; bytes: number }>();
  const at = (ctype: string, offset: number, isConst: boolean): string =>
    `MCU_AT_(${isConst ? "const " : ""}${ctype}, ${offset})`;

  const constantSymbol = (t: TensorInfo): string => {
    const known = constantSymbols.get(t.name);
    if (known !== undefined) return known;
    const ctype = cTypeOf(t.dtype);
    const symbol = names.unique(`t_${cIdentifier(t.name)}`.slice(0, 60));
    const data = t.data!;
    if (arrayNeedsMath(data as ArrayLike<number>, ctype)) usesMath = true;
    constantDecls.push(
      `/* ${t.name}: ${t.dtype}[${t.shape.join(",")}] */\nstatic const ${ctype} ${symbol}[${Math.max(data.length, 1)}] = ${cArrayInitializer(data as ArrayLike<number>, ctype)};`,
    );
    constantSymbols.set(t.name, symbol);
    return symbol;
  };

  const variableSymbol = (t: TensorInfo): string => {
    const known = variableSymbols.get(t.name);
    if (known !== undefined) return known.symbol;
    const symbol = names.unique(`v_${cIdentifier(t.name)}`.slice(0, 60));
    const ctype = cTypeOf(t.dtype);
    const n = Math.max(storageLength(t.dtype, t.shape), 1);
    let init: string | undefined;
    if (t.data !== undefined) {
      init = names.unique(`${symbol}_init`);
      constantDecls.push(
        `static const ${ctype} ${init}[${n}] = ${cArrayInitializer(t.data as ArrayLike<number>, ctype)};`,
      );
    }
    constantDecls.push(`static ${ctype} ${symbol}[${n}];`);
    variableSymbols.set(t.name, { symbol, ...(init !== undefined ? { init } : {}), bytes: memoryBytes(t) });
    return symbol;
  };

  /** A C expression for a tensor's data, as `const T *` or `T *`. */
  const tensorExpr = (id: string, writable: boolean): string => {
    if (id === "") return "NULL";
    const t = graph.tensors.get(id);
    if (t === undefined) throw new InternalError(`tensor "${id}" is not in the graph`);
    const ctype = cTypeOf(t.dtype);
    if (t.variable === true) return variableSymbol(t);
    if (isConstant(t)) {
      if (writable) throw new InternalError(`node output "${id}" is a constant`);
      return constantSymbol(t);
    }
    const offset = plan.offsets.get(id);
    if (offset === undefined) throw new InternalError(`tensor "${id}" has no place in the arena`);
    return at(ctype, offset, !writable);
  };

  // 4. Emit every node.
  const supportPieces: CSupportCode[] = [];
  const nodeDecls: string[] = [];
  const body: string[] = [];
  const layers: CLayer[] = [];
  for (const p of prepared) {
    const symbol = names.unique(`l${p.index}_${cIdentifier(p.node.name)}`.slice(0, 48));
    const localArrays = new Set<string>();
    const scratchOffsets = new Map(p.scratch.map((s) => [s.name, plan.offsets.get(s.id)!]));
    const emitCtx: CEmitContext = {
      ...p.ctx,
      symbol,
      index: p.index,
      input: (i) => tensorExpr(p.node.inputs[i] ?? "", false),
      output: (i) => tensorExpr(p.node.outputs[i] ?? "", true),
      sameBuffer: (i, j) => {
        const a = p.node.inputs[i];
        const b = p.node.outputs[j];
        if (a === undefined || b === undefined || a === "") return false;
        const oa = plan.offsets.get(a);
        return oa !== undefined && oa === plan.offsets.get(b);
      },
      scratch: (s) => {
        const off = scratchOffsets.get(s);
        if (off === undefined) throw new InternalError(`${p.kernel.variant} did not ask for scratch "${s}"`);
        return `((void *)${at("uint8_t", off, false)})`;
      },
      constArray: (arrayName, ctype: CScalarType, values) => {
        const sym = `${symbol}_${cIdentifier(arrayName)}`;
        if (localArrays.has(sym))
          throw new InternalError(`${p.kernel.variant} declared "${arrayName}" twice`);
        localArrays.add(sym);
        if (arrayNeedsMath(values, ctype)) usesMath = true;
        nodeDecls.push(
          `static const ${ctype} ${sym}[${Math.max(values.length, 1)}] = ${cArrayInitializer(values, ctype)};`,
        );
        return sym;
      },
      literal: (value, ctype) => {
        if (literalNeedsMath(value, ctype)) usesMath = true;
        return cLiteral(value, ctype);
      },
    };
    const emission = p.kernel.emit(emitCtx);
    supportPieces.push(...(emission.support ?? []));
    if (emission.declarations !== undefined && emission.declarations !== "")
      nodeDecls.push(emission.declarations);
    const label = `${p.index}: ${p.node.op} ${p.node.name} (${p.kernel.variant})`.replace(/\*\//g, "* /");
    const code = emission.code.trim();
    body.push(
      `  { /* ${label} */`,
      "    MCU_LAYER_BEGIN_();",
      ...(code === "" ? [] : code.split("\n").map((l) => `    ${l}`)),
      `    MCU_LAYER_END_(${p.index}, ${cString(p.node.name)}, ${cString(p.node.op)});`,
      `    MCU_CANARY_CHECK_(${p.index});`,
      "  }",
    );
    layers.push({
      index: p.index,
      node: p.node.name,
      op: p.node.op,
      variant: p.kernel.variant,
      scratchBytes: p.scratch.reduce((s, b) => s + b.bytes, 0),
    });
  }
  const support = orderSupport(supportPieces);
  if (support.some((s) => s.math === true)) usesMath = true;

  // 5. Graph inputs are copied into the arena, outputs out of it.
  const inputs = graph.inputs.map((id) => graph.tensors.get(id)!);
  const outputs = graph.outputs.map((id) => graph.tensors.get(id)!);
  for (const t of inputs) {
    if (isConstant(t) || t.variable === true) {
      throw new McuError("MCU_E_GRAPH", `graph input "${t.name}" is a constant or variable tensor`, {
        tensor: t.name,
      });
    }
  }
  const copyIn = inputs.map((t, i) => {
    const bytes = memoryBytes(t);
    return bytes === 0
      ? ""
      : `  memcpy(${at("uint8_t", plan.offsets.get(t.name)!, false)}, in[${i}], ${bytes}u);`;
  });
  const copyOut = outputs.map((t, i) => {
    const bytes = memoryBytes(t);
    if (bytes === 0) return "";
    return `  memcpy(out[${i}], ${tensorExpr(t.name, false)}, ${bytes}u);`;
  });

  const header = renderHeader(name, NAME, arenaBytes, inputs, outputs, graph.nodes.length, target);
  const source = renderSource({
    name,
    NAME,
    target,
    arenaBytes,
    usesMath,
    support,
    constantDecls,
    nodeDecls,
    body,
    copyIn,
    copyOut,
    inputs,
    outputs,
    variables: [...variableSymbols.values()],
  });
  return {
    name,
    target,
    headerFile: `${name}.h`,
    sourceFile: `${name}.c`,
    header,
    source,
    arenaBytes,
    plan,
    scratch: extraBuffers,
    inputs: inputs.map(descriptor),
    outputs: outputs.map(descriptor),
    layers,
    usesMath,
  };
}

function renderHeader(
  name: string,
  NAME: string,
  arenaBytes: number,
  inputs: readonly TensorInfo[],
  outputs: readonly TensorInfo[],
  layers: number,
  target: CTarget,
): string {
  return `/* Generated by @mcu/codegen-c for ${target.name}. C99; no malloc. */
#ifndef MCU_${NAME}_H
#define MCU_${NAME}_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of the model's static arena (activations and scratch), as planned. */
#define MCU_${NAME}_ARENA_BYTES ${arenaBytes}u
#define MCU_${NAME}_NUM_INPUTS ${inputs.length}
#define MCU_${NAME}_NUM_OUTPUTS ${outputs.length}
#define MCU_${NAME}_NUM_LAYERS ${layers}

#ifndef MCU_TENSOR_DESC_DEFINED
#define MCU_TENSOR_DESC_DEFINED
/* Element types of tensor descriptors. */
#define MCU_DTYPE_FLOAT32 1
#define MCU_DTYPE_INT32 2
#define MCU_DTYPE_INT16 3
#define MCU_DTYPE_INT8 4
#define MCU_DTYPE_UINT8 5
#define MCU_DTYPE_INT4 6
#define MCU_DTYPE_BIT 7
#define MCU_DTYPE_INT64 8
#define MCU_DTYPE_BOOL 9
/* A model input or output: its element type, shape, size in bytes and quantization. */
typedef struct {
  const char *name;
  int32_t dtype;
  int32_t rank;
  const int32_t *shape;
  uint32_t bytes;
  float scale;      /* 0 when not quantized */
  int32_t zero_point;
} mcu_tensor_desc_t;
#endif

extern const mcu_tensor_desc_t mcu_${name}_inputs[${Math.max(inputs.length, 1)}];
extern const mcu_tensor_desc_t mcu_${name}_outputs[${Math.max(outputs.length, 1)}];

/*
 * Runs one inference: in[i] points at input i (mcu_${name}_inputs[i].bytes bytes, laid out as
 * the model's input), out[i] at a buffer for output i. Returns 0; a build with
 * MCU_DEBUG_CANARIES returns -(k + 1) when layer k wrote outside the arena.
 */
int mcu_${name}_invoke(const void *in[], void *out[]);

/* Restores the model's state tensors (recurrent layers) to their initial values. */
void mcu_${name}_reset(void);

#ifdef MCU_PROFILE
/*
 * Per-layer profiling (compiled only with -DMCU_PROFILE): called after every layer with the
 * time it took. Define it in your application. The timer is DWT->CYCCNT on Cortex-M3/M4/M7/
 * M33, SysTick (24-bit, counting down from 0xFFFFFF) on Cortex-M0+, clock() on a host; define
 * MCU_PROFILE_USER_TIMER and uint32_t mcu_profile_now(void) to use your own.
 */
void mcu_profile_layer(const char *model, int32_t index, const char *name, const char *op, uint32_t elapsed);
#endif

#ifdef __cplusplus
}
#endif

#endif /* MCU_${NAME}_H */
`;
}

interface SourceParts {
  readonly name: string;
  readonly NAME: string;
  readonly target: CTarget;
  readonly arenaBytes: number;
  readonly usesMath: boolean;
  readonly support: readonly CSupportCode[];
  readonly constantDecls: readonly string[];
  readonly nodeDecls: readonly string[];
  readonly body: readonly string[];
  readonly copyIn: readonly string[];
  readonly copyOut: readonly string[];
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  readonly variables: readonly { symbol: string; init?: string; bytes: number }[];
}

function descriptorTable(name: string, kind: "inputs" | "outputs", tensors: readonly TensorInfo[]): string {
  const shapes = tensors.map(
    (t, i) =>
      `static const int32_t mcu_${name}_${kind}_shape${i}_[${Math.max(t.shape.length, 1)}] = {${t.shape.length === 0 ? "1" : t.shape.join(", ")}};`,
  );
  const rows = tensors.map((t, i) => {
    const d = descriptor(t);
    return `  {${cString(t.name)}, ${DTYPE_CODES[t.dtype]}, ${t.shape.length}, mcu_${name}_${kind}_shape${i}_, ${d.bytes}u, ${cLiteral(d.scale ?? 0, "float")}, ${d.zeroPoint ?? 0}},`;
  });
  const table = `const mcu_tensor_desc_t mcu_${name}_${kind}[${Math.max(tensors.length, 1)}] = {\n${rows.length > 0 ? rows.join("\n") : "  {0, 0, 0, 0, 0u, 0.0f, 0},"}\n};`;
  return [...shapes, table].join("\n");
}

function renderSource(s: SourceParts): string {
  const { name, NAME } = s;
  const arena = `mcu_${name}_arena_`;
  const declaredBytes = Math.max(s.arenaBytes, 1);
  const reset = s.variables.map((v) =>
    v.init !== undefined
      ? `  memcpy(${v.symbol}, ${v.init}, ${v.bytes}u);`
      : `  memset(${v.symbol}, 0, ${v.bytes}u);`,
  );
  const usesIn = s.copyIn.some((l) => l !== "");
  const usesOut = s.copyOut.some((l) => l !== "");
  return `/* Generated by @mcu/codegen-c for ${s.target.name}. C99; no malloc; <stdint.h> <string.h>${s.usesMath ? " <math.h>" : ""}. */
#include "${name}.h"

#include <stdint.h>
#include <string.h>
${s.usesMath ? "#include <math.h>\n" : ""}
/* ---- per-layer profiling: nothing unless MCU_PROFILE is defined ---- */
#ifdef MCU_PROFILE
#  if defined(MCU_PROFILE_USER_TIMER)
#    define MCU_NOW_() mcu_profile_now()
#    define MCU_ELAPSED_(t0, t1) ((uint32_t)((t1) - (t0)))
uint32_t mcu_profile_now(void);
#  elif defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)
/* DWT cycle counter (ARMv7-M Architecture Reference Manual, C1.8): enabled on first use. */
static uint32_t mcu_${name}_now_(void) {
  static int on = 0;
  if (!on) {
    *(volatile uint32_t *)0xE000EDFCu |= 1u << 24; /* DEMCR.TRCENA */
    *(volatile uint32_t *)0xE0001004u = 0u;        /* DWT_CYCCNT */
    *(volatile uint32_t *)0xE0001000u |= 1u;       /* DWT_CTRL.CYCCNTENA */
    on = 1;
  }
  return *(volatile uint32_t *)0xE0001004u;
}
#    define MCU_NOW_() mcu_${name}_now_()
#    define MCU_ELAPSED_(t0, t1) ((uint32_t)((t1) - (t0)))
#  elif defined(__arm__)
/* SysTick current value (counts down, 24 bits); the application starts SysTick. */
#    define MCU_NOW_() (*(volatile uint32_t *)0xE000E018u)
#    define MCU_ELAPSED_(t0, t1) ((uint32_t)(((t0) - (t1)) & 0xFFFFFFu))
#  else
#    include <time.h>
#    define MCU_NOW_() ((uint32_t)clock())
#    define MCU_ELAPSED_(t0, t1) ((uint32_t)((t1) - (t0)))
#  endif
#  define MCU_LAYER_BEGIN_() const uint32_t mcu_t0_ = MCU_NOW_()
#  define MCU_LAYER_END_(i, layer, op) mcu_profile_layer("${name}", (i), (layer), (op), MCU_ELAPSED_(mcu_t0_, MCU_NOW_()))
#else
#  define MCU_LAYER_BEGIN_() ((void)0)
#  define MCU_LAYER_END_(i, layer, op) ((void)0)
#endif

/* ---- the arena: ${s.arenaBytes} bytes; with MCU_DEBUG_CANARIES, ${CANARY_BYTES} canary bytes on each side ---- */
#ifdef MCU_DEBUG_CANARIES
#  define MCU_GUARD_ ${CANARY_BYTES}u
#else
#  define MCU_GUARD_ 0u
#endif
static union {
  uint8_t bytes[${declaredBytes}u + 2u * MCU_GUARD_];
  uint64_t align8_;
  double alignd_;
} ${arena};
#define MCU_AT_(type, offset) ((type *)(void *)(${arena}.bytes + MCU_GUARD_ + (offset)))

#ifdef MCU_DEBUG_CANARIES
static void mcu_${name}_canary_fill_(void) {
  uint32_t i;
  for (i = 0; i < MCU_GUARD_; i++) {
    ${arena}.bytes[i] = (uint8_t)(0xA5u ^ i);
    ${arena}.bytes[MCU_GUARD_ + ${declaredBytes}u + i] = (uint8_t)(0x5Au ^ i);
  }
}
static int mcu_${name}_canary_ok_(void) {
  uint32_t i;
  for (i = 0; i < MCU_GUARD_; i++) {
    if (${arena}.bytes[i] != (uint8_t)(0xA5u ^ i)) return 0;
    if (${arena}.bytes[MCU_GUARD_ + ${declaredBytes}u + i] != (uint8_t)(0x5Au ^ i)) return 0;
  }
  return 1;
}
#  define MCU_CANARY_FILL_() mcu_${name}_canary_fill_()
#  define MCU_CANARY_CHECK_(i) do { if (!mcu_${name}_canary_ok_()) return -((i) + 1); } while (0)
#else
#  define MCU_CANARY_FILL_() ((void)0)
#  define MCU_CANARY_CHECK_(i) ((void)0)
#endif

/* ---- kernels (only those this model uses) ---- */
${s.support.map((p) => `/* ${p.id} */\n${p.code.trim()}\n`).join("\n")}
/* ---- constants ---- */
${s.constantDecls.join("\n")}

/* ---- layer parameters ---- */
${s.nodeDecls.join("\n")}

/* ---- I/O descriptors ---- */
${descriptorTable(name, "inputs", s.inputs)}
${descriptorTable(name, "outputs", s.outputs)}

void mcu_${name}_reset(void) {
${reset.length > 0 ? reset.join("\n") : "  /* no state tensors */"}
}

int mcu_${name}_invoke(const void *in[], void *out[]) {
${usesIn ? "" : "  (void)in;\n"}${usesOut ? "" : "  (void)out;\n"}  MCU_CANARY_FILL_();
${s.copyIn.filter((l) => l !== "").join("\n")}
${s.body.join("\n")}
${s.copyOut.filter((l) => l !== "").join("\n")}
  return 0;
}
/* ${NAME} */
`;
}
