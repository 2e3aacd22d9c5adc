import fc from "fast-check";
import type { Attrs } from "../attrs.js";
import { graphBuilder } from "../builder.js";
import { corePlugin } from "../core-plugin.js";
import { createInterpreter } from "../interpreter.js";
import { createRegistry } from "../registry.js";
import type { Value } from "../tensor-info.js";

const registry = createRegistry([corePlugin]);

interface In {
  readonly shape: readonly number[];
  readonly data: Float32Array;
  /** Becomes a graph constant instead of a graph input. */
  readonly constant?: boolean;
}

/** Builds a one-node float32 graph, runs it, and returns its output and the kernel that ran. */
function runOp(
  op: string,
  inputs: readonly (In | undefined)[],
  attrs: Attrs = {},
): { y: Value; kernel: string } {
  const g = graphBuilder(registry);
  const feeds: Float32Array[] = [];
  const ids = inputs.map((t, i) => {
    if (t === undefined) return undefined;
    if (t.constant === true) return g.constant(`c${i}`, t.data, t.shape);
    feeds.push(t.data);
    return g.input(`x${i}`, t.shape);
  });
  g.output(g.op(op, ids, attrs));
  const interp = createInterpreter(g.build(), { registry });
  return { y: interp.invoke(feeds)[0]!, kernel: interp.kernelNames[0]! };
}

const f32 = (...v: number[]) => Float32Array.from(v);

/** |actual − expected| ≤ 1e-6·|expected| (plus a 1e-12 floor for exact zeros). */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (Math.abs(a - e) > rel * Math.abs(e) + 1e-12) {
      throw new Error(`element ${i}: got ${a}, expected ${e}`);
    }
  }
}

// ---- Naive definitions, written independently of the kernels ----------------------------

/** C = op(A)·op(B) by the textbook triple loop, reading A and B through explicit index math. */
function naiveMatmul(
  a: Float32Array,
  aShape: readonly [number, number],
  b: Float32Array,
  bShape: readonly [number, number],
  ta: boolean,
  tb: boolean,
): number[] {
  const A = (i: number, p: number) => (ta ? a[p * aShape[1] + i]! : a[i * aShape[1] + p]!);
  const B = (p: number, j: number) => (tb ? b[j * bShape[1] + p]! : b[p * bShape[1] + j]!);
  const m = ta ? aShape[1] : aShape[0];
  const k = ta ? aShape[0] : aShape[1];
  const n = tb ? bShape[0] : bShape[1];
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += A(i, p) * B(p, j);
      out.push(s);
    }
  }
  return out;
}

const product = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

/** Row-major multi-index of flat position `flat` in `shape`. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return idx;
}

/** Flat position of a multi-index in `shape`. */
function ravel(idx: readonly number[], shape: readonly number[]): number {
  let f = 0;
  for (let d = 0; d < shape.length; d++) f = f * shape[d]! + idx[d]!;
  return f;
}

// ---- Hand-derived cases ----------------------------------------------------------------

describe("core.fully_connected (float32)", () => {
  // x = [[1,2,3],[4,5,6]], w = [[1,0,-1],[0.5,0.5,0.5]], bias = [10,-1]
  // y[0] = [1−3+10, 0.5·6−1] = [8, 2];  y[1] = [4−6+10, 0.5·15−1] = [8, 6.5]
  const x = f32(1, 2, 3, 4, 5, 6);
  const w = f32(1, 0, -1, 0.5, 0.5, 0.5);
  const bias = f32(10, -1);

  it("computes x·wᵀ + bias", () => {
    const { y, kernel } = runOp("core.fully_connected", [
      { shape: [2, 3], data: x },
      { shape: [2, 3], data: w, constant: true },
      { shape: [2], data: bias, constant: true },
    ]);
    expect(kernel).toBe("core/float32");
    expect(y.shape).toEqual([2, 2]);
    expect([...y.data]).toEqual([8, 2, 8, 6.5]);
  });

  it("works without bias and with a non-constant weight", () => {
    // y[0] = [1−3, 0.5·6] = [−2, 3];  y[1] = [4−6, 0.5·15] = [−2, 7.5]
    const { y } = runOp("core.fully_connected", [
      { shape: [2, 3], data: x },
      { shape: [2, 3], data: w },
    ]);
    expect([...y.data]).toEqual([-2, 3, -2, 7.5]);
  });

  it("applies the fused activation (RELU6: 8 → 6, 6.5 → 6)", () => {
    const { y } = runOp(
      "core.fully_connected",
      [
        { shape: [2, 3], data: x },
        { shape: [2, 3], data: w, constant: true },
        { shape: [2], data: bias, constant: true },
      ],
      { fusedActivation: "RELU6" },
    );
    expect([...y.data]).toEqual([6, 2, 6, 6]);
  });

  it("applies RELU_N1_TO_1 and TANH", () => {
    const ins = [
      { shape: [2, 3], data: x },
      { shape: [2, 3], data: w, constant: true },
    ];
    // Raw outputs [−2, 3, −2, 7.5]
    expect([...runOp("core.fully_connected", ins, { fusedActivation: "RELU_N1_TO_1" }).y.data]).toEqual([
      -1, 1, -1, 1,
    ]);
    expectClose(runOp("core.fully_connected", ins, { fusedActivation: "TANH" }).y.data as Float32Array, [
      Math.tanh(-2),
      Math.tanh(3),
      Math.tanh(-2),
      Math.tanh(7.5),
    ]);
  });

  it("flattens x to [numel/in, in], or keeps its leading axes with keepNumDims", () => {
    // x [1,2,3] is read as two rows of 3 features.
    const flat = runOp("core.fully_connected", [
      { shape: [1, 2, 3], data: x },
      { shape: [2, 3], data: w, constant: true },
      { shape: [2], data: bias, constant: true },
    ]).y;
    expect(flat.shape).toEqual([2, 2]);
    expect([...flat.data]).toEqual([8, 2, 8, 6.5]);
    const kept = runOp(
      "core.fully_connected",
      [
        { shape: [1, 2, 3], data: x },
        { shape: [2, 3], data: w, constant: true },
        { shape: [2], data: bias, constant: true },
      ],
      { keepNumDims: true },
    ).y;
    expect(kept.shape).toEqual([1, 2, 2]);
    expect([...kept.data]).toEqual([8, 2, 8, 6.5]);
    // x [2,1,2] with in = 2 features: rows [1,2] and [3,4]; w = [[1,1]] → [3, 7]
    const rows = runOp("core.fully_connected", [
      { shape: [2, 1, 2], data: f32(1, 2, 3, 4) },
      { shape: [1, 2], data: f32(1, 1), constant: true },
    ]).y;
    expect(rows.shape).toEqual([2, 1]);
    expect([...rows.data]).toEqual([3, 7]);
  });
});

describe("core.matmul (float32)", () => {
  // [[1,2,3],[4,5,6]] · [[7,8],[9,10],[11,12]]
  //   = [[1·7+2·9+3·11, 1·8+2·10+3·12], [4·7+5·9+6·11, 4·8+5·10+6·12]] = [[58,64],[139,154]]
  const a = f32(1, 2, 3, 4, 5, 6);
  const aT = f32(1, 4, 2, 5, 3, 6); // aᵀ, shape [3,2]
  const b = f32(7, 8, 9, 10, 11, 12);
  const bT = f32(7, 9, 11, 8, 10, 12); // bᵀ, shape [2,3]
  const expected = [58, 64, 139, 154];

  it("multiplies, with and without transposed operands", () => {
    const cases: [Float32Array, number[], Float32Array, number[], Attrs][] = [
      [a, [2, 3], b, [3, 2], {}],
      [aT, [3, 2], b, [3, 2], { transposeA: true }],
      [a, [2, 3], bT, [2, 3], { transposeB: true }],
      [aT, [3, 2], bT, [2, 3], { transposeA: true, transposeB: true }],
    ];
    for (const [ad, as, bd, bs, attrs] of cases) {
      const { y, kernel } = runOp(
        "core.matmul",
        [
          { shape: as, data: ad },
          { shape: bs, data: bd },
        ],
        attrs,
      );
      expect(kernel).toBe("core/float32");
      expect(y.shape).toEqual([2, 2]);
      expect([...y.data]).toEqual(expected);
    }
  });
});

describe("core.batch_matmul (float32)", () => {
  it("broadcasts a rank-2 operand over the batch", () => {
    // a = [[[1,2]], [[3,4]]] (batch 2 of 1×2), b = [[1],[10]] (2×1, shared):
    // [1+20] = 21, [3+40] = 43
    const { y } = runOp("core.batch_matmul", [
      { shape: [2, 1, 2], data: f32(1, 2, 3, 4) },
      { shape: [2, 1], data: f32(1, 10) },
    ]);
    expect(y.shape).toEqual([2, 1, 1]);
    expect([...y.data]).toEqual([21, 43]);
  });

  it("broadcasts size-1 batch axes on both sides", () => {
    // a: [2,1,1,1] = batches a0 = 1, a1 = 2;  b: [1,3,1,1] = b0 = 10, b1 = 20, b2 = 30
    // y[i,j] = a_i · b_j → [[10,20,30],[20,40,60]]
    const { y } = runOp("core.batch_matmul", [
      { shape: [2, 1, 1, 1], data: f32(1, 2) },
      { shape: [1, 3, 1, 1], data: f32(10, 20, 30) },
    ]);
    expect(y.shape).toEqual([2, 3, 1, 1]);
    expect([...y.data]).toEqual([10, 20, 30, 20, 40, 60]);
  });

  it("transposes per batch (adj_x, adj_y)", () => {
    // batch 0: a = [[1],[2]] → aᵀ = [[1,2]];  b = [[3,4]] → bᵀ = [[3],[4]];  1·3 + 2·4 = 11
    // batch 1: a = [[5],[6]] → aᵀ = [[5,6]];  b = [[7,8]] → bᵀ = [[7],[8]];  5·7 + 6·8 = 83
    const { y } = runOp(
      "core.batch_matmul",
      [
        { shape: [2, 2, 1], data: f32(1, 2, 5, 6) },
        { shape: [2, 1, 2], data: f32(3, 4, 7, 8) },
      ],
      { transposeA: true, transposeB: true },
    );
    expect(y.shape).toEqual([2, 1, 1]);
    expect([...y.data]).toEqual([11, 83]);
  });
});

// ---- Properties against the naive definitions ----------------------------------------------

const value = fc.integer({ min: -1000, max: 1000 }).map((v) => v / 64);
const values = (n: number) =>
  fc.array(value, { minLength: n, maxLength: n }).map((v) => Float32Array.from(v));

describe("dense properties", () => {
  it("matmul equals the naive triple loop for every transpose combination", () => {
    const arb = fc
      .record({
        m: fc.integer({ min: 1, max: 5 }),
        k: fc.integer({ min: 1, max: 6 }),
        n: fc.integer({ min: 1, max: 5 }),
      })
      .chain(({ m, k, n }) =>
        fc.record({
          m: fc.constant(m),
          k: fc.constant(k),
          n: fc.constant(n),
          ta: fc.boolean(),
          tb: fc.boolean(),
          a: values(m * k),
          b: values(k * n),
        }),
      );
    fc.assert(
      fc.property(arb, ({ m, k, n, ta, tb, a, b }) => {
        const aShape: [number, number] = ta ? [k, m] : [m, k];
        const bShape: [number, number] = tb ? [n, k] : [k, n];
        const { y } = runOp(
          "core.matmul",
          [
            { shape: aShape, data: a },
            { shape: bShape, data: b },
          ],
          {
            transposeA: ta,
            transposeB: tb,
          },
        );
        expect(y.shape).toEqual([m, n]);
        expectClose(y.data as Float32Array, naiveMatmul(a, aShape, b, bShape, ta, tb));
      }),
      { seed: 1234, numRuns: 150 },
    );
  });

  it("batch_matmul equals per-batch naive matmul with explicit broadcast index math", () => {
    const arb = fc
      .record({
        batch: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 3 }),
        m: fc.integer({ min: 1, max: 4 }),
        k: fc.integer({ min: 1, max: 4 }),
        n: fc.integer({ min: 1, max: 4 }),
        ta: fc.boolean(),
        tb: fc.boolean(),
      })
      .chain((p) =>
        fc
          .record({
            // Each operand keeps a suffix of the batch axes, and may set any of them to 1.
            aDrop: fc.integer({ min: 0, max: p.batch.length }),
            bDrop: fc.integer({ min: 0, max: p.batch.length }),
            aOnes: fc.array(fc.boolean(), { minLength: p.batch.length, maxLength: p.batch.length }),
            bOnes: fc.array(fc.boolean(), { minLength: p.batch.length, maxLength: p.batch.length }),
          })
          .chain((q) => {
            const aBatch = p.batch.map((d, i) => (q.aOnes[i] ? 1 : d)).slice(q.aDrop);
            const bBatch = p.batch.map((d, i) => (q.bOnes[i] ? 1 : d)).slice(q.bDrop);
            const aShape = [...aBatch, ...(p.ta ? [p.k, p.m] : [p.m, p.k])];
            const bShape = [...bBatch, ...(p.tb ? [p.n, p.k] : [p.k, p.n])];
            return fc.record({
              p: fc.constant(p),
              aShape: fc.constant(aShape),
              bShape: fc.constant(bShape),
              a: values(product(aShape)),
              b: values(product(bShape)),
            });
          }),
      );
    fc.assert(
      fc.property(arb, ({ p, aShape, bShape, a, b }) => {
        const { y } = runOp(
          "core.batch_matmul",
          [
            { shape: aShape, data: a },
            { shape: bShape, data: b },
          ],
          {
            transposeA: p.ta,
            transposeB: p.tb,
          },
        );
        const aB = aShape.slice(0, -2);
        const bB = bShape.slice(0, -2);
        const rank = Math.max(aB.length, bB.length);
        const outB: number[] = [];
        for (let d = 0; d < rank; d++) {
          const da = aB[d - (rank - aB.length)] ?? 1;
          const db = bB[d - (rank - bB.length)] ?? 1;
          outB.push(Math.max(da, db));
        }
        expect(y.shape).toEqual([...outB, p.m, p.n]);
        const aMat = aShape.slice(-2) as [number, number];
        const bMat = bShape.slice(-2) as [number, number];
        const expected: number[] = [];
        for (let t = 0; t < product(outB); t++) {
          const idx = unravel(t, outB);
          // Right-align each operand's batch axes with the output's; a size-1 axis reads index 0.
          const ai = aB.map((d, i) => (d === 1 ? 0 : idx[i + rank - aB.length]!));
          const bi = bB.map((d, i) => (d === 1 ? 0 : idx[i + rank - bB.length]!));
          const aOff = ravel(ai, aB) * product(aMat);
          const bOff = ravel(bi, bB) * product(bMat);
          const am = a.subarray(aOff, aOff + product(aMat));
          const bm = b.subarray(bOff, bOff + product(bMat));
          expected.push(...naiveMatmul(am, aMat, bm, bMat, p.ta, p.tb));
        }
        expectClose(y.data as Float32Array, expected);
      }),
      { seed: 99, numRuns: 150 },
    );
  });

  it("fully_connected equals x·wᵀ (a naive matmul with transposeB) + bias, then the activation", () => {
    const acts = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"] as const;
    const clamp = (v: number, act: (typeof acts)[number]) =>
      act === "RELU"
        ? Math.max(v, 0)
        : act === "RELU6"
          ? Math.min(Math.max(v, 0), 6)
          : act === "RELU_N1_TO_1"
            ? Math.min(Math.max(v, -1), 1)
            : v;
    const arb = fc
      .record({
        rows: fc.integer({ min: 1, max: 4 }),
        inF: fc.integer({ min: 1, max: 8 }),
        outF: fc.integer({ min: 1, max: 5 }),
        withBias: fc.boolean(),
        act: fc.constantFrom(...acts),
      })
      .chain((p) =>
        fc.record({
          p: fc.constant(p),
          x: values(p.rows * p.inF),
          w: values(p.outF * p.inF),
          b: values(p.outF),
        }),
      );
    fc.assert(
      fc.property(arb, ({ p, x, w, b }) => {
        const { y } = runOp(
          "core.fully_connected",
          [
            { shape: [p.rows, p.inF], data: x },
            { shape: [p.outF, p.inF], data: w, constant: true },
            p.withBias ? { shape: [p.outF], data: b, constant: true } : undefined,
          ],
          { fusedActivation: p.act },
        );
        const xw = naiveMatmul(x, [p.rows, p.inF], w, [p.outF, p.inF], false, true);
        const expected = xw.map((v, i) => clamp(v + (p.withBias ? b[i % p.outF]! : 0), p.act));
        expectClose(y.data as Float32Array, expected);
      }),
      { seed: 7, numRuns: 150 },
    );
  });
});
