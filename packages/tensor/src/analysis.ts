/**
 * Cached analyses. Graphs are immutable, so an analysis result is cached per graph value: a
 * pass that returns the same graph keeps every analysis; a new graph starts fresh.
 */
import type { Graph } from "./graph.js";
import type { Registry } from "./registry.js";

/** An analysis of a graph (liveness, consumers, value ranges, ...). */
export interface Analysis<T> {
  readonly name: string;
  readonly compute: (graph: Graph, registry: Registry) => T;
}

/** Declares an analysis. */
export function defineAnalysis<T>(name: string, compute: (graph: Graph, registry: Registry) => T): Analysis<T> {
  return Object.freeze({ name, compute });
}

/** A cache of analysis results keyed by graph value. */
export class AnalysisCache {
  private readonly byGraph = new WeakMap<Graph, Map<Analysis<unknown>, unknown>>();

  constructor(private readonly registry: Registry) {}

  /** The analysis result for this graph, computed once. */
  get<T>(analysis: Analysis<T>, graph: Graph): T {
    let results = this.byGraph.get(graph);
    if (results === undefined) {
      results = new Map();
      this.byGraph.set(graph, results);
    }
    if (!results.has(analysis)) results.set(analysis, analysis.compute(graph, this.registry));
    return results.get(analysis) as T;
  }
}
