/** The @mcu/tflite-io plugin: the `.tflite` model format and the `tflite/legalize` pass. */
import { definePlugin, type ModelFormat, PLUGIN_API_VERSION, type Plugin } from "@mcu/tensor";
import { tfliteLegalize } from "./legalize.js";
import { readTflite } from "./read.js";
import { writeTflite } from "./write.js";

/**
 * The `.tflite` format: read with the registry's op contracts; write any graph TFLite can hold
 * after `tflite/legalize` (with the registry's ops).
 */
export const tfliteFormat: ModelFormat = {
  name: "tflite",
  extensions: [".tflite"],
  read: (bytes, { registry }) => readTflite(bytes, { registry }),
  write: (graph, { registry }) => writeTflite(graph, { registry }),
};

/** The plugin the `mcu` command loads (default export of the package). */
export const tflitePlugin: Plugin = definePlugin({
  name: "@mcu/tflite-io",
  apiVersion: PLUGIN_API_VERSION,
  formats: [tfliteFormat],
  passes: [tfliteLegalize],
});
