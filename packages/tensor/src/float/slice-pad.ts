/** core.pad for any dtype: constant, reflect and edge modes. */
import { type DType, dtypeRange } from "../dtype.js";
import { McuError } from "../errors.js";
import { defineKernel } from "../kernel.js";
import { stridesOf } from "../ops/shape-utils.js";
import { padOp } from "../ops/shape.js";
import type { QuantParams } from "../tensor-info.js";
import { copiesValues, elementsOf } from "./slice-copy.js";

/** Rounds half away from zero, like std::round in TFLite's quantization. */
function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/**
 * The stored value that constant padding writes, per index of the quantization axis (one entry
 * when per-tensor): the real `value` itself for float32; for a quantized tensor
 * clamp(round(value / scale) + zeroPoint) — so value 0 pads with the zero point, as TFLite's
 * PAD does; for an unquantized integer dtype `value` rounded and clamped to the dtype's range.
 */
export function padFillValues(
  value: number,
  dtype: DType,
  quant: QuantParams | undefined,
): (number | bigint)[] {
  if (dtype === "float32") return [value];
  const { min, max } = dtypeRange(dtype);
  const clamp = (q: number): number => Math.min(max, Math.max(min, q));
  const stored =
    quant === undefined
      ? [clamp(roundHalfAway(value))]
      : quant.scale.map((s, i) => clamp(roundHalfAway(value / s) + quant.zeroPoint[i]!));
  return dtype === "int64" ? stored.map((q) => BigInt(q)) : stored;
}

/**
 * core.pad for any dtype (TFLite PAD/PADV2/MIRROR_PAD in REFLECT mode, ONNX Pad). Per output
 * axis a table maps each output index to its source index (−1: the constant), built once in
 * prepare(): constant pads read nothing, `edge` repeats the border element, `reflect` mirrors
 * without repeating it (x[1], x[0] | x[0], x[1], ... — NumPy "reflect", ONNX reflect,
 * TFLite MIRROR_PAD REFLECT).
 */
export const padAnyDType = defineKernel(padOp, {
  name: "core/any",
  supports: copiesValues,
  prepare({ node, attrs, inputs, outputs }) {
    const inShape = inputs[0]!.shape;
    const outShape = outputs[0]!.shape;
    const rank = inShape.length;
    const maps = inShape.map((d, a) => {
      const before = attrs.paddings[2 * a]!;
      const size = outShape[a]!;
      if (attrs.mode !== "constant" && d === 0 && size > 0) {
        throw new McuError("MCU_E_SHAPE", `${attrs.mode} padding cannot extend the empty axis ${a}`, {
          node: node.name,
        });
      }
      const map = new Int32Array(size);
      for (let i = 0; i < size; i++) {
        let j = i - before;
        if (j < 0 || j >= d) {
          if (attrs.mode === "constant") j = -1;
          else if (attrs.mode === "edge") j = j < 0 ? 0 : d - 1;
          else j = j < 0 ? -j : 2 * (d - 1) - j;
        }
        map[i] = j;
      }
      return map;
    });
    const out = outputs[0]!;
    const fills = padFillValues(attrs.value, out.dtype, out.quant);
    const quantAxis = fills.length > 1 ? (out.quant?.axis ?? -1) : -1;
    const inStrides = stridesOf(inShape);
    const last = rank === 0 ? 1 : outShape[rank - 1]!;
    const lastMap = rank === 0 ? Int32Array.of(0) : maps[rank - 1]!;
    const lastStride = rank === 0 ? 0 : inStrides[rank - 1]!;
    const total = outShape.reduce((p, d) => p * d, 1);
    const rows = last === 0 ? 0 : total / last;
    const index = new Int32Array(Math.max(rank - 1, 0));
    const fillPerColumn = quantAxis === rank - 1;
    return ({ inputs: [xv], outputs: [yv] }) => {
      const x = elementsOf(xv);
      const y = elementsOf(yv);
      index.fill(0);
      let o = 0;
      for (let r = 0; r < rows; r++) {
        // Source offset of this row, or −1 when a leading axis is in the constant padding.
        let base = 0;
        for (let a = 0; a < rank - 1 && base >= 0; a++) {
          const s = maps[a]![index[a]!]!;
          base = s < 0 ? -1 : base + s * inStrides[a]!;
        }
        const rowFill = quantAxis >= 0 && !fillPerColumn ? fills[index[quantAxis]!]! : fills[0]!;
        for (let j = 0; j < last; j++) {
          const s = lastMap[j]!;
          if (base >= 0 && s >= 0) y[o++] = x[base + s * lastStride]!;
          else y[o++] = fillPerColumn ? fills[j]! : rowFill;
        }
        for (let a = rank - 2; a >= 0; a--) {
          if (++index[a]! < outShape[a]!) break;
          index[a] = 0;
        }
      }
    };
  },
});
