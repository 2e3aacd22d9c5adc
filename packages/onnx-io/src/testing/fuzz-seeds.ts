/** A model that uses most of the importer's ops, as a seed for structural fuzzing. Test-only. */
import { buildModel, float, node, randomFloats, valueInfo } from "./onnx-builder.js";

const f = (dims: number[], seed: number) => ({
  dims,
  data: randomFloats(
    dims.reduce((a, b) => a * b, 1),
    seed,
  ),
});
const i64 = (v: number[]) => ({ dims: [v.length], data: v });

/** Conv, ConvTranspose, pools, BatchNormalization, Clip, shape plumbing, Slice, Pad, Squeeze, Gemm, QDQ... */
export function kitchenSinkModel(): Uint8Array {
  return buildModel({
    opset: 13,
    inputs: [valueInfo("x", [1, 3, 8, 8])],
    outputs: [valueInfo("y", ["?"]), valueInfo("z", ["?"])],
    nodes: [
      node("Conv", ["x", "w", "b"], ["c"], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: 1 }),
      node("BatchNormalization", ["c", "s", "bb", "m", "v"], ["n"], { epsilon: float(1e-5) }),
      node("Clip", ["n", "lo", "hi"], ["r"]),
      node("ConvTranspose", ["r", "wt"], ["t"], {
        strides: [2, 2],
        pads: [1, 1, 1, 1],
        output_padding: [1, 1],
      }),
      node("MaxPool", ["t"], ["p"], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }),
      node("AveragePool", ["p"], ["a"], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1 }),
      node("Pad", ["a", "pads"], ["pa"], { mode: "reflect" }),
      node("Slice", ["pa", "st", "en", "ax", "sp"], ["sl"]),
      node("Shape", ["sl"], ["sh"]),
      node("Gather", ["sh", "zero"], ["n0"], { axis: 0 }),
      node("Unsqueeze", ["n0", "ax0"], ["n1"]),
      node("Concat", ["n1", "m1"], ["target"], { axis: 0 }),
      node("Reshape", ["sl", "target"], ["flat"]),
      node("Gemm", ["flat", "fc", "fb"], ["g"], { transB: 1, alpha: float(0.5) }),
      node("Softmax", ["g"], ["y"], { axis: -1 }),
      node("QuantizeLinear", ["g", "qs", "qz"], ["gq"]),
      node("DequantizeLinear", ["gq", "qs", "qz"], ["gd"]),
      node("Unsqueeze", ["gd", "ax0"], ["u"]),
      node("Transpose", ["u"], ["tr"], { perm: [2, 1, 0] }),
      node("Squeeze", ["tr", "ax1"], ["z"]),
    ],
    initializers: {
      w: f([4, 3, 3, 3], 1),
      b: f([4], 2),
      s: f([4], 3),
      bb: f([4], 4),
      m: f([4], 5),
      v: { dims: [4], data: Float32Array.of(1, 2, 0.5, 1.5) },
      lo: { dims: [], data: Float32Array.of(0) },
      hi: { dims: [], data: Float32Array.of(6) },
      wt: f([4, 2, 3, 3], 6),
      pads: i64([0, 0, 1, 1, 0, 0, 1, 1]),
      st: i64([1, -1]),
      en: i64([3, -100]),
      ax: i64([1, 3]),
      sp: i64([1, -2]),
      zero: { dims: [], data: [0] },
      ax0: i64([0]),
      ax1: i64([1]),
      m1: i64([-1]),
      fc: f([5, 50], 7),
      fb: f([5], 8),
      qs: { dims: [], data: Float32Array.of(0.05) },
      qz: { dims: [], data: Int8Array.of(3) },
    },
  });
}
