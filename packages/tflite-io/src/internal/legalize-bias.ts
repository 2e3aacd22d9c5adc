/**
 * A zero bias for convolutions that have none. The schema lets CONV_2D and DEPTHWISE_CONV_2D
 * omit it (−1), but TFLite's kernels assume it is there: conv.cc's Prepare says "the optimized
 * versions require 'bias'" (tensorflow/lite/kernels/conv.cc), and LiteRT computes garbage for
 * a bias-less CONV_2D. TFLite's converter always writes one; so do we.
 */
import type { GraphEditor, Node, QuantParams, TensorData, TensorInfo } from "@mcu/tensor";

const CONVS = new Set(["core.conv2d", "core.depthwise_conv2d"]);

/** True for a conv2d / depthwise_conv2d node without a bias input. */
export function lacksConvBias(node: Node): boolean {
  return CONVS.has(node.op) && (node.inputs[2] === undefined || node.inputs[2] === "");
}

/**
 * The zero bias TFLite expects for input `x` and weights `w`: float32 for float, int32 with
 * scale s_x · s_w[c] for int8/uint8 (int64 for int16), per channel when the weights are.
 */
function zeroBias(x: TensorInfo, w: TensorInfo, channels: number): Omit<TensorInfo, "name"> | undefined {
  if (x.dtype === "float32" && x.quant === undefined && w.dtype === "float32" && w.quant === undefined)
    return { shape: [channels], dtype: "float32", data: new Float32Array(channels) };
  const xq = x.quant;
  const wq = w.quant;
  if (xq === undefined || wq === undefined || xq.scale.length !== 1) return undefined;
  if (wq.scale.length !== 1 && wq.scale.length !== channels) return undefined;
  const wide = x.dtype === "int16";
  if (!wide && x.dtype !== "int8" && x.dtype !== "uint8") return undefined;
  const quant: QuantParams =
    wq.scale.length === 1
      ? { scale: [xq.scale[0]! * wq.scale[0]!], zeroPoint: [0] }
      : { scale: wq.scale.map((s) => xq.scale[0]! * s), zeroPoint: wq.scale.map(() => 0), axis: 0 };
  const data: TensorData = wide ? new BigInt64Array(channels) : new Int32Array(channels);
  return { shape: [channels], dtype: wide ? "int64" : "int32", quant, data };
}

/** Gives a bias-less conv a zero bias (in the editor); false when its types have none. */
export function addZeroBias(node: Node, editor: GraphEditor): boolean {
  const x = editor.tensor(node.inputs[0]!);
  const w = editor.tensor(node.inputs[1]!);
  const channels = node.op === "core.depthwise_conv2d" ? w.shape[3]! : w.shape[0]!;
  const bias = zeroBias(x, w, channels);
  if (bias === undefined) return false;
  const id = editor.addTensor({ name: `${node.name}/bias`, ...bias });
  const current = editor.currentNodes.find((n) => n.name === node.name) ?? node;
  editor.replaceNode(node.name, { ...current, inputs: [current.inputs[0]!, current.inputs[1]!, id] });
  return true;
}
