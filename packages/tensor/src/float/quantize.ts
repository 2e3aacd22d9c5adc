/**
 * Float32 ↔ integer conversion kernels: core.quantize from float32 and core.dequantize to
 * float32, per tensor and per axis, bit-exact with TensorFlow Lite's reference kernels.
 *
 * Quantize follows tensorflow/lite/kernels/internal/reference/quantize.h (AffineQuantize,
 * PerChannelQuantize): q = clamp(TfLiteRound(x / static_cast<float>(scale)) + zero_point),
 * where the division is in float32 and TfLiteRound is std::round (cppmath.h), which rounds
 * half away from zero. The clamp is to the output dtype's range.
 *
 * Dequantize follows tensorflow/lite/kernels/internal/reference/dequantize.h: per tensor,
 * static_cast<float>(scale * (q − zero_point)) with the product in double (Dequantize); per
 * axis, scale[c] is a float and the product float · int is evaluated in float32
 * (PerChannelDequantize), i.e. fround(fround(scale[c]) · fround(q − zero_point[c])). The two
 * differ only for int32 inputs with |q − zero_point| > 2^24.
 *
 * TFLite stores every scale as a float32 (the double in Dequantize is that float widened), so
 * both kernels use fround(scale): a scale that is not a float32 value (computed in double by
 * a pass) gives the same result here as in TFLite after the model is written to a file.
 *
 * Requantization (integer → integer) is not here: it belongs to @mcu/quant.
 */
import { type DType, dtypeRange, numElements } from "../dtype.js";
import { defineKernel, type KernelDef, type KernelPrepareContext } from "../kernel.js";
import { dequantizeOp, quantizeOp } from "../ops/quantize.js";
import type { QuantParams, TensorInfo } from "../tensor-info.js";

/** The integer dtypes quantize produces and dequantize reads. */
const QUANTIZED_DTYPES: ReadonlySet<DType> = new Set<DType>(["int8", "int16", "uint8", "int32", "int4"]);

/** Writable integer storage of any quantized dtype. */
type IntStorage = Int8Array | Int16Array | Uint8Array | Int32Array;

/** Element i belongs to channel floor(i / inner) mod channels (row-major, axis then inner axes). */
interface ChannelPlan {
  readonly channels: number;
  readonly inner: number;
  readonly scale: Float64Array;
  readonly zeroPoint: Int32Array;
}

function isFloatTensor(t: TensorInfo | undefined): boolean {
  return t !== undefined && t.dtype === "float32" && t.quant === undefined;
}

function isQuantizedTensor(t: TensorInfo | undefined): t is TensorInfo & { quant: QuantParams } {
  return (
    t !== undefined && QUANTIZED_DTYPES.has(t.dtype) && t.quant !== undefined && t.quant.scale.length > 0
  );
}

/**
 * The channel layout of quantization parameters on a tensor. A single scale is per-tensor
 * (channels = 1, even when an axis is recorded). Scales are rounded to float32, as TFLite
 * holds them.
 */
function channelPlan(t: TensorInfo & { quant: QuantParams }): ChannelPlan {
  const q = t.quant;
  const perAxis = q.scale.length > 1 && q.axis !== undefined;
  const channels = perAxis ? q.scale.length : 1;
  // Per tensor, the whole tensor is one run of channel 0.
  let inner = perAxis ? 1 : numElements(t.shape);
  if (perAxis) for (let i = q.axis! + 1; i < t.shape.length; i++) inner *= t.shape[i]!;
  const scale = Float64Array.from(q.scale.slice(0, channels), (s) => Math.fround(s));
  const zeroPoint = Int32Array.from(q.zeroPoint.slice(0, channels));
  return { channels, inner, scale, zeroPoint };
}

/** std::round: halves go away from zero (Math.round would send −0.5 to −0). */
function roundHalfAwayFromZero(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/**
 * core.quantize, float32 → int8/int16/uint8/int32/int4 with the output's parameters. NaN
 * (undefined behaviour in the C++ cast) quantizes to the zero point, the code of real 0.
 */
const quantizeFromFloat = defineKernel(quantizeOp, {
  name: "core/float32",
  supports: ({ inputs: [x], outputs: [y] }: KernelPrepareContext) => isFloatTensor(x) && isQuantizedTensor(y),
  prepare({ outputs: [y] }) {
    const out = y as TensorInfo & { quant: QuantParams };
    const { channels, inner, scale, zeroPoint } = channelPlan(out);
    const { min, max } = dtypeRange(out.dtype);
    return ({ inputs: [xv], outputs: [yv] }) => {
      const x = xv!.data as Float32Array;
      const q = yv!.data as IntStorage;
      const n = x.length;
      for (let start = 0, c = 0; start < n; start += inner, c = c + 1 === channels ? 0 : c + 1) {
        const s = scale[c]!;
        const zp = zeroPoint[c]!;
        const end = Math.min(start + inner, n);
        for (let i = start; i < end; i++) {
          const scaled = Math.fround(x[i]! / s);
          const v = roundHalfAwayFromZero(scaled) + zp;
          q[i] = v < min ? min : v > max ? max : Number.isNaN(v) ? zp : v;
        }
      }
    };
  },
});

/** core.dequantize, int8/int16/uint8/int32/int4 → float32 with the input's parameters. */
const dequantizeToFloat = defineKernel(dequantizeOp, {
  name: "core/float32",
  supports: ({ inputs: [x], outputs: [y] }: KernelPrepareContext) => isQuantizedTensor(x) && isFloatTensor(y),
  prepare({ inputs: [x] }) {
    const input = x as TensorInfo & { quant: QuantParams };
    const perAxis = input.quant.scale.length > 1 && input.quant.axis !== undefined;
    const { channels, inner, scale, zeroPoint } = channelPlan(input);
    return ({ inputs: [xv], outputs: [yv] }) => {
      const q = xv!.data as IntStorage;
      const y = yv!.data as Float32Array;
      const n = q.length;
      if (!perAxis) {
        // Dequantize: the product in double, one rounding to float on store.
        const s = scale[0]!;
        const zp = zeroPoint[0]!;
        for (let i = 0; i < n; i++) y[i] = s * (q[i]! - zp);
        return;
      }
      // PerChannelDequantize: float scale times (int converted to float), in float32.
      for (let start = 0, c = 0; start < n; start += inner, c = c + 1 === channels ? 0 : c + 1) {
        const s = scale[c]!;
        const zp = zeroPoint[c]!;
        const end = Math.min(start + inner, n);
        for (let i = start; i < end; i++) y[i] = s * Math.fround(q[i]! - zp);
      }
    };
  },
});

/** Float32 ↔ integer kernels of core.quantize (from float32 only) and core.dequantize. */
export const quantizeKernels: readonly KernelDef[] = [quantizeFromFloat, dequantizeToFloat];
