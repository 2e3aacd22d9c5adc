/** The @mcu/cluster plugin: the cluster.conv2d op, its TS kernels and the clustering passes. */
import { definePlugin, PLUGIN_API_VERSION, type Plugin, type RoundingMode } from "@mcu/tensor";
import { clusterCKernels } from "./c/c-kernels.js";
import { clusterConv2dOp } from "./cluster-conv-op.js";
import { floatClusterKernels } from "./kernels/float-kernels.js";
import { int8ClusterKernels } from "./kernels/int8-kernels.js";
import { clusterKernelsPass } from "./passes/cluster-kernels.js";

/** Options of {@link createClusterPlugin}. */
export interface ClusterPluginOptions {
  /** Requantization rounding of the int8 kernels: TFLite's default double rounding, or TFLITE_SINGLE_ROUNDING. */
  readonly rounding?: RoundingMode;
}

/** Builds the plugin; the default export is `createClusterPlugin()`. */
export function createClusterPlugin(options: ClusterPluginOptions = {}): Plugin {
  return definePlugin({
    name: "@mcu/cluster",
    apiVersion: PLUGIN_API_VERSION,
    ops: [clusterConv2dOp],
    kernels: [...floatClusterKernels, ...int8ClusterKernels(options.rounding ?? "double")],
    passes: [clusterKernelsPass],
    cKernels: clusterCKernels(options.rounding ?? "double"),
  });
}

/** The plugin (also the package's default export, which the CLI discovers). */
export const clusterPlugin: Plugin = createClusterPlugin();
