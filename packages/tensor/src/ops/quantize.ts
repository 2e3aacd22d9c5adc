/**
 * Quantize and dequantize, with TFLite's formulas: q = clamp(round(x / scale) + zp) with
 * round-half-away-from-zero in float32, and x = scale · (q − zp). Quantize also requantizes
 * an integer input to the output's parameters.
 */
import { defineOp } from "../op.js";

/** Float (or integer, to requantize) → integer with the output tensor's quantization. */
export const quantizeOp = defineOp({
  name: "core.quantize",
  doc: "y = clamp(round(x / scale) + zeroPoint) with the output's parameters (requantizes integer x)",
  attrs: {},
  inputs: ["x"],
  inferShape: ({ inputs: [x] }) => [{ shape: x!.shape }],
});

/** Integer → float32: y = scale · (x − zeroPoint). */
export const dequantizeOp = defineOp({
  name: "core.dequantize",
  doc: "y = scale · (x − zeroPoint) with the input's parameters",
  attrs: {},
  inputs: ["x"],
  inferShape: ({ inputs: [x] }) => [{ shape: x!.shape, dtype: "float32" }],
});
