/** Test helpers (not exported from the package): registries, random data, one-node graphs. */
import {
  corePlugin,
  createInterpreter,
  createRegistry,
  type Graph,
  graphBuilder,
  type Registry,
  type TensorData,
} from "@mcu/tensor";
import { binaryPlugin } from "../plugin.js";

/** Core + binary. */
export function binaryRegistry(): Registry {
  return createRegistry([corePlugin, binaryPlugin]);
}

/** A deterministic generator (xorshift32) returning floats in [0, 1). */
export function rng(seed: number): () => number {
  let s = (seed * 0x9e3779b1 + 0x7f4a7c15) >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** n random ±1 values. */
export function randomSigns(n: number, next: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => (next() < 0.5 ? -1 : 1));
}

/** Runs a graph once and returns its outputs' data. */
export function runOnce(graph: Graph, registry: Registry, inputs: readonly TensorData[]): TensorData[] {
  return createInterpreter(graph, { registry })
    .invoke(inputs)
    .map((v) => v.data);
}

export { graphBuilder };
