/**
 * Pipelines: parse the CLI's pipeline syntax, resolve passes from a registry, and run them
 * with instruments (timing, IR dumps) around every pass.
 *
 * Syntax: passes separated by commas, options after the name separated by colons:
 * `core/fold-batchnorm,quant/int8:calib=minmax,cluster/kernels:k=32:tic=true`.
 */
import { AnalysisCache } from "./analysis.js";
import { type AttrSchema, type AttrSpec, type AttrValue, normalizeAttrs } from "./attrs.js";
import { McuError } from "./errors.js";
import type { Graph } from "./graph.js";
import type { Diagnostic, PassContext, PassDef, PipelineResources, Progress } from "./pass.js";
import { printGraph } from "./print.js";
import type { Registry } from "./registry.js";
import { verify } from "./verify.js";

/** One pass of a parsed pipeline, options still as text. */
export interface PipelineStepSpec {
  readonly name: string;
  readonly options: Readonly<Record<string, string>>;
}

/** A pass ready to run, with typed options. */
export interface PipelineStep {
  readonly pass: PassDef;
  readonly options: Readonly<Record<string, AttrValue>>;
}

/** Parses `a/b,c/d:k=v:k2=v2` into steps, or `MCU_E_PIPELINE`. */
export function parsePipeline(text: string): PipelineStepSpec[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  return trimmed.split(",").map((part) => {
    const [name, ...opts] = part.trim().split(":");
    if (name === undefined || name === "") throw new McuError("MCU_E_PIPELINE", `empty pass name in "${text}"`);
    const options: Record<string, string> = {};
    for (const o of opts) {
      const eq = o.indexOf("=");
      if (eq <= 0) throw new McuError("MCU_E_PIPELINE", `option "${o}" of ${name} must be key=value`);
      const key = o.slice(0, eq).trim();
      if (key in options) throw new McuError("MCU_E_PIPELINE", `option "${key}" of ${name} is given twice`);
      options[key] = o.slice(eq + 1).trim();
    }
    return { name: name.trim(), options };
  });
}

function coerce(pass: string, key: string, spec: AttrSpec | undefined, text: string): AttrValue {
  if (spec === undefined) return text; // normalizeAttrs reports the unknown option
  const bad = (): never => {
    throw new McuError("MCU_E_PIPELINE", `option ${key}=${text} of ${pass} must be ${spec.kind}`, { pass });
  };
  const num = (s: string): number => {
    const n = Number(s);
    return s.trim() === "" || Number.isNaN(n) ? bad() : n;
  };
  switch (spec.kind) {
    case "int":
    case "float":
      return num(text);
    case "bool":
      return text === "true" || text === "1" ? true : text === "false" || text === "0" ? false : bad();
    case "ints":
    case "floats":
      return text === "" ? [] : text.split("+").map(num);
    case "strings":
      return text === "" ? [] : text.split("+");
    case "bytes":
      return bad();
    default:
      return text;
  }
}

/** Resolves parsed steps against a registry, checking and typing every option. */
export function resolvePipeline(registry: Registry, steps: readonly PipelineStepSpec[] | string): PipelineStep[] {
  const specs = typeof steps === "string" ? parsePipeline(steps) : steps;
  return specs.map((s) => {
    const pass = registry.pass(s.name);
    const schema: AttrSchema = pass.options;
    const raw: Record<string, AttrValue> = {};
    for (const [k, v] of Object.entries(s.options)) raw[k] = coerce(pass.name, k, schema[k], v);
    try {
      return { pass, options: normalizeAttrs(pass.name, schema, raw) };
    } catch (e) {
      if (e instanceof McuError) throw new McuError("MCU_E_PIPELINE", e.message.replace(/attribute/g, "option"), { pass: pass.name });
      throw e;
    }
  });
}

/** Observes passes as they run. */
export interface PassInstrument {
  readonly beforePass?: (pass: PassDef, graph: Graph) => void;
  readonly afterPass?: (pass: PassDef, before: Graph, after: Graph, ms: number) => void;
}

/** Pass timings collected by {@link timingInstrument}. */
export interface PassTiming {
  readonly pass: string;
  readonly ms: number;
  readonly changed: boolean;
}

/** An instrument that records how long each pass took. */
export function timingInstrument(): PassInstrument & { readonly timings: PassTiming[] } {
  const timings: PassTiming[] = [];
  return {
    timings,
    afterPass: (pass, before, after, ms) => timings.push({ pass: pass.name, ms, changed: before !== after }),
  };
}

/** An instrument that hands the IR text after each pass (and the input) to `write`. */
export function irDumpInstrument(write: (label: string, text: string) => void): PassInstrument {
  let first = true;
  let index = 0;
  return {
    beforePass: (_pass, graph) => {
      if (first) write("00-input", printGraph(graph));
      first = false;
    },
    afterPass: (pass, _before, after) => {
      index++;
      write(`${String(index).padStart(2, "0")}-${pass.name.replace(/[/@]/g, "_")}`, printGraph(after));
    },
  };
}

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions {
  readonly registry: Registry;
  readonly instruments?: readonly PassInstrument[];
  readonly resources?: PipelineResources;
  /** Run `verify` after every pass (default true). */
  readonly verifyEach?: boolean;
  readonly onDiagnostic?: (d: Diagnostic) => void;
  readonly onProgress?: (label: string, total: number) => Progress;
}

/** The result of a pipeline run. */
export interface PipelineResult {
  readonly graph: Graph;
  readonly diagnostics: readonly Diagnostic[];
}

const quietProgress: Progress = { tick() {}, done() {} };

/** Runs passes in order. Errors from a pass carry its name. */
export async function runPipeline(
  graph: Graph,
  steps: readonly PipelineStep[],
  options: RunPipelineOptions,
): Promise<PipelineResult> {
  const { registry } = options;
  const diagnostics: Diagnostic[] = [];
  const analyses = new AnalysisCache(registry);
  let current = graph;
  for (const { pass, options: passOptions } of steps) {
    const ctx: PassContext = {
      pass: pass.name,
      options: passOptions,
      registry,
      resources: options.resources ?? {},
      report: (d) => {
        const diag: Diagnostic = { level: "warning", ...d, pass: pass.name };
        diagnostics.push(diag);
        options.onDiagnostic?.(diag);
      },
      progress: (label, total) => options.onProgress?.(label, total) ?? quietProgress,
      analysis: (a, g) => analyses.get(a, g),
    };
    for (const i of options.instruments ?? []) i.beforePass?.(pass, current);
    const t0 = performance.now();
    let next: Graph;
    try {
      next = await pass.run(current, ctx as PassContext<never>);
      if (options.verifyEach ?? true) verify(next, registry);
    } catch (e) {
      if (e instanceof McuError && e.pass === undefined) {
        throw new McuError(
          e.code,
          e.message,
          { pass: pass.name, ...(e.node !== undefined ? { node: e.node } : {}), ...(e.tensor !== undefined ? { tensor: e.tensor } : {}) },
          { cause: e },
        );
      }
      throw e;
    }
    const ms = performance.now() - t0;
    for (const i of options.instruments ?? []) i.afterPass?.(pass, current, next, ms);
    current = next;
  }
  return { graph: current, diagnostics };
}
