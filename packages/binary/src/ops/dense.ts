/** Binary fully-connected layer over packed ±1 values (XNOR-Net §3.2; eBNN's BinLinear). */
import { attr, defineOp, numElements } from "@mcu/tensor";
import { check, checkEpilogue, OUTPUT_KINDS } from "./shared.js";

/**
 * y[b,o] from dot = Σ_f x[b,f]·w[o,f] = F − 2·popcount(x XOR w). x is [B, ...features] and the
 * weights [O, ...features] with the same feature shape, so a flatten of NHWC bits before the
 * layer is absorbed (each row of the last axis keeps its packing).
 */
export const binaryFullyConnectedOp = defineOp({
  name: "binary.fully_connected",
  doc:
    "dot[b,o] = F − 2·popcount(x[b] XOR w[o]) over F ±1 features; then int32 dot, float32 scale·dot + bias, " +
    "or bit +1 iff s·dot ≥ threshold (s = −1 where flip).",
  attrs: { output: attr.enum(OUTPUT_KINDS, "int32") },
  inputs: ["x", "weights", "scale?", "bias?", "threshold?", "flip?"],
  inferShape({ node, inputs, attrs }) {
    const [x, w] = inputs;
    check(
      x!.dtype === "bit" && w!.dtype === "bit",
      "binary.fully_connected takes bit input and bit weights",
      node,
      "MCU_E_DTYPE",
    );
    check(
      x!.shape.length >= 2 && w!.shape.length === x!.shape.length,
      "weights must be [O, ...features of x]",
      node,
    );
    const features = x!.shape.slice(1);
    check(
      w!.shape.slice(1).every((d, i) => d === features[i]),
      `weights [${w!.shape.join(",")}] do not match input features [${features.join(",")}]`,
      node,
    );
    const o = w!.shape[0]!;
    const dtype = checkEpilogue(inputs, attrs.output, o, "int32", node);
    return [{ shape: [x!.shape[0]!, o], dtype }];
  },
  macs: ({ inputs: [x, w] }) => x!.shape[0]! * numElements(w!.shape),
});
