/**
 * A TFLite model as plain data: the part of schema.fbs (Model, OperatorCode, SubGraph, Tensor,
 * QuantizationParameters, Operator, Buffer, Metadata) that @mcu reads and writes. The decoder
 * fills it from a file with every offset checked; the encoder writes it with `flatbuffers`.
 */

/** A builtin option's value: a scalar (bools as booleans), a string or a vector of numbers. */
export type OptionValue = number | boolean | string | readonly number[];

/** The decoded fields of a builtin options table (fields the file omits are absent). */
export type OptionValues = Readonly<Record<string, OptionValue>>;

/** An entry of `operator_codes`. */
export interface OperatorCode {
  /** max(deprecated_builtin_code, builtin_code), as TFLite's GetBuiltinCode. */
  readonly builtinCode: number;
  readonly customCode?: string;
  readonly version: number;
}

/** `QuantizationParameters` without min/max (which only TensorFlow reads back). */
export interface Quantization {
  readonly scale: readonly number[];
  readonly zeroPoint: readonly number[];
  readonly quantizedDimension: number;
  /** True if the table carries a `details` union (blockwise, custom, ...). */
  readonly hasDetails?: boolean;
}

/** A `Tensor`. */
export interface Tensor {
  readonly shape: readonly number[];
  readonly shapeSignature?: readonly number[];
  /** TensorType code. */
  readonly type: number;
  readonly buffer: number;
  readonly name: string;
  readonly quantization?: Quantization;
  readonly isVariable: boolean;
  /** True if the tensor has `sparsity` parameters. */
  readonly sparse?: boolean;
  /** `external_buffer` (0: none). */
  readonly externalBuffer?: number;
  /** True if the tensor is a VARIANT with nested types. */
  readonly hasVariantTensors?: boolean;
}

/** An `Operator`. */
export interface Operator {
  readonly opcodeIndex: number;
  /** Tensor indices; −1 for an absent optional input. */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** BuiltinOptions union type (0 = none). */
  readonly builtinOptionsType: number;
  readonly builtinOptions?: OptionValues;
  /** BuiltinOptions2 union type (0 = none). */
  readonly builtinOptions2Type?: number;
  readonly builtinOptions2?: OptionValues;
  readonly customOptions?: Uint8Array;
  readonly customOptionsFormat?: number;
  readonly intermediates?: readonly number[];
  readonly mutatingVariableInputs?: readonly boolean[];
  /** `large_custom_options_offset`/`size` (models over 2 GB): not supported, kept to report. */
  readonly largeCustomOptions?: boolean;
}

/** A `SubGraph`. */
export interface SubGraph {
  readonly tensors: readonly Tensor[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly operators: readonly Operator[];
  readonly name?: string;
}

/** A `Buffer`: its bytes (a view into the file when decoded), or an external offset/size. */
export interface Buffer {
  readonly data?: Uint8Array;
  /** `offset`/`size` of data stored outside the flatbuffer (models over 2 GB). */
  readonly external?: { readonly offset: number; readonly size: number };
}

/** A `Metadata` entry. */
export interface Metadata {
  readonly name: string;
  readonly buffer: number;
}

/** A `Model`. */
export interface Model {
  readonly version: number;
  readonly operatorCodes: readonly OperatorCode[];
  readonly subgraphs: readonly SubGraph[];
  readonly description?: string;
  readonly buffers: readonly Buffer[];
  readonly metadata: readonly Metadata[];
  /** Number of signature defs (kept only to report; @mcu does not carry them). */
  readonly signatureDefCount?: number;
}
