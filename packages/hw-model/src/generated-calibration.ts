/**
 * Calibration of latency model (a) — the C that @mcu/codegen-c generates — from QEMU instruction
 * counts (`-icount shift=0`, SysTick): per-layer counts of a designed layer sweep (profile
 * builds, `MCU_PROFILE`) and whole-inference counts of the fixture models (plain builds), one fit
 * per core family.
 *
 * A layer's instructions are `θ · features` (see generated-features.ts) with two coefficient sets
 * per family: one for kernels that need the DSP extension (SMLAD/SXTB16 paths), one for portable
 * C kernels (pooling, softmax, element-wise on every core; everything on cores without DSP). A
 * model adds the invoke copies (per byte of inputs and outputs) and a constant, measured as a
 * graph's whole count minus its profiled layers. The fit is MAP
 * ({@link mapLinearFit}: least squares, coefficients ≥ 0) with flat priors and one tie per
 * coefficient pulling the DSP value towards the portable one, so a DSP coefficient the data do
 * not reach (no DSP kernel for pooling) takes the portable value.
 */
import {
  GENERATED_PARAMETERS,
  type GeneratedParameter,
  type GeneratedTheta,
  generatedInvokeFeatures,
} from "./generated-features.js";
import { type FitRow, mapLinearFit, type Prior } from "./map-fit.js";

/** One layer measured on its own (a per-layer profile count, hooks subtracted). */
export interface GeneratedLayerMeasurement {
  readonly features: readonly number[];
  /** Its kernel needs the DSP extension. */
  readonly dspPath: boolean;
  readonly instructions: number;
}

/** A model's layers, as the features of model (a) see them. */
export interface GeneratedModelLayers {
  readonly layers: readonly { readonly features: readonly number[]; readonly dspPath: boolean }[];
  /** Bytes of the graph's inputs and outputs (invoke copies them). */
  readonly ioBytes: number;
}

/** One model measured as a whole: instructions of one inference. */
export interface GeneratedModelMeasurement extends GeneratedModelLayers {
  readonly model: string;
  readonly instructions: number;
}

/**
 * Instructions of invoke around the layers of one graph: its whole-inference count minus the sum of
 * its layers' profiled counts (hooks subtracted) — the copies of inputs and outputs and the call.
 */
export interface GeneratedInvokeMeasurement {
  readonly model: string;
  readonly ioBytes: number;
  readonly instructions: number;
  /** Layers whose profile counts were subtracted (each carries ±40 instructions of SysTick granularity). */
  readonly layers: number;
}

/** The two coefficient sets of a core family (invoke terms shared). */
export interface GeneratedCoefficients {
  readonly dsp: GeneratedTheta;
  readonly portable: GeneratedTheta;
}

/** A fit and how it reproduces the model measurements. */
export interface GeneratedCalibration extends GeneratedCoefficients {
  readonly modelFit: readonly { model: string; measured: number; predicted: number; error: number }[];
}

const INVOKE_PARAMS: readonly GeneratedParameter[] = ["ioByte", "invoke"];
const LAYER_PARAMS = GENERATED_PARAMETERS.filter((p) => !INVOKE_PARAMS.includes(p));
const L = LAYER_PARAMS.length;
const IDX = new Map(GENERATED_PARAMETERS.map((p, i) => [p, i]));

/** Relative sd of a layer row (plus the profile's 40-instruction SysTick granularity). */
const LAYER_REL_SD = 0.03;
/** Relative sd of a whole-model row. */
const MODEL_REL_SD = 0.02;

function stacked(features: readonly number[], dspPath: boolean): number[] {
  const x = new Array<number>(2 * L + INVOKE_PARAMS.length).fill(0);
  LAYER_PARAMS.forEach((p, j) => {
    x[(dspPath ? 0 : L) + j] = features[IDX.get(p)!] ?? 0;
  });
  INVOKE_PARAMS.forEach((p, j) => {
    x[2 * L + j] = features[IDX.get(p)!] ?? 0;
  });
  return x;
}

function modelFeatures(m: GeneratedModelLayers): number[] {
  const x = stacked(generatedInvokeFeatures(m.ioBytes), false);
  for (const l of m.layers) {
    stacked(l.features, l.dspPath).forEach((v, j) => {
      x[j]! += v;
    });
  }
  return x;
}

/** Instructions of one layer under a family's coefficients. */
export function predictGeneratedLayer(
  c: GeneratedCoefficients,
  features: readonly number[],
  dspPath: boolean,
): number {
  const theta = dspPath ? c.dsp : c.portable;
  let s = 0;
  for (const p of LAYER_PARAMS) s += (features[IDX.get(p)!] ?? 0) * theta[p];
  return s;
}

/** Instructions of one inference of a model under a family's coefficients. */
export function predictGeneratedModel(c: GeneratedCoefficients, m: GeneratedModelLayers): number {
  let s = c.portable.ioByte * m.ioBytes + c.portable.invoke;
  for (const l of m.layers) s += predictGeneratedLayer(c, l.features, l.dspPath);
  return s;
}

/** Fits the coefficients of one core family (see the file comment). */
export function calibrateGenerated(input: {
  readonly layers: readonly GeneratedLayerMeasurement[];
  readonly models: readonly GeneratedModelMeasurement[];
  readonly invokes?: readonly GeneratedInvokeMeasurement[];
}): GeneratedCalibration {
  const rows: FitRow[] = [
    ...input.layers.map((r) => ({
      x: stacked(r.features, r.dspPath),
      y: r.instructions,
      sd: LAYER_REL_SD * r.instructions + 40,
    })),
    ...input.models.map((m) => ({
      x: modelFeatures(m),
      y: m.instructions,
      sd: MODEL_REL_SD * m.instructions + 20,
    })),
    ...(input.invokes ?? []).map((m) => ({
      x: stacked(generatedInvokeFeatures(m.ioBytes), false),
      y: m.instructions,
      sd: 0.02 * Math.abs(m.instructions) + 40 * Math.sqrt(m.layers) + 20,
    })),
  ];
  // Ties: θ_dsp[j] − θ_portable[j] ≈ 0 (sd 1000 instructions: only decides what data leave open).
  for (let j = 0; j < L; j++) {
    const x = new Array<number>(2 * L + INVOKE_PARAMS.length).fill(0);
    x[j] = 1;
    x[L + j] = -1;
    rows.push({ x, y: 0, sd: 1000 });
  }
  const priors: Prior[] = Array.from({ length: 2 * L + INVOKE_PARAMS.length }, () => ({ mean: 0, sd: 1e6 }));
  const { theta } = mapLinearFit(rows, priors);
  const half = (offset: number): GeneratedTheta => {
    const t = {} as Record<GeneratedParameter, number>;
    LAYER_PARAMS.forEach((p, j) => {
      t[p] = theta[offset + j]!;
    });
    INVOKE_PARAMS.forEach((p, j) => {
      t[p] = theta[2 * L + j]!;
    });
    return t;
  };
  const c = { dsp: half(0), portable: half(L) };
  return {
    ...c,
    modelFit: input.models.map((m) => {
      const predicted = predictGeneratedModel(c, m);
      return { model: m.model, measured: m.instructions, predicted, error: predicted / m.instructions - 1 };
    }),
  };
}

/** Coefficients scaled by a factor (a family derived from another: same code, more instructions per step). */
export function scaleGenerated(c: GeneratedCoefficients, factor: number): GeneratedCoefficients {
  const scale = (t: GeneratedTheta): GeneratedTheta =>
    Object.fromEntries(GENERATED_PARAMETERS.map((p) => [p, t[p] * factor])) as GeneratedTheta;
  return { dsp: scale(c.dsp), portable: scale(c.portable) };
}
