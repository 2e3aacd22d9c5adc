/**
 * Passes: named graph-to-graph transformations. A pass returns a new graph, or the same
 * reference when it changed nothing.
 */
import type { Analysis } from "./analysis.js";
import type { AttrSchema, AttrsOf } from "./attrs.js";
import type { TensorData } from "./dtype.js";
import { McuError } from "./errors.js";
import type { Graph } from "./graph.js";
import type { Registry } from "./registry.js";

/** A warning or note a pass reports about the model (never printed by the pass itself). */
export interface Diagnostic {
  readonly level: "warning" | "info";
  readonly message: string;
  readonly pass?: string;
  readonly node?: string;
  readonly tensor?: string;
}

/** Progress of one long step. */
export interface Progress {
  tick(n?: number): void;
  done(): void;
}

/** Data a pipeline may use: calibration samples (one entry per graph input each). */
export interface PipelineResources {
  readonly calibration?: readonly (readonly TensorData[])[];
  readonly [key: string]: unknown;
}

/** What a pass sees besides the graph. */
export interface PassContext<O = Readonly<Record<string, unknown>>> {
  readonly pass: string;
  readonly options: O;
  readonly registry: Registry;
  readonly resources: PipelineResources;
  /** Reports a warning or note about the model. */
  report(d: Omit<Diagnostic, "pass" | "level"> & { readonly level?: Diagnostic["level"] }): void;
  /** Starts a progress report for a long step (a bar on a terminal, nothing otherwise). */
  progress(label: string, total: number): Progress;
  /** A cached analysis of `graph`. */
  analysis<T>(analysis: Analysis<T>, graph: Graph): T;
}

/** A pass as declared. Its options are declared like op attributes. */
export interface PassDef<S extends AttrSchema = AttrSchema> {
  /** `package/kebab-case`, e.g. `core/fold-batchnorm`. */
  readonly name: string;
  readonly description: string;
  readonly options: S;
  /** A method, so a pass with specific options is usable wherever any pass is. */
  run(graph: Graph, ctx: PassContext<AttrsOf<S>>): Graph | Promise<Graph>;
}

const PASS_NAME = /^(@[a-z0-9-]+\/)?[a-z0-9-]+\/[a-z0-9][a-z0-9-]*$/;

/** Declares a pass. Names are `package/kebab-case`. */
export function definePass<const S extends AttrSchema = Record<never, never>>(def: {
  readonly name: string;
  readonly description: string;
  readonly options?: S;
  readonly run: (graph: Graph, ctx: PassContext<AttrsOf<S>>) => Graph | Promise<Graph>;
}): PassDef<S> {
  if (!PASS_NAME.test(def.name)) {
    throw new McuError("MCU_E_PLUGIN", `pass name "${def.name}" must look like "package/kebab-case"`);
  }
  return Object.freeze({ ...def, options: def.options ?? ({} as S) });
}
