/** Reading .tflite files into IR graphs. */
import { corePlugin, createRegistry, type Graph, type Registry } from "@mcu/tensor";
import { decodeModel } from "./internal/decode.js";
import { importModel } from "./internal/import-graph.js";

/** Options of {@link readTflite}. */
export interface ReadTfliteOptions {
  /** The registry whose op contracts the graph is verified against (default: core ops only). */
  readonly registry?: Registry;
}

let defaultRegistry: Registry | undefined;

/**
 * Reads a TFLite flatbuffer (subgraph 0) into a verified IR graph. Bad input throws only
 * `McuError`: `MCU_E_TFLITE_TRUNCATED`, `MCU_E_TFLITE_INVALID`, `MCU_E_TFLITE_UNSUPPORTED`,
 * `MCU_E_UNSUPPORTED_OP` (listing every unsupported operator with its index),
 * `MCU_E_UNSUPPORTED_DTYPE`, or a verifier code (`MCU_E_SHAPE`, ...).
 */
export function readTflite(bytes: Uint8Array, options: ReadTfliteOptions = {}): Graph {
  defaultRegistry ??= createRegistry([corePlugin]);
  const registry = options.registry ?? defaultRegistry;
  return importModel(decodeModel(bytes), registry, bytes.byteLength);
}
