/**
 * The @mcu/cluster plugin: the cluster.conv2d and cluster.lookup ops, their TS and C kernels,
 * their storage and cost functions, and the cluster/kernels and cluster/weights passes.
 */
import { definePlugin, PLUGIN_API_VERSION, type Plugin, type RoundingMode } from "@mcu/tensor";
import { clusterCKernels } from "./c/c-kernels.js";
import { lookupCKernel } from "./c/lookup-c-kernel.js";
import { clusterConv2dOp } from "./cluster-conv-op.js";
import { clusterCosts } from "./cost.js";
import { floatClusterKernels } from "./kernels/float-kernels.js";
import { int8ClusterKernels } from "./kernels/int8-kernels.js";
import { lookupKernel } from "./kernels/lookup-kernel.js";
import { clusterLookupOp } from "./lookup-op.js";
import { clusterKernelsPass } from "./passes/cluster-kernels.js";
import { clusterWeightsPass } from "./passes/cluster-weights.js";

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
    ops: [clusterConv2dOp, clusterLookupOp],
    kernels: [...floatClusterKernels, ...int8ClusterKernels(options.rounding ?? "double"), lookupKernel],
    passes: [clusterKernelsPass, clusterWeightsPass],
    cKernels: [...clusterCKernels(options.rounding ?? "double"), lookupCKernel],
    costs: clusterCosts,
  });
}

/** The plugin (also the package's default export, which the CLI discovers). */
export const clusterPlugin: Plugin = createClusterPlugin();
