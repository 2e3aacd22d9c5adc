/**
 * Calibration: run the float model on sample inputs and estimate a range for every float
 * activation (graph inputs and node outputs), observed through the interpreter's `afterNode`
 * hook. The histogram-based methods take a second pass over the samples, once the first pass
 * has fixed each tensor's histogram interval.
 */
import {
  createInterpreter,
  dataMatchesDType,
  formatShape,
  type Graph,
  getTensor,
  McuError,
  type Progress,
  type Registry,
  storageLength,
  type TensorData,
} from "@mcu/tensor";
import type { ActivationDType } from "../ptq/params.js";
import { type Range, SymmetricHistogram } from "./histogram.js";
import { clipRange, klThreshold, mseRange, percentileThreshold } from "./range-estimators.js";

/** The calibration methods, as spelled in pass options (`quant/int8:calib=kl`). */
export const CALIBRATION_METHODS = ["minmax", "moving-average", "percentile", "mse", "kl"] as const;

/** A calibration method. */
export type CalibrationMethod = (typeof CALIBRATION_METHODS)[number];

/** One calibration sample: a value per graph input, in graph input order. */
export type CalibrationSample = readonly TensorData[];

/** Options of {@link calibrate}. */
export interface CalibrationOptions {
  readonly registry: Registry;
  /** Default `minmax`. */
  readonly method?: CalibrationMethod;
  /** `percentile`: the share of |x| values kept inside the range, in percent (default 99.99). */
  readonly percentile?: number;
  /** `moving-average`: the weight c of each new sample, m ← m + c·(sample − m) (default 0.01). */
  readonly averagingConstant?: number;
  /** Histogram bins per sign for `percentile`, `mse` and `kl` (default 2048). */
  readonly bins?: number;
  /** `mse`: the integer type whose quantization error is minimized (default int8). */
  readonly dtype?: ActivationDType;
  /** Starts a progress report (one tick per sample and pass). */
  readonly progress?: (label: string, total: number) => Progress;
}

/** Ranges per tensor id: every float32 graph input and node output of the graph. */
export type CalibrationRanges = ReadonlyMap<string, Range>;

interface Observed {
  min: number;
  max: number;
  emaMin: number;
  emaMax: number;
  samples: number;
}

function minMaxOf(data: ArrayLike<number>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Checks that every sample holds one value of the right dtype and size per graph input. */
export function checkCalibrationSamples(graph: Graph, samples: readonly CalibrationSample[]): void {
  if (samples.length === 0) throw new McuError("MCU_E_CALIBRATION", "calibration needs at least one sample");
  samples.forEach((sample, s) => {
    if (sample.length !== graph.inputs.length) {
      throw new McuError(
        "MCU_E_CALIBRATION",
        `calibration sample ${s} has ${sample.length} input value(s); the model takes ${graph.inputs.length}`,
      );
    }
    graph.inputs.forEach((id, i) => {
      const t = getTensor(graph, id);
      const data = sample[i]!;
      if (!dataMatchesDType(t.dtype, data) || data.length !== storageLength(t.dtype, t.shape)) {
        throw new McuError(
          "MCU_E_CALIBRATION",
          `calibration sample ${s}: input "${id}" must be ${t.dtype}${formatShape(t.shape)}, got ${data.constructor.name}(${data.length})`,
          { tensor: id },
        );
      }
    });
  });
}

/** The float32 activations calibration observes: graph inputs and node outputs. */
function observedTensors(graph: Graph): Set<string> {
  const ids = new Set<string>();
  for (const id of graph.inputs) if (getTensor(graph, id).dtype === "float32") ids.add(id);
  for (const n of graph.nodes)
    for (const id of n.outputs) if (getTensor(graph, id).dtype === "float32") ids.add(id);
  return ids;
}

/**
 * Runs the graph on every sample (with the kernels of `registry`) and returns a range for each
 * float32 activation by the chosen method.
 */
export function calibrate(
  graph: Graph,
  samples: readonly CalibrationSample[],
  options: CalibrationOptions,
): CalibrationRanges {
  checkCalibrationSamples(graph, samples);
  const method = options.method ?? "minmax";
  const c = options.averagingConstant ?? 0.01;
  const watched = observedTensors(graph);
  const interpreter = createInterpreter(graph, { registry: options.registry });
  const histogramPass = method === "percentile" || method === "mse" || method === "kl";
  const progress = options.progress?.(`calibrate (${method})`, samples.length * (histogramPass ? 2 : 1));

  // Pass 1: min/max, and the moving average of each sample's min/max.
  const seen = new Map<string, Observed>();
  const observe = (id: string, data: TensorData): void => {
    const [lo, hi] = minMaxOf(data as ArrayLike<number>);
    const o = seen.get(id);
    if (o === undefined) {
      seen.set(id, { min: lo, max: hi, emaMin: lo, emaMax: hi, samples: 1 });
      return;
    }
    o.min = Math.min(o.min, lo);
    o.max = Math.max(o.max, hi);
    o.emaMin += c * (lo - o.emaMin);
    o.emaMax += c * (hi - o.emaMax);
    o.samples++;
  };
  const run = (sample: CalibrationSample, see: (id: string, data: TensorData) => void): void => {
    graph.inputs.forEach((id, i) => {
      if (watched.has(id)) see(id, sample[i]!);
    });
    interpreter.invoke(sample, {
      afterNode: (e) => {
        e.node.outputs.forEach((id, k) => {
          if (watched.has(id)) see(id, e.outputs[k]!.data);
        });
      },
    });
    progress?.tick();
  };
  for (const sample of samples) run(sample, observe);

  const ranges = new Map<string, Range>();
  if (!histogramPass) {
    for (const [id, o] of seen) {
      ranges.set(
        id,
        method === "moving-average" ? { min: o.emaMin, max: o.emaMax } : { min: o.min, max: o.max },
      );
    }
    progress?.done();
    return ranges;
  }

  // Pass 2: histograms over ±max|x| of pass 1.
  const bins = options.bins ?? 2048;
  const histograms = new Map<string, SymmetricHistogram>();
  for (const [id, o] of seen)
    histograms.set(id, new SymmetricHistogram(Math.max(Math.abs(o.min), Math.abs(o.max)), bins));
  for (const sample of samples) run(sample, (id, data) => histograms.get(id)!.add(data as ArrayLike<number>));
  for (const [id, o] of seen) {
    const h = histograms.get(id)!;
    const range = { min: o.min, max: o.max };
    if (method === "mse") ranges.set(id, mseRange(h, range, options.dtype ?? "int8"));
    else {
      const t =
        method === "kl"
          ? klThreshold(h.folded(false), h.binWidth)
          : percentileThreshold(h.folded(true), h.binWidth, options.percentile ?? 99.99);
      ranges.set(id, clipRange(range, t));
    }
  }
  progress?.done();
  return ranges;
}
