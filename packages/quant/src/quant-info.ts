/**
 * Reading quantization parameters the way TensorFlow Lite holds them: scales are float32
 * (TfLiteQuantizationParams.scale is a float), zero points int32. Scales given as doubles (for
 * example by post-training quantization) are rounded to float32 here, exactly as writing them
 * to a .tflite file would.
 */
import { dtypeRange, type DType, McuError, type QuantParams, type TensorInfo } from "@mcu/tensor";

/** A tensor that carries quantization parameters. */
export type QuantizedTensor = TensorInfo & { readonly quant: QuantParams };

/** True if `t` is present, of one of `dtypes`, and quantized (at least one scale). */
export function isQuantized(t: TensorInfo | undefined, dtypes: readonly DType[]): t is QuantizedTensor {
  return t !== undefined && dtypes.includes(t.dtype) && t.quant !== undefined && t.quant.scale.length > 0;
}

/** True if `t` is quantized with one scale (per-tensor). */
export function isPerTensor(t: TensorInfo | undefined, dtypes: readonly DType[]): t is QuantizedTensor {
  return isQuantized(t, dtypes) && t.quant.scale.length === 1;
}

/** The per-tensor scale as TFLite's float (params.scale). */
export function scaleOf(t: TensorInfo): number {
  const s = t.quant?.scale[0];
  if (s === undefined)
    throw new McuError("MCU_E_QUANT", `tensor "${t.name}" has no quantization scale`, { tensor: t.name });
  return Math.fround(s);
}

/** The per-tensor zero point (params.zero_point), 0 when absent. */
export function zeroPointOf(t: TensorInfo): number {
  return t.quant?.zeroPoint[0] ?? 0;
}

/**
 * The float32 scales of a weight tensor for `channels` output channels: per-channel scales as
 * given, a single scale broadcast (TFLite's PopulateConvolutionQuantizationParams).
 */
export function channelScales(t: TensorInfo, channels: number): Float64Array {
  const scales = t.quant?.scale ?? [];
  if (scales.length !== 1 && scales.length !== channels) {
    throw new McuError(
      "MCU_E_QUANT",
      `tensor "${t.name}" has ${scales.length} scales; expected 1 or one per output channel (${channels})`,
      { tensor: t.name },
    );
  }
  return Float64Array.from({ length: channels }, (_, i) =>
    Math.fround(scales.length === 1 ? scales[0]! : scales[i]!),
  );
}

/** The representable range of an integer dtype, as [min, max]. */
export function dtypeLimits(dtype: DType): readonly [number, number] {
  const { min, max } = dtypeRange(dtype);
  return [min, max];
}

/** True if every zero point of `t` is 0 (symmetric quantization). */
export function isSymmetric(t: TensorInfo): boolean {
  return (t.quant?.zeroPoint ?? [0]).every((z) => z === 0);
}

/** True if two tensors have the same dtype, scale and zero point (per-tensor). */
export function sameQuantParams(a: TensorInfo, b: TensorInfo): boolean {
  return a.dtype === b.dtype && scaleOf(a) === scaleOf(b) && zeroPointOf(a) === zeroPointOf(b);
}
