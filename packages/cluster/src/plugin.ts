/** The @mcu/cluster plugin: the cluster.conv2d op, its TS kernels and the clustering passes. */
import { definePlugin, PLUGIN_API_VERSION, type Plugin } from "@mcu/tensor";
import { clusterConv2dOp } from "./cluster-conv-op.js";
import { floatClusterKernels } from "./kernels/float-kernels.js";
import { clusterKernelsPass } from "./passes/cluster-kernels.js";

/** The plugin (also the package's default export, which the CLI discovers). */
export const clusterPlugin: Plugin = definePlugin({
  name: "@mcu/cluster",
  apiVersion: PLUGIN_API_VERSION,
  ops: [clusterConv2dOp],
  kernels: [...floatClusterKernels],
  passes: [clusterKernelsPass],
});
