/** Float32 reference kernels (placeholder list, filled in by the kernel work). */
import type { KernelDef } from "../kernel.js";

export const denseKernels: readonly KernelDef[] = [];
