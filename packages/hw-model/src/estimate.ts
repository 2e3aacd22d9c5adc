/**
 * The estimate: per layer and in total, RAM, flash, latency under both latency models and
 * energy for one board — and whether the model fits.
 */
import { type Graph, isConstant, McuError, numElements, type Registry, tensorBytes } from "@mcu/tensor";
import { type Board, boardById } from "./boards.js";
import { builtinCosts, runtimeInvokeInstructions } from "./builtin-costs.js";
import { cTargetOfFamily } from "./c-kernel-view.js";
import { type CoreCostContext, type HwCostContribution, isHwCostContribution } from "./cost-contract.js";
import { CORE_FAMILY_SPECS } from "./cores.js";
import { generatedFlash, pieceBytes } from "./generated-code-size.js";
import { codeSizeTableOf } from "./generated-models.js";
import { describeGeneratedProgram } from "./generated-program.js";
import { costContexts } from "./graph-layers.js";
import { dtypeVariant, kernelClassOf } from "./layer-features.js";
import { cyclesPerInstruction } from "./runtime-models.js";

/** The hw-model plugin's name; its builtin contributions are added when a registry lacks them. */
export const HW_MODEL_PLUGIN_NAME = "@mcu/hw-model";

/** Stack of the generated invoke and its deepest kernel: an estimate, not measured. */
const STACK_ESTIMATE_BYTES = 1024;

/** Latency under both models, ms; null where a layer has no model. */
export interface LatencyPair {
  readonly generated: number | null;
  readonly tflmCmsisNn: number | null;
}

/** One layer of the estimate. */
export interface LayerEstimate {
  readonly name: string;
  readonly op: string;
  /** The contribution that costed it (`op:variant`), or null when none supports the node. */
  readonly kernel: string | null;
  readonly macs: number;
  /** Constant elements (weights, bias). */
  readonly params: number;
  /** Flash bytes of the constants in the layer's storage format. */
  readonly weightBytes: number;
  /** Bytes of the layer's outputs. */
  readonly activationBytes: number;
  readonly scratchBytes: number;
  /** Arena bytes live while this layer runs (its inputs, outputs and everything kept for later). */
  readonly liveArenaBytes: number;
  /** Flash of the layer: weights plus its call site. */
  readonly flashBytes: number;
  readonly instructions: LatencyPair;
  readonly latencyMs: LatencyPair;
  readonly energyUj: number | null;
}

/** The full estimate, with the breakdown the JSON document leaves out. */
export interface EstimateReport {
  readonly board: Board;
  readonly fits: boolean;
  readonly ramBytes: number;
  readonly flashBytes: number;
  readonly ram: { readonly arenaBytes: number; readonly stateBytes: number; readonly stackBytes: number };
  readonly flash: {
    readonly weightBytes: number;
    readonly kernelCodeBytes: number;
    readonly layerCodeBytes: number;
    readonly runtimeBytes: number;
  };
  /** Board SRAM / flash minus the estimate (negative: does not fit). */
  readonly ramMarginBytes: number;
  readonly flashMarginBytes: number;
  readonly latencyMs: LatencyPair;
  /** Instructions of one inference under both models (QEMU-counted instructions; null where a layer has no model). */
  readonly instructions: LatencyPair;
  readonly energyUj: number | null;
  readonly layers: readonly LayerEstimate[];
  /** Index of the slowest layer (generated code), or -1 for an empty graph. */
  readonly bottleneck: number;
  readonly warnings: readonly string[];
}

/** Options of {@link estimateModel}. */
export interface EstimateOptions {
  readonly registry: Registry;
  /** A catalog board id or a board value. */
  readonly board: string | Board;
}

const BUILTIN = new Set<HwCostContribution>(builtinCosts);

/** True for hw-model's own contributions (their storage is what the C kernels emit). */
function isBuiltinCost(c: HwCostContribution): boolean {
  return BUILTIN.has(c);
}

/** The contributions a registry offers, with the builtin ones when the hw-model plugin is absent. */
export function costContributions(registry: Registry): HwCostContribution[] {
  const fromRegistry = registry.costs().filter(isHwCostContribution);
  const hasBuiltin = registry.plugins.some((p) => p.name === HW_MODEL_PLUGIN_NAME);
  return hasBuiltin ? fromRegistry : [...fromRegistry, ...builtinCosts];
}

/** The highest-priority contribution that supports a node (stable: registration order wins ties). */
function selectCost(
  list: readonly HwCostContribution[],
  ctx: CoreCostContext,
): HwCostContribution | undefined {
  let best: HwCostContribution | undefined;
  for (const c of list) {
    if (c.op !== ctx.node.op || !c.supports(ctx)) continue;
    if (best === undefined || (c.priority ?? 0) > (best.priority ?? 0)) best = c;
  }
  return best;
}

function sum(xs: readonly (number | null)[]): number | null {
  let s = 0;
  for (const x of xs) {
    if (x === null) return null;
    s += x;
  }
  return s;
}

/** Estimates RAM, flash, latency and energy of a graph on a board. */
export function estimateModel(graph: Graph, options: EstimateOptions): EstimateReport {
  const board = typeof options.board === "string" ? boardById(options.board) : options.board;
  const family = board.core;
  const dsp = CORE_FAMILY_SPECS[family].dsp;
  const contributions = costContributions(options.registry);
  const warnings: string[] = [];
  const cpi = cyclesPerInstruction(family);
  const toMs = (instr: number | null): number | null =>
    instr === null ? null : ((instr * cpi) / board.clockHz.value) * 1000;
  const power = board.activePower?.milliwatts;

  const base = costContexts(graph, options.registry).map((c): CoreCostContext => ({ ...c, family, dsp }));
  const chosen = base.map((ctx) => selectCost(contributions, ctx));

  // The program codegen-c generates for this core, as the registry's C kernels describe it: the
  // kernel of every node, its scratch, what it puts in flash. Nodes no C kernel takes fall back
  // to their cost contribution (and codegen-c could not generate the model as it is).
  const program = describeGeneratedProgram(graph, options.registry, cTargetOfFamily(family), {
    fallbackScratch: (i) => chosen[i]?.scratchBytes?.(base[i]!) ?? 0,
  });
  const contexts = base.map((ctx, i): CoreCostContext => {
    const n = program.nodes[i]!;
    return n.variant === undefined
      ? ctx
      : { ...ctx, generated: { variant: n.variant, dspOnly: n.dspOnly, soleUser: n.soleUser } };
  });
  const withoutC = program.nodes.filter(
    (n) => n.variant === undefined && kernelClassOf(base[n.index]!) !== "view",
  );
  if (withoutC.length > 0 && options.registry.cKernels().length > 0) {
    const names = withoutC.slice(0, 3).map((n) => `${n.node.op} "${n.node.name}"`);
    warnings.push(
      `no installed C kernel takes ${names.join(", ")}${withoutC.length > 3 ? ` and ${withoutC.length - 3} more` : ""}: codegen-c cannot generate this model as it is; their flash and scratch are estimates`,
    );
  }
  const plan = program.plan;
  const buffers = [
    ...plan.lifetimes
      .filter((l) => l.aliasOf === undefined)
      .map((l) => ({ bytes: l.bytes, first: l.first, last: l.last })),
    ...program.extraBuffers,
  ];
  const sizes = codeSizeTableOf(family);
  const flashOfProgram = generatedFlash(sizes, program, graph);
  // Flash: what the C kernel emits (and the measured code sizes) for nodes the builtin variants
  // cost; a plugin's own declaration (its contract) for the nodes its contributions cost, and for
  // nodes no C kernel takes.
  const fromProgram = program.nodes.map((n, i) => {
    const c = chosen[i];
    return n.variant !== undefined && (c === undefined || isBuiltinCost(c));
  });
  const pieces = new Set(program.nodes.flatMap((n, i) => (fromProgram[i] ? n.supportIds : [])));
  let programKernelBytes = 0;
  for (const id of pieces) programKernelBytes += pieceBytes(sizes, program.support.get(id)!);

  const codeKeys = new Map<string, number>();
  const layers: LayerEstimate[] = contexts.map((ctx, i) => {
    const c = chosen[i];
    const n = program.nodes[i]!;
    if (c === undefined) {
      warnings.push(
        `no cost model for ${ctx.node.op} "${ctx.node.name}" (${dtypeVariant(ctx)}): latency unknown`,
      );
    } else if (!fromProgram[i]) {
      const key = c.codeKey ?? `${c.op}:${c.variant}`;
      if (!codeKeys.has(key)) codeKeys.set(key, c.kernelCodeBytes(family));
    }
    let params = 0;
    for (const t of ctx.inputs) if (t !== undefined && isConstant(t)) params += numElements(t.shape);
    const weightBytes = fromProgram[i] ? flashOfProgram.nodeConstBytes[i]! : (c?.weightBytes(ctx) ?? 0);
    const layerCode = fromProgram[i]
      ? flashOfProgram.nodeDescriptorBytes[i]! + (n.emitsCode ? Math.round(sizes.perLayer) : 0)
      : (c?.layerCodeBytes?.(ctx) ?? 0);
    let activationBytes = 0;
    for (const t of ctx.outputs) activationBytes += tensorBytes(t);
    let live = 0;
    for (const b of buffers) if (b.first <= i && i <= b.last) live += b.bytes;
    const instructions: LatencyPair = {
      generated: c?.generatedInstructions?.(ctx) ?? null,
      tflmCmsisNn: c?.tflmInstructions?.(ctx) ?? null,
    };
    const latencyMs: LatencyPair = {
      generated: toMs(instructions.generated),
      tflmCmsisNn: toMs(instructions.tflmCmsisNn),
    };
    return {
      name: ctx.node.name,
      op: ctx.node.op,
      kernel: c === undefined ? null : `${c.op}:${c.variant}`,
      macs: ctx.macs,
      params,
      weightBytes,
      activationBytes,
      scratchBytes: n.scratch.reduce((s, b) => s + b.bytes, 0),
      liveArenaBytes: live,
      flashBytes: weightBytes + layerCode,
      instructions,
      latencyMs,
      energyUj: power === undefined || latencyMs.generated === null ? null : power * latencyMs.generated,
    };
  });

  const anyFloat = contexts.some((c) => dtypeVariant(c) === "float32");
  const ioBytes = [...graph.inputs, ...graph.outputs].reduce(
    (s, id) => s + tensorBytes(graph.tensors.get(id)!),
    0,
  );
  const invoke = {
    generated: runtimeInvokeInstructions("generated", family, anyFloat, ioBytes),
    tflmCmsisNn: runtimeInvokeInstructions("tflm", family, anyFloat),
  };
  const genInstr = sum(layers.map((l) => l.instructions.generated));
  const tflmInstr = sum(layers.map((l) => l.instructions.tflmCmsisNn));
  const instructions: LatencyPair = {
    generated: genInstr === null ? null : genInstr + invoke.generated,
    tflmCmsisNn: tflmInstr === null ? null : tflmInstr + invoke.tflmCmsisNn,
  };
  const latencyMs: LatencyPair = {
    generated: toMs(instructions.generated),
    tflmCmsisNn: toMs(instructions.tflmCmsisNn),
  };

  let stateBytes = 0;
  for (const t of graph.tensors.values()) if (t.variable === true) stateBytes += tensorBytes(t);
  const ram = { arenaBytes: plan.peakBytes, stateBytes, stackBytes: STACK_ESTIMATE_BYTES };
  // Code sizes are fitted (fractional bytes): the breakdown is rounded to whole bytes.
  const flash = {
    weightBytes: Math.round(layers.reduce((s, l) => s + l.weightBytes, 0) + flashOfProgram.stateInitBytes),
    kernelCodeBytes: Math.round(programKernelBytes + [...codeKeys.values()].reduce((s, b) => s + b, 0)),
    layerCodeBytes: Math.round(layers.reduce((s, l) => s + (l.flashBytes - l.weightBytes), 0)),
    runtimeBytes: Math.round(flashOfProgram.runtimeBytes + flashOfProgram.ioDescriptorBytes),
  };
  // The arena is declared as a union with a uint64_t and a double (8-byte aligned storage).
  const ramBytes = Math.ceil(ram.arenaBytes / 8) * 8 + ram.stateBytes + ram.stackBytes;
  const flashBytes = flash.weightBytes + flash.kernelCodeBytes + flash.layerCodeBytes + flash.runtimeBytes;

  let bottleneck = -1;
  layers.forEach((l, i) => {
    const v = l.latencyMs.generated ?? l.latencyMs.tflmCmsisNn ?? -1;
    const best =
      bottleneck < 0
        ? -1
        : (layers[bottleneck]!.latencyMs.generated ?? layers[bottleneck]!.latencyMs.tflmCmsisNn ?? -1);
    if (v > best) bottleneck = i;
  });
  if (family === "cortex-m0plus") {
    warnings.push(
      "Cortex-M0+ latency of the generated code is derived from Cortex-M3 measurements (QEMU has no M0+ board)",
    );
  }
  if (board.sramBytes.unverified !== undefined || board.flashBytes.unverified !== undefined) {
    warnings.push(`${board.id}: memory sizes not verified against a cited source (see the catalog)`);
  }
  return {
    board,
    fits: ramBytes <= board.sramBytes.value && flashBytes <= board.flashBytes.value,
    ramBytes,
    flashBytes,
    ram,
    flash,
    ramMarginBytes: board.sramBytes.value - ramBytes,
    flashMarginBytes: board.flashBytes.value - flashBytes,
    latencyMs,
    instructions,
    energyUj: power === undefined || latencyMs.generated === null ? null : power * latencyMs.generated,
    layers,
    bottleneck,
    warnings,
  };
}

/** The schema-1 JSON document of `mcu estimate --json` (exactly the keys DESIGN.md lists). */
export interface EstimateJson {
  readonly schema: 1;
  readonly board: string;
  readonly fits: boolean;
  readonly ramBytes: number;
  readonly flashBytes: number;
  readonly latencyMs: LatencyPair;
  readonly energyUj: number | null;
  readonly layers: readonly LayerEstimate[];
}

/** The `--json` document of an estimate. */
export function estimateJson(r: EstimateReport): EstimateJson {
  return {
    schema: 1,
    board: r.board.id,
    fits: r.fits,
    ramBytes: r.ramBytes,
    flashBytes: r.flashBytes,
    latencyMs: r.latencyMs,
    energyUj: r.energyUj,
    layers: r.layers,
  };
}

/** Throws `MCU_E_DOES_NOT_FIT` when an estimate does not fit its board (for pipelines that require it). */
export function assertFits(r: EstimateReport): void {
  if (!r.fits) {
    throw new McuError(
      "MCU_E_DOES_NOT_FIT",
      `model needs ${r.ramBytes} B RAM / ${r.flashBytes} B flash; ${r.board.id} has ${r.board.sramBytes.value} B / ${r.board.flashBytes.value} B`,
    );
  }
}
