/** The TS kernels of @mcu/binary. */
import type { KernelDef } from "@mcu/tensor";
import { binaryConv2dKernel, inputConv2dKernel } from "./conv.js";
import { binaryFullyConnectedKernel } from "./dense.js";
import { pow2Conv2dKernel, pow2FullyConnectedKernel } from "./pow2.js";
import { binarySignKernel } from "./sign.js";

/** Every TS kernel of @mcu/binary. */
export const binaryKernels: readonly KernelDef[] = [
  binaryConv2dKernel,
  inputConv2dKernel,
  binaryFullyConnectedKernel,
  binarySignKernel,
  pow2Conv2dKernel,
  pow2FullyConnectedKernel,
];
