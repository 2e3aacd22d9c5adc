/**
 * Integer UNIDIRECTIONAL_SEQUENCE_LSTM (int8 activations, int16 cell state; also int16
 * activations with int64 biases), bit-exact with TFLite Micro's LstmStep / EvalLstm
 * (micro/kernels/lstm_eval.h, lstm_eval.cc) and PrepareGateParametersInteger /
 * CreateLstmCellStateInfo (micro/kernels/lstm_eval_common.cc). Standard LSTM only: no CIFG,
 * peephole, projection or layer normalization (as TFLM's kernel).
 *
 * Per time step (hidden state h: the output state, int8 with zero point z_h; cell c: int16 with
 * scale 2^p):
 *   gate_g = act(sat16(FC_in_g(x) + FC_rec_g(h)))        g ∈ {forget, input, cell, output}
 *     FC_in_g(x)[j]  = clamp16(MBQM(Σ_i w[j,i]·(x[i] − z_x) + b_g[j], M, S))
 *     FC_rec_g(h)[j] = clamp16(MBQM(Σ_i r[j,i]·(h[i] − z_h), M', S'))
 *     with (M, S) ↔ double(float(s_x·s_w)) / 2^−12 (the FC output is Q3.12), act = int16
 *     LOGISTIC (sigmoid-table, POT input) for forget/input/output and TANH (the fused
 *     activation, the only one supported) for the cell gate; gate outputs are Q0.15.
 *   c = sat16(MBQM(forget·c, ↔ 2^−15) + MBQM(input·cell, ↔ 2^−30 / 2^p)), clipped to ±clip/2^p
 *   h = clamp8(MBQM(tanh_p(c)·output, ↔ 2^−30 / s_h) + z_h);  y[t] = h
 * where tanh_p is the int16 TANH with input left shift 15 + p − 3 (multiplier 3 when negative).
 */
import {
  type AttrsOf,
  defineKernel,
  type KernelDef,
  type KernelPrepareContext,
  type KernelRun,
  type TensorInfo,
  unidirectionalSequenceLstmOp,
} from "@mcu/tensor";
import {
  multiplyByQuantizedMultiplierFor,
  multiplyByQuantizedMultiplierInt64 as mbqmInt64,
  quantizeMultiplier,
  type RoundingMode,
} from "../multiplier.js";
import { isPerTensor, scaleOf, zeroPointOf } from "../quant-info.js";
import { biasValues, type IntArray } from "./common.js";
import { checkedLog2, type LogisticTanhParams, runLogistic, runTanh } from "./logistic-tanh.js";
import { INT8_KERNEL, INT16X8_KERNEL, type QuantKernelOptions, roundingOf } from "./options.js";

/** Input indices of the TFLite LSTM (lstm_shared.h). */
const X = 0;
const IN_W = [2, 1, 3, 4] as const; // forget, input, cell, output
const REC_W = [6, 5, 7, 8] as const;
const BIAS = [13, 12, 14, 15] as const;
const OUTPUT_STATE = 18;
const CELL_STATE = 19;

/** The requantization of one gate's fully connected part. */
export interface LstmFcParams {
  readonly multiplier: number;
  readonly shift: number;
  readonly inputOffset: number;
  readonly weightsOffset: number;
  readonly bias: Float64Array | undefined;
}

/** An element-wise multiplication's requantization (TFLite CreateInterGateMulParams). */
export interface LstmMulParams {
  readonly multiplier: number;
  readonly shift: number;
  readonly outputOffset: number;
  readonly min: number;
  readonly max: number;
}

/** Everything an integer LSTM computes with. */
export interface LstmParams {
  readonly rounding: RoundingMode;
  readonly int16Activations: boolean;
  readonly timeMajor: boolean;
  readonly batches: number;
  readonly steps: number;
  readonly inputSize: number;
  readonly units: number;
  /** Per gate (forget, input, cell, output): input and recurrent FC parameters. */
  readonly inputFc: readonly LstmFcParams[];
  readonly recurrentFc: readonly LstmFcParams[];
  readonly forgetCellMul: LstmMulParams;
  readonly inputCellMul: LstmMulParams;
  readonly outputMul: LstmMulParams;
  /** p with cell scale 2^p. */
  readonly cellStateScalePower: number;
  /** Quantized cell clip (0: none). */
  readonly quantizedCellClip: number;
}

function fcParams(
  input: TensorInfo,
  weights: TensorInfo,
  bias: TensorInfo | undefined,
  rounding: RoundingMode,
  int16: boolean,
): LstmFcParams {
  // CalculateOpDataFullyConnected with a Q3.12 int16 output: float32 product of the scales.
  const q = quantizeMultiplier(Math.fround(scaleOf(input) * scaleOf(weights)) / 2 ** -12, rounding);
  return {
    multiplier: q.multiplier,
    shift: q.shift,
    inputOffset: int16 ? 0 : -zeroPointOf(input),
    weightsOffset: -zeroPointOf(weights),
    bias: biasValues(bias),
  };
}

function mulParams(
  s1: number,
  s2: number,
  sOut: number,
  zp: number,
  int8Out: boolean,
  rounding: RoundingMode,
): LstmMulParams {
  const q = quantizeMultiplier((s1 * s2) / sOut, rounding);
  return {
    multiplier: q.multiplier,
    shift: q.shift,
    outputOffset: zp,
    min: int8Out ? -128 : -32768,
    max: int8Out ? 127 : 32767,
  };
}

/** Precomputes an integer UNIDIRECTIONAL_SEQUENCE_LSTM for one node. */
export function prepareLstmParams(
  inputs: readonly (TensorInfo | undefined)[],
  attrs: AttrsOf<typeof unidirectionalSequenceLstmOp.attrs>,
  options?: QuantKernelOptions,
): LstmParams {
  const rounding = roundingOf(options);
  const x = inputs[X]!;
  const h = inputs[OUTPUT_STATE]!;
  const c = inputs[CELL_STATE]!;
  const int16 = x.dtype === "int16";
  const [a, b, inputSize] = x.shape as [number, number, number];
  const units = inputs[IN_W[0]]!.shape[0]!;
  const cellScale = scaleOf(c);
  const nonlinearOut = 2 ** -15;
  const clip = Math.fround(attrs.cellClip);
  return {
    rounding,
    int16Activations: int16,
    timeMajor: attrs.timeMajor,
    batches: attrs.timeMajor ? b : a,
    steps: attrs.timeMajor ? a : b,
    inputSize,
    units,
    inputFc: IN_W.map((w, g) => fcParams(x, inputs[w]!, inputs[BIAS[g]!], rounding, int16)),
    recurrentFc: REC_W.map((w) => fcParams(h, inputs[w]!, undefined, rounding, int16)),
    forgetCellMul: mulParams(nonlinearOut, cellScale, cellScale, 0, false, rounding),
    inputCellMul: mulParams(nonlinearOut, nonlinearOut, cellScale, 0, false, rounding),
    outputMul: mulParams(nonlinearOut, nonlinearOut, scaleOf(h), zeroPointOf(h), !int16, rounding),
    cellStateScalePower: checkedLog2(cellScale).log2,
    quantizedCellClip: clip > 0 ? Math.trunc(Math.min(Math.max(clip / cellScale, -32768), 32767)) : 0,
  };
}

/** The int16 LOGISTIC of TFLM's LSTM: Q3.12 input, power-of-two path (multiplier 3, no shift). */
const GATE_SIGMOID: LogisticTanhParams = {
  variant: "int16",
  rounding: "double",
  inputZeroPoint: 0,
  inputRangeRadius: 0,
  inputMultiplier: 0,
  inputLeftShift: 0,
};

/** The int16 TANH of TFLM's LSTM for an input scale 2^p: left shift 15 + p − 3, or multiplier 3 and a right shift. */
function lstmTanhParams(scalePower: number): LogisticTanhParams {
  const shift = 15 + scalePower - 3;
  return {
    variant: "int16",
    rounding: "double",
    inputZeroPoint: 0,
    inputRangeRadius: 0,
    inputMultiplier: shift < 0 ? 3 : 0,
    inputLeftShift: shift < 0 ? -shift : shift,
  };
}

/** Scratch buffers of one LSTM node. */
export interface LstmBuffers {
  readonly gates: readonly Int16Array[];
  readonly fc: Int16Array;
  readonly tmp: Int16Array;
}

/** Allocates the per-node scratch buffers. */
export function lstmBuffers(p: LstmParams): LstmBuffers {
  const n = p.units;
  return {
    gates: [new Int16Array(n), new Int16Array(n), new Int16Array(n), new Int16Array(n)],
    fc: new Int16Array(n),
    tmp: new Int16Array(n),
  };
}

/** One fully connected gate part into int16 (Q3.12), as TFLite's FullyConnected to an int16 output. */
function gateFc(
  p: LstmParams,
  f: LstmFcParams,
  x: IntArray,
  xOff: number,
  depth: number,
  w: ArrayLike<number>,
  out: Int16Array,
): void {
  const mbqm = multiplyByQuantizedMultiplierFor(p.rounding);
  const { inputOffset, weightsOffset, bias, multiplier, shift } = f;
  for (let j = 0; j < p.units; j++) {
    let acc = bias !== undefined ? bias[j]! : 0;
    const wb = j * depth;
    for (let i = 0; i < depth; i++) acc += (w[wb + i]! + weightsOffset) * (x[xOff + i]! + inputOffset);
    // int8 activations: int32 accumulator and MBQM; int16 activations: TFLite's int64 path.
    const v = p.int16Activations ? mbqmInt64(acc, multiplier, shift) : mbqm(acc | 0, multiplier, shift);
    out[j] = v < -32768 ? -32768 : v > 32767 ? 32767 : v;
  }
}

/** TFLite MulElementwise with zero input offsets into `out`. */
function mulInto(
  p: LstmParams,
  m: LstmMulParams,
  a: Int16Array,
  b: IntArray,
  out: IntArray,
  outOff: number,
): void {
  const mbqm = multiplyByQuantizedMultiplierFor(p.rounding);
  for (let j = 0; j < p.units; j++) {
    const v = mbqm(a[j]! * b[j]!, m.multiplier, m.shift) + m.outputOffset;
    out[outOff + j] = v < m.min ? m.min : v > m.max ? m.max : v;
  }
}

/**
 * Runs a prepared LSTM over the whole sequence, updating the output (hidden) and cell states in
 * place, writing the hidden state of each step to `y`.
 */
export function runLstm(
  p: LstmParams,
  x: IntArray,
  weights: readonly ArrayLike<number>[],
  recurrent: readonly ArrayLike<number>[],
  hidden: IntArray,
  cell: Int16Array,
  y: IntArray,
  buf: LstmBuffers,
): void {
  const { units, inputSize, steps, batches } = p;
  const tanhCell = lstmTanhParams(p.cellStateScalePower);
  const tanhGate = lstmTanhParams(-12);
  const stateView = (arr: IntArray, off: number): IntArray => arr.subarray(off, off + units) as IntArray;
  for (let b = 0; b < batches; b++) {
    for (let t = 0; t < steps; t++) {
      // Batch-first input is [batch, time, in]; time-major is [time, batch, in].
      const step = p.timeMajor ? t * batches + b : b * steps + t;
      const xOff = step * inputSize;
      const hOff = b * units;
      const h = stateView(hidden, hOff);
      const c = cell.subarray(hOff, hOff + units);
      for (let g = 0; g < 4; g++) {
        const gate = buf.gates[g]!;
        gateFc(p, p.inputFc[g]!, x, xOff, inputSize, weights[g]!, gate);
        gateFc(p, p.recurrentFc[g]!, h, 0, units, recurrent[g]!, buf.fc);
        for (let j = 0; j < units; j++) {
          const s = gate[j]! + buf.fc[j]!;
          gate[j] = s < -32768 ? -32768 : s > 32767 ? 32767 : s;
        }
        if (g === 2) runTanh(tanhGate, gate, gate);
        else runLogistic(GATE_SIGMOID, gate, gate);
        // TFLM computes the output gate after the cell update; it reads only x and h, so the
        // order does not change any value.
      }
      const [forget, input, cellGate, output] = buf.gates as [Int16Array, Int16Array, Int16Array, Int16Array];
      mulInto(p, p.forgetCellMul, forget, c, c, 0);
      mulInto(p, p.inputCellMul, input, cellGate, buf.tmp, 0);
      const clip = p.quantizedCellClip;
      for (let j = 0; j < units; j++) {
        let s = c[j]! + buf.tmp[j]!;
        s = s < -32768 ? -32768 : s > 32767 ? 32767 : s;
        if (clip > 0) s = s > clip ? clip : s < -clip ? -clip : s;
        c[j] = s;
      }
      runTanh(tanhCell, c, buf.tmp);
      mulInto(p, p.outputMul, buf.tmp, output, h, 0);
      const yOff = step * units;
      for (let j = 0; j < units; j++) y[yOff + j] = h[j]!;
    }
  }
}

/** True if the LSTM is the standard one TFLM's integer kernel runs. */
function supportsLstm(
  inputs: readonly (TensorInfo | undefined)[],
  y: TensorInfo | undefined,
  act: "int8" | "int16",
): boolean {
  const x = inputs[X];
  const standard = [1, ...IN_W, ...REC_W].every((i) => isPerTensor(inputs[i], ["int8"]));
  const noVariants = [9, 10, 11, 16, 17, 20, 21, 22, 23].every((i) => inputs[i] === undefined);
  const biases = BIAS.every((i) => inputs[i]?.dtype === (act === "int8" ? "int32" : "int64"));
  return (
    isPerTensor(x, [act]) &&
    isPerTensor(y, [act]) &&
    isPerTensor(inputs[OUTPUT_STATE], [act]) &&
    isPerTensor(inputs[CELL_STATE], ["int16"]) &&
    standard &&
    noVariants &&
    biases
  );
}

/** The integer LSTM kernels (int8 and int16 activations). */
export function lstmKernels(options?: QuantKernelOptions): KernelDef[] {
  const prepare = ({
    inputs,
    attrs,
  }: KernelPrepareContext<AttrsOf<typeof unidirectionalSequenceLstmOp.attrs>>): KernelRun => {
    const p = prepareLstmParams(inputs, attrs, options);
    const buf = lstmBuffers(p);
    return ({ inputs: v, outputs: [yv] }) =>
      runLstm(
        p,
        v[X]!.data as IntArray,
        IN_W.map((i) => v[i]!.data as Int8Array),
        REC_W.map((i) => v[i]!.data as Int8Array),
        v[OUTPUT_STATE]!.data as IntArray,
        v[CELL_STATE]!.data as Int16Array,
        yv!.data as IntArray,
        buf,
      );
  };
  return [
    defineKernel(unidirectionalSequenceLstmOp, {
      name: INT8_KERNEL,
      supports: ({ inputs, outputs: [y], attrs }) =>
        attrs.fusedActivation === "TANH" && supportsLstm(inputs, y, "int8"),
      prepare,
    }),
    defineKernel(unidirectionalSequenceLstmOp, {
      name: INT16X8_KERNEL,
      supports: ({ inputs, outputs: [y], attrs }) =>
        attrs.fusedActivation === "TANH" && supportsLstm(inputs, y, "int16"),
      prepare,
    }),
  ];
}
