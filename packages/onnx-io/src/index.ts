/**
 * `@mcu/onnx-io`: import ONNX models (float and QDQ-quantized) into the `@mcu` IR.
 */
export { readOnnx, type ReadOnnxOptions, onnxFormat } from "./read-onnx.js";
export { onnxPlugin } from "./plugin.js";
export { dequantizeData, qdqToFloatPass, simulateQuantized } from "./qdq-to-float.js";
export { supportedOnnxOps } from "./ops/index.js";
export { MAX_OPSET, MIN_OPSET } from "./import-graph.js";

import { onnxPlugin } from "./plugin.js";

/** The plugin, as the CLI discovers it. */
export default onnxPlugin;
