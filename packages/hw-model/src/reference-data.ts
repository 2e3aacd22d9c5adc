/**
 * The measurements the TFLite Micro models are calibrated on, and the priors of their
 * coefficients.
 *
 * Instruction counts: TFLM + CMSIS-NN (and TFLM's reference kernels) on Cortex-M4 under
 * `qemu-system-arm -M mps2-an386 -icount shift=0`, one inference, SysTick-timed, as measured for
 * this project and recorded in the @mcu/codegen-c issue (issue 6 of the project tracker).
 *
 * Latencies: the MLPerf Tiny v0.5 closed-division reference submission (TFLM + CMSIS-NN,
 * Mbed OS) on NUCLEO-L4R5ZI at 120 MHz (Banbury et al., "MLPerf Tiny Benchmark", NeurIPS 2021
 * Datasets and Benchmarks; results table at https://mlcommons.org/en/inference-tiny-05).
 */
import type { Parameter } from "./calibration.js";
import type { Prior } from "./map-fit.js";

/** A fixture model with a measured figure. Paths are relative to the repository's fixtures/. */
export interface ReferenceFigure {
  readonly fixture: string;
  readonly value: number;
}

/** TFLM + CMSIS-NN instructions per inference on Cortex-M4 (QEMU mps2-an386). */
export const TFLM_CMSIS_NN_M4_INSTRUCTIONS: readonly ReferenceFigure[] = [
  { fixture: "tflite-micro/person_detect.tflite", value: 22_929_280 },
  { fixture: "mlcommons-tiny/kws_ref_model.tflite", value: 7_699_800 },
  { fixture: "mlcommons-tiny/pretrainedResnet_quant.tflite", value: 29_863_840 },
  { fixture: "tflite-micro/micro_speech_quantized.tflite", value: 1_495_040 },
  { fixture: "tflite-micro/hello_world_int8.tflite", value: 3_640 },
];

/** TFLM reference-kernel instructions per inference on Cortex-M4 (QEMU mps2-an386). */
export const TFLM_REFERENCE_M4_INSTRUCTIONS: readonly ReferenceFigure[] = [
  { fixture: "tflite-micro/person_detect.tflite", value: 95_688_640 },
  { fixture: "mlcommons-tiny/kws_ref_model.tflite", value: 43_042_400 },
  { fixture: "mlcommons-tiny/pretrainedResnet_quant.tflite", value: 107_386_560 },
  { fixture: "tflite-micro/micro_speech_quantized.tflite", value: 9_309_680 },
  { fixture: "tflite-micro/hello_world_int8.tflite", value: 5_360 },
];

/** MLPerf Tiny v0.5 reference latencies (ms) on NUCLEO-L4R5ZI @ 120 MHz. */
export const MLPERF_TINY_V05_L4R5ZI_MS: readonly ReferenceFigure[] = [
  { fixture: "mlcommons-tiny/kws_ref_model.tflite", value: 181.9 },
  { fixture: "mlcommons-tiny/pretrainedResnet_quant.tflite", value: 704.2 },
  { fixture: "mlcommons-tiny/model_ToyCar_quant_fullint.tflite", value: 10.05 },
];

/** The clock of the MLPerf Tiny v0.5 reference platform. */
export const MLPERF_L4R5ZI_CLOCK_HZ = 120e6;

/**
 * Priors for CMSIS-NN's DSP path on Cortex-M4, in instructions, from the structure of its
 * inner loops (CMSIS-NN `arm_nn_mat_mult_kernel_s8_s16`: per 4 input channels × 2 output
 * channels × 2 pixels, two 4-byte weight loads widened with SXTB16, four 16-bit pixel loads
 * and 8 SMLADs ≈ 20–24 instructions for 16 MACs; `arm_nn_vec_mat_mult_t_s8`: ≈ 14–16 for 8;
 * depthwise kernels reuse nothing across channels and need about twice as many per MAC).
 * The standard deviations are wide: the data, not the prior, should decide where it can.
 */
export const CMSIS_NN_M4_PRIORS: Readonly<Record<Parameter, Prior>> = {
  convMac: { mean: 1.5, sd: 0.75 },
  im2col: { mean: 2, sd: 2 },
  depthwiseMac: { mean: 2.5, sd: 1.5 },
  depthwiseMultMac: { mean: 4, sd: 2 },
  denseMac: { mean: 1.8, sd: 0.9 },
  requantOutput: { mean: 20, sd: 20 },
  elementwiseOutput: { mean: 15, sd: 10 },
  softmaxOutput: { mean: 60, sd: 60 },
  poolElement: { mean: 2, sd: 2 },
  reduceElement: { mean: 3, sd: 3 },
  copyOutput: { mean: 2, sd: 2 },
  recurrentMac: { mean: 3, sd: 3 },
  layer: { mean: 300, sd: 300 },
  invoke: { mean: 500, sd: 500 },
};

/**
 * Priors for TFLM's portable reference kernels on Cortex-M4: plain C loops with per-element
 * index arithmetic (`Offset()`), one MAC per multiply, about 4–6 instructions per MAC.
 */
export const TFLM_REFERENCE_M4_PRIORS: Readonly<Record<Parameter, Prior>> = {
  convMac: { mean: 5, sd: 3 },
  im2col: { mean: 0, sd: 1 },
  depthwiseMac: { mean: 7, sd: 4 },
  depthwiseMultMac: { mean: 7, sd: 4 },
  denseMac: { mean: 4, sd: 2 },
  requantOutput: { mean: 30, sd: 30 },
  elementwiseOutput: { mean: 30, sd: 20 },
  softmaxOutput: { mean: 80, sd: 80 },
  poolElement: { mean: 6, sd: 4 },
  reduceElement: { mean: 6, sd: 4 },
  copyOutput: { mean: 6, sd: 4 },
  recurrentMac: { mean: 6, sd: 4 },
  layer: { mean: 300, sd: 300 },
  invoke: { mean: 500, sd: 500 },
};
