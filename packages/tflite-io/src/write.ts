/** Writing IR graphs as .tflite files. */
import { corePlugin, createRegistry, type Graph, type Registry } from "@mcu/tensor";
import { encodeModel } from "./internal/encode.js";
import { exportModel } from "./internal/export-graph.js";
import { legalizeForTflite } from "./legalize.js";

/** Options of {@link writeTflite}. */
export interface WriteTfliteOptions {
  /** The registry whose core ops the legalizer inserts (default: core ops only). */
  readonly registry?: Registry;
}

let defaultRegistry: Registry | undefined;

/**
 * Writes a graph as a TFLite flatbuffer (one subgraph), with the smallest operator versions
 * that hold the features each operator uses. The graph is first legalized (`tflite/legalize`:
 * EXPLICIT pads, batch_norm). The output is deterministic. Nodes TFLite cannot express throw
 * one `MCU_E_TFLITE_EXPORT` that lists them all.
 */
export function writeTflite(graph: Graph, options: WriteTfliteOptions = {}): Uint8Array {
  defaultRegistry ??= createRegistry([corePlugin]);
  const registry = options.registry ?? defaultRegistry;
  return encodeModel(exportModel(legalizeForTflite(graph, registry)));
}
