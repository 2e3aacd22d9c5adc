/**
 * Calibration of the instruction models from measurements.
 *
 * The coefficient vector (one entry per {@link PARAMETERS} name) is fitted by MAP linear
 * regression ({@link mapLinearFit}): measured instruction counts of whole models are rows
 * (features = the model's layer features summed per parameter), and every coefficient has a
 * Gaussian prior from the structure of the kernels it stands for. Measured latencies on a real
 * board add rows scaled by the board's cycles per instruction κ, which is fitted jointly by a
 * one-dimensional search (for fixed κ the problem is linear).
 */
import { type FitRow, goldenSection, mapLinearFit, type Prior } from "./map-fit.js";
import type { ClassCoefficients, InstructionModel } from "./linear-cost.js";
import { KERNEL_CLASSES, type KernelClass, type LayerFeatures } from "./layer-features.js";

/** The free coefficients of an instruction model. */
export const PARAMETERS = [
  "convMac",
  "im2col",
  "depthwiseMac",
  "depthwiseMultMac",
  "denseMac",
  "requantOutput",
  "elementwiseOutput",
  "softmaxOutput",
  "poolElement",
  "reduceElement",
  "copyOutput",
  "recurrentMac",
  "layer",
  "invoke",
] as const;

/** A coefficient name. */
export type Parameter = (typeof PARAMETERS)[number];

const MAC_CLASSES: readonly KernelClass[] = ["conv-1x1", "conv", "depthwise", "depthwise-mult", "dense"];

/** The features of a model, summed per parameter: one row of the design matrix. */
export function parameterFeatures(
  layers: readonly { readonly cls: KernelClass; readonly features: LayerFeatures }[],
): number[] {
  const x = new Array<number>(PARAMETERS.length).fill(0);
  const add = (p: Parameter, v: number): void => {
    x[PARAMETERS.indexOf(p)]! += v;
  };
  for (const { cls, features: f } of layers) {
    if (cls === "view") continue;
    add("layer", 1);
    if (MAC_CLASSES.includes(cls)) add("requantOutput", f.outputs);
    switch (cls) {
      case "conv-1x1":
      case "conv":
        add("convMac", f.macs);
        add("im2col", f.im2col);
        break;
      case "depthwise":
        add("depthwiseMac", f.macs);
        break;
      case "depthwise-mult":
        add("depthwiseMultMac", f.macs);
        break;
      case "dense":
        add("denseMac", f.macs);
        break;
      case "elementwise":
        add("elementwiseOutput", f.outputs);
        break;
      case "softmax":
        add("softmaxOutput", f.outputs);
        break;
      case "pool":
        add("poolElement", f.macs);
        break;
      case "reduce":
        add("reduceElement", f.macs);
        break;
      case "copy":
        add("copyOutput", f.outputs);
        break;
      case "recurrent":
        add("recurrentMac", f.macs);
        break;
    }
  }
  add("invoke", 1);
  return x;
}

/** Expands a coefficient vector into per-class coefficients. */
export function instructionModelOf(theta: Readonly<Record<Parameter, number>>): InstructionModel {
  const classes = {} as Record<KernelClass, ClassCoefficients>;
  for (const cls of KERNEL_CLASSES) {
    const macLayer = MAC_CLASSES.includes(cls);
    const perMac =
      cls === "conv-1x1" || cls === "conv"
        ? theta.convMac
        : cls === "depthwise"
          ? theta.depthwiseMac
          : cls === "depthwise-mult"
            ? theta.depthwiseMultMac
            : cls === "dense"
              ? theta.denseMac
              : cls === "pool"
                ? theta.poolElement
                : cls === "reduce"
                  ? theta.reduceElement
                  : cls === "recurrent"
                    ? theta.recurrentMac
                    : 0;
    const perOutput = macLayer
      ? theta.requantOutput
      : cls === "elementwise"
        ? theta.elementwiseOutput
        : cls === "softmax"
          ? theta.softmaxOutput
          : cls === "copy"
            ? theta.copyOutput
            : 0;
    classes[cls] = {
      perMac,
      perOutput,
      perIm2col: cls === "conv" ? theta.im2col : 0,
      perLayer: cls === "view" ? 0 : theta.layer,
    };
  }
  return { classes, perInvoke: theta.invoke };
}

/** A measured instruction count of one model (QEMU, `-icount shift=0`). */
export interface InstructionMeasurement {
  readonly model: string;
  readonly instructions: number;
  readonly features: readonly number[];
}

/** A measured latency of one model on a real board. */
export interface LatencyMeasurement {
  readonly model: string;
  readonly milliseconds: number;
  readonly clockHz: number;
  readonly features: readonly number[];
}

/** Options of {@link calibrate}. */
export interface CalibrationInput {
  readonly priors: Readonly<Record<Parameter, Prior>>;
  readonly instructions: readonly InstructionMeasurement[];
  /** Relative standard deviation given to instruction rows (model error, not QEMU's). */
  readonly instructionsRelSd: number;
  readonly latencies?: readonly LatencyMeasurement[];
  readonly latencyRelSd?: number;
  /** Search range for κ (cycles per instruction) when latencies are given. */
  readonly kappaRange?: readonly [number, number];
}

/** A calibrated model: coefficients, κ, and the fit against each measurement. */
export interface Calibration {
  readonly theta: Readonly<Record<Parameter, number>>;
  readonly model: InstructionModel;
  /** Cycles per QEMU instruction on the latency board (undefined without latencies). */
  readonly cyclesPerInstruction?: number;
  readonly instructionFit: readonly { model: string; measured: number; predicted: number; error: number }[];
  readonly latencyFit: readonly { model: string; measuredMs: number; predictedMs: number; error: number }[];
}

function dot(x: readonly number[], theta: readonly number[]): number {
  let s = 0;
  x.forEach((v, j) => {
    s += v * theta[j]!;
  });
  return s;
}

/** Fits an instruction model (and κ when latencies are given); see the file comment. */
export function calibrate(input: CalibrationInput): Calibration {
  const priors = PARAMETERS.map((p) => input.priors[p]);
  const instrRows: FitRow[] = input.instructions.map((m) => ({
    x: m.features,
    y: m.instructions,
    sd: input.instructionsRelSd * m.instructions,
  }));
  const latencies = input.latencies ?? [];
  const rowsFor = (kappa: number): FitRow[] => [
    ...instrRows,
    ...latencies.map((m) => {
      const cycles = (m.milliseconds / 1000) * m.clockHz;
      return { x: m.features.map((v) => v * kappa), y: cycles, sd: (input.latencyRelSd ?? 0.05) * cycles };
    }),
  ];
  let kappa: number | undefined;
  if (latencies.length > 0) {
    const [lo, hi] = input.kappaRange ?? [0.5, 8];
    kappa = goldenSection((k) => mapLinearFit(rowsFor(k), priors).loss, lo, hi);
  }
  const fit = mapLinearFit(rowsFor(kappa ?? 1), priors);
  const theta = Object.fromEntries(PARAMETERS.map((p, j) => [p, fit.theta[j]!])) as Record<Parameter, number>;
  return {
    theta,
    model: instructionModelOf(theta),
    ...(kappa !== undefined ? { cyclesPerInstruction: kappa } : {}),
    instructionFit: input.instructions.map((m) => {
      const predicted = dot(m.features, fit.theta);
      return { model: m.model, measured: m.instructions, predicted, error: predicted / m.instructions - 1 };
    }),
    latencyFit: latencies.map((m) => {
      const predictedMs = ((dot(m.features, fit.theta) * (kappa ?? 1)) / m.clockHz) * 1000;
      return {
        model: m.model,
        measuredMs: m.milliseconds,
        predictedMs,
        error: predictedMs / m.milliseconds - 1,
      };
    }),
  };
}
