/**
 * Quantization parameters from value ranges, and quantizing constant data — the arithmetic of
 * post-training quantization, following the TensorFlow Lite quantization specification
 * (tensorflow/lite/g3doc/performance/quantization_spec.md): int8 activations asymmetric with a
 * zero point in [−128, 127]; weights symmetric (zero point 0) in [−127, 127]; int16 activations
 * symmetric; biases int32 (int64 for int16x8) with scale s_in · s_w[c] and zero point 0.
 */
import { McuError, type QuantParams, type TensorInfo } from "@mcu/tensor";
import type { Range } from "../calibration/histogram.js";
import { tfliteRound } from "../multiplier.js";

/** The integer types post-training quantization produces for activations. */
export type ActivationDType = "int8" | "int16";

/** One scale and zero point (per-tensor parameters). */
export interface AffineParams {
  readonly scale: number;
  readonly zeroPoint: number;
}

/** The quantized range of an activation dtype: int8 [−128, 127], int16 [−32767, 32767] (symmetric). */
export function activationLimits(dtype: ActivationDType): readonly [number, number] {
  // int16 activations are symmetric: TFLite's 16x8 scheme uses ±32767 so that −x is representable.
  return dtype === "int8" ? [-128, 127] : [-32767, 32767];
}

/**
 * Asymmetric parameters for [min, max] on [qmin, qmax], nudged so that real 0 is exactly
 * representable: the range is first widened to contain 0, then the zero point (real, from the
 * end of the range with the smaller rounding error) is rounded to an integer — gemmlowp's
 * ChooseQuantizationParams (doc/quantization_example.cc), as TFLite's quantization_util.h.
 * A range of width 0 (a tensor that is always 0) gets [0, 1].
 */
export function asymmetricParams(range: Range, qmin: number, qmax: number): AffineParams {
  let rmin = Math.min(range.min, 0);
  let rmax = Math.max(range.max, 0);
  if (!(Number.isFinite(rmin) && Number.isFinite(rmax))) {
    throw new McuError(
      "MCU_E_CALIBRATION",
      `cannot quantize the non-finite range [${range.min}, ${range.max}]`,
    );
  }
  if (rmax - rmin === 0) {
    rmin = 0;
    rmax = 1;
  }
  // In double, as TFLite's ChooseQuantizationParams; the scale is stored as float32 afterwards.
  const scale = (rmax - rmin) / (qmax - qmin);
  const fromMin = qmin - rmin / scale;
  const fromMax = qmax - rmax / scale;
  const errMin = Math.abs(qmin) + Math.abs(rmin / scale);
  const errMax = Math.abs(qmax) + Math.abs(rmax / scale);
  const real = errMin < errMax ? fromMin : fromMax;
  // (+ 0 turns a rounded −0 into 0.)
  const zeroPoint = real < qmin ? qmin : real > qmax ? qmax : tfliteRound(real) + 0;
  return { scale: Math.fround(scale), zeroPoint };
}

/** Symmetric parameters (zero point 0) for values in [−absMax, absMax] on [−qmax, qmax]. */
export function symmetricParams(absMax: number, qmax: number): AffineParams {
  if (!Number.isFinite(absMax)) {
    throw new McuError("MCU_E_CALIBRATION", `cannot quantize the non-finite magnitude ${absMax}`);
  }
  // An all-zero tensor gets scale 1/qmax: any positive scale represents it exactly.
  return { scale: Math.fround((absMax > 0 ? absMax : 1) / qmax), zeroPoint: 0 };
}

/** Activation parameters of a calibrated range: asymmetric int8, or symmetric int16. */
export function activationParams(range: Range, dtype: ActivationDType): AffineParams {
  if (dtype === "int8") return asymmetricParams(range, -128, 127);
  return symmetricParams(Math.max(Math.abs(range.min), Math.abs(range.max)), 32767);
}

/** Per-tensor QuantParams of affine parameters. */
export function toQuantParams(p: AffineParams): QuantParams {
  return { scale: [p.scale], zeroPoint: [p.zeroPoint] };
}

/** q = clamp(round(x / scale) + zeroPoint, qmin, qmax), halves away from zero. */
export function quantizeValue(x: number, p: AffineParams, qmin: number, qmax: number): number {
  const q = tfliteRound(x / p.scale) + p.zeroPoint;
  return q < qmin ? qmin : q > qmax ? qmax : q;
}

/** The real value an integer stands for: scale · (q − zeroPoint). */
export function dequantizeValue(q: number, p: AffineParams): number {
  return p.scale * (q - p.zeroPoint);
}

/** Symmetric weight bit widths: int8 weights use [−127, 127], int4 weights [−7, 7]. */
export type WeightBits = 8 | 4;

/**
 * The largest weight magnitude of a bit width. Narrow range for both: TFLite's int8 weights are
 * [−127, 127] (the quantization spec), and its 4-bit weights narrow-range [−7, 7] (the MLIR
 * quantizer's ResetMinMaxFromNumBits with narrow_range for weights adds 1 to qmin = −8).
 */
export function weightQmax(bits: WeightBits): number {
  return bits === 8 ? 127 : 7;
}

/** A quantized weight tensor and its per-channel (or single) scales. */
export interface QuantizedWeights {
  readonly tensor: TensorInfo;
  /** float32 scales, one per index of `axis` (or one). */
  readonly scales: readonly number[];
}

function floatData(t: TensorInfo): Float32Array {
  if (!(t.data instanceof Float32Array)) {
    throw new McuError("MCU_E_QUANT", `constant "${t.name}" is ${t.dtype}, not float32`, { tensor: t.name });
  }
  return t.data;
}

/**
 * Symmetric weights: per channel along `axis` (scale_c = max|w_c| / qmax, TFLite's per-axis
 * weights), or one scale for the whole tensor when `axis` is undefined. int8 data in an
 * Int8Array; int4 data one value per Int8Array element (the IR's in-memory int4).
 */
export function quantizeWeights(
  t: TensorInfo,
  axis: number | undefined,
  bits: WeightBits,
  name: string,
): QuantizedWeights {
  const data = floatData(t);
  const qmax = weightQmax(bits);
  const shape = t.shape;
  const channels = axis === undefined ? 1 : shape[axis]!;
  // Elements of one index of `axis` are at (outer · channels + c) · inner + k.
  const inner = axis === undefined ? data.length : shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const absMax = new Float64Array(channels);
  for (let i = 0; i < data.length; i++) {
    const c = axis === undefined ? 0 : Math.floor(i / inner) % channels;
    const a = Math.abs(data[i]!);
    if (a > absMax[c]!) absMax[c] = a;
  }
  const params = Array.from(absMax, (a) => symmetricParams(a, qmax));
  const out = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const c = axis === undefined ? 0 : Math.floor(i / inner) % channels;
    out[i] = quantizeValue(data[i]!, params[c]!, -qmax, qmax);
  }
  const scales = params.map((p) => p.scale);
  const quant: QuantParams =
    axis === undefined
      ? { scale: scales, zeroPoint: [0] }
      : { scale: scales, zeroPoint: scales.map(() => 0), axis };
  return {
    tensor: { name, shape: [...shape], dtype: bits === 8 ? "int8" : "int4", quant, data: out },
    scales,
  };
}

/**
 * An integer bias: q[c] = round(b[c] / (s_in · s_w[c])) with the float32 product of the float32
 * scales (the bias scale a .tflite file stores), zero point 0, saturated to int32 — or int64 for
 * int16x8 convolutions and fully connected layers (TFLite's 16x8 kernels take int64 biases).
 */
export function quantizeBias(
  t: TensorInfo,
  inputScale: number,
  weightScales: readonly number[],
  dtype: "int32" | "int64",
  name: string,
): TensorInfo {
  const data = floatData(t);
  const channels = data.length;
  if (weightScales.length !== 1 && weightScales.length !== channels) {
    throw new McuError(
      "MCU_E_QUANT",
      `bias "${t.name}" has ${channels} values for ${weightScales.length} weight scales`,
      {
        tensor: t.name,
      },
    );
  }
  const sIn = Math.fround(inputScale);
  const scales = weightScales.map((s) => Math.fround(sIn * Math.fround(s)));
  const scaleOf = (c: number): number => (scales.length === 1 ? scales[0]! : scales[c]!);
  const quant: QuantParams =
    scales.length === 1
      ? { scale: scales, zeroPoint: [0] }
      : { scale: scales, zeroPoint: scales.map(() => 0), axis: 0 };
  if (dtype === "int32") {
    const out = new Int32Array(channels);
    for (let c = 0; c < channels; c++) {
      const q = tfliteRound(data[c]! / scaleOf(c));
      out[c] = q < -2147483648 ? -2147483648 : q > 2147483647 ? 2147483647 : q;
    }
    return { name, shape: [...t.shape], dtype, quant, data: out };
  }
  const out = new BigInt64Array(channels);
  // TFLite's int16x8 accumulators are bounded by 2^47; a bias beyond ±2^47 saturates there.
  const limit = 2 ** 47;
  for (let c = 0; c < channels; c++) {
    const q = tfliteRound(data[c]! / scaleOf(c));
    out[c] = BigInt(q < -limit ? -limit : q > limit ? limit : q);
  }
  return { name, shape: [...t.shape], dtype, quant, data: out };
}

/** An activation-style constant (an operand of add, mul, concat, ...) quantized per tensor. */
export function quantizeActivationConstant(
  t: TensorInfo,
  p: AffineParams,
  dtype: ActivationDType,
  name: string,
): TensorInfo {
  const data = floatData(t);
  const [qmin, qmax] = activationLimits(dtype);
  const out = dtype === "int8" ? new Int8Array(data.length) : new Int16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = quantizeValue(data[i]!, p, qmin, qmax);
  return { name, shape: [...t.shape], dtype, quant: toQuantParams(p), data: out };
}
