/**
 * The Pareto set of compressed variants on one board: the variants no other variant beats on
 * every axis at once (RAM, flash, latency lower is better; accuracy higher is better).
 */
import type { Graph, Registry } from "@mcu/tensor";
import type { Board } from "./boards.js";
import { type EstimateReport, estimateModel } from "./estimate.js";

/** A compressed model and its measured accuracy (any pipeline produced it). */
export interface Variant {
  readonly name: string;
  readonly graph: Graph;
  /** Accuracy in [0, 1] (or any higher-is-better score). */
  readonly accuracy: number;
}

/** A variant with the four axes the Pareto set is taken over. */
export interface ParetoPoint {
  readonly name: string;
  readonly accuracy: number;
  readonly ramBytes: number;
  readonly flashBytes: number;
  /** Generated-code latency (ms); TFLM's when the generated model has none; Infinity when neither. */
  readonly latencyMs: number;
  readonly fits: boolean;
  readonly estimate: EstimateReport;
}

/** True if `a` is at least as good as `b` on every axis and strictly better on one. */
export function dominates(a: ParetoPoint, b: ParetoPoint): boolean {
  const noWorse =
    a.ramBytes <= b.ramBytes &&
    a.flashBytes <= b.flashBytes &&
    a.latencyMs <= b.latencyMs &&
    a.accuracy >= b.accuracy;
  const better =
    a.ramBytes < b.ramBytes ||
    a.flashBytes < b.flashBytes ||
    a.latencyMs < b.latencyMs ||
    a.accuracy > b.accuracy;
  return noWorse && better;
}

/** The non-dominated points, in input order. */
export function paretoFront(points: readonly ParetoPoint[]): ParetoPoint[] {
  return points.filter((p) => !points.some((q) => q !== p && dominates(q, p)));
}

/**
 * Estimates every variant on the board and returns the Pareto set over RAM, flash, latency and
 * accuracy. Variants that do not fit the board are left out unless `includeNonFitting`.
 */
export function paretoVariants(
  variants: readonly Variant[],
  options: {
    readonly registry: Registry;
    readonly board: string | Board;
    readonly includeNonFitting?: boolean;
  },
): ParetoPoint[] {
  const points = variants.map((v): ParetoPoint => {
    const estimate = estimateModel(v.graph, { registry: options.registry, board: options.board });
    return {
      name: v.name,
      accuracy: v.accuracy,
      ramBytes: estimate.ramBytes,
      flashBytes: estimate.flashBytes,
      latencyMs: estimate.latencyMs.generated ?? estimate.latencyMs.tflmCmsisNn ?? Number.POSITIVE_INFINITY,
      fits: estimate.fits,
      estimate,
    };
  });
  return paretoFront(options.includeNonFitting === true ? points : points.filter((p) => p.fits));
}
