/**
 * Test helpers: run a graph with the TS interpreter (the reference) and as generated C, and
 * measure how far apart they are. Not exported from the package.
 */
import {
  corePlugin,
  createInterpreter,
  createRegistry,
  type Graph,
  type Plugin,
  type Registry,
  type TensorData,
} from "@mcu/tensor";
import { type CEngineOptions, type CPreparedModel, prepareC } from "../engines.js";
import { codegenPlugin } from "../plugin.js";
import { cTarget } from "../targets.js";

/** A registry with the core plugin, this package's plugin, and any others. */
export function testRegistry(...plugins: Plugin[]): Registry {
  return createRegistry([corePlugin, codegenPlugin, ...plugins]);
}

/** Deterministic float32 samples in [−scale, scale) (xorshift, so tests do not depend on Math.random). */
export function randomFloats(n: number, seed: number, scale = 1): Float32Array {
  let s = (seed * 0x9e3779b1 + 1) >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/** Deterministic integers in [lo, hi] of a typed array class. */
export function randomInts<T extends Int8Array | Int16Array | Int32Array | Uint8Array>(
  make: new (n: number) => T,
  n: number,
  seed: number,
  lo: number,
  hi: number,
): T {
  const f = randomFloats(n, seed);
  const out = new make(n);
  for (let i = 0; i < n; i++) out[i] = lo + Math.min(hi - lo, Math.floor(((f[i]! + 1) / 2) * (hi - lo + 1)));
  return out;
}

/** Outputs of the TS interpreter for each sample. */
export function interpret(
  graph: Graph,
  registry: Registry,
  samples: readonly (readonly TensorData[])[],
): TensorData[][] {
  const it = createInterpreter(graph, { registry });
  return samples.map((s) => it.invoke(s as TensorData[]).map((v) => v.data));
}

/**
 * The largest |c − ts| over a tensor divided by the largest |ts| (relative to the tensor's
 * magnitude, so that outputs near zero do not count as large errors). NaN where they disagree
 * on NaN-ness; exact equality of non-finite values counts as no error.
 */
export function relativeError(actual: TensorData, expected: TensorData): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let maxErr = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const e = Number(expected[i]);
    if (Number.isNaN(a) !== Number.isNaN(e)) return Number.NaN;
    if (a === e || Number.isNaN(a)) continue;
    if (!Number.isFinite(a) || !Number.isFinite(e)) return Number.POSITIVE_INFINITY;
    maxErr = Math.max(maxErr, Math.abs(a - e));
    maxRef = Math.max(maxRef, Math.abs(e));
  }
  for (let i = 0; i < expected.length; i++) {
    const e = Number(expected[i]);
    if (Number.isFinite(e)) maxRef = Math.max(maxRef, Math.abs(e));
  }
  return maxErr === 0 ? 0 : maxErr / Math.max(maxRef, 1e-30);
}

/** True if two typed arrays hold the same bytes. */
export function sameBytes(a: TensorData, b: TensorData): boolean {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Prepares a graph as C for a target name. */
export function prepareFor(
  graph: Graph,
  registry: Registry,
  target: string,
  options: CEngineOptions = {},
): Promise<CPreparedModel> {
  return prepareC(graph, registry, cTarget(target), options);
}

/** The worst relative error over all outputs of all samples. */
export function worstError(actual: readonly TensorData[][], expected: readonly TensorData[][]): number {
  let worst = 0;
  actual.forEach((outs, s) => {
    outs.forEach((o, k) => {
      const e = relativeError(o, expected[s]![k]!);
      worst = Number.isNaN(e) ? Number.NaN : Math.max(worst, e);
    });
  });
  return worst;
}
