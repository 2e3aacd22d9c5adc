/** Decoding ONNX bytes with the generated protobuf module; any decoding failure is an McuError. */
import { McuError } from "@mcu/tensor";
import { onnx } from "./generated/onnx.generated.js";

/** Decodes an ONNX ModelProto, or throws `MCU_E_ONNX_DECODE`. */
export function decodeModel(bytes: Uint8Array): onnx.ModelProto {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new McuError("MCU_E_ONNX_DECODE", "the file is empty");
  }
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    // protobufjs throws plain Errors/RangeErrors for truncated or malformed input.
    const why = e instanceof Error ? e.message : String(e);
    throw new McuError("MCU_E_ONNX_DECODE", `not a valid ONNX (protobuf) file: ${why}`, {}, { cause: e });
  }
  if (model.graph === null || model.graph === undefined) {
    throw new McuError("MCU_E_ONNX_DECODE", "not an ONNX model: the file has no graph");
  }
  return model;
}
