/** Writing IR graphs as .tflite files. */
import type { Graph } from "@mcu/tensor";
import { encodeModel } from "./internal/encode.js";
import { exportModel } from "./internal/export-graph.js";

/**
 * Writes a graph as a TFLite flatbuffer (one subgraph), with the smallest operator versions
 * that hold the features each operator uses. The output is deterministic. Nodes TFLite cannot
 * express throw one `MCU_E_TFLITE_EXPORT` that lists them all.
 */
export function writeTflite(graph: Graph): Uint8Array {
  return encodeModel(exportModel(graph));
}
