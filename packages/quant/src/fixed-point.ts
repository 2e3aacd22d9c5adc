/**
 * The integer fixed-point primitives (gemmlowp, TFLite common.h) live in @mcu/tensor so that
 * every integer kernel — these and those of other techniques' plugins — shares one bit-exact
 * implementation; re-exported here to keep this package's API.
 */
export {
  countLeadingZeros32,
  INT32_MAX,
  INT32_MIN,
  roundingDivideByPot,
  roundingDivideByPot16,
  roundingHalfSum,
  saturatingAdd32,
  saturatingRoundingDoublingHighMul,
  saturatingRoundingDoublingHighMul16,
  saturatingRoundingMultiplyByPot,
  saturatingSub32,
  toInt8,
  toInt16,
  wrapAdd32,
  wrapSub32,
} from "@mcu/tensor";
