import fc from "fast-check";
import type { Attrs } from "../attrs.js";
import { graphBuilder } from "../builder.js";
import { corePlugin } from "../core-plugin.js";
import { createInterpreter } from "../interpreter.js";
import { createRegistry } from "../registry.js";
import { quantParams, type Value } from "../tensor-info.js";

const registry = createRegistry([corePlugin]);

interface In {
  readonly shape: readonly number[];
  readonly data: Float32Array;
  readonly constant?: boolean;
}

/** Builds a one-node float32 graph, runs it, and returns its output and the kernel that ran. */
function runOp(op: string, inputs: readonly In[], attrs: Attrs = {}): { y: Value; kernel: string } {
  const g = graphBuilder(registry);
  const feeds: Float32Array[] = [];
  const ids = inputs.map((t, i) => {
    if (t.constant === true) return g.constant(`c${i}`, t.data, t.shape);
    feeds.push(t.data);
    return g.input(`x${i}`, t.shape);
  });
  g.output(g.op(op, ids, attrs));
  const interp = createInterpreter(g.build(), { registry });
  return { y: interp.invoke(feeds)[0]!, kernel: interp.kernelNames[0]! };
}

const f32 = (...v: number[]) => Float32Array.from(v);
const list = (v: Value) => Array.from(v.data as Float32Array);

/** Equal as numbers (NaN equals NaN; +0 equals −0). */
function expectSame(actual: readonly number[], expected: readonly number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i]!;
    if (!(a === e || (Number.isNaN(a) && Number.isNaN(e))))
      throw new Error(`element ${i}: got ${a}, expected ${e}`);
  });
}

/** |actual − expected| ≤ rel·|expected| + 1e-30, NaN matching NaN. */
function expectClose(actual: readonly number[], expected: readonly number[], rel = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) return;
    if (!(Math.abs(a - e) <= rel * Math.abs(e) + 1e-30))
      throw new Error(`element ${i}: got ${a}, expected ${e}`);
  });
}

describe("binary element-wise ops (float32)", () => {
  it("adds equal shapes", () => {
    const { y, kernel } = runOp("core.add", [
      { shape: [3], data: f32(1, 2, 3) },
      { shape: [3], data: f32(10, 20, 30) },
    ]);
    expect(kernel).toBe("core/float32");
    expect(list(y)).toEqual([11, 22, 33]);
  });

  it("broadcasts a scalar on either side (rank 0 and [1])", () => {
    // [1,2,3] − 1 = [0,1,2];  10 / [1,2,4] = [10,5,2.5]
    expect(
      list(
        runOp("core.sub", [
          { shape: [3], data: f32(1, 2, 3) },
          { shape: [], data: f32(1) },
        ]).y,
      ),
    ).toEqual([0, 1, 2]);
    expect(
      list(
        runOp("core.div", [
          { shape: [1], data: f32(10) },
          { shape: [3], data: f32(1, 2, 4) },
        ]).y,
      ),
    ).toEqual([10, 5, 2.5]);
  });

  it("broadcasts a per-channel vector (last axis) on either side", () => {
    // [[1,2,3],[4,5,6]] · [1,0,−1] = [[1,0,−3],[4,0,−6]]
    const y1 = runOp("core.mul", [
      { shape: [2, 3], data: f32(1, 2, 3, 4, 5, 6) },
      { shape: [3], data: f32(1, 0, -1), constant: true },
    ]).y;
    expect(y1.shape).toEqual([2, 3]);
    expectSame(list(y1), [1, 0, -3, 4, 0, -6]);
    // [[10,20]] − [[1,2],[3,4]] = [[9,18],[7,16]]
    const y2 = runOp("core.sub", [
      { shape: [1, 2], data: f32(10, 20) },
      { shape: [2, 2], data: f32(1, 2, 3, 4) },
    ]).y;
    expect(list(y2)).toEqual([9, 18, 7, 16]);
  });

  it("broadcasts both sides ([2,1] with [1,3])", () => {
    // [[1],[2]] + [[10,20,30]] = [[11,21,31],[12,22,32]]
    const { y } = runOp("core.add", [
      { shape: [2, 1], data: f32(1, 2) },
      { shape: [1, 3], data: f32(10, 20, 30) },
    ]);
    expect(y.shape).toEqual([2, 3]);
    expect(list(y)).toEqual([11, 21, 31, 12, 22, 32]);
  });

  it("broadcasts a middle axis ([2,3,2] with [2,1,2])", () => {
    // b[i,0,k] is added to every a[i,j,k]: b = [[[100,200]],[[300,400]]]
    const a = f32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    const { y } = runOp("core.add", [
      { shape: [2, 3, 2], data: a },
      { shape: [2, 1, 2], data: f32(100, 200, 300, 400) },
    ]);
    expect(list(y)).toEqual([100, 201, 102, 203, 104, 205, 306, 407, 308, 409, 310, 411]);
  });

  it("computes maximum and minimum, propagating NaN", () => {
    const a = { shape: [4], data: f32(1, -2, 3, Number.NaN) };
    const b = { shape: [4], data: f32(0, 0, 5, 1) };
    expectSame(list(runOp("core.maximum", [a, b]).y), [1, 0, 5, Number.NaN]);
    expectSame(list(runOp("core.minimum", [a, b]).y), [0, -2, 3, Number.NaN]);
  });

  it("divides by zero as IEEE 754 does", () => {
    const { y } = runOp("core.div", [
      { shape: [3], data: f32(1, -1, 0) },
      { shape: [], data: f32(0) },
    ]);
    expectSame(list(y), [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]);
  });

  it("rounds each result to float32", () => {
    // 2^24 + 1 is not a float32: it rounds to even, 2^24.
    const { y } = runOp("core.add", [
      { shape: [1], data: f32(16777216) },
      { shape: [1], data: f32(1) },
    ]);
    expect(list(y)).toEqual([16777216]);
  });

  it("applies the fused activation after the op", () => {
    // a + b = [−3, −0.5, 0.5, 3, 7]
    const a = { shape: [5], data: f32(-4, -1, 0, 1, 5) };
    const b = { shape: [5], data: f32(1, 0.5, 0.5, 2, 2) };
    expect(list(runOp("core.add", [a, b], { fusedActivation: "RELU" }).y)).toEqual([0, 0, 0.5, 3, 7]);
    expect(list(runOp("core.add", [a, b], { fusedActivation: "RELU6" }).y)).toEqual([0, 0, 0.5, 3, 6]);
    expect(list(runOp("core.add", [a, b], { fusedActivation: "RELU_N1_TO_1" }).y)).toEqual([
      -1, -0.5, 0.5, 1, 1,
    ]);
    expectClose(
      list(runOp("core.add", [a, b], { fusedActivation: "TANH" }).y),
      [-3, -0.5, 0.5, 3, 7].map(Math.tanh),
    );
  });

  it("does not run quantized operands (that is @mcu/quant's job)", () => {
    const g = graphBuilder(registry);
    const q = quantParams(0.5, 0);
    const a = g.input("a", [2], "int8", q);
    const b = g.input("b", [2], "int8", q);
    g.output(g.op("core.add", [a, b], {}, { outputs: [{ quant: q }] }));
    expect(() => createInterpreter(g.build(), { registry })).toThrow(
      expect.objectContaining({ code: "MCU_E_NO_KERNEL" }),
    );
  });
});

describe("unary activations (float32)", () => {
  const un = (op: string, xs: number[], attrs: Attrs = {}) =>
    list(runOp(op, [{ shape: [xs.length], data: Float32Array.from(xs) }], attrs).y);

  it("relu and relu6", () => {
    expect(un("core.relu", [-2, -0.5, 0, 3])).toEqual([0, 0, 0, 3]);
    expect(un("core.relu6", [-1, 3, 6, 7.5])).toEqual([0, 3, 6, 6]);
    expectSame(un("core.relu", [Number.NaN]), [Number.NaN]);
  });

  it("leaky_relu with alpha, and its default 0.01", () => {
    // −10·0.1 = −1, −1·0.1 = −0.1 (as float32)
    expect(un("core.leaky_relu", [-10, -1, 0, 2], { alpha: 0.1 })).toEqual([-1, Math.fround(-0.1), 0, 2]);
    expect(un("core.leaky_relu", [-100])).toEqual([-1]);
  });

  it("logistic", () => {
    // σ(0) = 1/2;  σ(ln 3) = 1/(1 + 1/3) = 3/4;  σ(−ln 3) = 1/(1 + 3) = 1/4
    expectClose(un("core.logistic", [0, Math.log(3), -Math.log(3)]), [0.5, 0.75, 0.25]);
    // Far tails saturate without overflow: σ(100) = 1 in float32, σ(−100) ≈ e^−100 ≈ 3.7e−44 (subnormal).
    const [hi, lo] = un("core.logistic", [100, -100]);
    expect(hi).toBe(1);
    expect(lo!).toBeGreaterThan(0);
    expect(lo!).toBeLessThan(1e-43);
  });

  it("tanh", () => {
    // tanh(ln(3)/2) = (3 − 1)/(3 + 1) = 1/2
    expectClose(un("core.tanh", [0, Math.log(3) / 2, -Math.log(3) / 2, 50]), [0, 0.5, -0.5, 1]);
  });

  it("hard_swish = x·relu6(x + 3)/6", () => {
    // −4 → −4·0/6 = 0;  −3 → 0;  −1 → −1·2/6 = −1/3;  1 → 1·4/6 = 2/3;  3 → 3·6/6 = 3;  4 → 4·6/6 = 4
    expectClose(un("core.hard_swish", [-4, -3, -1, 1, 3, 4]), [0, 0, -1 / 3, 2 / 3, 3, 4]);
  });

  it("clip to [min, max], unbounded by default, NaN kept", () => {
    expect(un("core.clip", [-5, 0.5, 3], { min: -1, max: 2 })).toEqual([-1, 0.5, 2]);
    expect(un("core.clip", [-1e30, 1e30])).toEqual([Math.fround(-1e30), Math.fround(1e30)]);
    expectSame(un("core.clip", [Number.NaN], { min: 0, max: 1 }), [Number.NaN]);
  });

  it("sign: −1, 0 or 1, sign(−0) = +0, NaN stays NaN", () => {
    const y = un("core.sign", [-3, -0, 0, 2, Number.NaN, Number.NEGATIVE_INFINITY]);
    expectSame(y, [-1, 0, 0, 1, Number.NaN, -1]);
    expect(Object.is(y[1], 0)).toBe(true);
  });
});

// ---- Properties against naive definitions ------------------------------------------------

/** Row-major multi-index of flat position `flat` in `shape`. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return idx;
}

/** NumPy broadcasting read: right-align `shape` with `outIdx`; size-1 axes read index 0. */
function broadcastRead(data: Float32Array, shape: readonly number[], outIdx: readonly number[]): number {
  const off = outIdx.length - shape.length;
  let f = 0;
  for (let d = 0; d < shape.length; d++) f = f * shape[d]! + (shape[d] === 1 ? 0 : outIdx[d + off]!);
  return data[f]!;
}

const product = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
const value = fc.integer({ min: -200, max: 200 }).map((v) => v / 16);

const binaryNaive: Record<string, (a: number, b: number) => number> = {
  "core.add": (a, b) => a + b,
  "core.sub": (a, b) => a - b,
  "core.mul": (a, b) => a * b,
  "core.div": (a, b) => a / b,
  "core.maximum": (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : a > b ? a : b),
  "core.minimum": (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : a < b ? a : b),
};

const activations: Record<string, (v: number) => number> = {
  NONE: (v) => v,
  RELU: (v) => (v < 0 ? 0 : v),
  RELU6: (v) => (v < 0 ? 0 : v > 6 ? 6 : v),
  RELU_N1_TO_1: (v) => (v < -1 ? -1 : v > 1 ? 1 : v),
};

describe("element-wise properties", () => {
  it("binary ops with broadcasting equal a naive multi-index walk", () => {
    const arb = fc
      .record({
        out: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 }),
        op: fc.constantFrom(...Object.keys(binaryNaive)),
        act: fc.constantFrom(...Object.keys(activations)),
      })
      .chain((p) =>
        fc
          .record({
            aDrop: fc.integer({ min: 0, max: p.out.length }),
            bDrop: fc.integer({ min: 0, max: p.out.length }),
            aOnes: fc.array(fc.boolean(), { minLength: p.out.length, maxLength: p.out.length }),
            bOnes: fc.array(fc.boolean(), { minLength: p.out.length, maxLength: p.out.length }),
          })
          .chain((q) => {
            const aShape = p.out.map((d, i) => (q.aOnes[i] ? 1 : d)).slice(q.aDrop);
            const bShape = p.out.map((d, i) => (q.bOnes[i] ? 1 : d)).slice(q.bDrop);
            const n = (s: number[]) => fc.array(value, { minLength: product(s), maxLength: product(s) });
            return fc.record({
              p: fc.constant(p),
              aShape: fc.constant(aShape),
              bShape: fc.constant(bShape),
              a: n(aShape).map((v) => Float32Array.from(v)),
              b: n(bShape).map((v) => Float32Array.from(v)),
            });
          }),
      );
    fc.assert(
      fc.property(arb, ({ p, aShape, bShape, a, b }) => {
        const { y } = runOp(
          p.op,
          [
            { shape: aShape, data: a },
            { shape: bShape, data: b },
          ],
          { fusedActivation: p.act },
        );
        const rank = Math.max(aShape.length, bShape.length);
        const outShape = Array.from({ length: rank }, (_, d) =>
          Math.max(aShape[d - (rank - aShape.length)] ?? 1, bShape[d - (rank - bShape.length)] ?? 1),
        );
        expect(y.shape).toEqual(outShape);
        const expected: number[] = [];
        for (let f = 0; f < product(outShape); f++) {
          const idx = unravel(f, outShape);
          const v = Math.fround(
            binaryNaive[p.op]!(broadcastRead(a, aShape, idx), broadcastRead(b, bShape, idx)),
          );
          expected.push(activations[p.act]!(v));
        }
        expectSame(list(y), expected);
      }),
      { seed: 4242, numRuns: 300 },
    );
  });

  it("unary ops equal their textbook formulas", () => {
    const formulas: [string, Attrs, (x: number) => number, boolean][] = [
      ["core.relu", {}, (x) => Math.max(x, 0), true],
      ["core.relu6", {}, (x) => Math.min(Math.max(x, 0), 6), true],
      ["core.leaky_relu", { alpha: 0.2 }, (x) => (x >= 0 ? x : 0.2 * x), true],
      ["core.logistic", {}, (x) => 1 / (1 + Math.exp(-x)), false],
      ["core.tanh", {}, (x) => Math.tanh(x), false],
      ["core.hard_swish", {}, (x) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6, true],
      ["core.clip", { min: -2, max: 3 }, (x) => Math.min(Math.max(x, -2), 3), true],
      ["core.sign", {}, (x) => Math.sign(x), true],
    ];
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 20 }),
        fc.constantFrom(...formulas),
        (xs, [op, attrs, f, exact]) => {
          const x = Float32Array.from(xs);
          const y = list(runOp(op, [{ shape: [x.length], data: x }], attrs).y);
          const expected = Array.from(x, (v) => Math.fround(f(v)));
          if (exact) expectSame(y, expected);
          else expectClose(y, expected);
        },
      ),
      { seed: 17, numRuns: 200 },
    );
  });
});
