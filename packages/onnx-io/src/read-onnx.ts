/** `readOnnx`: ONNX bytes → IR graph, and the `.onnx` model format. */
import {
  corePlugin,
  createRegistry,
  type Graph,
  type ModelFormat,
  type Registry,
  withParts,
} from "@mcu/tensor";
import { decodeModel } from "./decode-model.js";
import { importModel } from "./import-graph.js";
import { onnxHandlers } from "./ops/index.js";
import { simulateQuantized } from "./qdq-to-float.js";

/** Options of {@link readOnnx}. */
export interface ReadOnnxOptions {
  /** The registry whose ops (and, for QDQ models, kernels) the graph is built for; default: core only. */
  readonly registry?: Registry;
  /**
   * QDQ models import as integer ops. `auto` (default) then rewrites the integer ops that no
   * kernel in the registry runs as dequantize → float → quantize (`onnx/qdq-to-float`), so the
   * graph runs today and runs on integer kernels once they are installed; `integer` keeps the
   * integer graph as is.
   */
  readonly qdq?: "auto" | "integer";
  /** Notes about the import (e.g. a symbolic batch dimension fixed to 1). */
  readonly onNote?: (message: string) => void;
}

/**
 * Reads an ONNX model. The graph keeps ONNX's inputs and outputs (names, NCHW shapes, dtypes);
 * inside, activations are NHWC and weights in the IR's layouts. Bad input throws McuError.
 */
export function readOnnx(bytes: Uint8Array, options: ReadOnnxOptions = {}): Graph {
  const registry = options.registry ?? createRegistry([corePlugin]);
  const model = decodeModel(bytes);
  const graph = importModel(model, {
    registry,
    handlers: onnxHandlers,
    ...(options.onNote !== undefined ? { onNote: options.onNote } : {}),
  });
  const quantized = [...graph.tensors.values()].some((t) => t.quant !== undefined);
  if (!quantized) return graph;
  if (options.qdq === "integer")
    return withParts(graph, { metadata: { ...graph.metadata, "onnx.qdq": "integer" } });
  const sim = simulateQuantized(graph, registry);
  const mode = sim === graph ? "integer" : "simulated (onnx/qdq-to-float: dequantize → float op → quantize)";
  return withParts(sim, { metadata: { ...sim.metadata, "onnx.qdq": mode } });
}

/** The `.onnx` format: reads ONNX models through {@link readOnnx} (no writer). */
export const onnxFormat: ModelFormat = {
  name: "onnx",
  extensions: [".onnx"],
  read: (bytes, { registry }) => readOnnx(bytes, { registry }),
};
