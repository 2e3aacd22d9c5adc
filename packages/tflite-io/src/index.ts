/**
 * @mcu/tflite-io: read and write TensorFlow Lite flatbuffers. The default export is the plugin
 * that adds the `.tflite` format to a registry.
 */
import { tflitePlugin } from "./plugin.js";

export { legalizeForTflite, tfliteLegalize } from "./legalize.js";
export { tfliteFormat, tflitePlugin } from "./plugin.js";
export { type ReadTfliteOptions, readTflite } from "./read.js";
export { type WriteTfliteOptions, writeTflite } from "./write.js";

export default tflitePlugin;
