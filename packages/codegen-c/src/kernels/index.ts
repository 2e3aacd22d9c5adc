/** The builtin C kernels of @mcu/codegen-c: float32 kernels of the core ops and data movement for any dtype. */
import type { CKernelDef } from "../contract.js";
import { convFloat32CKernels } from "./float/conv.js";
import { denseFloat32CKernels } from "./float/dense.js";
import { elementwiseFloat32CKernels } from "./float/elementwise.js";
import { normalizationFloat32CKernels } from "./float/normalization.js";
import { poolFloat32CKernels } from "./float/pool.js";
import { quantizeFloat32CKernels } from "./float/quantize.js";
import { movementCKernels } from "./movement.js";

/** Every builtin C kernel (float32 ops and any-dtype data movement). */
export const builtinCKernels: readonly CKernelDef[] = [
  ...convFloat32CKernels,
  ...denseFloat32CKernels,
  ...elementwiseFloat32CKernels,
  ...poolFloat32CKernels,
  ...normalizationFloat32CKernels,
  ...quantizeFloat32CKernels,
  ...movementCKernels,
];
