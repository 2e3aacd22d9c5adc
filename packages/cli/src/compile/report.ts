/**
 * `report.json`: the schema-1 document `mcu compile` writes beside the C sources, and the data
 * `report.html` is drawn from. Every figure is taken from the compile itself: the generated
 * program's arena plan (the offsets baked into the C), @mcu/hw-model's estimate, the
 * verification run and, when the Arm toolchain is installed, the model object's measured size.
 * Documented field by field in the package README; fields are only ever added.
 */
import { CORE_FAMILY_SPECS } from "@mcu/hw-model";
import {
  type DType,
  type Graph,
  getTensor,
  isConstant,
  type PassTiming,
  type Registry,
  tensorBytes,
} from "@mcu/tensor";
import { layerSummaries, type TensorSummary, tensorSummary } from "../model-summary.js";
import type { CompileResult } from "./compile-flow.js";
import type { TargetSizes } from "./measure-target.js";
import { hasFloatCompute } from "./pipeline-choice.js";
import type { Verification } from "./verify-c.js";

/** Latency under @mcu/hw-model's two models (ms); null where a layer has no cost model. */
export interface ReportLatency {
  readonly generated: number | null;
  readonly tflmCmsisNn: number | null;
}

/** One layer (node) of the compiled model. */
export interface ReportLayer {
  readonly index: number;
  readonly name: string;
  /** IR op. */
  readonly op: string;
  /** Op name in the source file, or null. */
  readonly sourceOp: string | null;
  /** The C kernel variant that implements it (`quant/int8-dsp`, `core/float32`, `core/any`, ...). */
  readonly cKernel: string;
  /** The @mcu/hw-model cost function that estimated it (`op:variant`), or null. */
  readonly costModel: string | null;
  readonly outputShape: readonly number[];
  readonly dtype: DType;
  readonly macs: number;
  /** Elements of the layer's constant inputs. */
  readonly params: number;
  /** Bytes of the layer's constants as stored (first use of a shared constant counts it). */
  readonly weightBytes: number;
  /** Bytes of the C kernel's scratch buffers (in the arena). */
  readonly scratchBytes: number;
  /** Arena bytes live while the layer runs, by the generated program's plan. */
  readonly liveArenaBytes: number;
  readonly latencyMs: ReportLatency;
  /** SQNR of the layer's output against the source model (dB); null: identical; absent: not measured. */
  readonly sqnrDb?: number | null;
}

/** One buffer of the arena: a tensor (with the reshapes that alias it) or a kernel's scratch. */
export interface ReportArenaBuffer {
  readonly id: string;
  readonly kind: "tensor" | "scratch";
  /** Tensors stored in it: the buffer's own tensor first, then its aliases (empty for scratch). */
  readonly tensors: readonly string[];
  /** For a tensor buffer: its element type. */
  readonly dtype?: DType;
  /** For scratch: the node that uses it. */
  readonly node?: string;
  readonly bytes: number;
  /** Byte offset in the arena (the value baked into the C). */
  readonly offset: number;
  /** First and last step it is live: node indices, −1 = before the first node (graph input), `steps` = after the last (graph output). */
  readonly first: number;
  readonly last: number;
}

/** A constant (weights, bias, table) as stored in flash. */
export interface ReportWeight {
  /** The first layer that reads it. */
  readonly layer: string;
  readonly layerIndex: number;
  readonly tensor: string;
  readonly dtype: DType;
  readonly bytes: number;
}

/** The report.json document, schema 1. */
export interface CompileReport {
  readonly schema: 1;
  readonly generator: { readonly name: string; readonly version: string };
  readonly model: {
    readonly file: string;
    readonly format: string;
    /** The C name: `mcu_<name>_invoke`. */
    readonly name: string;
    readonly inputs: readonly TensorSummary[];
    readonly outputs: readonly TensorSummary[];
    readonly nodes: number;
    readonly macs: number;
    readonly paramBytes: number;
  };
  readonly board: {
    readonly id: string;
    readonly name: string;
    readonly mcu: string;
    readonly core: string;
    readonly clockHz: number;
    readonly sramBytes: number;
    readonly flashBytes: number;
  };
  /** The C target (the board's core). */
  readonly target: string;
  readonly pipeline: {
    readonly text: string;
    readonly source: "user" | "default";
    readonly reason: string;
    readonly passes: readonly PassTiming[];
  };
  readonly calibration: { readonly samples: number } | null;
  /** The compiled model's I/O (the C API's). */
  readonly compiled: {
    readonly inputs: readonly TensorSummary[];
    readonly outputs: readonly TensorSummary[];
    readonly nodes: number;
    readonly macs: number;
    readonly paramBytes: number;
  };
  readonly layers: readonly ReportLayer[];
  readonly arena: {
    /** `MCU_<NAME>_ARENA_BYTES`. */
    readonly bytes: number;
    readonly alignment: number;
    /** Number of nodes: steps run from −1 (inputs written) to `steps` (outputs read). */
    readonly steps: number;
    readonly buffers: readonly ReportArenaBuffer[];
  };
  readonly ram: {
    readonly bytes: number;
    readonly limitBytes: number;
    readonly arenaBytes: number;
    readonly stateBytes: number;
    /** An estimate (not measured). */
    readonly stackBytes: number;
  };
  readonly flash: {
    readonly bytes: number;
    readonly limitBytes: number;
    /** `measured`: text + data of the model object built for the core; `estimate`: @mcu/hw-model. */
    readonly basis: "measured" | "estimate";
    /** Constants as stored (sum of `weights`). */
    readonly weightBytes: number;
    /** `bytes − weightBytes`: code, kernel tables, descriptors. */
    readonly codeBytes: number;
    readonly weights: readonly ReportWeight[];
    readonly estimate: {
      readonly bytes: number;
      readonly weightBytes: number;
      readonly kernelCodeBytes: number;
      readonly layerCodeBytes: number;
      readonly runtimeBytes: number;
    };
    readonly measured: TargetSizes | null;
    /** Why there is no measurement. */
    readonly measuredSkipped?: string;
  };
  readonly fits: boolean;
  readonly latencyMs: ReportLatency;
  readonly energyUj: number | null;
  readonly verify: Verification;
  readonly quality: {
    readonly samples: number;
    readonly top1Agreement: number;
    readonly outputs: readonly { readonly tensor: string; readonly sqnrDb: number | null }[];
  } | null;
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
  /** Files written into the output directory. */
  readonly files: readonly string[];
}

/** What the report needs besides the compile result. */
export interface ReportContext {
  readonly registry: Registry;
  /** The model file as the user named it. */
  readonly file: string;
  readonly format: string;
  readonly version: string;
  readonly files: readonly string[];
}

/** The arena buffers of the generated program's plan. */
export function arenaBuffers(result: CompileResult): ReportArenaBuffer[] {
  const { plan, scratch } = result.project.model;
  const aliases = new Map<string, string[]>();
  for (const l of plan.lifetimes) {
    if (l.aliasOf === undefined) continue;
    aliases.set(l.aliasOf, [...(aliases.get(l.aliasOf) ?? []), l.tensor]);
  }
  const tensors: ReportArenaBuffer[] = plan.lifetimes
    .filter((l) => l.aliasOf === undefined)
    .map((l) => ({
      id: l.tensor,
      kind: "tensor",
      tensors: [l.tensor, ...(aliases.get(l.tensor) ?? [])],
      dtype: getTensor(result.graph, l.tensor).dtype,
      bytes: l.bytes,
      offset: plan.offsets.get(l.tensor)!,
      first: l.first,
      last: l.last,
    }));
  const scratches: ReportArenaBuffer[] = scratch.map((s) => ({
    id: s.id,
    kind: "scratch",
    tensors: [],
    node: s.id.slice(0, s.id.indexOf("#scratch:")),
    bytes: s.bytes,
    offset: plan.offsets.get(s.id)!,
    first: s.first,
    last: s.last,
  }));
  return [...tensors, ...scratches];
}

/** Every constant of the graph, at the first layer that reads it. */
export function graphWeights(graph: Graph): ReportWeight[] {
  const seen = new Set<string>();
  const out: ReportWeight[] = [];
  graph.nodes.forEach((node, i) => {
    for (const id of node.inputs) {
      if (id === "" || seen.has(id)) continue;
      const t = getTensor(graph, id);
      if (!isConstant(t)) continue;
      seen.add(id);
      out.push({ layer: node.name, layerIndex: i, tensor: id, dtype: t.dtype, bytes: tensorBytes(t) });
    }
  });
  return out;
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** The report.json document of a compile. */
export function compileReport(result: CompileResult, ctx: ReportContext): CompileReport {
  const { graph, source, board, estimate, project } = result;
  const summaries = layerSummaries(graph, ctx.registry);
  const sourceSummaries = layerSummaries(source, ctx.registry);
  const buffers = arenaBuffers(result);
  const weights = graphWeights(graph);
  const sqnr = new Map(result.quality?.layers.map((l) => [l.node, l.sqnrDb]) ?? []);

  const layers: ReportLayer[] = graph.nodes.map((node, i) => {
    const s = summaries[i]!;
    const e = estimate.layers[i];
    const c = project.model.layers[i]!;
    return {
      index: i,
      name: node.name,
      op: node.op,
      sourceOp: node.sourceOp ?? null,
      cKernel: c.variant,
      costModel: e?.kernel ?? null,
      outputShape: s.outputShape,
      dtype: s.dtype,
      macs: s.macs,
      params: s.params,
      weightBytes: sum(weights.filter((w) => w.layerIndex === i).map((w) => w.bytes)),
      scratchBytes: c.scratchBytes,
      liveArenaBytes: sum(buffers.filter((b) => b.first <= i && i <= b.last).map((b) => b.bytes)),
      latencyMs: e?.latencyMs ?? { generated: null, tflmCmsisNn: null },
      ...(sqnr.has(node.name) ? { sqnrDb: sqnr.get(node.name)! } : {}),
    };
  });

  const arenaBytes = project.model.arenaBytes;
  const ram = {
    bytes: arenaBytes + estimate.ram.stateBytes + estimate.ram.stackBytes,
    limitBytes: board.sramBytes.value,
    arenaBytes,
    stateBytes: estimate.ram.stateBytes,
    stackBytes: estimate.ram.stackBytes,
  };
  const measured = result.measurement.status === "measured" ? result.measurement.sizes : null;
  const weightBytes = sum(weights.map((w) => w.bytes));
  const flashBytes = measured !== null ? measured.text + measured.data : estimate.flashBytes;
  const flash = {
    bytes: flashBytes,
    limitBytes: board.flashBytes.value,
    basis: measured !== null ? ("measured" as const) : ("estimate" as const),
    weightBytes,
    codeBytes: Math.max(0, flashBytes - weightBytes),
    weights,
    estimate: { bytes: estimate.flashBytes, ...estimate.flash },
    measured,
    ...(result.measurement.status === "skipped" ? { measuredSkipped: result.measurement.reason } : {}),
  };

  const notes = [...result.choice.notes];
  if (measured !== null && result.target.fpu === "none" && hasFloatCompute(graph)) {
    notes.push(
      `the measured flash is the model object alone: ${result.target.name} has no FPU, so the firmware also links the compiler's software floating-point routines (libgcc)`,
    );
  }
  for (const d of result.diagnostics) if (d.level === "info") notes.push(d.message);
  const warnings = [
    ...result.diagnostics.filter((d) => d.level === "warning").map((d) => d.message),
    ...estimate.warnings,
  ];
  const v = result.verify.verification;
  if (v.status === "skipped" && v.samples > 0)
    warnings.push(`the C was not verified: ${v.reason ?? "skipped"}`);
  else if (v.host.status === "skipped" && v.samples > 0)
    warnings.push(`the C was not run on the host: ${v.host.reason ?? "skipped"}`);

  return {
    schema: 1,
    generator: { name: "@mcu/cli", version: ctx.version },
    model: {
      file: ctx.file,
      format: ctx.format,
      name: project.model.name,
      inputs: source.inputs.map((id) => tensorSummary(getTensor(source, id))),
      outputs: source.outputs.map((id) => tensorSummary(getTensor(source, id))),
      nodes: source.nodes.length,
      macs: sum(sourceSummaries.map((l) => l.macs)),
      paramBytes: sum(sourceSummaries.map((l) => l.paramBytes)),
    },
    board: {
      id: board.id,
      name: board.name,
      mcu: board.mcu,
      core: CORE_FAMILY_SPECS[board.core].family,
      clockHz: board.clockHz.value,
      sramBytes: board.sramBytes.value,
      flashBytes: board.flashBytes.value,
    },
    target: result.target.name,
    pipeline: {
      text: result.choice.pipeline,
      source: result.choice.source,
      reason: result.choice.reason,
      passes: result.passes,
    },
    calibration: result.calibrationSamples > 0 ? { samples: result.calibrationSamples } : null,
    compiled: {
      inputs: graph.inputs.map((id) => tensorSummary(getTensor(graph, id))),
      outputs: graph.outputs.map((id) => tensorSummary(getTensor(graph, id))),
      nodes: graph.nodes.length,
      macs: sum(summaries.map((l) => l.macs)),
      paramBytes: sum(summaries.map((l) => l.paramBytes)),
    },
    layers,
    arena: { bytes: arenaBytes, alignment: project.model.plan.alignment, steps: graph.nodes.length, buffers },
    ram,
    flash,
    fits: ram.bytes <= ram.limitBytes && flash.bytes <= flash.limitBytes,
    latencyMs: estimate.latencyMs,
    energyUj: estimate.energyUj,
    verify: result.verify.verification,
    quality:
      result.quality !== undefined
        ? {
            samples: result.quality.samples,
            top1Agreement: result.quality.top1Agreement,
            outputs: result.quality.outputs.map((o) => ({ tensor: o.tensor, sqnrDb: o.sqnrDb })),
          }
        : null,
    notes,
    warnings,
    files: ctx.files,
  };
}
