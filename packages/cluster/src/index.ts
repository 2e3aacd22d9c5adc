/**
 * @mcu/cluster — kernel clustering (Son, Nah, Lee, ECCV 2018) and scalar weight sharing, as a
 * plugin: the cluster.conv2d op, its TS and C kernels, its storage and cost functions and the
 * `cluster/kernels` and `cluster/weights` passes.
 */
import { clusterPlugin } from "./plugin.js";

export { clusterPlugin };
export default clusterPlugin;
