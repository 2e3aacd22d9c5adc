/**
 * Integer average and max pooling, bit-exact with TFLite's reference_integer_ops::AveragePool /
 * MaxPool (int8 and int16 overloads, tensorflow/lite/kernels/internal/reference/integer_ops/pooling.h)
 * and TFLite Micro's pooling_common.cc. Input and output share scale and zero point (TFLite's
 * requirement), so pooling works on the stored integers.
 *
 * Average: over the window's in-image positions only, acc = Σ x, n = their count,
 *   y = clamp(acc > 0 ? (acc + n/2) / n : (acc − n/2) / n, actMin, actMax)   (C integer division)
 * Max: y = clamp(max over the in-image positions, actMin, actMax).
 * With ONNX's count_include_pad the divisor is the full window size instead (not a TFLite mode).
 */
import {
  type AttrsOf,
  avgPool2dOp,
  defineKernel,
  type KernelDef,
  type KernelPrepareContext,
  type KernelRun,
  maxPool2dOp,
  type TensorInfo,
  window2d,
} from "@mcu/tensor";
import { calculateActivationRangeQuantized } from "../activation-range.js";
import { isPerTensor, sameQuantParams, scaleOf, zeroPointOf } from "../quant-info.js";
import type { IntArray } from "./common.js";
import { INT8_KERNEL, INT16X8_KERNEL, type QuantKernelOptions } from "./options.js";

/** Everything a quantized pool computes with. */
export interface PoolParams {
  readonly batches: number;
  readonly inH: number;
  readonly inW: number;
  readonly channels: number;
  readonly outH: number;
  readonly outW: number;
  readonly filterH: number;
  readonly filterW: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly actMin: number;
  readonly actMax: number;
  /** Divide by the whole window (ONNX count_include_pad) instead of its in-image part. */
  readonly countIncludePad: boolean;
}

type PoolAttrs = AttrsOf<typeof avgPool2dOp.attrs>;

/** Precomputes a quantized AVERAGE_POOL_2D or MAX_POOL_2D for one node. */
export function preparePoolParams(
  input: TensorInfo,
  output: TensorInfo,
  attrs: PoolAttrs | AttrsOf<typeof maxPool2dOp.attrs>,
): PoolParams {
  const [batches, inH, inW, channels] = input.shape as [number, number, number, number];
  const [fh, fw] = attrs.filter as [number, number];
  const win = window2d(inH, inW, fh, fw, attrs.strides, [1, 1], attrs.padding, attrs.pads);
  const range = calculateActivationRangeQuantized(
    attrs.fusedActivation,
    output.dtype,
    scaleOf(output),
    zeroPointOf(output),
  );
  return {
    batches,
    inH,
    inW,
    channels,
    outH: win.outH,
    outW: win.outW,
    filterH: fh,
    filterW: fw,
    strideH: attrs.strides[0]!,
    strideW: attrs.strides[1]!,
    padTop: win.padTop,
    padLeft: win.padLeft,
    actMin: range.min,
    actMax: range.max,
    countIncludePad: "countIncludePad" in attrs ? attrs.countIncludePad : false,
  };
}

/** Runs a prepared pool; `acc` holds one accumulator per channel. */
export function runPool(
  p: PoolParams,
  kind: "avg" | "max",
  x: IntArray,
  y: IntArray,
  acc: Float64Array,
): void {
  const { inH, inW, channels: C, outH, outW, filterH, filterW, strideH, strideW, actMin, actMax } = p;
  let o = 0;
  for (let b = 0; b < p.batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - p.padTop;
      const fy0 = Math.max(0, -y0);
      const fy1 = Math.min(filterH, inH - y0);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * strideW - p.padLeft;
        const fx0 = Math.max(0, -x0);
        const fx1 = Math.min(filterW, inW - x0);
        acc.fill(kind === "max" ? Number.NEGATIVE_INFINITY : 0);
        for (let fy = fy0; fy < fy1; fy++) {
          for (let fx = fx0; fx < fx1; fx++) {
            const base = ((b * inH + y0 + fy) * inW + x0 + fx) * C;
            if (kind === "max") {
              for (let c = 0; c < C; c++) if (x[base + c]! > acc[c]!) acc[c] = x[base + c]!;
            } else {
              for (let c = 0; c < C; c++) acc[c] = acc[c]! + x[base + c]!;
            }
          }
        }
        const count = p.countIncludePad ? filterH * filterW : (fy1 - fy0) * (fx1 - fx0);
        const half = Math.trunc(count / 2);
        for (let c = 0; c < C; c++) {
          let v = acc[c]!;
          if (kind === "avg") v = v > 0 ? Math.trunc((v + half) / count) : Math.trunc((v - half) / count);
          v = v < actMin ? actMin : v > actMax ? actMax : v;
          y[o++] = v;
        }
      }
    }
  }
}

function poolKernels(op: typeof avgPool2dOp | typeof maxPool2dOp, kind: "avg" | "max"): KernelDef[] {
  const prepare = ({ inputs: [x], outputs: [y], attrs }: KernelPrepareContext<PoolAttrs>): KernelRun => {
    const p = preparePoolParams(x!, y!, attrs);
    const acc = new Float64Array(p.channels);
    return ({ inputs: [xv], outputs: [yv] }) =>
      runPool(p, kind, xv!.data as IntArray, yv!.data as IntArray, acc);
  };
  const supports =
    (dtype: "int8" | "int16") =>
    ({ inputs: [x], outputs: [y] }: KernelPrepareContext): boolean =>
      isPerTensor(x, [dtype]) && isPerTensor(y, [dtype]) && sameQuantParams(x!, y!);
  return [
    defineKernel(op as typeof avgPool2dOp, { name: INT8_KERNEL, supports: supports("int8"), prepare }),
    defineKernel(op as typeof avgPool2dOp, { name: INT16X8_KERNEL, supports: supports("int16"), prepare }),
  ];
}

/** The avg_pool2d kernels (int8 and int16). */
export function avgPoolKernels(_options?: QuantKernelOptions): KernelDef[] {
  return poolKernels(avgPool2dOp, "avg");
}

/** The max_pool2d kernels (int8 and int16). */
export function maxPoolKernels(_options?: QuantKernelOptions): KernelDef[] {
  return poolKernels(maxPool2dOp, "max");
}
