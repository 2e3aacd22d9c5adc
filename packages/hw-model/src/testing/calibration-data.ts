/**
 * Test and bench support (not exported, not built): the measurements latency model (a) and the
 * code-size model are calibrated on, taken now through @mcu/codegen-c's engines — so they follow
 * the C kernels as they are, not a copy of some earlier numbers.
 *
 * Per calibration target (a codegen-c target: cortex-m4/m7/m33 with their DSP path, cortex-m3 for
 * the portable path, cortex-m0plus built only): the layer sweep with per-layer profiles (on DSP
 * cores also its portable-C build), and every fixture model as a plain build (one inference's
 * instructions, the arena macro, arm-none-eabi-size of the model object and its sections).
 */
import { createHash } from "node:crypto";
import { type Graph, type Registry, tensorBytes } from "@mcu/tensor";
import { type CTargetView, cTargetOfFamily } from "../c-kernel-view.js";
import type { CoreFamily } from "../cores.js";
import type {
  GeneratedInvokeMeasurement,
  GeneratedLayerMeasurement,
  GeneratedModelMeasurement,
} from "../generated-calibration.js";
import { generatedLayerFeatures } from "../generated-features.js";
import { describeGeneratedProgram, type GeneratedProgramView } from "../generated-program.js";
import { costContexts } from "../graph-layers.js";
import {
  type GeneratedFixture,
  GENERATED_FIXTURES,
  generatedRegistry,
  loadGeneratedFixtures,
} from "./generated-fixtures.js";
import { invokeSweepGraphs, layerSweepGraph, soloSweepGraphs } from "./layer-sweep.js";
import { type BuildRecord, measureGenerated, measureOnMicrobit } from "./measure-generated.js";

/** A calibration target: the codegen-c target measured and the hw-model family it calibrates. */
export interface CalibrationTarget {
  /** codegen-c target name (`cortex-m4`, `cortex-m3`, ...). */
  readonly target: string;
  /** The core family whose coefficients it gives (cortex-m3 stands in for the portable path of M0+). */
  readonly family: CoreFamily;
  readonly dsp: boolean;
  /** QEMU runs it (instructions measured); false: sizes only. */
  readonly runs: boolean;
}

/** The calibration targets: M4 (mps2-an386), M7 (an500), M33 (an505), M3 (an385), M0+ (built only). */
export const CALIBRATION_TARGETS: Readonly<Record<string, CalibrationTarget>> = {
  "cortex-m4": { target: "cortex-m4", family: "cortex-m4", dsp: true, runs: true },
  "cortex-m7": { target: "cortex-m7", family: "cortex-m7", dsp: true, runs: true },
  "cortex-m33": { target: "cortex-m33", family: "cortex-m33", dsp: true, runs: true },
  "cortex-m3": { target: "cortex-m3", family: "cortex-m0plus", dsp: false, runs: true },
  "cortex-m0plus": { target: "cortex-m0plus", family: "cortex-m0plus", dsp: false, runs: false },
};

/** The target view the kernels see for a calibration target (its name, DSP, FPU). */
export function targetViewOf(t: CalibrationTarget, dsp = t.dsp): CTargetView {
  const base = cTargetOfFamily(t.family);
  return { ...base, name: t.target, dsp, fpu: t.target === "cortex-m3" ? "none" : base.fpu };
}

/** Bytes of a graph's inputs and outputs (what invoke copies in and out of the arena). */
export function graphIoBytes(graph: Graph): number {
  return [...graph.inputs, ...graph.outputs].reduce((s, id) => s + tensorBytes(graph.tensors.get(id)!), 0);
}

/** A measured model: its graph, program view on the target, and its builds. */
export interface MeasuredModel {
  readonly name: string;
  readonly graph: Graph;
  readonly program: GeneratedProgramView;
  /** The plain build: sizes, and instructions of one inference when the target runs it. */
  readonly build: BuildRecord;
  /** The per-layer profile build (the sweep graphs). */
  readonly profile?: BuildRecord;
  /** cortex-m0plus: instructions of one inference on QEMU's micro:bit (Cortex-M0), when it runs there. */
  readonly armv6mInstructions?: number;
}

/** Everything measured on one calibration target. */
export interface CalibrationData {
  readonly target: CalibrationTarget;
  readonly models: readonly MeasuredModel[];
  /** The sweep: profile builds (DSP path, and portable on DSP cores); absent when the target does not run. */
  readonly sweep: readonly MeasuredModel[];
  /** Sweep graphs that could not be built or run (a C kernel's bug): left out, with the first line of the error. */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

/** Every row of a target that runs: sweep layers, sweep invokes, and the fixture models' whole counts. */
export function fitRows(data: CalibrationData, registry: Registry) {
  return {
    layers: data.sweep.flatMap((m) => layerRows(m, registry)),
    invokes: data.sweep.flatMap((m) => invokeRow(m, registry) ?? []),
    models: data.models.filter((m) => m.build.instructions !== undefined).map((m) => modelRow(m, registry)),
  };
}

function profileOf(m: MeasuredModel, registry: Registry) {
  const layers = m.profile?.layers;
  if (layers === undefined) return undefined;
  const ctxs = costContexts(m.graph, registry);
  const features = ctxs.map((c, i) => generatedLayerFeatures(c, { soleUser: m.program.nodes[i]!.soleUser }));
  // Views compile to nothing: what a profile reports for them is the hooks' own instructions.
  const hooks = layers.filter(
    (_, i) => features[i]?.every((v) => v === 0) === true && Number.isFinite(layers[i]),
  );
  const hook = hooks.length > 0 ? hooks.reduce((a, b) => a + b, 0) / hooks.length : 0;
  return { layers, features, hook };
}

/**
 * The invoke row of a graph: a graph without layers counts invoke alone; a graph measured both
 * ways gives its plain count minus its profiled layers — except a single-layer graph, whose
 * kernel the compiler specializes differently with and without the profiling hooks.
 */
export function invokeRow(m: MeasuredModel, registry: Registry): GeneratedInvokeMeasurement | undefined {
  if (m.build.instructions === undefined) return undefined;
  const ctxs = costContexts(m.graph, registry);
  const features = ctxs.map((c) => generatedLayerFeatures(c));
  if (features.every((f) => f?.every((v) => v === 0) === true)) {
    return { model: m.name, ioBytes: graphIoBytes(m.graph), instructions: m.build.instructions, layers: 0 };
  }
  const p = profileOf(m, registry);
  if (p === undefined || m.program.nodes.some((n) => n.soleUser)) return undefined;
  const counted = p.layers.filter((v) => Number.isFinite(v));
  const layerSum = counted.reduce((s, v) => s + (v - p.hook), 0);
  return {
    model: m.name,
    ioBytes: graphIoBytes(m.graph),
    instructions: m.build.instructions - layerSum,
    layers: counted.length,
  };
}

/** The layer rows of a profile build: each node with features, its path and its hook-corrected count. */
export function layerRows(m: MeasuredModel, registry: Registry): GeneratedLayerMeasurement[] {
  const p = profileOf(m, registry);
  if (p === undefined) return [];
  const { layers, features, hook } = p;
  const rows: GeneratedLayerMeasurement[] = [];
  layers.forEach((instructions, i) => {
    const f = features[i];
    if (f === undefined || f.every((v) => v === 0) || !Number.isFinite(instructions)) return;
    rows.push({
      features: f,
      dspPath: m.program.nodes[i]!.dspOnly,
      instructions: Math.max(instructions - hook, 0),
    });
  });
  return rows;
}

/** The whole-model row of a plain build. */
export function modelRow(m: MeasuredModel, registry: Registry): GeneratedModelMeasurement {
  const ctxs = costContexts(m.graph, registry);
  const layers = ctxs.flatMap((c, i) => {
    const f = generatedLayerFeatures(c, { soleUser: m.program.nodes[i]!.soleUser });
    return f === undefined ? [] : [{ features: f, dspPath: m.program.nodes[i]!.dspOnly }];
  });
  return {
    model: m.name,
    layers,
    ioBytes: graphIoBytes(m.graph),
    instructions: m.build.instructions ?? Number.NaN,
  };
}

async function measured(
  name: string,
  graph: Graph,
  registry: Registry,
  t: CalibrationTarget,
  options: { dsp?: boolean; profile?: boolean },
): Promise<MeasuredModel> {
  const dsp = options.dsp ?? t.dsp;
  const features = dsp !== t.dsp ? { dsp } : {};
  // A profiled build carries the hooks' code and layer names: sizes (and the whole-inference
  // count) come from a plain build.
  const build = await measureGenerated(graph, registry, t.target, features);
  const profile =
    options.profile === true
      ? await measureGenerated(graph, registry, t.target, { ...features, profile: true })
      : undefined;
  return {
    name,
    graph,
    program: describeGeneratedProgram(graph, registry, targetViewOf(t, dsp)),
    build,
    ...(profile !== undefined ? { profile } : {}),
  };
}

/** Measures the fixtures (and the sweep, when the target runs) on one calibration target. */
export async function collectCalibrationData(
  targetName: string,
  options: {
    readonly registry?: Registry;
    readonly fixtures?: readonly GeneratedFixture[];
    readonly sweep?: boolean;
  } = {},
): Promise<CalibrationData> {
  const t = CALIBRATION_TARGETS[targetName];
  if (t === undefined) throw new Error(`no calibration target ${targetName}`);
  const registry = options.registry ?? generatedRegistry();
  const fixtures = await loadGeneratedFixtures(registry, options.fixtures ?? GENERATED_FIXTURES);
  const models: MeasuredModel[] = [];
  for (const f of fixtures) {
    const m = await measured(f.name, f.graph, registry, t, {});
    if (t.target !== "cortex-m0plus") models.push(m);
    else {
      const armv6m = await measureOnMicrobit(f.graph, registry);
      models.push(armv6m === undefined ? m : { ...m, armv6mInstructions: armv6m });
    }
  }
  const sweep: MeasuredModel[] = [];
  const skipped: { name: string; reason: string }[] = [];
  const add = async (name: string, graph: Graph, opts: { profile?: boolean; dsp?: boolean }) => {
    try {
      sweep.push(await measured(name, graph, registry, t, opts));
    } catch (e) {
      const lines = String(e instanceof Error ? e.message : e).split("\n");
      skipped.push({ name, reason: lines.find((l) => /\berror:/.test(l))?.trim() ?? lines[0]! });
    }
  };
  if (!t.runs && options.sweep !== false) {
    // Sizes only: the sweep's plain build widens the code-size fit.
    await add("sweep", layerSweepGraph(registry), {});
  }
  if (t.runs && options.sweep !== false) {
    const g = layerSweepGraph(registry);
    await add("sweep", g, { profile: true });
    if (t.dsp) await add("sweep-portable", g, { profile: true, dsp: false });
    for (const solo of soloSweepGraphs(registry)) await add(solo.name, solo.graph, { profile: true });
    for (const inv of invokeSweepGraphs(registry)) await add(inv.name, inv.graph, {});
  }
  return { target: t, models, sweep, skipped };
}

/** A fingerprint of the C the measured programs contain (every piece of support code, per target). */
export function fingerprint(all: readonly CalibrationData[]): string {
  const hash = createHash("sha256");
  for (const d of [...all].sort((a, b) => (a.target.target < b.target.target ? -1 : 1))) {
    for (const m of [...d.models, ...d.sweep]) {
      for (const p of [...m.program.support.values()].sort((a, b) => (a.id < b.id ? -1 : 1)))
        hash.update(`${d.target.target}\0${p.id}\0${p.code}\0`);
    }
  }
  return hash.digest("hex").slice(0, 16);
}
