/**
 * @mcu/hw-model fit report: person_detect (int8 MobileNetV1-0.25, 96×96) on every catalog board;
 * latency model (a) — the C @mcu/codegen-c generates — against QEMU instruction counts measured
 * now on every core family (committed coefficients, leave-one-out, sweep only), and the Cortex-M0+
 * against QEMU's micro:bit; RAM and flash against arm-none-eabi-size and the arena macro; and the
 * calibration of latency model (b) — TFLM + CMSIS-NN — with leave-one-out errors.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  BOARDS,
  builtinLayers,
  calibrateBuiltin,
  estimateModel,
  GENERATED_CALIBRATION_INFO,
  generatedModelSource,
  hwModelPlugin,
  M0PLUS_PER_M3_INSTRUCTIONS,
  MLPERF_TINY_V05_L4R5ZI_MS,
  PARAMETERS,
  parameterFeatures,
} from "@mcu/hw-model";
import { corePlugin, createRegistry, type Graph } from "@mcu/tensor";
import { readTflite } from "@mcu/tflite-io";
import {
  type CalibrationData,
  collectCalibrationData,
  fingerprint,
} from "../packages/hw-model/src/testing/calibration-data.js";
import { committedErrors, footprints } from "../packages/hw-model/src/testing/generated-checks.js";
import { generatedRegistry } from "../packages/hw-model/src/testing/generated-fixtures.js";
import { leaveOneOut, sweepOnly } from "../packages/hw-model/src/testing/generated-fit.js";
import type { BenchResult } from "../tools/bench/types.js";

const fixtures = resolve(import.meta.dirname, "..", "fixtures");
const cache = new Map<string, Graph>();
function read(fixture: string): Graph {
  let g = cache.get(fixture);
  if (g === undefined) {
    g = readTflite(new Uint8Array(readFileSync(join(fixtures, fixture))));
    cache.set(fixture, g);
  }
  return g;
}

const pct = (e: number): string => `${e >= 0 ? "+" : ""}${(e * 100).toFixed(1)}%`;
const int = (x: number): string => Math.round(x).toLocaleString("en-US");
const short = (f: string): string => f.replace(/^.*\//, "").replace(/\.tflite$/, "");

export default async function run(): Promise<BenchResult> {
  // The registry `mcu estimate` has: readers, @mcu/quant's and codegen-c's C kernels, hw-model.
  const registry = generatedRegistry();
  const tflmRegistry = createRegistry([corePlugin, hwModelPlugin]);
  const fit = calibrateBuiltin(read, tflmRegistry);

  // Leave-one-out over the MLPerf latencies: refit without one, predict it.
  const loo = MLPERF_TINY_V05_L4R5ZI_MS.map((m) => {
    const c = calibrateBuiltin(read, tflmRegistry, { leaveOutLatency: m.fixture }).cmsisNn;
    const x = parameterFeatures(builtinLayers(read(m.fixture), tflmRegistry));
    let instr = 0;
    PARAMETERS.forEach((p, j) => {
      instr += x[j]! * c.theta[p];
    });
    const ms = ((instr * c.cyclesPerInstruction!) / 120e6) * 1000;
    return { model: m.fixture, measured: m.value, predicted: ms, error: ms / m.value - 1 };
  });

  const person = read("tflite-micro/person_detect.tflite");
  const rows = BOARDS.map((b) => {
    const r = estimateModel(person, { registry, board: b.id });
    const bn = r.layers[r.bottleneck];
    return {
      board: b.id,
      core: b.core,
      MHz: b.clockHz.value / 1e6,
      fits: r.fits ? "yes" : "NO",
      "RAM B": r.ramBytes,
      "RAM margin B": r.ramMarginBytes,
      "flash B": r.flashBytes,
      "flash margin B": r.flashMarginBytes,
      "generated ms": Number((r.latencyMs.generated ?? Number.NaN).toFixed(1)),
      "TFLM+CMSIS-NN ms": Number((r.latencyMs.tflmCmsisNn ?? Number.NaN).toFixed(1)),
      "energy µJ": r.energyUj === null ? "n/a" : Number(r.energyUj.toFixed(0)),
      bottleneck: bn === undefined ? "" : `#${r.bottleneck} ${bn.kernel}`,
    };
  });

  // Model (a) and the footprint, measured now on every calibration target.
  const data = new Map<string, CalibrationData>();
  for (const t of ["cortex-m4", "cortex-m7", "cortex-m33", "cortex-m3", "cortex-m0plus"]) {
    data.set(t, await collectCalibrationData(t, { registry }));
  }
  const modelA: string[] = [];
  for (const t of ["cortex-m4", "cortex-m7", "cortex-m33", "cortex-m3"]) {
    const d = data.get(t)!;
    const committed = committedErrors(d, registry);
    const left = leaveOneOut(d, registry);
    const sweep = sweepOnly(d, registry);
    modelA.push(
      `#### ${t} (${t === "cortex-m3" ? "QEMU mps2-an385; the base of the Cortex-M0+" : generatedModelSource(d.target.family)})`,
      "",
      "| model | measured instructions | committed model | error | left out | sweep only |",
      "|---|---:|---:|---:|---:|---:|",
      ...committed.map(
        (e, i) =>
          `| ${e.model} | ${int(e.measured)} | ${int(e.predicted)} | ${pct(e.error)} | ${pct(left[i]!.error)} | ${pct(sweep[i]!.error)} |`,
      ),
      "",
    );
  }
  const m3 = data.get("cortex-m3")!;
  const m0 = data.get("cortex-m0plus")!;
  const armv6m = m0.models.filter((m) => m.armv6mInstructions !== undefined);
  const m0Rows = armv6m.map((m) => {
    const r = estimateModel(m.graph, { registry, board: "nucleo-g0b1re" });
    const m3Count = m3.models.find((q) => q.name === m.name)!.build.instructions!;
    return `| ${m.name} | ${int(m3Count)} | ${int(m.armv6mInstructions!)} | ${(m.armv6mInstructions! / m3Count).toFixed(2)} | ${int(r.instructions.generated!)} | ${pct(r.instructions.generated! / m.armv6mInstructions! - 1)} |`;
  });
  const footprint: string[] = [];
  for (const t of ["cortex-m0plus", "cortex-m4", "cortex-m7", "cortex-m33"]) {
    footprint.push(
      `#### ${t}`,
      "",
      "| model | arena macro | estimate | RAM (bss+data) | estimate | error | flash (text+data) | estimate | error |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
      ...footprints(data.get(t)!, registry).map(
        (f) =>
          `| ${f.model} | ${int(f.arenaMeasured)} | ${int(f.arenaPredicted)} | ${int(f.ramMeasured)} | ${int(f.ramPredicted)} | ${pct(f.ramError)} | ${int(f.flashMeasured)} | ${int(f.flashPredicted)} | ${pct(f.flashError)} |`,
      ),
      "",
    );
  }
  const current = fingerprint([...data.values()]);
  const skipped = [...data.values()].flatMap((d) =>
    d.skipped.map((x) => `${d.target.target} ${x.name}: ${x.reason}`),
  );

  const notes = [
    "### Latency model (a): the generated C against QEMU instruction counts (measured for this report)",
    "",
    `Committed coefficients: ${GENERATED_CALIBRATION_INFO.date}, ${GENERATED_CALIBRATION_INFO.toolchain}, kernels ${GENERATED_CALIBRATION_INFO.kernels} (today's kernels: ${current}${current === GENERATED_CALIBRATION_INFO.kernels ? ", the same" : " — recalibrate with npm run calibrate -w @mcu/hw-model"}).`,
    "'committed model' is what `mcu estimate` predicts; 'left out' refits without that model (the sweep kept); 'sweep only' fits on the layer sweep alone, no fixture model.",
    ...(skipped.length > 0
      ? [
          "",
          "Sweep graphs left out because codegen-c could not build them today:",
          "",
          ...skipped.map((x) => `- ${x}`),
        ]
      : []),
    "",
    ...modelA,
    `#### cortex-m0plus: Cortex-M3 coefficients × ${M0PLUS_PER_M3_INSTRUCTIONS} (Armv6-M per Armv7-M instructions, QEMU micro:bit / mps2-an385)`,
    "",
    "| model | Cortex-M3 measured | micro:bit (Cortex-M0) measured | ratio | M0+ estimate | error |",
    "|---|---:|---:|---:|---:|---:|",
    ...m0Rows,
    "",
    "The other fixture models do not fit the micro:bit's 16 KB of RAM.",
    "",
    "### RAM and flash of the generated C against the build (arm-none-eabi-size of the model object, MCU_<NAME>_ARENA_BYTES)",
    "",
    "RAM excludes the 1 KB stack estimate (not in the object); the arena is declared 8-byte aligned.",
    "",
    ...footprint,
    "### Latency model (b): TFLM + CMSIS-NN, fitted coefficients",
    "",
    `One coefficient set for all models (instructions on Cortex-M4), κ = ${fit.cmsisNn.cyclesPerInstruction!.toFixed(4)} cycles per QEMU instruction on NUCLEO-L4R5ZI.`,
    "",
    `| parameter | ${PARAMETERS.join(" | ")} |`,
    `|---|${PARAMETERS.map(() => "---").join("|")}|`,
    `| instructions | ${PARAMETERS.map((p) => fit.cmsisNn.theta[p].toPrecision(4)).join(" | ")} |`,
    "",
    "### In-sample fit: QEMU instruction counts (TFLM + CMSIS-NN, Cortex-M4, mps2-an386)",
    "",
    "| model | measured | predicted | error |",
    "|---|---:|---:|---:|",
    ...fit.cmsisNn.instructionFit.map(
      (r) => `| ${short(r.model)} | ${int(r.measured)} | ${int(r.predicted)} | ${pct(r.error)} |`,
    ),
    "",
    "### MLPerf Tiny v0.5 reference latencies on NUCLEO-L4R5ZI (120 MHz): in-sample and leave-one-out",
    "",
    "| model | measured ms | fitted ms | error | left-out ms | left-out error |",
    "|---|---:|---:|---:|---:|---:|",
    ...fit.cmsisNn.latencyFit.map((r) => {
      const l = loo.find((x) => x.model === r.model)!;
      return `| ${short(r.model)} | ${r.measuredMs} | ${r.predictedMs.toFixed(1)} | ${pct(r.error)} | ${l.predicted.toFixed(1)} | ${pct(l.error)} |`;
    }),
    "",
    "The anomaly-detection model is the only fully-connected-dominated model with a measurement; left out, its",
    "per-MAC dense cost falls back to the prior and the prediction is correspondingly worse.",
    "",
    "### TFLM reference kernels (used for float32 layers and for Cortex-M0+): in-sample instruction fit",
    "",
    "| model | measured | predicted | error |",
    "|---|---:|---:|---:|",
    ...fit.reference.instructionFit.map(
      (r) => `| ${short(r.model)} | ${int(r.measured)} | ${int(r.predicted)} | ${pct(r.error)} |`,
    ),
    "",
    "Energy is shown only where a board's datasheet active power was found.",
  ].join("\n");

  return {
    title:
      "@mcu/hw-model: person_detect on every catalog board, and both latency models against measurements",
    description:
      "Estimate of tflite-micro person_detect.tflite (int8) per board with the registry `mcu estimate` uses (C kernels installed): RAM (the arena codegen-c plans, " +
      "with its kernels' scratch + state + 1 KB stack estimate), flash (what the C kernels emit + measured code sizes), latency under model (a), our generated " +
      "code (per-family coefficients fitted on QEMU instruction counts), and model (b), TFLM + CMSIS-NN (instructions × κ × CoreMark-based relative CPI ÷ clock " +
      "for both), energy (datasheet active power × latency). Below: model (a) and the footprint against builds measured for this report, and the calibration of model (b).",
    rows,
    notes,
  };
}
