/**
 * Plugins: the only way ops, kernels, passes, file formats and engines reach a registry.
 * A plugin is a plain value; nothing registers itself on import.
 */
import type { Analysis } from "./analysis.js";
import type { TensorData } from "./dtype.js";
import { McuError } from "./errors.js";
import type { Graph } from "./graph.js";
import type { KernelDef } from "./kernel.js";
import type { OpContract } from "./op.js";
import type { Diagnostic, PassDef } from "./pass.js";
import type { Registry } from "./registry.js";

/** The plugin API version this @mcu/tensor implements. */
export const PLUGIN_API_VERSION = 1;

/** A model file format (`.tflite`, `.onnx`, `.mcuir`), found by file extension. */
export interface ModelFormat {
  readonly name: string;
  /** Lower-case, with the dot: `.tflite`. */
  readonly extensions: readonly string[];
  readonly read?: (bytes: Uint8Array, ctx: { readonly registry: Registry }) => Graph;
  readonly write?: (graph: Graph, ctx: { readonly registry: Registry }) => Uint8Array;
}

/** A model prepared by an engine, ready to run many times. */
export interface PreparedModel {
  /** Runs one inference; inputs and outputs in the graph's own order, layout and dtypes. */
  invoke(inputs: readonly TensorData[]): Promise<TensorData[]>;
  /**
   * Optional: many inferences in one go (per sample, its inputs; returns per sample its outputs), for
   * engines with a cost per run such as a process or a simulator. Callers use it when present.
   */
  invokeBatch?(samples: readonly (readonly TensorData[])[]): Promise<TensorData[][]>;
  /** Engine-specific measurements of the last run (instructions, arena bytes, ...). */
  stats?(): Readonly<Record<string, unknown>>;
  dispose?(): Promise<void>;
}

/** Something that runs a graph: the TS interpreter, host C, Cortex-M under QEMU, ... */
export interface Engine {
  readonly name: string;
  readonly description: string;
  readonly prepare: (
    graph: Graph,
    ctx: {
      readonly registry: Registry;
      readonly report?: (d: Diagnostic) => void;
      readonly options?: Readonly<Record<string, unknown>>;
    },
  ) => Promise<PreparedModel>;
}

/** A C kernel contributed to @mcu/codegen-c; that package defines the full interface. */
export interface CKernelContribution {
  readonly op: string;
  readonly variant: string;
}

/** A cost or storage function contributed to @mcu/hw-model; that package defines the full interface. */
export interface CostContribution {
  readonly op: string;
  readonly variant: string;
}

/** A plugin as declared. */
export interface PluginDef {
  /** The npm package name, e.g. `@mcu/quant`. */
  readonly name: string;
  /** The plugin API version the plugin was written for; must equal {@link PLUGIN_API_VERSION}. */
  readonly apiVersion: number;
  readonly ops?: readonly OpContract[];
  readonly kernels?: readonly KernelDef[];
  readonly passes?: readonly PassDef[];
  readonly analyses?: readonly Analysis<unknown>[];
  readonly formats?: readonly ModelFormat[];
  readonly engines?: readonly Engine[];
  readonly cKernels?: readonly CKernelContribution[];
  readonly costs?: readonly CostContribution[];
}

/** A plugin value, ready for {@link createRegistry}. */
export type Plugin = Readonly<PluginDef>;

/** Declares a plugin. The API version is checked when a registry loads it. */
export function definePlugin(def: PluginDef): Plugin {
  if (typeof def.name !== "string" || def.name === "") {
    throw new McuError("MCU_E_PLUGIN", "a plugin needs a name");
  }
  if (!Number.isInteger(def.apiVersion)) {
    throw new McuError("MCU_E_PLUGIN", `plugin ${def.name} must declare an integer apiVersion`);
  }
  return Object.freeze({ ...def });
}
