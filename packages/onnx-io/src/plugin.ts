/** The @mcu/onnx-io plugin: the `.onnx` format and the `onnx/qdq-to-float` pass. */
import { definePlugin, PLUGIN_API_VERSION } from "@mcu/tensor";
import { qdqToFloatPass } from "./qdq-to-float.js";
import { onnxFormat } from "./read-onnx.js";

/** The plugin value for `createRegistry([corePlugin, onnxPlugin])`. */
export const onnxPlugin = definePlugin({
  name: "@mcu/onnx-io",
  apiVersion: PLUGIN_API_VERSION,
  formats: [onnxFormat],
  passes: [qdqToFloatPass],
});
