/**
 * @mcu/hw-model fit report: person_detect (int8 MobileNetV1-0.25, 96×96) on every catalog
 * board, and the calibration of latency model (b) — TFLM + CMSIS-NN — against the measurements
 * it was fitted on, with leave-one-out errors for the MLPerf latencies.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  BOARDS,
  calibrateBuiltin,
  estimateModel,
  hwModelPlugin,
  MLPERF_TINY_V05_L4R5ZI_MS,
  PARAMETERS,
  parameterFeatures,
  builtinLayers,
} from "@mcu/hw-model";
import { corePlugin, createRegistry, type Graph } from "@mcu/tensor";
import { readTflite } from "@mcu/tflite-io";
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
const short = (f: string): string => f.replace(/^.*\//, "").replace(/\.tflite$/, "");

export default async function run(): Promise<BenchResult> {
  const registry = createRegistry([corePlugin, hwModelPlugin]);
  const fit = calibrateBuiltin(read, registry);

  // Leave-one-out over the MLPerf latencies: refit without one, predict it.
  const loo = MLPERF_TINY_V05_L4R5ZI_MS.map((m) => {
    const c = calibrateBuiltin(read, registry, { leaveOutLatency: m.fixture }).cmsisNn;
    const x = parameterFeatures(builtinLayers(read(m.fixture), registry));
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

  const notes = [
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
      (r) =>
        `| ${short(r.model)} | ${r.measured.toLocaleString("en-US")} | ${Math.round(r.predicted).toLocaleString("en-US")} | ${pct(r.error)} |`,
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
      (r) =>
        `| ${short(r.model)} | ${r.measured.toLocaleString("en-US")} | ${Math.round(r.predicted).toLocaleString("en-US")} | ${pct(r.error)} |`,
    ),
    "",
    "Latency model (a), our generated code, is not calibrated yet: @mcu/codegen-c's Cortex-M4 QEMU measurements",
    "(bench/results/codegen-cortex-m4.json) did not exist when this report was generated, so 'generated ms' equals",
    "the TFLM + CMSIS-NN figure. Energy is shown only where a board's datasheet active power was found.",
  ].join("\n");

  return {
    title: "@mcu/hw-model: person_detect on every catalog board, and the latency-model fit",
    description:
      "Estimate of tflite-micro person_detect.tflite (int8) per board: RAM (arena from @mcu/tensor's planner + kernel scratch + 1 KB stack estimate), " +
      "flash (weights in storage format + requantization data + kernel code + call sites), latency under model (a) and (b) " +
      "(instructions × κ × CoreMark-based relative CPI ÷ clock), energy (datasheet active power × latency). " +
      "Below: the calibration of model (b) on QEMU instruction counts and MLPerf Tiny v0.5 latencies.",
    rows,
    notes,
  };
}
