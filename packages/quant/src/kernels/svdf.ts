/**
 * Integer SVDF, bit-exact with TFLite Micro's EvalIntegerSvdfReference (int8 or int16 time
 * weights and state; micro/kernels/svdf_common.cc) and its PrepareSvdf.
 *
 * Per invocation, with F filters, M memory slots, U = F / rank units; the state is
 * [batch, F·M] (filter-major) and is updated in place:
 *   state ← state shifted left by one element (the whole buffer, as TFLM does)
 *   state[b, f·M + M − 1] = clamp(MBQM(Σ_i wf[f, i] · (x[b, i] − z_x), M1, S1) + z_s, state range)
 *   t[b, f] = Σ_m wt[f, m] · (state[b, f·M + m] − z_s)
 *   y[b, u] = clamp(MBQM(bias[u] + Σ_{r<rank} t[b, u·rank + r], M2, S2) + z_y, −128, 127)
 * with (M1, S1) ↔ double(float(float(s_x · s_wf) / s_s)) and (M2, S2) ↔ double(float(float(s_s · s_wt) / s_y)).
 * Like TFLM, the integer kernel applies no fused activation beyond the int8 clamp.
 */
import {
  type AttrsOf,
  defineKernel,
  type KernelDef,
  type KernelPrepareContext,
  type KernelRun,
  svdfOp,
  type TensorInfo,
} from "@mcu/tensor";
import { multiplyByQuantizedMultiplierFor, quantizeMultiplier, type RoundingMode } from "../multiplier.js";
import { dtypeLimits, isPerTensor, scaleOf, zeroPointOf } from "../quant-info.js";
import { biasValues, type IntArray, optionalOf } from "./common.js";
import { INT8_KERNEL, type QuantKernelOptions, roundingOf } from "./options.js";

/** Everything an integer SVDF computes with. */
export interface SvdfParams {
  readonly rounding: RoundingMode;
  readonly batches: number;
  readonly inputSize: number;
  readonly filters: number;
  readonly memory: number;
  readonly rank: number;
  readonly units: number;
  readonly featureMultiplier: number;
  readonly featureShift: number;
  readonly outputMultiplier: number;
  readonly outputShift: number;
  readonly inputZeroPoint: number;
  readonly stateZeroPoint: number;
  readonly outputZeroPoint: number;
  readonly stateMin: number;
  readonly stateMax: number;
  readonly bias: Float64Array | undefined;
}

/** Precomputes an integer SVDF for one node (TFLM PrepareSvdf). */
export function prepareSvdfParams(
  input: TensorInfo,
  weightsFeature: TensorInfo,
  weightsTime: TensorInfo,
  bias: TensorInfo | undefined,
  state: TensorInfo,
  output: TensorInfo,
  attrs: { readonly rank: number },
  options?: QuantKernelOptions,
): SvdfParams {
  const rounding = roundingOf(options);
  const [batches, inputSize] = input.shape as [number, number];
  const [filters] = weightsFeature.shape as [number, number];
  const memory = weightsTime.shape[1]!;
  const ss = scaleOf(state);
  const f = Math.fround;
  const s1 = quantizeMultiplier(f(f(scaleOf(input) * scaleOf(weightsFeature)) / ss), rounding);
  const s2 = quantizeMultiplier(f(f(ss * scaleOf(weightsTime)) / scaleOf(output)), rounding);
  const [stateMin, stateMax] = dtypeLimits(state.dtype);
  return {
    rounding,
    batches,
    inputSize,
    filters,
    memory,
    rank: attrs.rank,
    units: filters / attrs.rank,
    featureMultiplier: s1.multiplier,
    featureShift: s1.shift,
    outputMultiplier: s2.multiplier,
    outputShift: s2.shift,
    inputZeroPoint: zeroPointOf(input),
    stateZeroPoint: zeroPointOf(state),
    outputZeroPoint: zeroPointOf(output),
    stateMin,
    stateMax,
    bias: biasValues(bias),
  };
}

/** Runs a prepared SVDF, updating `state` in place; `scratch` has batches·filters entries. */
export function runSvdf(
  p: SvdfParams,
  x: IntArray,
  wf: ArrayLike<number>,
  wt: ArrayLike<number>,
  state: IntArray,
  y: IntArray,
  scratch: Float64Array,
): void {
  const mbqm = multiplyByQuantizedMultiplierFor(p.rounding);
  const { batches, inputSize, filters: F, memory: M, rank, units, stateZeroPoint: zs } = p;
  // Shift the whole state buffer left by one element.
  state.copyWithin(0, 1);
  // Feature projection into the newest memory slot of each filter.
  for (let b = 0; b < batches; b++) {
    for (let r = 0; r < F; r++) {
      let dot = 0;
      for (let c = 0; c < inputSize; c++)
        dot += wf[r * inputSize + c]! * (x[b * inputSize + c]! - p.inputZeroPoint);
      let v = mbqm(dot | 0, p.featureMultiplier, p.featureShift) + zs;
      v = v < p.stateMin ? p.stateMin : v > p.stateMax ? p.stateMax : v;
      state[b * F * M + r * M + M - 1] = v;
    }
  }
  // Time filter.
  for (let b = 0; b < batches; b++) {
    for (let i = 0; i < F; i++) {
      let s = 0;
      const base = b * F * M + i * M;
      for (let j = 0; j < M; j++) s += wt[i * M + j]! * (state[base + j]! - zs);
      scratch[b * F + i] = s;
    }
  }
  // Sum over rank, bias, rescale.
  for (let b = 0; b < batches; b++) {
    for (let u = 0; u < units; u++) {
      let acc = p.bias !== undefined ? p.bias[u]! : 0;
      for (let r = 0; r < rank; r++) acc += scratch[b * F + u * rank + r]!;
      let v = mbqm(acc | 0, p.outputMultiplier, p.outputShift) + p.outputZeroPoint;
      v = v < -128 ? -128 : v > 127 ? 127 : v;
      y[b * units + u] = v;
    }
  }
}

/** The SVDF kernel (int8 input and output; int8 or int16 time weights and state). */
export function svdfKernels(options?: QuantKernelOptions): KernelDef[] {
  return [
    defineKernel(svdfOp, {
      name: INT8_KERNEL,
      supports: ({ inputs: [x, wf, wt, b, s], outputs: [y] }) =>
        isPerTensor(x, ["int8"]) &&
        isPerTensor(wf, ["int8"]) &&
        isPerTensor(wt, ["int8", "int16"]) &&
        isPerTensor(s, ["int8", "int16"]) &&
        wt!.dtype === s!.dtype &&
        optionalOf(b, ["int32"]) &&
        isPerTensor(y, ["int8"]),
      prepare: ({
        inputs: [x, wf, wt, b, s],
        outputs: [y],
        attrs,
      }: KernelPrepareContext<AttrsOf<typeof svdfOp.attrs>>): KernelRun => {
        const p = prepareSvdfParams(x!, wf!, wt!, b, s!, y!, attrs, options);
        const scratch = new Float64Array(p.batches * p.filters);
        return ({ inputs: [xv, wfv, wtv, , sv], outputs: [yv] }) =>
          runSvdf(
            p,
            xv!.data as IntArray,
            wfv!.data as Int8Array,
            wtv!.data as Int8Array,
            sv!.data as IntArray,
            yv!.data as IntArray,
            scratch,
          );
      },
    }),
  ];
}
