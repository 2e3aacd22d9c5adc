/**
 * Runs the calibration of the builtin instruction models from the reference measurements
 * ({@link ../reference-data.ts}). The caller supplies the fixture graphs (hw-model does not
 * depend on a model reader); the bench and the tests use @mcu/tflite-io.
 */
import type { Graph, Registry } from "@mcu/tensor";
import { type Calibration, calibrate, parameterFeatures } from "./calibration.js";
import { builtinLayers } from "./graph-layers.js";
import {
  CMSIS_NN_M4_PRIORS,
  MLPERF_L4R5ZI_CLOCK_HZ,
  MLPERF_TINY_V05_L4R5ZI_MS,
  type ReferenceFigure,
  TFLM_CMSIS_NN_M4_INSTRUCTIONS,
  TFLM_REFERENCE_M4_INSTRUCTIONS,
  TFLM_REFERENCE_M4_PRIORS,
} from "./reference-data.js";

/** Relative standard deviation of instruction rows: the linear model's own error, not QEMU's. */
export const INSTRUCTION_REL_SD = 0.05;
/** Relative standard deviation of the MLPerf latency rows. */
export const LATENCY_REL_SD = 0.05;

/** Reads a fixture (path relative to fixtures/) into a graph. */
export type FixtureReader = (fixture: string) => Graph;

/** The two builtin TFLM calibrations. */
export interface BuiltinCalibration {
  /** TFLM + CMSIS-NN (DSP path) on Cortex-M4, with κ from MLPerf Tiny v0.5 on NUCLEO-L4R5ZI. */
  readonly cmsisNn: Calibration;
  /** TFLM reference kernels on Cortex-M4 (instruction counts only). */
  readonly reference: Calibration;
}

function features(read: FixtureReader, registry: Registry, fixture: string): number[] {
  return parameterFeatures(builtinLayers(read(fixture), registry));
}

/** Calibrates the TFLM models on the reference data, optionally leaving some measurements out. */
export function calibrateBuiltin(
  read: FixtureReader,
  registry: Registry,
  options: { leaveOutInstructions?: string; leaveOutLatency?: string } = {},
): BuiltinCalibration {
  const cache = new Map<string, number[]>();
  const f = (fixture: string): number[] => {
    let x = cache.get(fixture);
    if (x === undefined) {
      x = features(read, registry, fixture);
      cache.set(fixture, x);
    }
    return x;
  };
  const instr = (figs: readonly ReferenceFigure[]) =>
    figs
      .filter((m) => m.fixture !== options.leaveOutInstructions)
      .map((m) => ({ model: m.fixture, instructions: m.value, features: f(m.fixture) }));
  const cmsisNn = calibrate({
    priors: CMSIS_NN_M4_PRIORS,
    instructions: instr(TFLM_CMSIS_NN_M4_INSTRUCTIONS),
    instructionsRelSd: INSTRUCTION_REL_SD,
    latencies: MLPERF_TINY_V05_L4R5ZI_MS.filter((m) => m.fixture !== options.leaveOutLatency).map((m) => ({
      model: m.fixture,
      milliseconds: m.value,
      clockHz: MLPERF_L4R5ZI_CLOCK_HZ,
      features: f(m.fixture),
    })),
    latencyRelSd: LATENCY_REL_SD,
  });
  const reference = calibrate({
    priors: TFLM_REFERENCE_M4_PRIORS,
    instructions: instr(TFLM_REFERENCE_M4_INSTRUCTIONS),
    instructionsRelSd: INSTRUCTION_REL_SD,
  });
  return { cmsisNn, reference };
}
