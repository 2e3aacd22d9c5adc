/**
 * TFLite's CalculateActivationRangeQuantized lives in @mcu/tensor so that every integer kernel
 * shares it; re-exported here to keep this package's API.
 */
export { calculateActivationRangeQuantized, type QuantizedRange, quantizeActivationBound } from "@mcu/tensor";
