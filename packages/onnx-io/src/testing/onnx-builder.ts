/**
 * Builds small ONNX models with the generated protobuf module, for tests: the same bytes an
 * exporter would write, which onnxruntime runs as the oracle. Test-only.
 */
import { onnx } from "../generated/onnx.generated.js";

/** A tensor value for an initializer or a Constant. */
export interface TensorSpec {
  readonly dims: readonly number[];
  readonly data: Float32Array | Int32Array | Int8Array | Uint8Array | BigInt64Array | readonly number[];
  /** ONNX data type; default from the array (number[] means int64). */
  readonly dataType?: number;
}

/** ONNX element type codes used by the tests. */
export const T = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
} as const;

/** An attribute value: number (int unless `float()`), number[] (ints), string, tensor. */
export type AttrSpec =
  | number
  | readonly number[]
  | string
  | { readonly f: number }
  | { readonly floats: readonly number[] }
  | { readonly t: TensorSpec };

/** Marks a number as a FLOAT attribute. */
export const float = (f: number): { readonly f: number } => ({ f });

/** A TensorProto with raw_data (little-endian), as onnx.numpy_helper writes it. */
export function tensorProto(name: string, spec: TensorSpec): onnx.TensorProto.$Properties {
  const d = spec.data;
  let dataType = spec.dataType;
  let raw: Uint8Array;
  if (d instanceof Float32Array) {
    dataType ??= T.FLOAT;
    raw = new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
  } else if (d instanceof Int32Array) {
    dataType ??= T.INT32;
    raw = new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
  } else if (d instanceof Int8Array) {
    dataType ??= T.INT8;
    raw = new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
  } else if (d instanceof Uint8Array) {
    dataType ??= T.UINT8;
    raw = d.slice();
  } else {
    const b = d instanceof BigInt64Array ? d : BigInt64Array.from(d as readonly number[], (v) => BigInt(v));
    dataType ??= T.INT64;
    raw = new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  }
  return { name, dims: [...spec.dims], dataType, rawData: raw };
}

function attribute(name: string, v: AttrSpec): onnx.AttributeProto.$Properties {
  const K = onnx.AttributeProto.AttributeType;
  if (typeof v === "number") return { name, type: K.INT, i: v };
  if (typeof v === "string") return { name, type: K.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: K.INTS, ints: [...(v as number[])] };
  if ("f" in (v as object)) return { name, type: K.FLOAT, f: (v as { f: number }).f };
  if ("floats" in (v as object))
    return { name, type: K.FLOATS, floats: [...(v as { floats: number[] }).floats] };
  return { name, type: K.TENSOR, t: tensorProto(name, (v as { t: TensorSpec }).t) };
}

/** A node. */
export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attrs: Readonly<Record<string, AttrSpec>> = {},
  name?: string,
): onnx.NodeProto.$Properties {
  return {
    opType,
    input: [...inputs],
    output: [...outputs],
    name: name ?? `${opType}_${outputs[0]}`,
    attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
  };
}

/** A graph input or output description. */
export function valueInfo(
  name: string,
  dims: readonly (number | string)[],
  elemType: number = T.FLOAT,
): onnx.ValueInfoProto.$Properties {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** What a test model is made of. */
export interface ModelSpec {
  readonly inputs: readonly onnx.ValueInfoProto.$Properties[];
  readonly outputs: readonly onnx.ValueInfoProto.$Properties[];
  readonly nodes: readonly onnx.NodeProto.$Properties[];
  readonly initializers?: Readonly<Record<string, TensorSpec>>;
  readonly opset?: number;
  readonly irVersion?: number;
}

/** Serializes a model (default opset 13, IR version 8) into a plain Uint8Array. */
export function buildModel(spec: ModelSpec): Uint8Array {
  const opset = spec.opset ?? 13;
  const bytes = onnx.ModelProto.encode({
    irVersion: spec.irVersion ?? (opset >= 21 ? 10 : 8),
    producerName: "@mcu/onnx-io tests",
    opsetImport: [{ domain: "", version: opset }],
    graph: {
      name: "test",
      node: [...spec.nodes],
      input: [...spec.inputs],
      output: [...spec.outputs],
      initializer: Object.entries(spec.initializers ?? {}).map(([k, v]) => tensorProto(k, v)),
    },
  }).finish();
  // protobufjs hands out a Node Buffer, whose slice() is a view: copy into a plain array.
  return new Uint8Array(bytes);
}

/** Deterministic pseudo-random floats in [lo, hi) (mulberry32). */
export function randomFloats(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = lo + (hi - lo) * r;
  }
  return out;
}
