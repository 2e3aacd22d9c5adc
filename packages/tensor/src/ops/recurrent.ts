/**
 * Recurrent ops with state kept in variable tensors, as TensorFlow Lite defines them:
 * SVDF (tensorflow/lite/kernels/svdf.cc) and UNIDIRECTIONAL_SEQUENCE_LSTM
 * (tensorflow/lite/kernels/unidirectional_sequence_lstm.cc, input order from
 * tensorflow/lite/kernels/lstm_shared.h). Contracts only: their kernels come with the
 * quantization work.
 */
import { attr } from "../attrs.js";
import { numElements } from "../dtype.js";
import { defineOp } from "../op.js";
import { formatShape } from "../tensor-info.js";
import { FUSED_ACTIVATIONS, fusedActivationAttr } from "./activation.js";
import { expectRank, expectShape } from "./shape-utils.js";

/**
 * Singular value decomposition filter (Google's "Compressing deep neural networks using a
 * rank-constrained topology", Interspeech 2015): each of `numFilters = units · rank` filters
 * projects the input (weightsFeature), the state keeps the last `memorySize` projections, and
 * weightsTime filters them over time; the rank filters of each unit are summed.
 */
export const svdfOp = defineOp({
  name: "core.svdf",
  doc: "SVDF: feature projection, a memorySize-deep time filter over the state, sum over rank (TFLite SVDF)",
  attrs: {
    rank: attr.int(undefined, "filters per output unit"),
    fusedActivation: fusedActivationAttr,
    asymmetricQuantizeInputs: attr.bool(false, "TFLite hybrid kernels: quantize float inputs asymmetrically"),
  },
  inputs: ["x", "weightsFeature", "weightsTime", "bias?", "state"],
  inferShape({ node, inputs: [x, wf, wt, b, state], attrs }) {
    expectRank(x!.shape, 2, "svdf input", node);
    expectRank(wf!.shape, 2, "svdf feature weights", node);
    expectRank(wt!.shape, 2, "svdf time weights", node);
    const [batch, inputSize] = x!.shape as [number, number];
    const [filters, featureIn] = wf!.shape as [number, number];
    const [timeFilters, memory] = wt!.shape as [number, number];
    expectShape(
      featureIn === inputSize,
      `svdf feature weights ${formatShape(wf!.shape)} do not take ${inputSize} inputs`,
      node,
    );
    expectShape(
      timeFilters === filters,
      `svdf time weights ${formatShape(wt!.shape)} need ${filters} filters`,
      node,
    );
    expectShape(
      attrs.rank >= 1 && filters % attrs.rank === 0,
      `svdf rank ${attrs.rank} does not divide ${filters} filters`,
      node,
    );
    const units = filters / attrs.rank;
    if (b !== undefined)
      expectShape(numElements(b.shape) === units, `svdf bias must have ${units} values`, node);
    expectShape(
      numElements(state!.shape) === batch * memory * filters,
      `svdf state ${formatShape(state!.shape)} must hold ${batch}×${memory}×${filters} values`,
      node,
    );
    return [{ shape: [batch, units] }];
  },
  macs({ inputs: [x, wf, wt] }) {
    const batch = x!.shape[0]!;
    const [filters, inputSize] = wf!.shape as [number, number];
    return batch * filters * (inputSize + wt!.shape[1]!);
  },
});

/** The inputs of an LSTM in TFLite's order (lstm_shared.h); `?` marks optional ones. */
export const LSTM_INPUTS = [
  "x",
  "inputToInputWeights?",
  "inputToForgetWeights",
  "inputToCellWeights",
  "inputToOutputWeights",
  "recurrentToInputWeights?",
  "recurrentToForgetWeights",
  "recurrentToCellWeights",
  "recurrentToOutputWeights",
  "cellToInputWeights?",
  "cellToForgetWeights?",
  "cellToOutputWeights?",
  "inputGateBias?",
  "forgetGateBias",
  "cellGateBias",
  "outputGateBias",
  "projectionWeights?",
  "projectionBias?",
  "outputState",
  "cellState",
  "inputLayerNormCoefficients?",
  "forgetLayerNormCoefficients?",
  "cellLayerNormCoefficients?",
  "outputLayerNormCoefficients?",
] as const;

/**
 * An LSTM run over a sequence (TFLite UNIDIRECTIONAL_SEQUENCE_LSTM): optional CIFG (no input
 * gate), peepholes, projection and layer normalization; state in two variable tensors.
 */
export const unidirectionalSequenceLstmOp = defineOp({
  name: "core.unidirectional_sequence_lstm",
  doc: "LSTM over a sequence, y[t] = h[t]; input [batch, time, in] (or [time, batch, in] when timeMajor)",
  attrs: {
    fusedActivation: attr.enum(FUSED_ACTIVATIONS, "TANH", "the cell and output activation"),
    cellClip: attr.float(0, "clip the cell state to ±cellClip (0: no clipping)"),
    projClip: attr.float(0, "clip the projection to ±projClip (0: no clipping)"),
    timeMajor: attr.bool(false),
    asymmetricQuantizeInputs: attr.bool(false, "TFLite hybrid kernels: quantize float inputs asymmetrically"),
    diagonalRecurrentTensors: attr.bool(false, "recurrent weights are diagonals, one value per cell"),
    intermediateNames: attr.strings(
      [],
      "TFLite's intermediate tensors (integer LSTM: gate outputs, effective hidden scale), kept for round-tripping",
    ),
    intermediateDtypes: attr.strings([], "dtype of each intermediate tensor"),
    intermediateScales: attr.floats([], "quantization scale of each intermediate tensor (0: not quantized)"),
    intermediateZeroPoints: attr.ints([], "zero point of each intermediate tensor"),
  },
  inputs: LSTM_INPUTS,
  inferShape({ node, inputs, attrs }) {
    const x = inputs[0]!;
    const forget = inputs[2]!;
    const recurrent = inputs[6]!;
    const projection = inputs[16];
    expectRank(x.shape, 3, "lstm input", node);
    expectRank(forget.shape, 2, "lstm input-to-forget weights", node);
    const [nCell, nInput] = forget.shape as [number, number];
    const [a, b, features] = x.shape as [number, number, number];
    expectShape(
      features === nInput,
      `lstm input ${formatShape(x.shape)} does not have ${nInput} features`,
      node,
    );
    const nOutput =
      projection !== undefined ? projection.shape[0]! : recurrent.shape[recurrent.shape.length - 1]!;
    if (!attrs.diagonalRecurrentTensors) {
      expectShape(
        recurrent.shape.length === 2 && recurrent.shape[0] === nCell,
        `lstm recurrent weights ${formatShape(recurrent.shape)} must be [${nCell}, outputs]`,
        node,
      );
    }
    const batch = attrs.timeMajor ? b : a;
    const outputState = inputs[18]!;
    const cellState = inputs[19]!;
    expectShape(
      numElements(outputState.shape) === batch * nOutput,
      `lstm output state must hold ${batch}×${nOutput} values`,
      node,
    );
    expectShape(
      numElements(cellState.shape) === batch * nCell,
      `lstm cell state must hold ${batch}×${nCell} values`,
      node,
    );
    return [{ shape: [a, b, nOutput] }];
  },
  macs({ inputs, outputs: [y], attrs }) {
    const x = inputs[0]!;
    const [nCell, nInput] = inputs[2]!.shape as [number, number];
    const nOutput = y!.shape[2]!;
    const gates = inputs[1] === undefined ? 3 : 4;
    const recurrentPerGate = attrs.diagonalRecurrentTensors ? nCell : nCell * nOutput;
    const projection = inputs[16] !== undefined ? nOutput * nCell : 0;
    const steps = x.shape[0]! * x.shape[1]!;
    return steps * (gates * (nCell * nInput + recurrentPerGate) + projection);
  },
});
