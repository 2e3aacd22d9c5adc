/** Fused activations, as TFLite fuses them into conv, dense, pool, add, ... */
import { attr } from "../attrs.js";

/** TFLite's `ActivationFunctionType` values that `@mcu` supports. */
export const FUSED_ACTIVATIONS = ["NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH"] as const;
export type FusedActivation = (typeof FUSED_ACTIVATIONS)[number];

/** The `fusedActivation` attribute, shared by every op that can fuse one. */
export const fusedActivationAttr = attr.enum(FUSED_ACTIVATIONS, "NONE", "activation applied to the output");

/** The clamp range of a fused activation on real values (TANH is not a clamp: ±∞). */
export function activationRange(act: FusedActivation): { readonly min: number; readonly max: number } {
  switch (act) {
    case "RELU":
      return { min: 0, max: Number.POSITIVE_INFINITY };
    case "RELU6":
      return { min: 0, max: 6 };
    case "RELU_N1_TO_1":
      return { min: -1, max: 1 };
    default:
      return { min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY };
  }
}

/** Applies a fused activation to one real value. */
export function applyActivation(x: number, act: FusedActivation): number {
  switch (act) {
    case "NONE":
      return x;
    case "RELU":
      return x < 0 ? 0 : x;
    case "RELU6":
      return x < 0 ? 0 : x > 6 ? 6 : x;
    case "RELU_N1_TO_1":
      return x < -1 ? -1 : x > 1 ? 1 : x;
    case "TANH":
      return Math.tanh(x);
  }
}
