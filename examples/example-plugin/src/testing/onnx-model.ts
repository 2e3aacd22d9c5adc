/**
 * Test-only: writes small ONNX models with HardSigmoid, so that the tests can import them with
 * @mcu/onnx-io (which decomposes HardSigmoid into core ops) and run them in onnxruntime, the
 * oracle. The protobuf wire format is written by hand (it is five field kinds) from the field
 * numbers of onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto), so that a
 * third-party plugin's tests need neither Python nor onnx-io's internal helpers.
 */

/** Protobuf wire types: 0 varint, 2 length-delimited, 5 fixed 32-bit. */
type Field = readonly [field: number, wire: 0 | 2 | 5, value: number | Uint8Array];

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

function message(fields: readonly Field[]): Uint8Array {
  const bytes: number[] = [];
  for (const [field, wire, value] of fields) {
    bytes.push(...varint(field * 8 + wire));
    if (wire === 0) bytes.push(...varint(value as number));
    else if (wire === 5) bytes.push(...new Uint8Array(Float32Array.of(value as number).buffer));
    else {
      const b = value as Uint8Array;
      bytes.push(...varint(b.length), ...b);
    }
  }
  return Uint8Array.from(bytes);
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const ONNX_FLOAT = 1;

/** ValueInfoProto of a float tensor: name (1), type (2) → tensor_type (1) → elem_type (1), shape (2) → dim (1) → dim_value (1). */
function floatValueInfo(name: string, shape: readonly number[]): Uint8Array {
  const dims = shape.map((d): Field => [1, 2, message([[1, 0, d]])]);
  const tensorType = message([
    [1, 0, ONNX_FLOAT],
    [2, 2, message(dims)],
  ]);
  return message([
    [1, 2, text(name)],
    [2, 2, message([[1, 2, tensorType]])],
  ]);
}

/** TensorProto with raw data: dims (1), data_type (2), name (8), raw_data (9). */
function floatInitializer(name: string, shape: readonly number[], data: Float32Array): Uint8Array {
  return message([
    ...shape.map((d): Field => [1, 0, d]),
    [2, 0, ONNX_FLOAT],
    [8, 2, text(name)],
    [9, 2, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)],
  ]);
}

/** An ONNX attribute: a float (AttributeProto f = 2, type FLOAT = 1) or ints (ints = 8, type INTS = 7). */
type OnnxAttr = { readonly f: number } | { readonly ints: readonly number[] };

/** NodeProto: input (1), output (2), name (3), op_type (4), attribute (5). */
function node(
  op: string,
  name: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attrs: Readonly<Record<string, OnnxAttr>> = {},
): Uint8Array {
  const attributes = Object.entries(attrs).map(([key, a]): Field => {
    const body: Field[] =
      "f" in a
        ? [
            [1, 2, text(key)],
            [2, 5, a.f],
            [20, 0, 1],
          ]
        : [[1, 2, text(key)], ...a.ints.map((v): Field => [8, 0, v]), [20, 0, 7]];
    return [5, 2, message(body)];
  });
  return message([
    ...inputs.map((s): Field => [1, 2, text(s)]),
    ...outputs.map((s): Field => [2, 2, text(s)]),
    [3, 2, text(name)],
    [4, 2, text(op)],
    ...attributes,
  ]);
}

/** ModelProto: ir_version (1) = 8, producer_name (2), graph (7), opset_import (8) = ai.onnx 13. */
function model(graph: Uint8Array): Uint8Array {
  return message([
    [1, 0, 8],
    [2, 2, text("@mcu-example/hard-sigmoid tests")],
    [7, 2, graph],
    [8, 2, message([[2, 0, 13]])],
  ]);
}

/** HardSigmoid's attributes; absent ones take ONNX's defaults (alpha 0.2, beta 0.5). */
export interface HardSigmoidAttrs {
  readonly alpha?: number;
  readonly beta?: number;
}

function hardSigmoidAttrs(a: HardSigmoidAttrs): Record<string, OnnxAttr> {
  return {
    ...(a.alpha !== undefined ? { alpha: { f: a.alpha } } : {}),
    ...(a.beta !== undefined ? { beta: { f: a.beta } } : {}),
  };
}

/** y = HardSigmoid(x) on a float tensor of this shape. */
export function hardSigmoidModel(shape: readonly number[], attrs: HardSigmoidAttrs = {}): Uint8Array {
  // GraphProto: node (1), name (2), initializer (5), input (11), output (12).
  return model(
    message([
      [1, 2, node("HardSigmoid", "hs", ["x"], ["y"], hardSigmoidAttrs(attrs))],
      [2, 2, text("hard_sigmoid")],
      [11, 2, floatValueInfo("x", shape)],
      [12, 2, floatValueInfo("y", shape)],
    ]),
  );
}

/**
 * A small conv net as an exporter writes it: x [1, cin, h, w] (NCHW) → Conv 3×3 (pad 1) →
 * HardSigmoid → Conv 1×1 → HardSigmoid (ONNX defaults) → y. Weights and biases are given.
 */
export function convHardSigmoidModel(p: {
  readonly cin: number;
  readonly cout: number;
  readonly h: number;
  readonly w: number;
  readonly w1: Float32Array;
  readonly b1: Float32Array;
  readonly w2: Float32Array;
  readonly b2: Float32Array;
  readonly attrs: HardSigmoidAttrs;
}): Uint8Array {
  const { cin, cout, h, w } = p;
  return model(
    message([
      [
        1,
        2,
        node("Conv", "conv1", ["x", "w1", "b1"], ["c1"], {
          kernel_shape: { ints: [3, 3] },
          pads: { ints: [1, 1, 1, 1] },
        }),
      ],
      [1, 2, node("HardSigmoid", "hs1", ["c1"], ["h1"], hardSigmoidAttrs(p.attrs))],
      [1, 2, node("Conv", "conv2", ["h1", "w2", "b2"], ["c2"], { kernel_shape: { ints: [1, 1] } })],
      [1, 2, node("HardSigmoid", "hs2", ["c2"], ["y"])],
      [2, 2, text("conv_hard_sigmoid")],
      [5, 2, floatInitializer("w1", [cout, cin, 3, 3], p.w1)],
      [5, 2, floatInitializer("b1", [cout], p.b1)],
      [5, 2, floatInitializer("w2", [cout, cout, 1, 1], p.w2)],
      [5, 2, floatInitializer("b2", [cout], p.b2)],
      [11, 2, floatValueInfo("x", [1, cin, h, w])],
      [12, 2, floatValueInfo("y", [1, cout, h, w])],
    ]),
  );
}
