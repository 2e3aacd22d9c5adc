/** The core passes. */
import type { PassDef } from "../pass.js";

/** Every pass of the core plugin. */
export const corePasses: readonly PassDef[] = [];
