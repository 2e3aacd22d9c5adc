/**
 * Test and bench support (not exported, not built): the calibration of latency model (a) and of
 * the code sizes from measurements taken now (calibration-data.ts), the leave-one-out check, and
 * the comparison of an estimate with a build.
 */
import type { Registry } from "@mcu/tensor";
import {
  calibrateGenerated,
  type GeneratedCalibration,
  type GeneratedCoefficients,
  predictGeneratedModel,
} from "../generated-calibration.js";
import { type CodeSizeFit, type CodeSizeMeasurement, calibrateCodeSizes } from "../generated-code-size.js";
import { type CalibrationData, fitRows, type MeasuredModel, modelRow } from "./calibration-data.js";

/** The instruction model of one calibration target, fitted on everything measured there. */
export function fitInstructions(data: CalibrationData, registry: Registry): GeneratedCalibration {
  return calibrateGenerated(fitRows(data, registry));
}

/** Per fixture model: measured instructions, the prediction of given coefficients, and its error. */
export function modelErrors(
  data: CalibrationData,
  registry: Registry,
  c: GeneratedCoefficients,
): { model: string; measured: number; predicted: number; error: number }[] {
  return data.models
    .filter((m) => m.build.instructions !== undefined)
    .map((m) => {
      const row = modelRow(m, registry);
      const predicted = predictGeneratedModel(c, row);
      return {
        model: m.name,
        measured: row.instructions,
        predicted,
        error: predicted / row.instructions - 1,
      };
    });
}

/** Leave-one-out: for each fixture model, a fit without it (the sweep kept) predicts it. */
export function leaveOneOut(
  data: CalibrationData,
  registry: Registry,
): { model: string; measured: number; predicted: number; error: number }[] {
  const rows = fitRows(data, registry);
  return rows.models.map((m) => {
    const c = calibrateGenerated({ ...rows, models: rows.models.filter((q) => q.model !== m.model) });
    const predicted = predictGeneratedModel(c, m);
    return { model: m.model, measured: m.instructions, predicted, error: predicted / m.instructions - 1 };
  });
}

/** The sweep-only fit (no fixture model in it) and its errors on every fixture model. */
export function sweepOnly(
  data: CalibrationData,
  registry: Registry,
): { model: string; measured: number; predicted: number; error: number }[] {
  const rows = fitRows(data, registry);
  const c = calibrateGenerated({ ...rows, models: [] });
  return rows.models.map((m) => {
    const predicted = predictGeneratedModel(c, m);
    return { model: m.model, measured: m.instructions, predicted, error: predicted / m.instructions - 1 };
  });
}

/** A build's code measurement: every `.text` section, and invoke's own. */
export function codeMeasurement(m: MeasuredModel, modelName = "model"): CodeSizeMeasurement {
  const text = m.build.sections.filter((s) => s.name.startsWith(".text"));
  return {
    model: m.name,
    program: m.program,
    ioTensors: m.graph.inputs.length + m.graph.outputs.length,
    codeBytes: text.reduce((s, x) => s + x.bytes, 0),
    invokeBytes: text
      .filter((s) => s.name.startsWith(`.text.mcu_${modelName}_`))
      .reduce((s, x) => s + x.bytes, 0),
  };
}

/** The code-size table of one target, fitted on every plain build measured there. */
export function fitCodeSizes(data: CalibrationData): CodeSizeFit {
  return calibrateCodeSizes([...data.models, ...data.sweep].map((m) => codeMeasurement(m)));
}
