/**
 * @mcu-example/hard-sigmoid — an example third-party @mcu plugin (see docs/plugin-authoring.md):
 * the op `example.hard_sigmoid`, the pass `example/fuse-hard-sigmoid` that produces it from the
 * core ops ONNX's HardSigmoid is imported as, a float32 TS kernel, a C kernel for
 * @mcu/codegen-c and a cost/storage contribution for @mcu/hw-model.
 *
 * The default export is the plugin: that is how `mcu --plugin <module>` finds it.
 */
import { hardSigmoidPlugin } from "./plugin.js";

export { hardSigmoidCKernel, hardSigmoidSupport } from "./c-kernel.js";
export { HARD_SIGMOID_INSTRUCTIONS, hardSigmoidCost } from "./cost.js";
export { hardSigmoidFloat32Kernel, isPlainFloat32 } from "./kernel.js";
export { hardSigmoidOp } from "./op.js";
export { fuseHardSigmoid } from "./pass.js";
export { hardSigmoidPlugin };
export default hardSigmoidPlugin;
