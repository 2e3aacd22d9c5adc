/** mnist_bnn.onnx imported and run through the binary passes (shared by the model tests). */
import codegenPlugin from "@mcu/codegen-c";
import onnxPlugin, { readOnnx } from "@mcu/onnx-io";
import {
  corePlugin,
  createRegistry,
  type Diagnostic,
  type Graph,
  type Registry,
  resolvePipeline,
  runPipeline,
} from "@mcu/tensor";
import { readFixture } from "@mcu/testing";
import { binaryPlugin } from "../plugin.js";

/** The registry the model tests use: core, ONNX import, C generation, binary. */
export function bnnRegistry(): Registry {
  return createRegistry([corePlugin, onnxPlugin, codegenPlugin, binaryPlugin]);
}

/** mnist_bnn.onnx as imported (float graph). */
export function importBnn(registry: Registry): Graph {
  return readOnnx(readFixture("pytorch-mnist", "mnist_bnn.onnx"), { registry });
}

/** The imported model after `binary/from-sign,binary/fold-threshold` (verified after each pass). */
export async function binarizeBnn(
  registry: Registry,
  graph: Graph,
  pipeline = "binary/from-sign,binary/fold-threshold",
): Promise<{ graph: Graph; diagnostics: readonly Diagnostic[] }> {
  return runPipeline(graph, resolvePipeline(registry, pipeline), { registry });
}
