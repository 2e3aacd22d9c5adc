/** Test helper: read a float fixture model and compare its generated C with the TS interpreter. */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { corePlugin, createRegistry, type Graph, numElements, type Registry } from "@mcu/tensor";
import onnxPlugin from "@mcu/onnx-io";
import tflitePlugin from "@mcu/tflite-io";
import { codegenPlugin } from "../plugin.js";
import { interpret, prepareFor, randomFloats, worstError } from "./compare.js";

/** A registry that reads .tflite and .onnx and has this package's C kernels. */
export function fixtureRegistry(): Registry {
  return createRegistry([corePlugin, tflitePlugin, onnxPlugin, codegenPlugin]);
}

/** Reads a model file with the registry's formats. */
export function readModel(registry: Registry, path: string): Graph {
  return registry.formatFor(path).read!(new Uint8Array(readFileSync(path)), { registry });
}

/**
 * Runs a float model on `count` random samples with the TS interpreter and as C on each target
 * (the host build with ASan + UBSan); returns the worst relative error per target.
 */
export async function runFloatFixture(
  path: string,
  targets: readonly string[],
  count: number,
): Promise<{ errors: Record<string, number>; instructions: number }> {
  const registry = fixtureRegistry();
  const graph = readModel(registry, path);
  const samples = Array.from({ length: count }, (_, s) =>
    graph.inputs.map((id, i) => randomFloats(numElements(graph.tensors.get(id)!.shape), 1000 * s + i + 1, 1)),
  );
  const expected = interpret(graph, registry, samples);
  const errors: Record<string, number> = {};
  let instructions = 0;
  for (const target of targets) {
    const m = await prepareFor(graph, registry, target, {
      name: basename(path).replace(/\.[a-z]+$/, ""),
      ...(target === "host" ? { sanitize: true } : {}),
    });
    errors[target] = worstError(await m.invokeBatch(samples), expected);
    instructions = m.stats().instructions ?? instructions;
  }
  return { errors, instructions };
}
