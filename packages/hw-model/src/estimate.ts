/**
 * The estimate: per layer and in total, RAM, flash, latency under both latency models and
 * energy for one board — and whether the model fits.
 */
import {
  type ArenaBuffer,
  type Graph,
  isConstant,
  McuError,
  numElements,
  planArena,
  type Registry,
  tensorBytes,
} from "@mcu/tensor";
import { type Board, boardById } from "./boards.js";
import { builtinCosts, runtimeInvokeInstructions } from "./builtin-costs.js";
import { type CoreCostContext, type HwCostContribution, isHwCostContribution } from "./cost-contract.js";
import { CORE_FAMILY_SPECS } from "./cores.js";
import { costContexts } from "./graph-layers.js";
import { dtypeVariant } from "./layer-features.js";
import { cyclesPerInstruction, RUNTIME_MODELS } from "./runtime-models.js";

/** The hw-model plugin's name; its builtin contributions are added when a registry lacks them. */
export const HW_MODEL_PLUGIN_NAME = "@mcu/hw-model";

/** Flash bytes of the generated runtime outside the kernels (invoke function, I/O descriptors). */
const GENERATED_RUNTIME_FLASH_BYTES = 256;
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
  readonly energyUj: number | null;
  readonly layers: readonly LayerEstimate[];
  /** Index of the slowest layer (generated code), or -1 for an empty graph. */
  readonly bottleneck: number;
  /** False while the generated-code model runs on TFLM coefficients (no codegen-c measurements yet). */
  readonly generatedCalibrated: boolean;
  readonly warnings: readonly string[];
}

/** Options of {@link estimateModel}. */
export interface EstimateOptions {
  readonly registry: Registry;
  /** A catalog board id or a board value. */
  readonly board: string | Board;
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

  const contexts = costContexts(graph, options.registry).map((c): CoreCostContext => ({ ...c, family, dsp }));
  const chosen = contexts.map((ctx) => selectCost(contributions, ctx));

  // Arena: the planner's plan with each kernel's scratch live only while its node runs.
  const scratch = contexts.map((ctx, i) => chosen[i]?.scratchBytes?.(ctx) ?? 0);
  const extraBuffers: ArenaBuffer[] = [];
  scratch.forEach((bytes, i) => {
    if (bytes > 0) extraBuffers.push({ id: `#scratch${i}`, bytes, first: i, last: i });
  });
  const plan = planArena(graph, options.registry, { extraBuffers });
  const buffers = [
    ...plan.lifetimes
      .filter((l) => l.aliasOf === undefined)
      .map((l) => ({ bytes: l.bytes, first: l.first, last: l.last })),
    ...extraBuffers,
  ];

  const codeKeys = new Map<string, number>();
  const layers: LayerEstimate[] = contexts.map((ctx, i) => {
    const c = chosen[i];
    if (c === undefined) {
      warnings.push(
        `no cost model for ${ctx.node.op} "${ctx.node.name}" (${dtypeVariant(ctx)}): latency unknown`,
      );
    } else {
      const key = c.codeKey ?? `${c.op}:${c.variant}`;
      if (!codeKeys.has(key)) codeKeys.set(key, c.kernelCodeBytes(family));
    }
    let params = 0;
    for (const t of ctx.inputs) if (t !== undefined && isConstant(t)) params += numElements(t.shape);
    const weightBytes = c?.weightBytes(ctx) ?? 0;
    const layerCode = c?.layerCodeBytes?.(ctx) ?? 0;
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
      scratchBytes: scratch[i]!,
      liveArenaBytes: live,
      flashBytes: weightBytes + layerCode,
      instructions,
      latencyMs,
      energyUj: power === undefined || latencyMs.generated === null ? null : power * latencyMs.generated,
    };
  });

  const anyFloat = contexts.some((c) => dtypeVariant(c) === "float32");
  const invoke = {
    generated: runtimeInvokeInstructions("generated", family, anyFloat),
    tflmCmsisNn: runtimeInvokeInstructions("tflm", family, anyFloat),
  };
  const genInstr = sum(layers.map((l) => l.instructions.generated));
  const tflmInstr = sum(layers.map((l) => l.instructions.tflmCmsisNn));
  const latencyMs: LatencyPair = {
    generated: toMs(genInstr === null ? null : genInstr + invoke.generated),
    tflmCmsisNn: toMs(tflmInstr === null ? null : tflmInstr + invoke.tflmCmsisNn),
  };

  let stateBytes = 0;
  for (const t of graph.tensors.values()) if (t.variable === true) stateBytes += tensorBytes(t);
  const ram = { arenaBytes: plan.peakBytes, stateBytes, stackBytes: STACK_ESTIMATE_BYTES };
  const flash = {
    weightBytes: layers.reduce((s, l) => s + l.weightBytes, 0),
    kernelCodeBytes: [...codeKeys.values()].reduce((s, b) => s + b, 0),
    layerCodeBytes: layers.reduce((s, l) => s + (l.flashBytes - l.weightBytes), 0),
    runtimeBytes: GENERATED_RUNTIME_FLASH_BYTES,
  };
  const ramBytes = ram.arenaBytes + ram.stateBytes + ram.stackBytes;
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
  if (!RUNTIME_MODELS.generatedCalibrated) {
    warnings.push(
      "generated-code latency uses the TFLM + CMSIS-NN coefficients: codegen-c measurements not calibrated yet",
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
    energyUj: power === undefined || latencyMs.generated === null ? null : power * latencyMs.generated,
    layers,
    bottleneck,
    generatedCalibrated: RUNTIME_MODELS.generatedCalibrated,
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
