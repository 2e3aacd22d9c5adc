/**
 * Calibration of latency model (a) and of the code-size model from @mcu/codegen-c's
 * measurements: QEMU instruction counts per model (`mcu run --engine cortex-m4 --stats` →
 * `instructions`) and `arm-none-eabi-size` figures of the model's code.
 *
 * Instructions: the same MAP fit as model (b), with the TFLM + CMSIS-NN coefficients as priors
 * (sd = their own size: a weak prior that only fills in classes the measurements do not cover),
 * one fit per core family. Code size: per kernel group, bytes of the implementation (counted once
 * when a model uses it), bytes per layer and a runtime constant.
 */
import type { Graph, Registry } from "@mcu/tensor";
import { type Calibration, calibrate, PARAMETERS, type Parameter, parameterFeatures } from "./calibration.js";
import { CORE_FAMILY_SPECS, type CoreFamily } from "./cores.js";
import { TFLM_CMSIS_NN_M4_THETA, TFLM_REFERENCE_M4_THETA } from "./fitted-coefficients.js";
import { builtinLayers } from "./graph-layers.js";
import type { KernelClass } from "./layer-features.js";
import { mapLinearFit, type Prior } from "./map-fit.js";

/** One measured model. */
export interface GeneratedMeasurement {
  readonly model: string;
  readonly graph: Graph;
  /** Instructions of one inference under QEMU (`-icount shift=0`). */
  readonly instructions: number;
}

/** Fits the generated-code instruction model of one core family. */
export function calibrateGenerated(
  registry: Registry,
  family: CoreFamily,
  measurements: readonly GeneratedMeasurement[],
  options: { readonly instructionsRelSd?: number } = {},
): Calibration {
  const base = CORE_FAMILY_SPECS[family].dsp ? TFLM_CMSIS_NN_M4_THETA : TFLM_REFERENCE_M4_THETA;
  const priors = Object.fromEntries(
    PARAMETERS.map((p) => [p, { mean: base[p], sd: Math.max(base[p], 1) }]),
  ) as Record<Parameter, Prior>;
  return calibrate({
    priors,
    instructions: measurements.map((m) => ({
      model: m.model,
      instructions: m.instructions,
      features: parameterFeatures(builtinLayers(m.graph, registry)),
    })),
    instructionsRelSd: options.instructionsRelSd ?? 0.03,
  });
}

/** Kernel groups that share one C implementation in generated code. */
export const CODE_GROUPS = [
  "conv",
  "depthwise",
  "dense",
  "pool",
  "elementwise",
  "softmax",
  "reduce",
  "copy",
  "recurrent",
] as const;
/** A code group. */
export type CodeGroup = (typeof CODE_GROUPS)[number];

const GROUP_OF: Readonly<Record<KernelClass, CodeGroup | undefined>> = {
  "conv-1x1": "conv",
  conv: "conv",
  depthwise: "depthwise",
  "depthwise-mult": "depthwise",
  dense: "dense",
  pool: "pool",
  elementwise: "elementwise",
  softmax: "softmax",
  reduce: "reduce",
  copy: "copy",
  view: undefined,
  recurrent: "recurrent",
};

/** Features of the code-size model: one per group used, the layer count, and 1 (runtime). */
export function codeSizeFeatures(graph: Graph, registry: Registry): number[] {
  const layers = builtinLayers(graph, registry);
  const used = new Set(layers.map((l) => GROUP_OF[l.cls]).filter((g) => g !== undefined));
  return [...CODE_GROUPS.map((g) => (used.has(g) ? 1 : 0)), layers.filter((l) => l.cls !== "view").length, 1];
}

/** A measured code size: bytes of the model's code and constant descriptors, weights excluded. */
export interface CodeSizeMeasurement {
  readonly model: string;
  readonly graph: Graph;
  readonly codeBytes: number;
}

/** Fitted code sizes: bytes per group implementation, per layer, and the runtime constant. */
export interface CodeSizeFit {
  readonly groupBytes: Readonly<Record<CodeGroup, number>>;
  readonly perLayerBytes: number;
  readonly runtimeBytes: number;
  readonly fit: readonly { model: string; measured: number; predicted: number; error: number }[];
}

/** Fits the code-size model (MAP, priors around the initial estimates). */
export function calibrateCodeSize(
  registry: Registry,
  measurements: readonly CodeSizeMeasurement[],
  priors: { readonly group: Prior; readonly layer: Prior; readonly runtime: Prior } = {
    group: { mean: 800, sd: 800 },
    layer: { mean: 64, sd: 64 },
    runtime: { mean: 256, sd: 256 },
  },
): CodeSizeFit {
  const rows = measurements.map((m) => ({
    x: codeSizeFeatures(m.graph, registry),
    y: m.codeBytes,
    sd: 0.02 * m.codeBytes + 16,
  }));
  const p = [...CODE_GROUPS.map(() => priors.group), priors.layer, priors.runtime];
  const { theta } = mapLinearFit(rows, p);
  const groupBytes = Object.fromEntries(CODE_GROUPS.map((g, j) => [g, theta[j]!])) as Record<
    CodeGroup,
    number
  >;
  return {
    groupBytes,
    perLayerBytes: theta[CODE_GROUPS.length]!,
    runtimeBytes: theta[CODE_GROUPS.length + 1]!,
    fit: measurements.map((m, i) => {
      const predicted = rows[i]!.x.reduce((s, v, j) => s + v * theta[j]!, 0);
      return { model: m.model, measured: m.codeBytes, predicted, error: predicted / m.codeBytes - 1 };
    }),
  };
}
