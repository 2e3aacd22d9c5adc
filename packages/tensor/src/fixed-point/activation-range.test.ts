/** CalculateActivationRangeQuantized on hand-computed cases (kernel_util.cc semantics). */
import { calculateActivationRangeQuantized, quantizeActivationBound } from "./activation-range.js";

describe("calculateActivationRangeQuantized", () => {
  it("narrows the int8 range by the fused activation", () => {
    // scale 0.1, zero point −128: q(0) = −128, q(6) = −128 + 60 = −68, q(±1) = −128 ± 10.
    expect(calculateActivationRangeQuantized("NONE", "int8", 0.1, -128)).toEqual({ min: -128, max: 127 });
    expect(calculateActivationRangeQuantized("RELU", "int8", 0.1, -128)).toEqual({ min: -128, max: 127 });
    expect(calculateActivationRangeQuantized("RELU6", "int8", 0.1, -128)).toEqual({ min: -128, max: -68 });
    expect(calculateActivationRangeQuantized("RELU_N1_TO_1", "int8", 0.1, 0)).toEqual({ min: -10, max: 10 });
    expect(calculateActivationRangeQuantized("TANH", "int16", 0.5, 0)).toEqual({ min: -32768, max: 32767 });
  });

  it("rounds the bound in float32, halves away from zero", () => {
    // 6 / 4 = 1.5 rounds to 2; −6 / 4 to −2.
    expect(quantizeActivationBound(6, 4, 0)).toBe(2);
    expect(quantizeActivationBound(-6, 4, 1)).toBe(-1);
  });
});
