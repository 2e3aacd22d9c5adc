import fc from "fast-check";
import type { Attrs } from "../attrs.js";
import { graphBuilder } from "../builder.js";
import { corePlugin } from "../core-plugin.js";
import { allocateData, type DType, type TensorData } from "../dtype.js";
import { createInterpreter } from "../interpreter.js";
import { createRegistry } from "../registry.js";
import { type QuantParams, quantParams, type Value } from "../tensor-info.js";

const registry = createRegistry([corePlugin]);

interface In {
  readonly shape: readonly number[];
  readonly data: TensorData;
  readonly dtype?: DType;
  readonly quant?: QuantParams;
}

/** Builds a one-node graph of graph inputs, runs it, and returns its output and kernel name. */
function runOp(
  op: string,
  inputs: readonly In[],
  attrs: Attrs = {},
  out: { quant?: QuantParams } = {},
): { y: Value; kernel: string } {
  const g = graphBuilder(registry);
  const ids = inputs.map((t, i) => g.input(`x${i}`, t.shape, t.dtype ?? "float32", t.quant));
  g.output(g.op(op, ids, attrs, out.quant !== undefined ? { outputs: [{ quant: out.quant }] } : {}));
  const interp = createInterpreter(g.build(), { registry });
  return { y: interp.invoke(inputs.map((t) => t.data))[0]!, kernel: interp.kernelNames[0]! };
}

const f32 = (...v: number[]) => Float32Array.from(v);
const list = (v: Value) => Array.from(v.data as ArrayLike<number | bigint>);

describe("reshape-like ops (any dtype)", () => {
  const x = { shape: [2, 3], data: f32(1, 2, 3, 4, 5, 6) };

  it("reshape keeps the row-major order, inferring one −1", () => {
    const { y, kernel } = runOp("core.reshape", [x], { shape: [3, -1] });
    expect(kernel).toBe("core/any");
    expect(y.shape).toEqual([3, 2]);
    expect(list(y)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("flatten, squeeze and expand_dims copy values under the new shape", () => {
    const cube = { shape: [2, 2, 2], data: f32(0, 1, 2, 3, 4, 5, 6, 7) };
    const flat = runOp("core.flatten", [cube], { axis: 1 }).y;
    expect(flat.shape).toEqual([2, 4]);
    expect(list(flat)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const sq = runOp("core.squeeze", [{ shape: [1, 3, 1], data: f32(7, 8, 9) }]).y;
    expect(sq.shape).toEqual([3]);
    expect(list(sq)).toEqual([7, 8, 9]);
    const ex = runOp("core.expand_dims", [x], { axis: 0 }).y;
    expect(ex.shape).toEqual([1, 2, 3]);
    expect(list(ex)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("moves quantized int8, int64 and bool values unchanged", () => {
    const q = quantParams(0.25, -3);
    const i8 = runOp(
      "core.reshape",
      [{ shape: [4], data: Int8Array.of(-128, -1, 0, 127), dtype: "int8", quant: q }],
      { shape: [2, 2] },
      { quant: q },
    );
    expect(i8.kernel).toBe("core/any");
    expect(i8.y.data).toBeInstanceOf(Int8Array);
    expect(list(i8.y)).toEqual([-128, -1, 0, 127]);
    const i64 = runOp("core.squeeze", [
      { shape: [2, 1], data: BigInt64Array.of(-(2n ** 62n), 5n), dtype: "int64" },
    ]);
    expect(list(i64.y)).toEqual([-(2n ** 62n), 5n]);
    const b = runOp("core.flatten", [{ shape: [1, 3], data: Uint8Array.of(1, 0, 1), dtype: "bool" }], {
      axis: 0,
    });
    expect(b.y.shape).toEqual([1, 3]);
    expect(list(b.y)).toEqual([1, 0, 1]);
  });

  it("refuses to move values between different quantizations (that would need requantization)", () => {
    const g = graphBuilder(registry);
    const x8 = g.input("x", [4], "int8", quantParams(0.5, 0));
    g.output(g.op("core.reshape", [x8], { shape: [2, 2] }, { outputs: [{ quant: quantParams(0.25, 0) }] }));
    expect(() => createInterpreter(g.build(), { registry })).toThrow(
      expect.objectContaining({ code: "MCU_E_NO_KERNEL" }),
    );
  });

  it("repacks bit tensors when the last axis changes", () => {
    // x: [2,3] bits, row 0 = (1,0,1) → word 0b101 = 5, row 1 = (1,1,0) → word 0b011 = 3.
    const bits = { shape: [2, 3], data: Uint32Array.of(5, 3), dtype: "bit" as const };
    // [3,2]: rows (1,0), (1,1), (1,0) → words 1, 3, 1
    expect(list(runOp("core.reshape", [bits], { shape: [3, 2] }).y)).toEqual([1, 3, 1]);
    // [6]: one row (1,0,1,1,1,0) → bits 0,2,3,4 → 1 + 4 + 8 + 16 = 29
    expect(list(runOp("core.reshape", [bits], { shape: [6] }).y)).toEqual([29]);
    // [1,2,3]: the last axis is unchanged, so is the storage
    expect(list(runOp("core.expand_dims", [bits], { axis: 0 }).y)).toEqual([5, 3]);
  });
});

describe("core.transpose (any dtype)", () => {
  it("transposes a matrix", () => {
    // [[1,2,3],[4,5,6]]ᵀ = [[1,4],[2,5],[3,6]]
    const { y } = runOp("core.transpose", [{ shape: [2, 3], data: f32(1, 2, 3, 4, 5, 6) }], { perm: [1, 0] });
    expect(y.shape).toEqual([3, 2]);
    expect(list(y)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it("permutes rank-3 axes", () => {
    // x[i,j,k] = 4i + 2j + k; perm [2,0,1] gives y[k,i,j] = x[i,j,k]:
    // k=0: (i,j) = (0,0),(0,1),(1,0),(1,1) → 0,2,4,6;  k=1: → 1,3,5,7
    const { y } = runOp(
      "core.transpose",
      [{ shape: [2, 2, 2], data: Int16Array.of(0, 1, 2, 3, 4, 5, 6, 7), dtype: "int16" }],
      {
        perm: [2, 0, 1],
      },
    );
    expect(list(y)).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
  });

  it("transposes bit tensors element by element", () => {
    // x rows (1,0,1), (1,1,0); y = xᵀ rows (1,1), (0,1), (1,0) → words 3, 2, 1
    const { y } = runOp("core.transpose", [{ shape: [2, 3], data: Uint32Array.of(5, 3), dtype: "bit" }], {
      perm: [1, 0],
    });
    expect(list(y)).toEqual([3, 2, 1]);
  });
});

describe("core.concat (any dtype)", () => {
  it("joins along the first and the last axis", () => {
    // [[1,2]] ++ [[3,4],[5,6]] along 0
    const y0 = runOp(
      "core.concat",
      [
        { shape: [1, 2], data: f32(1, 2) },
        { shape: [2, 2], data: f32(3, 4, 5, 6) },
      ],
      { axis: 0 },
    ).y;
    expect(y0.shape).toEqual([3, 2]);
    expect(list(y0)).toEqual([1, 2, 3, 4, 5, 6]);
    // [[1,2],[3,4]] ++ [[5],[6]] along −1 → [[1,2,5],[3,4,6]]
    const y1 = runOp(
      "core.concat",
      [
        { shape: [2, 2], data: f32(1, 2, 3, 4) },
        { shape: [2, 1], data: f32(5, 6) },
      ],
      { axis: -1 },
    ).y;
    expect(y1.shape).toEqual([2, 3]);
    expect(list(y1)).toEqual([1, 2, 5, 3, 4, 6]);
  });

  it("applies a fused activation to float32", () => {
    const { y } = runOp(
      "core.concat",
      [
        { shape: [2], data: f32(-1, 2) },
        { shape: [2], data: f32(9, -4) },
      ],
      {
        axis: 0,
        fusedActivation: "RELU6",
      },
    );
    expect(list(y)).toEqual([0, 2, 6, 0]);
  });

  it("joins int8 with shared quantization, but refuses a fused activation on it", () => {
    const q = quantParams(0.1, 4);
    const a = { shape: [1, 2], data: Int8Array.of(1, 2), dtype: "int8" as const, quant: q };
    const b = { shape: [1, 1], data: Int8Array.of(-3), dtype: "int8" as const, quant: q };
    expect(list(runOp("core.concat", [a, b], { axis: 1 }, { quant: q }).y)).toEqual([1, 2, -3]);
    expect(() => runOp("core.concat", [a, b], { axis: 1, fusedActivation: "RELU" }, { quant: q })).toThrow(
      expect.objectContaining({ code: "MCU_E_NO_KERNEL" }),
    );
  });

  it("joins bit tensors along the packed axis", () => {
    // rows (1,0,1)++(1,0,1) = bits 0,2,3,5 → 45;  (1,1,0)++(1,1,0) = bits 0,1,3,4 → 27
    const bits = { shape: [2, 3], data: Uint32Array.of(5, 3), dtype: "bit" as const };
    const { y } = runOp("core.concat", [bits, bits], { axis: 1 });
    expect(y.shape).toEqual([2, 6]);
    expect(list(y)).toEqual([45, 27]);
  });
});

// ---- Properties against naive definitions ------------------------------------------------

const product = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return idx;
}

function ravel(idx: readonly number[], shape: readonly number[]): number {
  let f = 0;
  for (let d = 0; d < shape.length; d++) f = f * shape[d]! + idx[d]!;
  return f;
}

/** Packs 0/1 elements into `bit` storage: rows of the last axis, 32 per word, LSB first. */
function packBits(elems: readonly number[], shape: readonly number[]): Uint32Array {
  const last = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  const words = Math.ceil(last / 32);
  const out = new Uint32Array((elems.length / last) * words);
  elems.forEach((b, e) => {
    const row = Math.floor(e / last);
    const col = e % last;
    if (b !== 0) out[row * words + Math.floor(col / 32)]! |= 1 << (col % 32);
  });
  return out;
}

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 });
// An element per index; bit tensors need 0/1 and wide last axes to cross word boundaries.
const dtypeArb = fc.constantFrom<"float32" | "int32" | "bit">("float32", "int32", "bit");

function makeData(
  dtype: "float32" | "int32" | "bit",
  shape: readonly number[],
  elems: readonly number[],
): TensorData {
  if (dtype === "bit") return packBits(elems, shape);
  const d = allocateData(dtype, shape);
  elems.forEach((v, i) => {
    d[i] = v;
  });
  return d;
}

describe("movement properties", () => {
  it("transpose equals a naive index permutation", () => {
    const arb = fc
      .record({ shape: shapeArb, dtype: dtypeArb, wide: fc.boolean() })
      .chain(({ shape, dtype, wide }) => {
        // Sometimes a last axis of 33..40 so bit rows span two words.
        const s = wide ? [...shape.slice(0, -1), 33 + (shape[shape.length - 1]! % 8)] : shape;
        return fc.record({
          shape: fc.constant(s),
          dtype: fc.constant(dtype),
          perm: fc.shuffledSubarray(
            s.map((_, i) => i),
            { minLength: s.length, maxLength: s.length },
          ),
          elems: fc.array(fc.integer({ min: dtype === "bit" ? 0 : -1000, max: dtype === "bit" ? 1 : 1000 }), {
            minLength: product(s),
            maxLength: product(s),
          }),
        });
      });
    fc.assert(
      fc.property(arb, ({ shape, dtype, perm, elems }) => {
        const { y } = runOp("core.transpose", [{ shape, dtype, data: makeData(dtype, shape, elems) }], {
          perm,
        });
        const outShape = perm.map((p) => shape[p]!);
        expect(y.shape).toEqual(outShape);
        const expected: number[] = [];
        for (let f = 0; f < product(outShape); f++) {
          const o = unravel(f, outShape);
          const src = new Array<number>(shape.length);
          perm.forEach((p, i) => {
            src[p] = o[i]!;
          });
          expected.push(elems[ravel(src, shape)]!);
        }
        expect(list(y)).toEqual(list({ ...y, data: makeData(dtype, outShape, expected) }));
      }),
      { seed: 31337, numRuns: 200 },
    );
  });

  it("concat equals a naive pick of the input that owns each output index", () => {
    const arb = fc
      .record({ shape: shapeArb, dtype: dtypeArb, n: fc.integer({ min: 1, max: 4 }) })
      .chain(({ shape, dtype, n }) =>
        fc.record({
          shape: fc.constant(shape),
          dtype: fc.constant(dtype),
          axis: fc.integer({ min: 0, max: shape.length - 1 }),
          sizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: n, maxLength: n }),
          negative: fc.boolean(),
        }),
      )
      .chain((p) => {
        const shapes = p.sizes.map((s) => p.shape.map((d, i) => (i === p.axis ? s : d)));
        return fc.record({
          p: fc.constant(p),
          shapes: fc.constant(shapes),
          elems: fc.tuple(
            ...shapes.map((s) =>
              fc.array(fc.integer({ min: p.dtype === "bit" ? 0 : -99, max: p.dtype === "bit" ? 1 : 99 }), {
                minLength: product(s),
                maxLength: product(s),
              }),
            ),
          ),
        });
      });
    fc.assert(
      fc.property(arb, ({ p, shapes, elems }) => {
        const axisAttr = p.negative ? p.axis - p.shape.length : p.axis;
        const { y } = runOp(
          "core.concat",
          shapes.map((s, i) => ({ shape: s, dtype: p.dtype, data: makeData(p.dtype, s, elems[i]!) })),
          { axis: axisAttr },
        );
        const total = p.sizes.reduce((a, b) => a + b, 0);
        const outShape = p.shape.map((d, i) => (i === p.axis ? total : d));
        expect(y.shape).toEqual(outShape);
        const expected: number[] = [];
        for (let f = 0; f < product(outShape); f++) {
          const idx = unravel(f, outShape);
          let k = 0;
          let c = idx[p.axis]!;
          while (c >= p.sizes[k]!) c -= p.sizes[k++]!;
          const src = idx.map((v, d) => (d === p.axis ? c : v));
          expected.push(elems[k]![ravel(src, shapes[k]!)]!);
        }
        expect(list(y)).toEqual(list({ ...y, data: makeData(p.dtype, outShape, expected) }));
      }),
      { seed: 2718, numRuns: 200 },
    );
  });

  it("reshape of bit tensors preserves every element", () => {
    const arb = fc
      .record({ rows: fc.integer({ min: 1, max: 4 }), cols: fc.integer({ min: 1, max: 70 }) })
      .chain(({ rows, cols }) =>
        fc.record({
          rows: fc.constant(rows),
          cols: fc.constant(cols),
          elems: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: rows * cols, maxLength: rows * cols }),
        }),
      );
    fc.assert(
      fc.property(arb, ({ rows, cols, elems }) => {
        const { y } = runOp(
          "core.reshape",
          [{ shape: [rows, cols], dtype: "bit", data: packBits(elems, [rows, cols]) }],
          {
            shape: [cols, rows],
          },
        );
        expect(list(y)).toEqual(Array.from(packBits(elems, [cols, rows])));
      }),
      { seed: 5, numRuns: 100 },
    );
  });
});
