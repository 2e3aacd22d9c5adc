import { graphBuilder } from "../builder.js";
import { corePlugin } from "../core-plugin.js";
import { isMcuError, McuError } from "../errors.js";
import { createGraph, type Graph } from "../graph.js";
import { createRegistry } from "../registry.js";
import type { TensorInfo } from "../tensor-info.js";
import { readMcuir } from "./read-mcuir.js";
import { writeMcuir } from "./write-mcuir.js";

// ---- a protobuf wire-format writer written from the spec (protobuf.dev/programming-guides/encoding),
// independent of protobufjs, to state the expected bytes of a file by hand ----
type Bytes = number[];
function varint(n: number | bigint): Bytes {
  let v = BigInt.asUintN(64, BigInt(n)); // negative int64 values are ten-byte two's complement varints
  const out: Bytes = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return out;
}
const tag = (field: number, wire: number): Bytes => varint((field << 3) | wire);
const vint = (field: number, n: number | bigint): Bytes => [...tag(field, 0), ...varint(n)];
const ld = (field: number, body: Bytes): Bytes => [...tag(field, 2), ...varint(body.length), ...body];
const str = (field: number, s: string): Bytes => ld(field, [...Buffer.from(s, "utf8")]);
const f64 = (x: number): Bytes => {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x, true);
  return [...new Uint8Array(dv.buffer)];
};
const dbl = (field: number, x: number): Bytes => [...tag(field, 1), ...f64(x)];
const packed = (field: number, ns: readonly (number | bigint)[]): Bytes =>
  ld(
    field,
    ns.flatMap((n) => varint(n)),
  );
const file = (...parts: Bytes[]): Uint8Array => Uint8Array.from(parts.flat());
const header = (): Bytes[] => [str(1, "mcuir"), vint(2, 1)];

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof McuError) return e.code;
    throw e;
  }
  return "no error";
}

describe("the .mcuir wire format", () => {
  // Model fields: 1 format, 2 version, 3 tensors, 4 nodes, 5 inputs, 6 outputs, 7 metadata.
  // Tensor: 1 name, 2 dtype, 3 shape, 4 quant, 5 data, 6 has_data, 7 variable.
  // Quant: 1 scale, 2 zero_point, 3 axis. Node: 1 name, 2 op, 3 inputs, 4 outputs, 5 attrs, 6 source_op.
  // Attr: 1 name, 2 i, 3 f, 4 b, 5 s, 6 ints, 7 floats, 8 strings, 9 bytes. Ints/Floats/Strings: 1 values.
  const graph = createGraph({
    tensors: [
      { name: "x", dtype: "float32", shape: [1, 2] },
      {
        name: "w",
        dtype: "int4",
        shape: [3],
        data: Int8Array.of(1, -1, 7),
        quant: { scale: [0.5, 1.49e-7, 2], zeroPoint: [0, -3, 0], axis: 0 },
      },
      { name: "y", dtype: "int8", shape: [2], variable: true },
    ],
    nodes: [
      {
        name: "n",
        op: "test.op",
        inputs: ["x", "", "w"],
        outputs: ["y"],
        attrs: {
          k: -2,
          f: 0.25,
          z: -0,
          b: true,
          s: "SAME",
          l: [1, -2],
          e: [],
          g: [0.5, 1],
          t: ["a", "b"],
          o: Uint8Array.of(1, 2, 3),
        },
        sourceOp: "CONV_2D",
      },
    ],
    inputs: ["x"],
    outputs: ["y"],
    metadata: { producer: "hand" },
  });
  const expected = file(
    ...header(),
    ld(3, [...str(1, "x"), ...vint(2, 1), ...packed(3, [1, 2])]),
    ld(3, [
      ...str(1, "w"),
      ...vint(2, 6),
      ...packed(3, [3]),
      ...ld(4, [
        ...ld(1, [...f64(0.5), ...f64(1.49e-7), ...f64(2)]),
        ...packed(2, [0, -3, 0]),
        ...vint(3, 0),
      ]),
      ...ld(5, [0xf1, 0x07]), // int4 1, -1 | 7, pad nibble
      ...vint(6, 1),
    ]),
    ld(3, [...str(1, "y"), ...vint(2, 4), ...packed(3, [2]), ...vint(7, 1)]),
    ld(4, [
      ...str(1, "n"),
      ...str(2, "test.op"),
      ...str(3, "x"),
      ...str(3, ""),
      ...str(3, "w"),
      ...str(4, "y"),
      ...ld(5, [...str(1, "k"), ...vint(2, -2)]),
      ...ld(5, [...str(1, "f"), ...dbl(3, 0.25)]),
      ...ld(5, [...str(1, "z"), ...dbl(3, -0)]), // -0 has no int64 form: a double
      ...ld(5, [...str(1, "b"), ...vint(4, 1)]),
      ...ld(5, [...str(1, "s"), ...str(5, "SAME")]),
      ...ld(5, [...str(1, "l"), ...ld(6, packed(1, [1, -2]))]),
      ...ld(5, [...str(1, "e"), ...ld(6, [])]), // an empty list is an empty Ints
      ...ld(5, [...str(1, "g"), ...ld(7, ld(1, [...f64(0.5), ...f64(1)]))]),
      ...ld(5, [...str(1, "t"), ...ld(8, [...str(1, "a"), ...str(1, "b")])]),
      ...ld(5, [...str(1, "o"), ...ld(9, [1, 2, 3])]),
      ...str(6, "CONV_2D"),
    ]),
    str(5, "x"),
    str(6, "y"),
    ld(7, [...str(1, "producer"), ...str(2, "hand")]),
  );

  it("writes exactly the bytes the .proto and the protobuf encoding spec prescribe", () => {
    expect(hex(writeMcuir(graph))).toBe(hex(expected));
  });

  it("reads them back, including unpacked repeated fields and unknown fields another writer may emit", () => {
    expect(readMcuir(expected)).toEqual(graph);
    // Shape written unpacked (one varint per element) and an unknown field 99: both legal protobuf.
    const other = file(
      ...header(),
      ld(3, [...str(1, "x"), ...vint(2, 1), ...vint(3, 1), ...vint(3, 2), ...str(99, "future")]),
    );
    expect(readMcuir(other).tensors.get("x")).toEqual({ name: "x", dtype: "float32", shape: [1, 2] });
  });
});

describe("readMcuir refuses bad input with McuError", () => {
  const tensor = (...fields: Bytes[]) => ld(3, fields.flat());

  it.each<[string, Uint8Array, string]>([
    ["empty input (no marker)", new Uint8Array(0), "MCU_E_MCUIR_VERSION"],
    ["another marker", file(str(1, "onnx"), vint(2, 1)), "MCU_E_MCUIR_VERSION"],
    ["a newer version", file(str(1, "mcuir"), vint(2, 2)), "MCU_E_MCUIR_VERSION"],
    ["version 0 (missing)", file(str(1, "mcuir")), "MCU_E_MCUIR_VERSION"],
    ["a truncated length", file(...header(), [0x1a, 0x05, 0x0a]), "MCU_E_MCUIR_DECODE"],
    [
      "a length prefix claiming 2 GiB",
      file(...header(), [0x1a, 0x80, 0x80, 0x80, 0x80, 0x08]),
      "MCU_E_MCUIR_DECODE",
    ],
    ["an invalid wire type", file(...header(), [0x0f]), "MCU_E_MCUIR_DECODE"],
    ["an unknown dtype", file(...header(), tensor(str(1, "t"), vint(2, 42))), "MCU_E_MCUIR_INVALID"],
    ["DTYPE_UNSPECIFIED", file(...header(), tensor(str(1, "t"))), "MCU_E_MCUIR_INVALID"],
    ["an empty tensor name", file(...header(), tensor(vint(2, 1))), "MCU_E_MCUIR_INVALID"],
    [
      "a negative dimension",
      file(...header(), tensor(str(1, "t"), vint(2, 1), packed(3, [2, -1]))),
      "MCU_E_MCUIR_INVALID",
    ],
    [
      "a dimension beyond 2^53",
      file(...header(), tensor(str(1, "t"), vint(2, 1), packed(3, [2n ** 60n]))),
      "MCU_E_MCUIR_INVALID",
    ],
    [
      "more than 2^53 elements",
      file(...header(), tensor(str(1, "t"), vint(2, 1), packed(3, [2 ** 30, 2 ** 30]))),
      "MCU_E_MCUIR_INVALID",
    ],
    [
      "huge claimed shape with 4 bytes of data",
      file(
        ...header(),
        tensor(str(1, "t"), vint(2, 1), packed(3, [2 ** 24, 2 ** 24]), ld(5, [0, 0, 0, 0]), vint(6, 1)),
      ),
      "MCU_E_MCUIR_INVALID",
    ],
    [
      "data shorter than dtype × shape",
      file(...header(), tensor(str(1, "t"), vint(2, 2), packed(3, [2]), ld(5, [1, 0, 0, 0]), vint(6, 1))),
      "MCU_E_MCUIR_INVALID",
    ],
    [
      "a constant without its data",
      file(...header(), tensor(str(1, "t"), vint(2, 4), packed(3, [3]), vint(6, 1))),
      "MCU_E_MCUIR_INVALID",
    ],
    [
      "data on a tensor that is not a constant",
      file(...header(), tensor(str(1, "t"), vint(2, 4), packed(3, [1]), ld(5, [7]))),
      "MCU_E_MCUIR_INVALID",
    ],
    [
      "a zero point beyond 2^53",
      file(
        ...header(),
        tensor(str(1, "t"), vint(2, 4), ld(4, [...ld(1, f64(1)), ...packed(2, [2n ** 62n])])),
      ),
      "MCU_E_MCUIR_INVALID",
    ],
    [
      "a tensor listed twice",
      file(...header(), tensor(str(1, "t"), vint(2, 1)), tensor(str(1, "t"), vint(2, 1))),
      "MCU_E_MCUIR_INVALID",
    ],
    [
      "a node reading a missing tensor",
      file(
        ...header(),
        tensor(str(1, "t"), vint(2, 1)),
        ld(4, [...str(1, "n"), ...str(2, "a.b"), ...str(3, "u"), ...str(4, "t")]),
      ),
      "MCU_E_MCUIR_INVALID",
    ],
    [
      "a node writing a missing tensor",
      file(
        ...header(),
        tensor(str(1, "t"), vint(2, 1)),
        ld(4, [...str(1, "n"), ...str(2, "a.b"), ...str(3, "t"), ...str(4, "u")]),
      ),
      "MCU_E_MCUIR_INVALID",
    ],
    ["a graph input that is not a tensor", file(...header(), str(5, "nope")), "MCU_E_MCUIR_INVALID"],
    ["a graph output that is not a tensor", file(...header(), str(6, "")), "MCU_E_MCUIR_INVALID"],
    [
      "an attribute without a value",
      file(...header(), ld(4, [...str(1, "n"), ...ld(5, str(1, "a"))])),
      "MCU_E_MCUIR_INVALID",
    ],
    [
      "an attribute listed twice",
      file(
        ...header(),
        ld(4, [
          ...str(1, "n"),
          ...ld(5, [...str(1, "a"), ...vint(2, 1)]),
          ...ld(5, [...str(1, "a"), ...vint(2, 2)]),
        ]),
      ),
      "MCU_E_MCUIR_INVALID",
    ],
    [
      "an int attribute beyond 2^53",
      file(...header(), ld(4, [...str(1, "n"), ...ld(5, [...str(1, "a"), ...vint(2, 2n ** 60n)])])),
      "MCU_E_MCUIR_INVALID",
    ],
  ])("%s", (_what, bytes, code) => {
    expect(codeOf(() => readMcuir(bytes))).toBe(code);
  });

  it("takes the last of several oneof members, as the protobuf spec says", () => {
    const bytes = file(
      ...header(),
      ld(4, [...str(1, "n"), ...ld(5, [...str(1, "a"), ...vint(2, 1), ...dbl(3, 1.5)])]),
    );
    expect(readMcuir(bytes).nodes[0]!.attrs).toEqual({ a: 1.5 });
  });

  it("names the tensor or node concerned", () => {
    const bytes = file(...header(), ld(3, [...str(1, "weights"), ...vint(2, 42)]));
    expect(() => readMcuir(bytes)).toThrow(expect.objectContaining({ tensor: "weights" }));
  });
});

describe("writeMcuir refuses graphs it cannot store", () => {
  const t = (over: Partial<TensorInfo>): Graph =>
    createGraph({
      tensors: [{ name: "t", dtype: "float32", shape: [2], ...over }],
      nodes: [],
      inputs: [],
      outputs: [],
    });

  it.each<[string, () => Graph]>([
    ["data of the wrong typed array", () => t({ data: new Int32Array(2) })],
    ["data of the wrong length", () => t({ data: new Float32Array(3) })],
    ["an int4 value outside -8..7", () => t({ dtype: "int4", data: Int8Array.of(3, 9) })],
    ["a fractional dimension", () => t({ shape: [1.5] })],
    ["a negative dimension", () => t({ shape: [-1] })],
    ["a fractional zero point", () => t({ quant: { scale: [1], zeroPoint: [0.5] } })],
    [
      "a lone surrogate in a name",
      () =>
        createGraph({
          tensors: [{ name: "\ud800", dtype: "float32", shape: [] }],
          nodes: [],
          inputs: [],
          outputs: [],
        }),
    ],
    [
      "a tensor stored under another name",
      () =>
        createGraph({
          tensors: new Map([["a", { name: "b", dtype: "float32", shape: [] }]]),
          nodes: [],
          inputs: [],
          outputs: [],
        }),
    ],
    [
      "a node naming a missing tensor",
      () =>
        createGraph({
          tensors: [],
          nodes: [{ name: "n", op: "a.b", inputs: ["u"], outputs: [], attrs: {} }],
          inputs: [],
          outputs: [],
        }),
    ],
    [
      "a mixed-type list attribute",
      () =>
        createGraph({
          tensors: [],
          nodes: [
            { name: "n", op: "a.b", inputs: [], outputs: [], attrs: { a: [1, "x"] as unknown as number[] } },
          ],
          inputs: [],
          outputs: [],
        }),
    ],
  ])("%s", (_what, make) => {
    expect(codeOf(() => writeMcuir(make()))).toBe("MCU_E_MCUIR_INVALID");
  });
});

describe("mutation fuzz", () => {
  it("random byte flips, insertions and truncations of a real graph give a graph or an McuError, never anything else", () => {
    const registry = createRegistry([corePlugin]);
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 4, 4, 3], "int8", { scale: [0.02], zeroPoint: [-5] });
    const w = b.constant(
      "w",
      Int8Array.from({ length: 2 * 3 * 3 * 3 }, (_, i) => (i * 29) % 127),
      [2, 3, 3, 3],
      {
        quant: { scale: [0.1, 1.49e-7], zeroPoint: [0, 0], axis: 0 },
      },
    );
    const bias = b.constant("bias", Int32Array.of(100, -7), [2], {
      quant: { scale: [0.002, 3e-9], zeroPoint: [0, 0], axis: 0 },
    });
    const y = b.op(
      "core.conv2d",
      [x, w, bias],
      { padding: "SAME", fusedActivation: "RELU6" },
      {
        outputs: [{ quant: { scale: [0.05], zeroPoint: [-128] } }],
        sourceOp: "CONV_2D",
      },
    );
    const z = b.op(
      "core.custom",
      [y, b.constant("k4", Int8Array.of(-8, 7, 0), [3], { dtype: "int4" })],
      {
        customCode: "MyOp",
        options: Uint8Array.of(1, 2, 3, 4),
      },
      { outputs: [{ shape: [1, 4, 4, 2], dtype: "int8" }] },
    );
    const bits = b.constant("bits", Uint32Array.of(0xdeadbeef, 1), [2, 20], { dtype: "bit" });
    b.output(z, bits).meta("producer", "fuzz");
    const bytes = writeMcuir(b.build());

    // xorshift32 with a fixed seed: the same mutations on every run.
    let s = 0x9e3779b9 | 0;
    const rand = (n: number) => {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return (s >>> 0) % n;
    };
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      let m = Uint8Array.from(bytes);
      const kind = rand(4);
      if (kind === 0) {
        for (let k = 1 + rand(3); k > 0; k--) m[rand(m.length)] = rand(256);
      } else if (kind === 1) {
        m[rand(m.length)]! ^= 1 << rand(8);
      } else if (kind === 2) {
        m = m.subarray(0, rand(m.length));
      } else {
        const at = rand(m.length);
        m = Uint8Array.from([...m.subarray(0, at), rand(256), ...m.subarray(at)]);
      }
      let outcome: string;
      try {
        const g = readMcuir(m);
        writeMcuir(g); // whatever was read can be written again
        outcome = "read";
      } catch (e) {
        if (!isMcuError(e)) throw new Error(`mutation ${i} threw ${String(e)}`);
        outcome = e.code;
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    // Each kind of refusal happens, and some mutations (inside data bytes) still read.
    for (const code of ["read", "MCU_E_MCUIR_DECODE", "MCU_E_MCUIR_INVALID", "MCU_E_MCUIR_VERSION"]) {
      expect(outcomes.get(code) ?? 0).toBeGreaterThan(0);
    }
    expect([...outcomes.values()].reduce((a, c) => a + c, 0)).toBe(4000);
  });
});
