/**
 * The structural rules both directions of `.mcuir` enforce: what a file must satisfy to be a
 * graph at all (a graph that breaks them can be neither written nor read). Everything beyond
 * structure — op contracts, shapes, quantization rules — is `verify()`'s job.
 */
import { McuError, type McuErrorLocation } from "../errors.js";
import type { Node } from "../graph.js";
import type { Int64 } from "./schema.js";

/** An `MCU_E_MCUIR_INVALID` error. */
export function invalid(message: string, where: McuErrorLocation = {}): McuError {
  return new McuError("MCU_E_MCUIR_INVALID", message, where);
}

/** A lone UTF-16 surrogate: such a string has no UTF-8 form, so protobuf cannot store it. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Throws unless `s` is a string protobuf can store (well-formed UTF-16). */
export function checkString(s: unknown, what: string, where: McuErrorLocation = {}): string {
  if (typeof s !== "string") throw invalid(`${what} must be a string, got ${typeof s}`, where);
  if (LONE_SURROGATE.test(s))
    throw invalid(`${what} ${JSON.stringify(s)} contains a lone UTF-16 surrogate`, where);
  return s;
}

/** An int64 field as a JS number; values beyond ±(2^53 − 1) cannot be represented exactly. */
export function int64ToNumber(v: Int64, what: string, where: McuErrorLocation = {}): number {
  const n = typeof v === "number" ? v : v.toNumber();
  // Long.toNumber() of a value beyond 2^53 rounds to a number that is no longer a safe integer.
  if (!Number.isSafeInteger(n)) throw invalid(`${what} ${String(n)} is outside ±(2^53 − 1)`, where);
  return n;
}

/** Checks that every dimension is a non-negative safe integer and so is the element count. */
export function checkShape(shape: readonly number[], where: McuErrorLocation): void {
  let count = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw invalid(`shape [${shape.join(",")}] has an invalid dimension ${d}`, where);
    count *= d;
  }
  // A zero dimension makes any product zero; otherwise the running product only grows.
  if (!Number.isSafeInteger(count) && !shape.includes(0)) {
    throw invalid(`shape [${shape.join(",")}] has more than 2^53 elements`, where);
  }
}

/** Checks that every tensor a node or the graph names exists (`""` is an absent input). */
export function checkReferences(
  tensors: ReadonlyMap<string, unknown>,
  nodes: readonly Node[],
  inputs: readonly string[],
  outputs: readonly string[],
): void {
  for (const node of nodes) {
    for (const id of [...node.inputs, ...node.outputs]) {
      if (id !== "" && !tensors.has(id)) {
        throw invalid(`${node.op} "${node.name}" refers to missing tensor "${id}"`, {
          node: node.name,
          tensor: id,
        });
      }
    }
  }
  for (const [what, ids] of [
    ["input", inputs],
    ["output", outputs],
  ] as const) {
    for (const id of ids) {
      if (!tensors.has(id)) throw invalid(`graph ${what} "${id}" is not a tensor`, { tensor: id });
    }
  }
}
