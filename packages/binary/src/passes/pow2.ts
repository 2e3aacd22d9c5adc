/**
 * `binary/pow2`: power-of-two weights (INQ, Zhou et al. 2017, §3.1; LogQuant, Miyashita et al.
 * 2016) without retraining. Per output channel, s = max|W| / 2^(L−1) and each weight becomes the
 * nearest of 0, ±s·2^0, …, ±s·2^(L−1) (L = 2^(bits−1) − 1 magnitudes: bits=4 → 7, bits=3 → 3;
 * bits=2 is ternary, {0, ±s}, with Ternary Weight Networks' threshold and scale); the layer's input is quantized to int8 (per tensor, asymmetric,
 * range from the calibration samples, as TFLite's min/max calibration) so each product is a
 * shift (binary.pow2_conv2d / binary.pow2_fully_connected, float32 output).
 */
import { attr, definePass, editGraph, type Graph, McuError, type Node, quantParams } from "@mcu/tensor";
import { tensorStats } from "../internal/calibration.js";
import { addConstant, removeDeadCode, rewriteNode, trimInputs } from "../internal/rewrite.js";
import { chooseLayers } from "./layers.js";

/**
 * Codes (int4: 0, ±(k+1) for ±2^k) and per-channel scales of power-of-two weights. Two bits are
 * ternary weights, chosen as Ternary Weight Networks do (Li & Liu 2016, eq. 5–6): threshold
 * Δ = 0.7·mean|W|, scale = mean |w| over |w| > Δ.
 */
export function pow2Weights(
  w: Float32Array,
  outs: number,
  bits: number,
): { codes: Int8Array; scale: Float32Array } {
  const levels = 2 ** (bits - 1) - 1; // magnitudes 2^0 … 2^(levels−1)
  const per = w.length / outs;
  const codes = new Int8Array(w.length);
  const scale = new Float32Array(outs);
  if (levels === 1) {
    for (let o = 0; o < outs; o++) {
      let sum = 0;
      for (let i = 0; i < per; i++) sum += Math.abs(w[o * per + i]!);
      const delta = (0.7 * sum) / per;
      let kept = 0;
      let n = 0;
      for (let i = 0; i < per; i++) {
        const v = w[o * per + i]!;
        if (Math.abs(v) <= delta) continue;
        kept += Math.abs(v);
        n++;
        codes[o * per + i] = v < 0 ? -1 : 1;
      }
      scale[o] = n > 0 ? kept / n : 1;
    }
    return { codes, scale };
  }
  for (let o = 0; o < outs; o++) {
    let max = 0;
    for (let i = 0; i < per; i++) max = Math.max(max, Math.abs(w[o * per + i]!));
    const s = max > 0 ? max / 2 ** (levels - 1) : 1;
    scale[o] = s;
    for (let i = 0; i < per; i++) {
      const v = w[o * per + i]!;
      const m = Math.abs(v) / Math.fround(s);
      // Nearest level in value: 0 below 0.5; between 2^k and 2^(k+1) the midpoint is 1.5·2^k.
      if (m < 0.5) continue;
      let k = m < 1 ? 0 : Math.floor(Math.log2(m));
      if (k >= 0 && m >= 1.5 * 2 ** k) k++;
      k = Math.min(k, levels - 1);
      codes[o * per + i] = v < 0 ? -(k + 1) : k + 1;
    }
  }
  return { codes, scale };
}

/** Asymmetric int8 parameters covering [min, max] ∪ {0} (TFLite's min/max calibration). */
export function int8Params(min: number, max: number): { scale: number; zeroPoint: number } {
  const lo = Math.min(0, min);
  const hi = Math.max(0, max);
  if (hi === lo) return { scale: 1, zeroPoint: 0 };
  const scale = (hi - lo) / 255;
  // TFLite's nudged zero point: std::round (half away from zero) of qmin − min/scale.
  const z = -128 - lo / scale;
  const zeroPoint = Math.max(-128, Math.min(127, Math.sign(z) * Math.round(Math.abs(z)))) + 0;
  return { scale, zeroPoint };
}

const OPTIONS = {
  bits: attr.int(4, "bits per weight code: 2 (ternary), 3 or 4"),
  layers: attr.strings([], "node names (default: every conv2d / fully_connected)"),
  keepFirstLast: attr.bool(false, "keep the first and last weight layers in float"),
};

/** The pass. */
export const pow2Pass = definePass({
  name: "binary/pow2",
  description:
    "Power-of-two weights (0 or ±2^k times a per-channel scale) with int8 inputs: every product a shift",
  options: OPTIONS,
  async run(graph: Graph, ctx): Promise<Graph> {
    const {
      bits,
      layers: names,
      keepFirstLast,
    } = ctx.options as { bits: number; layers: readonly string[]; keepFirstLast: boolean };
    if (!Number.isInteger(bits) || bits < 2 || bits > 4) {
      throw new McuError("MCU_E_PIPELINE", `bits=${bits}: power-of-two codes are 2, 3 or 4 bits`, {
        pass: "binary/pow2",
      });
    }
    const layers = chooseLayers(graph, ctx, names, keepFirstLast);
    if (layers.length === 0) return graph;
    const stats = tensorStats(graph, ctx, new Set(layers.map((n) => n.inputs[0]!)));
    if (stats === undefined) {
      throw new McuError(
        "MCU_E_CALIBRATION",
        "binary/pow2 quantizes layer inputs to int8: give calibration samples (mcu compress --calib)",
        { pass: "binary/pow2" },
      );
    }
    const editor = editGraph(graph, ctx.registry);
    const quantized = new Map<string, string>();
    let done = 0;
    for (const node of layers) {
      if (!convertible(graph, node)) {
        ctx.report({
          level: "info",
          node: node.name,
          message: "left in float: fused activation or input layout the pow2 kernels do not take",
        });
        continue;
      }
      const x = node.inputs[0]!;
      let xq = quantized.get(x);
      if (xq === undefined) {
        const st = stats.get(x)!;
        const p = int8Params(st.min, st.max);
        xq = editor.addNode(
          "core.quantize",
          [x],
          {},
          { name: `${x}:int8`, outputs: [{ dtype: "int8", quant: quantParams(p.scale, p.zeroPoint) }] },
        )[0]!;
        quantized.set(x, xq);
      }
      const w = graph.tensors.get(node.inputs[1]!)!;
      const outs = w.shape[0]!;
      const { codes, scale } = pow2Weights(w.data as Float32Array, outs, bits);
      const wq = addConstant(editor, `${w.name}:pow2`, "int4", w.shape, codes);
      const s = addConstant(editor, `${node.name}:scale`, "float32", [outs], scale);
      const conv = node.op === "core.conv2d";
      const attrs = conv
        ? {
            strides: node.attrs.strides!,
            dilations: node.attrs.dilations!,
            padding: node.attrs.padding!,
            pads: node.attrs.pads!,
            fusedActivation: node.attrs.fusedActivation!,
          }
        : { fusedActivation: node.attrs.fusedActivation! };
      rewriteNode(
        editor,
        ctx.registry,
        node.name,
        conv ? "binary.pow2_conv2d" : "binary.pow2_fully_connected",
        trimInputs([xq, wq, s, node.inputs[2] ?? ""]),
        attrs,
        node.outputs[0]!,
        node.sourceOp,
      );
      done++;
    }
    if (done === 0) return graph;
    ctx.report({ level: "info", message: `${done} layer(s) with ${bits}-bit power-of-two weights` });
    return removeDeadCode(editor.finish(), ctx);
  },
});

function convertible(graph: Graph, node: Node): boolean {
  const act = String(node.attrs.fusedActivation);
  if (act !== "NONE" && act !== "RELU" && act !== "RELU6") return false;
  if (node.op === "core.fully_connected") return node.attrs.keepNumDims !== true;
  return graph.tensors.get(node.inputs[0]!)!.shape.length === 4;
}
