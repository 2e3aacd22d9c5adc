/** Tensor descriptions: shape, dtype, quantization parameters and (for constants) data. */
import type { DType, TensorData } from "./dtype.js";
import { packedByteLength } from "./dtype.js";

/**
 * Affine quantization, real = scale · (q − zeroPoint). Per-tensor when `scale` has one entry;
 * per-axis (per-channel) when `axis` is set and `scale`/`zeroPoint` have one entry per index
 * of that axis.
 */
export interface QuantParams {
  readonly scale: readonly number[];
  readonly zeroPoint: readonly number[];
  readonly axis?: number;
}

/** A tensor of the graph. `data` is present exactly for constants. */
export interface TensorInfo {
  /** Unique within a graph; also the tensor's id. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly quant?: QuantParams;
  readonly data?: TensorData;
  /** A variable (state) tensor: kept across invocations, like TFLite's `is_variable`. */
  readonly variable?: boolean;
}

/** A tensor with data: a constant, or a value flowing through the interpreter. */
export interface Value extends TensorInfo {
  readonly data: TensorData;
}

/** True if the tensor holds constant data. */
export function isConstant(t: TensorInfo): t is Value {
  return t.data !== undefined;
}

/** True if the tensor is quantized per axis (more than one scale or an explicit axis). */
export function isPerAxis(q: QuantParams): boolean {
  return q.axis !== undefined && q.scale.length > 1;
}

/** Per-tensor quantization parameters. */
export function quantParams(scale: number, zeroPoint = 0): QuantParams {
  return { scale: [scale], zeroPoint: [zeroPoint] };
}

/** Bytes of a tensor as stored (int4 packed two per byte, bits 32 per word). */
export function tensorBytes(t: Pick<TensorInfo, "dtype" | "shape">): number {
  return packedByteLength(t.dtype, t.shape);
}

/** Formats a shape as `[1,28,28,1]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

/** True if two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** True if two quantization parameter sets are identical (both absent counts as identical). */
export function sameQuant(a: QuantParams | undefined, b: QuantParams | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.axis === b.axis &&
    a.scale.length === b.scale.length &&
    a.scale.every((s, i) => s === b.scale[i]) &&
    a.zeroPoint.length === b.zeroPoint.length &&
    a.zeroPoint.every((z, i) => z === b.zeroPoint[i])
  );
}
