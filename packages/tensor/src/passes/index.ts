/** The core passes. */
import type { PassDef } from "../pass.js";
import { constantFolding } from "./constant-folding.js";
import { deadCodeElimination } from "./dce.js";
import { foldBatchNorm } from "./fold-batchnorm.js";
import { fuseActivation } from "./fuse-activation.js";
import { removeNoopReshape } from "./remove-noop-reshape.js";

export { constantFolding, deadCodeElimination, foldBatchNorm, fuseActivation, removeNoopReshape };

/** Every pass of the core plugin. */
export const corePasses: readonly PassDef[] = [
  constantFolding,
  deadCodeElimination,
  foldBatchNorm,
  fuseActivation,
  removeNoopReshape,
];
