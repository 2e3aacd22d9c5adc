/** The float32 reference kernels of the core ops (and dtype-agnostic data movement). */
import type { KernelDef } from "../kernel.js";
import { castKernels } from "./cast.js";
import { convKernels } from "./conv.js";
import { denseKernels } from "./dense.js";
import { elementwiseKernels } from "./elementwise.js";
import { movementKernels } from "./movement.js";
import { normalizationKernels } from "./normalization.js";
import { poolKernels } from "./pool.js";
import { quantizeKernels } from "./quantize.js";
import { sliceKernels } from "./slice.js";

/** Every kernel of the core plugin. */
export const coreKernels: readonly KernelDef[] = [
  ...convKernels,
  ...poolKernels,
  ...sliceKernels,
  ...denseKernels,
  ...elementwiseKernels,
  ...movementKernels,
  ...normalizationKernels,
  ...quantizeKernels,
  ...castKernels,
];
