/** The passes of @mcu/binary. */
import type { PassDef } from "@mcu/tensor";
import { foldThreshold } from "./fold-threshold.js";
import { fromSign } from "./from-sign.js";
import { pow2Pass } from "./pow2.js";
import { xnorPass } from "./xnor.js";

export { foldThreshold, fromSign, pow2Pass, xnorPass };
export { int8Params, pow2Weights } from "./pow2.js";
export { channelMeanAbs } from "./xnor.js";

/** Every pass of @mcu/binary. */
export const binaryPasses: readonly PassDef[] = [fromSign, foldThreshold, xnorPass, pow2Pass];
