/** The op contracts of @mcu/binary. */
import type { OpContract } from "@mcu/tensor";
import { binaryConv2dOp, inputConv2dOp } from "./conv.js";
import { binaryFullyConnectedOp } from "./dense.js";
import { pow2Conv2dOp, pow2FullyConnectedOp } from "./pow2.js";
import { binarySignOp } from "./sign.js";

export { binaryConv2dOp, inputConv2dOp, PAD_VALUES } from "./conv.js";
export { binaryFullyConnectedOp } from "./dense.js";
export {
  POW2_ACTIVATIONS,
  POW2_MAX_CODE,
  POW2_MAX_TAPS,
  pow2Conv2dOp,
  pow2FullyConnectedOp,
} from "./pow2.js";
export { type ConvWindowAttrs, OUTPUT_KINDS, type OutputKind, pooledWindow, type PooledWindow } from "./shared.js";
export { binarySignOp } from "./sign.js";

/** Every op @mcu/binary defines. */
export const binaryOps: readonly OpContract[] = [
  binaryConv2dOp,
  inputConv2dOp,
  binaryFullyConnectedOp,
  binarySignOp,
  pow2Conv2dOp,
  pow2FullyConnectedOp,
];
