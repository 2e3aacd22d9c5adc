import fc from "fast-check";
import type { AttrValue } from "../attrs.js";
import { graphBuilder } from "../builder.js";
import { corePlugin } from "../core-plugin.js";
import { allocateData, DTYPES, type DType, storageLength, type TensorData } from "../dtype.js";
import { createGraph, type Graph, type Node } from "../graph.js";
import { runGraph } from "../interpreter.js";
import { createRegistry, type Registry } from "../registry.js";
import type { QuantParams, TensorInfo } from "../tensor-info.js";
import { verify } from "../verify.js";
import { readMcuir } from "./read-mcuir.js";
import { writeMcuir } from "./write-mcuir.js";

const registry = createRegistry([corePlugin]);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytesOf = (d: TensorData) => hex(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));

const sortedKeys = (o: object) => Object.keys(o).sort();

/**
 * Deep equality plus what toEqual does not see: key order, optional keys present on one side
 * only, typed-array classes and raw bytes. (Not toStrictEqual: it compares `x.constructor`,
 * which an attribute or metadata key named "constructor" overrides.)
 */
function expectSameGraph(actual: Graph, expected: Graph): void {
  expect(actual).toEqual(expected);
  expect([...actual.tensors.keys()]).toEqual([...expected.tensors.keys()]);
  for (const [id, t] of expected.tensors) {
    const a = actual.tensors.get(id)!;
    expect(sortedKeys(a)).toEqual(sortedKeys(t));
    if (t.quant !== undefined) expect(sortedKeys(a.quant!)).toEqual(sortedKeys(t.quant));
    if (t.data !== undefined) {
      expect(a.data!.constructor).toBe(t.data.constructor);
      expect(bytesOf(a.data!)).toBe(bytesOf(t.data)); // NaN payloads and -0 included
    }
  }
  actual.nodes.forEach((n, i) => {
    const e = expected.nodes[i]!;
    expect(sortedKeys(n)).toEqual(sortedKeys(e));
    expect(Object.keys(n.attrs)).toEqual(Object.keys(e.attrs));
    for (const [k, v] of Object.entries(e.attrs)) {
      if (v instanceof Uint8Array) expect(Object.getPrototypeOf(n.attrs[k])).toBe(Uint8Array.prototype);
    }
  });
  expect(Object.keys(actual.metadata)).toEqual(Object.keys(expected.metadata));
}

/**
 * A small CNN: per-channel int8 weights dequantized into a conv, a depthwise conv, then a
 * dense layer and softmax — quantization, optional inputs, every attribute kind the core ops use.
 */
function builtinGraph(reg: Registry): Graph {
  const b = graphBuilder(reg);
  const x = b.input("x", [1, 6, 6, 2]);
  const wq = b.constant(
    "conv/weights_q",
    Int8Array.from({ length: 4 * 3 * 3 * 2 }, (_, i) => ((i * 37) % 255) - 127),
    [4, 3, 3, 2],
    { quant: { scale: [0.0125, 1.49e-7, 0.5, 0.003921568859368563], zeroPoint: [0, 0, 0, 0], axis: 0 } },
  );
  const w = b.op("core.dequantize", [wq], {}, { name: "conv/weights" });
  const bias = b.constant("conv/bias", Float32Array.of(0.5, -0.25, 0, 1), [4]);
  const c = b.op(
    "core.conv2d",
    [x, w, bias],
    { padding: "SAME", strides: [2, 1], fusedActivation: "RELU" },
    { sourceOp: "CONV_2D" },
  );
  const dw = b.constant(
    "dw/weights",
    Float32Array.from({ length: 9 * 4 }, (_, i) => (i % 7) / 7 - 0.4),
    [1, 3, 3, 4],
  );
  const d = b.op(
    "core.depthwise_conv2d",
    [c, dw, undefined],
    { padding: "VALID" },
    { sourceOp: "DEPTHWISE_CONV_2D" },
  );
  const flat = b.op("core.reshape", [d], { shape: [1, -1] });
  const fw = b.constant(
    "fc/weights",
    Float32Array.from({ length: 3 * 4 * 4 }, (_, i) => Math.cos(i) / 4),
    [3, 16],
  );
  const logits = b.op("core.fully_connected", [flat, fw]);
  const y = b.op("core.softmax", [logits], { beta: 0.5 });
  return b.output(y).meta("producer", "mcuir test").meta("1", "integer-like key").build();
}

// ---- random graphs ----

/** Names, with the awkward ones (prototype keys, integer-like keys that JS objects reorder) mixed in. */
const nameArb = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom("__proto__", "constructor", "0", "1", "42", "x") },
);

/** Numbers as attributes hold them: safe and unsafe integers, fractions, −0, NaN, ±Infinity. */
const numberArb = fc.oneof(
  fc.maxSafeInteger(),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.double(),
  fc.constantFrom(-0, 0, 1.49e-7, 0.5, 2 ** 60, -(2 ** 53), 1e300, Number.NaN),
);

const attrValueArb: fc.Arbitrary<AttrValue> = fc.oneof(
  numberArb,
  fc.boolean(),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.array(fc.maxSafeInteger(), { maxLength: 5 }),
  fc.array(numberArb, { maxLength: 5 }),
  fc.array(fc.string({ unit: "binary", maxLength: 6 }), { maxLength: 4 }),
  fc.uint8Array({ maxLength: 16 }),
);

const shapeArb = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
    fc.option(fc.integer({ min: 0, max: 70 }), { nil: undefined }), // bit rows of 0, 1, 2, 3 words
  )
  .map(([lead, last]) => (last === undefined ? lead : [...lead, last]));

const scaleArb = fc.oneof(fc.double(), fc.constantFrom(1.49e-7, 0.003921568859368563, 1, -0));

const quantArb: fc.Arbitrary<QuantParams> = fc
  .tuple(
    fc.array(scaleArb, { maxLength: 4 }),
    fc.array(fc.maxSafeInteger(), { maxLength: 4 }),
    fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: undefined }),
  )
  .map(([scale, zeroPoint, axis]) => ({ scale, zeroPoint, ...(axis !== undefined ? { axis } : {}) }));

/** Constant data of the right length: random bytes (NaN payloads and all), int4 within −8..7. */
function dataArb(dtype: DType, shape: readonly number[]): fc.Arbitrary<TensorData> {
  const n = storageLength(dtype, shape);
  if (dtype === "int4") {
    return fc
      .array(fc.integer({ min: -8, max: 7 }), { minLength: n, maxLength: n })
      .map((v) => Int8Array.from(v));
  }
  const width = allocateData(dtype, [0]).BYTES_PER_ELEMENT;
  return fc.uint8Array({ minLength: n * width, maxLength: n * width }).map((bytes) => {
    const out = allocateData(dtype, shape);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  });
}

function tensorArb(name: string): fc.Arbitrary<TensorInfo> {
  return fc.tuple(fc.constantFrom(...DTYPES), shapeArb).chain(([dtype, shape]) =>
    fc
      .record(
        {
          data: dataArb(dtype, shape),
          quant: quantArb,
          variable: fc.constant(true as const),
        },
        { requiredKeys: [], noNullPrototype: true },
      )
      .map((opt): TensorInfo => ({ name, dtype, shape, ...opt })),
  );
}

function nodeArb(tensorNames: readonly string[]): fc.Arbitrary<Node> {
  const id = fc.constantFrom(...tensorNames);
  return fc
    .record(
      {
        name: fc.string({ unit: "binary", maxLength: 8 }),
        op: fc.string({ unit: "binary", maxLength: 12 }),
        inputs: fc.array(fc.oneof(id, fc.constant("")), { maxLength: 4 }),
        outputs: fc.array(id, { maxLength: 3 }),
        attrs: fc
          .uniqueArray(fc.tuple(nameArb, attrValueArb), { selector: ([k]) => k, maxLength: 6 })
          .map((entries) => Object.fromEntries(entries)),
        sourceOp: fc.string({ unit: "binary", maxLength: 8 }),
      },
      { requiredKeys: ["name", "op", "inputs", "outputs", "attrs"], noNullPrototype: true },
    )
    .map((n): Node => n);
}

const graphArb: fc.Arbitrary<Graph> = fc
  .uniqueArray(nameArb, { minLength: 1, maxLength: 8 })
  .chain((names) =>
    fc.tuple(
      fc.tuple(...names.map(tensorArb)),
      fc.array(nodeArb(names), { maxLength: 5 }),
      fc.array(fc.constantFrom(...names), { maxLength: 3 }),
      fc.array(fc.constantFrom(...names), { maxLength: 3 }),
      fc.dictionary(nameArb, fc.string({ unit: "binary", maxLength: 10 }), {
        maxKeys: 4,
        noNullPrototype: true,
      }),
    ),
  )
  .map(([tensors, nodes, inputs, outputs, metadata]) =>
    createGraph({ tensors, nodes, inputs, outputs, metadata }),
  );

describe(".mcuir round trip", () => {
  it("random graphs: write → read gives the same graph, and writing it again the same bytes", () => {
    fc.assert(
      fc.property(graphArb, (g) => {
        const bytes = writeMcuir(g);
        const back = readMcuir(bytes);
        expectSameGraph(back, g);
        expect(hex(writeMcuir(back))).toBe(hex(bytes));
      }),
      { seed: 0x6d637572, numRuns: 400 },
    );
  });

  it("a graph built with graphBuilder round-trips, verifies and computes the same outputs", () => {
    const g = builtinGraph(registry);
    const back = verify(readMcuir(writeMcuir(g)), registry);
    expectSameGraph(back, g);
    const x = Float32Array.from({ length: 1 * 6 * 6 * 2 }, (_, i) => Math.sin(i) * 3);
    const want = runGraph(g, [x], { registry });
    const got = runGraph(back, [x], { registry });
    expect(got.map((v) => bytesOf(v.data))).toEqual(want.map((v) => bytesOf(v.data)));
  });

  it("is the registry's format for .mcuir files", () => {
    const format = registry.formatFor("models/x.mcuir");
    expect(format.name).toBe("mcuir");
    const g = builtinGraph(registry);
    const bytes = format.write!(g, { registry });
    expect(hex(bytes)).toBe(hex(writeMcuir(g)));
    expectSameGraph(format.read!(bytes, { registry }), g);
    // A Node Buffer (what readFileSync returns) reads the same as a plain Uint8Array.
    expectSameGraph(format.read!(Buffer.from(bytes), { registry }), g);
  });
});
