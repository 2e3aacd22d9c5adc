/**
 * The fitted coefficients of the builtin instruction models, written from a fresh fit
 * (`calibrateBuiltin` on the fixtures; `fitted-coefficients.test.ts` refits and compares).
 * Instructions per MAC / output / im2col element / layer / inference on Cortex-M4.
 */
import type { Parameter } from "./calibration.js";

/** TFLM + CMSIS-NN (DSP path), Cortex-M4. */
export const TFLM_CMSIS_NN_M4_THETA: Readonly<Record<Parameter, number>> = {
  convMac: 2.04976,
  im2col: 2.21974,
  depthwiseMac: 2.38296,
  depthwiseMultMac: 4.20833,
  denseMac: 1.33639,
  requantOutput: 31.1048,
  elementwiseOutput: 14.9646,
  softmaxOutput: 59.9615,
  poolElement: 1.9714,
  reduceElement: 3,
  copyOutput: 2,
  recurrentMac: 3,
  layer: 504.03,
  invoke: 691.128,
};

/** TFLM reference kernels, Cortex-M4. */
export const TFLM_REFERENCE_M4_THETA: Readonly<Record<Parameter, number>> = {
  convMac: 8.50196,
  im2col: 0,
  depthwiseMac: 16.0075,
  depthwiseMultMac: 25.0427,
  denseMac: 3.31864,
  requantOutput: 117.979,
  elementwiseOutput: 26.0919,
  softmaxOutput: 80.2301,
  poolElement: 6.24509,
  reduceElement: 6,
  copyOutput: 6,
  recurrentMac: 6,
  layer: 88.3403,
  invoke: 302.903,
};

/** Cycles per QEMU instruction on NUCLEO-L4R5ZI (Cortex-M4 @ 120 MHz), fitted on MLPerf Tiny v0.5. */
export const L4R5ZI_CYCLES_PER_INSTRUCTION = 2.80739;
