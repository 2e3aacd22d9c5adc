/**
 * The `.mcuir` message types, built from the generated JSON descriptor (never from the .proto
 * at run time: bundles and jest's CommonJS cannot read package files), plus the shapes of the
 * plain objects the encoder takes and the decoder returns.
 */
import protobuf from "protobufjs/light.js";
import type { DType } from "../dtype.js";
import { mcuirSchema } from "./mcuir-schema.generated.js";

/** The marker every `.mcuir` file carries in `Model.format`. */
export const MCUIR_MARKER = "mcuir";

/** The format version this code reads and writes. */
export const MCUIR_VERSION = 1;

/** `DType` enum numbers of mcuir.proto, in the order of the enum (0 is DTYPE_UNSPECIFIED). */
export const DTYPE_CODES: Readonly<Record<DType, number>> = {
  float32: 1,
  int32: 2,
  int16: 3,
  int8: 4,
  uint8: 5,
  int4: 6,
  bit: 7,
  int64: 8,
  bool: 9,
};

/** A protobufjs 64-bit integer as decoded when long.js is available. */
export interface LongLike {
  readonly low: number;
  readonly high: number;
  readonly unsigned: boolean;
  toNumber(): number;
}

/** An int64 field value: a number when encoding; a number or a Long when decoded. */
export type Int64 = number | LongLike;

/** `mcu.ir.v1.Quant` as plain data. */
export interface QuantMessage {
  scale: number[];
  zero_point: Int64[];
  axis?: number;
}

/** `mcu.ir.v1.Tensor` as plain data. Fields at their proto3 default are left out when encoding. */
export interface TensorMessage {
  name: string;
  dtype: number;
  shape: Int64[];
  quant?: QuantMessage | null;
  data?: Uint8Array;
  has_data?: boolean;
  variable?: boolean;
}

/** `mcu.ir.v1.Attr` as plain data: `name` and exactly one value field. */
export interface AttrMessage {
  name: string;
  i?: Int64;
  f?: number;
  b?: boolean;
  s?: string;
  ints?: { values: Int64[] } | null;
  floats?: { values: number[] } | null;
  strings?: { values: string[] } | null;
  bytes?: Uint8Array;
}

/** The value fields of `Attr` (its `oneof value`). */
export const ATTR_VALUE_FIELDS = ["i", "f", "b", "s", "ints", "floats", "strings", "bytes"] as const;

/** `mcu.ir.v1.Node` as plain data. */
export interface NodeMessage {
  name: string;
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: AttrMessage[];
  source_op?: string | null;
}

/** `mcu.ir.v1.Model` as plain data. */
export interface ModelMessage {
  format: string;
  version: number;
  tensors: TensorMessage[];
  nodes: NodeMessage[];
  inputs: string[];
  outputs: string[];
  metadata: Record<string, string>;
}

let modelType: protobuf.Type | undefined;

/** The `mcu.ir.v1.Model` message type (built once, on first use). */
export function mcuirModelType(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(mcuirSchema).lookupType("mcu.ir.v1.Model");
  return modelType;
}

/**
 * Decodes a `Model` (throws protobufjs's errors on malformed input). int64 values come back as
 * numbers, not one long.js object per value, so a file of packed int64s costs ~8 bytes of
 * memory per value instead of ~40; beyond ±2^53 the number is inexact and no longer a safe
 * integer, which the caller refuses.
 */
export function decodeModelMessage(bytes: Uint8Array): ModelMessage {
  const reader = protobuf.Reader.create(bytes);
  const readInt64 = reader.int64;
  (reader as unknown as { int64: () => number }).int64 = () => {
    const v = readInt64.call(reader) as unknown as Int64;
    return typeof v === "number" ? v : v.toNumber();
  };
  return mcuirModelType().decode(reader) as unknown as ModelMessage;
}
