/** What an ONNX value is during import: a constant, an IR tensor, or a dequantized IR tensor. */
import type { DType, QuantParams } from "@mcu/tensor";
import type { Layout } from "./layout.js";
import type { ConstTensor } from "./tensor-proto.js";

/** Quantization parameters as a DequantizeLinear/QuantizeLinear states them (ONNX axis). */
export interface OnnxQuant {
  readonly scale: readonly number[];
  readonly zeroPoint: readonly number[];
  /** The ONNX axis of per-axis parameters. */
  readonly axis?: number;
}

/** A constant known at import time (initializer, Constant, or folded). */
export interface ConstValue {
  readonly kind: "const";
  readonly t: ConstTensor;
  /** Set when the constant is DequantizeLinear(q): its integer source and parameters. */
  readonly q?: { readonly t: ConstTensor; readonly quant: OnnxQuant };
}

/** A value computed at run time, held by an IR tensor. */
export interface RuntimeValue {
  readonly kind: "runtime";
  /** The IR tensor id. */
  readonly id: string;
  readonly dtype: DType;
  /** The ONNX shape of the value. */
  readonly shape: readonly number[];
  readonly layout: Layout;
  readonly quant?: QuantParams;
}

/**
 * DequantizeLinear of a quantized IR tensor: a float value that integer ops consume as the
 * integer tensor itself, and float ops through a core.dequantize (emitted once, on demand).
 */
export interface DqValue {
  readonly kind: "dq";
  readonly src: RuntimeValue & { readonly quant: QuantParams };
  readonly shape: readonly number[];
  /** The DequantizeLinear node's name: its core.dequantize, when emitted, carries it. */
  readonly node: string;
  /** The emitted core.dequantize, once a float consumer needed it. */
  float?: RuntimeValue;
}

/** Any ONNX value during import. */
export type Value = ConstValue | RuntimeValue | DqValue;

/** True if two quantization parameter sets are equal. */
export function sameQuantParams(a: QuantParams | undefined, b: QuantParams | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.axis === b.axis &&
    a.scale.length === b.scale.length &&
    a.scale.every((s, i) => s === b.scale[i]) &&
    a.zeroPoint.every((z, i) => z === b.zeroPoint[i])
  );
}
