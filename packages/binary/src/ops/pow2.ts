/**
 * Power-of-two weights (INQ, Zhou et al. 2017; LogQuant, Miyashita et al. 2016): every weight is
 * 0 or ±2^k times a per-output-channel scale, so each multiplication by an integer activation is
 * a shift. Weights are int4 codes: 0 → 0, c > 0 → +2^(c−1), c < 0 → −2^(−c−1) (codes −8…7: shifts
 * 0–7). Activations are int8 with per-tensor quantization; the output is float32.
 */
import { attr, defineOp, numElements, type TensorInfo } from "@mcu/tensor";
import { check, convWindowAttrs, pooledWindow } from "./shared.js";

/** The largest |code| the pow2 pass writes (shift 6); int4 codes reach −8 (shift 7). */
export const POW2_MAX_CODE = 7;
/** The most products a pow2 layer sums: 255·2^7·65,536 < 2^31, so its int32 accumulator cannot overflow. */
export const POW2_MAX_TAPS = 65_536;

/** Fused activations the float32 output stage applies. */
export const POW2_ACTIVATIONS = ["NONE", "RELU", "RELU6"] as const;

function checkPow2(
  node: string,
  x: TensorInfo,
  w: TensorInfo,
  scale: TensorInfo,
  bias: TensorInfo | undefined,
  o: number,
  taps: number,
): void {
  check(
    x.dtype === "int8" && x.quant !== undefined && x.quant.scale.length === 1,
    "pow2 layers take per-tensor quantized int8 input",
    node,
    "MCU_E_DTYPE",
  );
  check(w.dtype === "int4", "pow2 weights are int4 codes", node, "MCU_E_DTYPE");
  check(
    scale.dtype === "float32" && numElements(scale.shape) === o,
    `pow2 scale must be float32 with ${o} values`,
    node,
  );
  if (bias !== undefined)
    check(
      bias.dtype === "float32" && numElements(bias.shape) === o,
      `pow2 bias must be float32 with ${o} values`,
      node,
    );
  check(
    taps <= POW2_MAX_TAPS,
    `a pow2 layer sums at most ${POW2_MAX_TAPS} products (int32 accumulator), this one ${taps}`,
    node,
  );
}

/** Convolution with power-of-two weights. */
export const pow2Conv2dOp = defineOp({
  name: "binary.pow2_conv2d",
  doc: "y = act(s_x·scale[o]·Σ (x − z_x)·q(w) + bias[o]), q(c) = sign(c)·2^(|c|−1); the products are shifts",
  attrs: { ...convWindowAttrs, fusedActivation: attr.enum(POW2_ACTIVATIONS, "NONE") },
  inputs: ["x", "weights", "scale", "bias?"],
  inferShape({ node, inputs: [x, w, scale, bias], attrs }) {
    check(
      x!.shape.length === 4 && w!.shape.length === 4,
      "binary.pow2_conv2d takes NHWC input and OHWI weights",
      node,
    );
    const [n, h, wd, c] = x!.shape as [number, number, number, number];
    const [o, kh, kw, i] = w!.shape as [number, number, number, number];
    check(c === i, `input has ${c} channels, weights expect ${i}`, node);
    checkPow2(node, x!, w!, scale!, bias, o, kh * kw * i);
    // The pooled window with no pool is the plain convolution window.
    const { outH, outW } = pooledWindow(h, wd, kh, kw, { ...attrs, pool: [], poolStrides: [] }, node);
    return [{ shape: [n, outH, outW, o], dtype: "float32" }];
  },
  macs: ({ inputs: [, w], outputs: [y] }) => numElements(y!.shape) * numElements(w!.shape.slice(1)),
});

/** Fully-connected layer with power-of-two weights ([O, K]). */
export const pow2FullyConnectedOp = defineOp({
  name: "binary.pow2_fully_connected",
  doc: "y[b,o] = act(s_x·scale[o]·Σ_k (x[b,k] − z_x)·q(w[o,k]) + bias[o]); x flattened to [numel/K, K]",
  attrs: { fusedActivation: attr.enum(POW2_ACTIVATIONS, "NONE") },
  inputs: ["x", "weights", "scale", "bias?"],
  inferShape({ node, inputs: [x, w, scale, bias] }) {
    check(w!.shape.length === 2, "binary.pow2_fully_connected weights are [O, K]", node);
    const [o, k] = w!.shape as [number, number];
    const total = numElements(x!.shape);
    check(k > 0 && total % k === 0, `input [${x!.shape.join(",")}] is not a multiple of ${k} features`, node);
    checkPow2(node, x!, w!, scale!, bias, o, k);
    return [{ shape: [total / k, o], dtype: "float32" }];
  },
  macs: ({ inputs: [x, w] }) => numElements(x!.shape) * w!.shape[0]!,
});
