/** The passes of @mcu/binary. */
import type { PassDef } from "@mcu/tensor";
import { foldThreshold } from "./fold-threshold.js";
import { fromSign } from "./from-sign.js";

export { foldThreshold, fromSign };

/** Every pass of @mcu/binary. */
export const binaryPasses: readonly PassDef[] = [fromSign, foldThreshold];
