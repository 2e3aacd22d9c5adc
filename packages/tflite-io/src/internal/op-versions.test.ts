import { type OpSignature, operatorVersion } from "./op-versions.js";

/** A signature from TensorType names; scales given only where a rule looks at them. */
function sig(inputs: string[], outputs: string[], extra: Partial<OpSignature> = {}): OpSignature {
  return {
    inputs,
    outputs,
    inputDims: inputs.map(() => [1, 4, 4, 8]),
    inputScales: inputs.map(() => []),
    outputScales: outputs.map(() => []),
    options: {},
    ...extra,
  };
}

// Cases worked out by hand from GetBuiltinOperatorVersion in
// tensorflow/lite/tools/versioning/op_version.cc.
describe("operatorVersion", () => {
  it("CONV_2D: float 1, int8 3, hybrid 2 or 5 per channel, grouped 6", () => {
    expect(operatorVersion("CONV_2D", sig(["FLOAT32", "FLOAT32", "FLOAT32"], ["FLOAT32"]))).toBe(1);
    expect(operatorVersion("CONV_2D", sig(["INT8", "INT8", "INT32"], ["INT8"]))).toBe(3);
    expect(operatorVersion("CONV_2D", sig(["FLOAT32", "INT8", "FLOAT32"], ["FLOAT32"]))).toBe(2);
    const perChannel = { inputScales: [[], [0.1, 0.2], []] };
    expect(operatorVersion("CONV_2D", sig(["FLOAT32", "INT8", "FLOAT32"], ["FLOAT32"], perChannel))).toBe(5);
    const grouped = { inputDims: [[1, 4, 4, 8], [8, 3, 3, 4], [8]] };
    expect(operatorVersion("CONV_2D", sig(["FLOAT32", "FLOAT32", "FLOAT32"], ["FLOAT32"], grouped))).toBe(6);
  });

  it("FULLY_CONNECTED: int8 4, keep_num_dims 5, two inputs 6, hybrid 3", () => {
    expect(operatorVersion("FULLY_CONNECTED", sig(["INT8", "INT8", "INT32"], ["INT8"]))).toBe(4);
    const keep = { options: { keep_num_dims: true } };
    expect(operatorVersion("FULLY_CONNECTED", sig(["INT8", "INT8", "INT32"], ["INT8"], keep))).toBe(5);
    expect(operatorVersion("FULLY_CONNECTED", sig(["FLOAT32", "FLOAT32"], ["FLOAT32"]))).toBe(6);
    expect(operatorVersion("FULLY_CONNECTED", sig(["FLOAT32", "INT8", "FLOAT32"], ["FLOAT32"]))).toBe(3);
  });

  it("DEPTHWISE_CONV_2D: dilation 2, int8 3", () => {
    const dilated = { options: { dilation_w_factor: 2 } };
    expect(
      operatorVersion("DEPTHWISE_CONV_2D", sig(["FLOAT32", "FLOAT32", "FLOAT32"], ["FLOAT32"], dilated)),
    ).toBe(2);
    expect(operatorVersion("DEPTHWISE_CONV_2D", sig(["INT8", "INT8", "INT32"], ["INT8"]))).toBe(3);
  });

  it("ADD int16 without power-of-two scales 3; SUB 5", () => {
    const q = { inputScales: [[0.001], [0.002]], options: { pot_scale_int16: false } };
    expect(operatorVersion("ADD", sig(["INT16", "INT16"], ["INT16"], q))).toBe(3);
    expect(operatorVersion("SUB", sig(["INT16", "INT16"], ["INT16"], q))).toBe(5);
    expect(operatorVersion("ADD", sig(["INT8", "INT8"], ["INT8"]))).toBe(2);
  });

  it("TRANSPOSE_CONV with a bias 3; DEQUANTIZE int8 2; QUANTIZE to int16 2; SVDF int8 3", () => {
    expect(operatorVersion("TRANSPOSE_CONV", sig(["INT32", "INT8", "INT16", "INT64"], ["INT16"]))).toBe(3);
    expect(operatorVersion("TRANSPOSE_CONV", sig(["INT32", "FLOAT32", "FLOAT32"], ["FLOAT32"]))).toBe(1);
    expect(operatorVersion("DEQUANTIZE", sig(["INT8"], ["FLOAT32"]))).toBe(2);
    expect(operatorVersion("QUANTIZE", sig(["FLOAT32"], ["INT16"]))).toBe(2);
    expect(operatorVersion("SVDF", sig(["INT8", "INT8", "INT16", "INT32", "INT16"], ["INT8"]))).toBe(3);
  });

  it("CAST by types, STRIDED_SLICE offset 8, anything else 1", () => {
    expect(operatorVersion("CAST", sig(["UINT32"], ["INT32"]))).toBe(2);
    expect(operatorVersion("CAST", sig(["INT16"], ["INT8"]))).toBe(3);
    expect(
      operatorVersion(
        "STRIDED_SLICE",
        sig(["INT8", "INT32", "INT32", "INT32"], ["INT8"], { options: { offset: true } }),
      ),
    ).toBe(8);
    expect(operatorVersion("RESHAPE", sig(["INT8", "INT32"], ["INT8"]))).toBe(1);
  });
});
