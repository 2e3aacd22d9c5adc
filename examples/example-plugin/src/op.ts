/**
 * The op contract: `example.hard_sigmoid`, y = min(max(alpha·x + beta, 0), 1) element-wise —
 * ONNX's HardSigmoid (https://onnx.ai/onnx/operators/onnx__HardSigmoid.html), which has no op in
 * the core IR: @mcu/onnx-io imports it as three core ops (mul, add, clip).
 *
 * A contract says what the op means, never how it is computed: its attributes (typed, with
 * defaults), its inputs and outputs, shape inference, and how to count its work.
 */
import { attr, defineOp } from "@mcu/tensor";

/** `example.hard_sigmoid`: y = min(max(alpha·x + beta, 0), 1). ONNX's defaults: alpha 0.2, beta 0.5. */
export const hardSigmoidOp = defineOp({
  name: "example.hard_sigmoid",
  doc: "y = min(max(alpha·x + beta, 0), 1) (ONNX HardSigmoid)",
  attrs: {
    alpha: attr.float(0.2, "slope"),
    beta: attr.float(0.5, "offset"),
  },
  inputs: ["x"],
  // The output has the input's shape; its dtype defaults to the input's.
  inferShape: ({ inputs: [x] }) => [{ shape: x!.shape }],
  // One multiply-add per element, counted like the core element-wise ops count theirs: as 0 MACs
  // (MACs are the multiply-accumulates of convolutions and dense layers).
  macs: () => 0,
});
