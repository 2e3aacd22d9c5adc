/**
 * TFLite's quantized multipliers (QuantizeMultiplier, MultiplyByQuantizedMultiplier) live in
 * @mcu/tensor so that every integer kernel shares one bit-exact implementation; re-exported
 * here to keep this package's API.
 */
export {
  frexp,
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierFor,
  multiplyByQuantizedMultiplierInt64,
  multiplyByQuantizedMultiplierSingleRounding,
  type QuantizedMultiplier,
  quantizeMultiplier,
  quantizeMultiplierGreaterThanOne,
  quantizeMultiplierSmallerThanOneExp,
  type RoundingMode,
  tfliteRound,
} from "@mcu/tensor";
