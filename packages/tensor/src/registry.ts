/**
 * The registry: one instance per application, built from plugins. It holds ops, kernels,
 * passes, formats, engines and the contributions of codegen and cost-model plugins.
 * Duplicate names throw; a plugin written for another API version is refused.
 */
import type { Analysis } from "./analysis.js";
import { McuError } from "./errors.js";
import type { Node } from "./graph.js";
import type { KernelDef, KernelPrepareContext } from "./kernel.js";
import type { OpContract } from "./op.js";
import type { PassDef } from "./pass.js";
import {
  type CKernelContribution,
  type CostContribution,
  type Engine,
  type ModelFormat,
  PLUGIN_API_VERSION,
  type Plugin,
} from "./plugin.js";

/** A registry instance. */
export interface Registry {
  readonly plugins: readonly Plugin[];
  /** The op contract, or `MCU_E_UNKNOWN_OP`. */
  op(name: string): OpContract;
  hasOp(name: string): boolean;
  ops(): readonly OpContract[];
  /** The pass, or `MCU_E_UNKNOWN_PASS`. */
  pass(name: string): PassDef;
  passes(): readonly PassDef[];
  analyses(): readonly Analysis<unknown>[];
  /** Kernels of an op, highest priority first. */
  kernels(op: string): readonly KernelDef[];
  /** The kernel that will run this node, or `MCU_E_NO_KERNEL`. */
  selectKernel(ctx: KernelPrepareContext): KernelDef;
  formats(): readonly ModelFormat[];
  /** The format that handles this file name's extension, or `MCU_E_UNKNOWN_FORMAT`. */
  formatFor(fileName: string): ModelFormat;
  engines(): readonly Engine[];
  /** The engine, or `MCU_E_UNKNOWN_ENGINE`. */
  engine(name: string): Engine;
  cKernels(op?: string): readonly CKernelContribution[];
  costs(op?: string): readonly CostContribution[];
}

function addUnique<T>(map: Map<string, T>, key: string, value: T, what: string, plugin: string): void {
  if (map.has(key)) throw new McuError("MCU_E_DUPLICATE", `${what} "${key}" is registered twice (plugin ${plugin})`);
  map.set(key, value);
}

function extensionOf(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, "");
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? "" : base.slice(dot).toLowerCase();
}

function describeNode(node: Node): string {
  return `${node.op} "${node.name}"`;
}

/** Builds a registry from plugins, in order. */
export function createRegistry(plugins: readonly Plugin[]): Registry {
  const ops = new Map<string, OpContract>();
  const passes = new Map<string, PassDef>();
  const analyses = new Map<string, Analysis<unknown>>();
  const kernels = new Map<string, KernelDef[]>();
  const kernelNames = new Map<string, KernelDef>();
  const formats = new Map<string, ModelFormat>();
  const byExtension = new Map<string, ModelFormat>();
  const engines = new Map<string, Engine>();
  const cKernels: CKernelContribution[] = [];
  const cKernelNames = new Map<string, CKernelContribution>();
  const costs: CostContribution[] = [];
  const costNames = new Map<string, CostContribution>();
  const pluginNames = new Map<string, Plugin>();

  for (const p of plugins) {
    if (p.apiVersion !== PLUGIN_API_VERSION) {
      throw new McuError(
        "MCU_E_PLUGIN_API",
        `plugin ${p.name} was written for plugin API version ${p.apiVersion}, but this @mcu/tensor implements version ${PLUGIN_API_VERSION}; install a version of ${p.name} built for API ${PLUGIN_API_VERSION}`,
      );
    }
    addUnique(pluginNames, p.name, p, "plugin", p.name);
    for (const op of p.ops ?? []) addUnique(ops, op.name, op, "op", p.name);
    for (const pass of p.passes ?? []) addUnique(passes, pass.name, pass, "pass", p.name);
    for (const a of p.analyses ?? []) addUnique(analyses, a.name, a, "analysis", p.name);
    for (const k of p.kernels ?? []) {
      addUnique(kernelNames, `${k.op}:${k.name}`, k, "kernel", p.name);
      const list = kernels.get(k.op) ?? [];
      list.push(k);
      // Stable: equal priorities keep plugin order.
      list.sort((a, b) => b.priority - a.priority);
      kernels.set(k.op, list);
    }
    for (const f of p.formats ?? []) {
      addUnique(formats, f.name, f, "format", p.name);
      for (const ext of f.extensions) addUnique(byExtension, ext.toLowerCase(), f, "file extension", p.name);
    }
    for (const e of p.engines ?? []) addUnique(engines, e.name, e, "engine", p.name);
    for (const c of p.cKernels ?? []) {
      addUnique(cKernelNames, `${c.op}:${c.variant}`, c, "C kernel", p.name);
      cKernels.push(c);
    }
    for (const c of p.costs ?? []) {
      addUnique(costNames, `${c.op}:${c.variant}`, c, "cost function", p.name);
      costs.push(c);
    }
  }

  const registry: Registry = {
    plugins: Object.freeze([...plugins]),
    op(name) {
      const op = ops.get(name);
      if (op === undefined) throw new McuError("MCU_E_UNKNOWN_OP", `no plugin defines op "${name}"`);
      return op;
    },
    hasOp: (name) => ops.has(name),
    ops: () => [...ops.values()],
    pass(name) {
      const pass = passes.get(name);
      if (pass === undefined) {
        const known = [...passes.keys()].join(", ");
        throw new McuError("MCU_E_UNKNOWN_PASS", `no plugin defines pass "${name}" (known: ${known || "none"})`);
      }
      return pass;
    },
    passes: () => [...passes.values()],
    analyses: () => [...analyses.values()],
    kernels: (op) => kernels.get(op) ?? [],
    selectKernel(ctx) {
      const k = (kernels.get(ctx.node.op) ?? []).find((k) => k.supports(ctx));
      if (k === undefined) {
        const dtypes = ctx.inputs.map((t) => t?.dtype ?? "-").join(",");
        const msg =
          ctx.node.op === "core.custom"
            ? `custom op "${String(ctx.attrs.customCode)}" cannot run: no kernel implements it`
            : `no kernel runs ${describeNode(ctx.node)} with input dtypes (${dtypes})`;
        throw new McuError("MCU_E_NO_KERNEL", msg, { node: ctx.node.name });
      }
      return k;
    },
    formats: () => [...formats.values()],
    formatFor(fileName) {
      const f = byExtension.get(extensionOf(fileName));
      if (f === undefined) {
        const known = [...byExtension.keys()].join(", ");
        throw new McuError(
          "MCU_E_UNKNOWN_FORMAT",
          `no installed plugin reads or writes "${fileName}" (known extensions: ${known || "none"})`,
        );
      }
      return f;
    },
    engines: () => [...engines.values()],
    engine(name) {
      const e = engines.get(name);
      if (e === undefined) {
        const known = [...engines.keys()].join(", ");
        throw new McuError("MCU_E_UNKNOWN_ENGINE", `no installed plugin provides engine "${name}" (known: ${known})`);
      }
      return e;
    },
    cKernels: (op) => (op === undefined ? cKernels : cKernels.filter((c) => c.op === op)),
    costs: (op) => (op === undefined ? costs : costs.filter((c) => c.op === op)),
  };
  return Object.freeze(registry);
}
