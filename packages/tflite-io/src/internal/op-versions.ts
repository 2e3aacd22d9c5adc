/**
 * The smallest operator version that holds the features an operator uses, following
 * TensorFlow Lite's GetBuiltinOperatorVersion (tensorflow/lite/tools/versioning/op_version.cc).
 * Only the builtins @mcu writes are listed; every other builtin is version 1, as there.
 * Input and output types are TensorType names in TFLite's operand order ("" for an absent
 * optional input, TFLite's kTfLiteNoType).
 */
import type { OptionValues } from "./model.js";

/** What the version rules look at (TFLite's OpSignature). */
export interface OpSignature {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly inputDims: readonly (readonly number[] | undefined)[];
  /** Per input: number of quantization scales (0 when not quantized). */
  readonly inputScales: readonly (readonly number[])[];
  readonly outputScales: readonly (readonly number[])[];
  readonly options: OptionValues;
}

function needBroadcast(sig: OpSignature): boolean {
  const [a, b] = sig.inputDims;
  if (a === undefined || b === undefined) return false;
  return a.length !== b.length || a.some((d, i) => d !== b[i]);
}

function maxDims(sig: OpSignature): number {
  let max = 0;
  for (const d of sig.inputDims) max = Math.max(max, d?.length ?? 0);
  return max;
}
const opt = (sig: OpSignature, field: string): unknown => sig.options[field];

/** The version TFLite's converter would give this operator. */
export function operatorVersion(builtin: string, sig: OpSignature): number {
  const [in0 = "", in1 = "", in2 = ""] = sig.inputs;
  const out0 = sig.outputs[0] ?? "";
  const perChannel1 = (sig.inputScales[1]?.length ?? 0) > 1;
  switch (builtin) {
    case "CONV_2D": {
      const x = sig.inputDims[0];
      const w = sig.inputDims[1];
      const grouped = x !== undefined && w !== undefined && x.length === 4 && w.length === 4 && x[3] !== w[3];
      if (grouped) return 6;
      if (in0 === "INT16" && in1 === "INT16" && out0 === "INT16") return 4;
      if (in0 === "INT8" && in1 === "INT8" && out0 === "INT8") return 3;
      if (in0 === "INT8" && in1 === "INT4" && out0 === "INT8") return 7;
      if (in0 === "FLOAT32" && in1 === "INT8" && out0 === "FLOAT32") return perChannel1 ? 5 : 2;
      return 1;
    }
    case "DEPTHWISE_CONV_2D":
      if (in0 === "INT16" && in1 === "INT16" && out0 === "INT16") return 5;
      if (in0 === "FLOAT32" && in1 === "INT8" && out0 === "FLOAT32") return perChannel1 ? 6 : 4;
      if (in0 === "INT8" && in1 === "INT8" && out0 === "INT8") return 3;
      if (in0 === "INT8" && in1 === "INT4" && out0 === "INT8") return 7;
      if ((opt(sig, "dilation_w_factor") ?? 1) !== 1 || (opt(sig, "dilation_h_factor") ?? 1) !== 1) return 2;
      return 1;
    case "FULLY_CONNECTED":
      if (in0 === "FLOAT32" && in1 === "INT8" && out0 === "FLOAT32" && perChannel1) return 12;
      if (in0 === "INT16" && in1 === "INT16" && out0 === "INT16") return 7;
      if (sig.inputs.length === 2) return 6;
      if (opt(sig, "keep_num_dims") === true) return 5;
      if (in0 === "INT8" && in1 === "INT8" && out0 === "INT8") return 4;
      if (in0 === "INT8" && in1 === "INT4" && out0 === "INT8") return 10;
      if (in0 === "FLOAT32" && in1 === "INT8" && out0 === "FLOAT32") {
        return opt(sig, "asymmetric_quantize_inputs") === true ? 9 : 3;
      }
      return 1;
    case "SVDF":
      if (in0 === "INT8") return 3;
      if (in0 === "FLOAT32" && in1 === "INT8" && out0 === "FLOAT32") {
        return opt(sig, "asymmetric_quantize_inputs") === true ? 4 : 2;
      }
      return 1;
    case "SIGN":
      return in0 === "INT32" ? 2 : 1;
    case "MUL": {
      const quantized = (sig.inputScales[0]?.length ?? 0) > 0;
      if ((in0 === "INT16" && !quantized) || in0 === "UINT32") return 7;
      if (in0 === "COMPLEX64") return 6;
      if (in0 === "INT64") return 5;
      if (in0 === "INT16") return 4;
      const s1 = sig.inputScales[0]?.[0] ?? 0;
      const s2 = sig.inputScales[1]?.[0] ?? 0;
      const so = sig.outputScales[0]?.[0] ?? 0;
      if (s1 !== 0 && s2 !== 0 && so !== 0 && (s1 * s2) / so >= 1) return 3;
      return in0 === "INT8" ? 2 : 1;
    }
    case "MAX_POOL_2D":
    case "AVERAGE_POOL_2D":
      if (in0 === "INT16" && out0 === "INT16") return 3;
      return in0 === "INT8" ? 2 : 1;
    case "TRANSPOSE": {
      const dims = sig.inputDims[0]?.length ?? 0;
      if (dims > 5) return 6;
      if (in0 === "INT16") return 5;
      if (dims > 4) return 4;
      if (in0 === "BOOL") return 3;
      return in0 === "INT8" ? 2 : 1;
    }
    case "TRANSPOSE_CONV":
      if ((opt(sig, "fused_activation_function") ?? 0) !== 0) return 4;
      if (sig.inputs.length === 4 && sig.inputs[3] !== "") return 3;
      return in1 === "INT8" ? 2 : 1;
    case "UNIDIRECTIONAL_SEQUENCE_LSTM":
      if (in0 === "INT16" && in2 === "INT8" && out0 === "INT16") return 5;
      if (opt(sig, "diagonal_recurrent_tensors") === true) return 4;
      if (in0 === "FLOAT32" && in2 === "INT8" && out0 === "FLOAT32") {
        return opt(sig, "asymmetric_quantize_inputs") === true ? 3 : 2;
      }
      return 1;
    case "SLICE": {
      const dims = sig.inputDims[0]?.length ?? 0;
      if (in0 === "UINT32") return 6;
      if (dims > 4) return 5;
      if (in0 === "INT16") return 4;
      if (in0 === "STRING") return 3;
      return in0 === "INT8" ? 2 : 1;
    }
    case "DEQUANTIZE":
      if (in0 === "INT4") return 6;
      if (in0 === "INT16" || in0 === "FLOAT16") return 3;
      if (in0 === "INT8") return (sig.inputScales[0]?.length ?? 0) > 1 ? 5 : 2;
      return 1;
    case "QUANTIZE":
      if (in0 === "INT4" || out0 === "INT4") return 4;
      if ((sig.outputScales[0]?.length ?? 0) > 1) return 3;
      return out0 === "INT16" ? 2 : 1;
    case "RELU":
      if (in0 === "INT16") return 3;
      return in0 === "INT8" || in0 === "UINT8" ? 2 : 1;
    case "STRIDED_SLICE":
      if (opt(sig, "offset") === true) return 8;
      if (in0 === "UINT32") return 7;
      if ((opt(sig, "ellipsis_mask") ?? 0) !== 0 || (opt(sig, "new_axis_mask") ?? 0) !== 0) return 6;
      if (in0 === "STRING") return 5;
      if ((sig.inputDims[0]?.length ?? 0) > 4) return 4;
      if (in0 === "BOOL") return 3;
      return in0 === "INT8" ? 2 : 1;
    case "MAXIMUM":
    case "MINIMUM":
      if (in0 === "INT16" && out0 === "INT16") return 4;
      if (needBroadcast(sig) && maxDims(sig) > 4) return 3;
      return in0 === "INT8" ? 2 : 1;
    case "SQUEEZE":
      return in0 === "STRING" ? 2 : 1;
    case "ADD": {
      const quantized = (sig.inputScales[0]?.length ?? 0) > 0;
      if (in0 === "INT16" && !quantized) return 5;
      if (in0 === "INT64") return 4;
      if (in0 === "INT16" && out0 === "INT16" && opt(sig, "pot_scale_int16") === false) return 3;
      return in0 === "INT8" ? 2 : 1;
    }
    case "SUB":
      if (in0 === "INT16" && out0 === "INT16" && opt(sig, "pot_scale_int16") === false) return 5;
      if (in0 === "INT64") return 4;
      if (needBroadcast(sig) && maxDims(sig) > 4) return 3;
      return in0 === "INT8" ? 2 : 1;
    case "DIV":
      return needBroadcast(sig) && maxDims(sig) > 4 ? 2 : 1;
    case "TANH":
    case "LOGISTIC":
      if (in0 === "INT16" && out0 === "INT16") return 3;
      return in0 === "INT8" ? 2 : 1;
    case "LEAKY_RELU":
      return in0 === "INT16" ? 2 : 1;
    case "BATCH_MATMUL":
      if (in0 === "INT16") return 3;
      if (in0 === "INT8") return 2;
      if (
        in0 === "FLOAT32" &&
        in1 === "INT8" &&
        out0 === "FLOAT32" &&
        opt(sig, "asymmetric_quantize_inputs") === true
      ) {
        return 4;
      }
      return 1;
    case "PAD":
    case "PADV2":
      if ((sig.inputDims[0]?.length ?? 0) > 4) return 4;
      if (in0 === "INT16") return 3;
      return in0 === "INT8" ? 2 : 1;
    case "CONCATENATION":
      if (in0 === "UINT32") return 4;
      if (in0 === "INT16") return 3;
      return in0 === "INT8" ? 2 : 1;
    case "SOFTMAX":
    case "MEAN":
    case "MIRROR_PAD":
    case "RELU6":
      if (in0 === "INT16") return 3;
      return in0 === "INT8" ? 2 : 1;
    case "LOG_SOFTMAX":
      return in0 === "INT8" ? 2 : 1;
    case "CAST":
      if (in0 === "BFLOAT16" || out0 === "BFLOAT16") return 7;
      if (in0 === "INT4" && out0 === "FLOAT32") return 6;
      if ([in0, out0].some((t) => t === "FLOAT64" || t === "FLOAT16")) return 5;
      if (in0 === "UINT16" || out0 === "UINT16") return 4;
      if (in0 === "INT8" || out0 === "INT8") return 3;
      if (in0 === "UINT32" || out0 === "UINT32") return 2;
      return 1;
    default:
      return 1;
  }
}
