/** Float32 reference kernels (placeholder list, filled in by the kernel work). */
import type { KernelDef } from "../kernel.js";

export const sliceKernels: readonly KernelDef[] = [];
