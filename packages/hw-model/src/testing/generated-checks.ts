/**
 * Test support (not exported, not built): the checks of the "must show" on one calibration
 * target, shared by the per-core test files so that each measures its builds once.
 *
 * - Latency model (a): the committed coefficients (what `mcu estimate` uses) reproduce every
 *   fixture model's QEMU instruction count within 10%, and a fit that leaves the model out (the
 *   sweep kept) predicts it within 10% (a model under 10,000 instructions: 15%).
 * - RAM and flash: hw-model's estimate on a catalog board of the family agrees with the build:
 *   the arena exactly with `MCU_<NAME>_ARENA_BYTES`, RAM (the arena as declared + state) with the
 *   object's bss + data and flash with its text + data within 5%.
 */
import { BOARDS } from "../boards.js";
import { estimateModel } from "../estimate.js";
import { predictGeneratedModel } from "../generated-calibration.js";
import { GENERATED_INSTRUCTIONS } from "../generated-coefficients.js";
import { type CalibrationData, collectCalibrationData, modelRow } from "./calibration-data.js";
import { generatedRegistry } from "./generated-fixtures.js";
import { leaveOneOut } from "./generated-fit.js";

/** The registry and the data of one target, measured once per test file. */
export function measuredTarget(target: string): {
  registry: ReturnType<typeof generatedRegistry>;
  data: () => CalibrationData;
  load: () => Promise<void>;
} {
  const registry = generatedRegistry();
  let data: CalibrationData | undefined;
  return {
    registry,
    data: () => {
      if (data === undefined) throw new Error("measure first (beforeAll)");
      return data;
    },
    load: async () => {
      data = await collectCalibrationData(target, { registry });
    },
  };
}

/**
 * Per fixture model: its QEMU count and what the committed coefficients predict — through
 * `estimateModel` on a catalog board of the family (what `mcu estimate` computes), or for the
 * Cortex-M3 (no catalog board; the base of the M0+) from its own committed coefficients.
 */
export function committedErrors(data: CalibrationData, registry: ReturnType<typeof generatedRegistry>) {
  return data.models.map((m) => {
    const row = modelRow(m, registry);
    const predicted =
      data.target.target === "cortex-m3"
        ? predictGeneratedModel(GENERATED_INSTRUCTIONS["cortex-m3"], row)
        : estimateModel(m.graph, { registry, board: boardOfFamily(data.target.family) }).instructions
            .generated!;
    return { model: m.name, measured: row.instructions, predicted, error: predicted / row.instructions - 1 };
  });
}

/** Leave-one-out errors. */
export { leaveOneOut };

/** A catalog board of a family. */
export function boardOfFamily(family: string): string {
  const b = BOARDS.find((x) => x.core === family);
  if (b === undefined) throw new Error(`no board with a ${family}`);
  return b.id;
}

/** Estimate vs build for every fixture model. */
export function footprints(data: CalibrationData, registry: ReturnType<typeof generatedRegistry>) {
  const board = boardOfFamily(data.target.family);
  return data.models.map((m) => {
    const r = estimateModel(m.graph, { registry, board });
    const ramMeasured = m.build.bss + m.build.data;
    const ramPredicted = r.ramBytes - r.ram.stackBytes;
    const flashMeasured = m.build.text + m.build.data;
    return {
      model: m.name,
      arenaMeasured: m.build.arenaBytes,
      arenaPredicted: r.ram.arenaBytes,
      ramMeasured,
      ramPredicted,
      ramError: ramPredicted / ramMeasured - 1,
      flashMeasured,
      flashPredicted: r.flashBytes,
      flashError: r.flashBytes / flashMeasured - 1,
    };
  });
}
