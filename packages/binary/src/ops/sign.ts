/** Binarization of activations. */
import { defineOp } from "@mcu/tensor";
import { check } from "./shared.js";

/**
 * y = −1 where x < 0, else +1, packed along the last axis. Zero maps to +1 (the straight-through
 * sign of BNN training, larq's `ste_sign`), where ONNX Sign gives 0; NaN maps to +1.
 */
export const binarySignOp = defineOp({
  name: "binary.sign",
  doc: "y = −1 if x < 0 else +1 (sign(0) = +1), as packed bits",
  attrs: {},
  inputs: ["x"],
  inferShape({ node, inputs: [x] }) {
    check(
      x!.dtype === "float32" || x!.dtype === "int32",
      "binary.sign takes float32 or int32",
      node,
      "MCU_E_DTYPE",
    );
    check(x!.shape.length >= 1, "binary.sign needs rank ≥ 1 (bits pack the last axis)", node);
    return [{ shape: x!.shape, dtype: "bit" }];
  },
});
