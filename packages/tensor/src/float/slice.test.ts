/**
 * The dtype-agnostic slice, strided_slice and pad kernels against naive definitions written
 * here: TensorFlow's strided_slice spelled out per axis with Python's slice(b, e, s).indices(n),
 * NumPy's pad modes, and hand-derived int8 cases. Graphs run through the builder, `verify` and
 * the interpreter with the core registry.
 */
import fc from "fast-check";
import { graphBuilder } from "../builder.js";
import { corePlugin } from "../core-plugin.js";
import type { DType, TensorData } from "../dtype.js";
import { createInterpreter } from "../interpreter.js";
import { createRegistry } from "../registry.js";
import type { QuantParams } from "../tensor-info.js";
import { verify } from "../verify.js";

const registry = createRegistry([corePlugin]);

function numel(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** Distinct values 0, 1, 2, ... (wrapping to stay in int8) so that every copy is traceable. */
function iota(dtype: "float32" | "int8", n: number): Float32Array | Int8Array {
  if (dtype === "float32") return Float32Array.from({ length: n }, (_, i) => i + 0.5);
  return Int8Array.from({ length: n }, (_, i) => ((i + 128) % 256) - 128);
}

interface RunOptions {
  readonly dtype?: DType;
  readonly inQuant?: QuantParams;
  readonly outQuant?: QuantParams;
}

/** Builds, verifies and runs a one-node graph; returns the output and the chosen kernel. */
function runOne(
  op: string,
  shape: readonly number[],
  data: TensorData,
  attrs: Record<string, unknown>,
  opts: RunOptions = {},
): { shape: readonly number[]; data: TensorData; kernel: string } {
  const b = graphBuilder(registry);
  const x = b.input("x", shape, opts.dtype ?? "float32", opts.inQuant);
  const y = b.op(op, [x], attrs as never, opts.outQuant ? { outputs: [{ quant: opts.outQuant }] } : {});
  const graph = verify(b.output(y).build(), registry);
  const interp = createInterpreter(graph, { registry });
  const [out] = interp.invoke([data]);
  return { shape: out!.shape, data: out!.data, kernel: interp.kernelNames[0]! };
}

// ---------------------------------------------------------------------------------------------
// strided_slice

/**
 * CPython's slice.indices(length) (Objects/sliceobject.c, PySlice_GetIndicesEx): None takes
 * the end of the range in the step's direction; negative values count from the end; results
 * are clamped to [0, length] for a positive step and [−1, length − 1] for a negative one.
 * Returns the index list range(start, stop, step).
 */
function pySliceIndices(start: number | null, stop: number | null, step: number, length: number): number[] {
  const lower = step < 0 ? -1 : 0;
  const upper = step < 0 ? length - 1 : length;
  const fix = (v: number | null, dflt: number): number => {
    if (v === null) return dflt;
    if (v < 0) return Math.max(v + length, lower);
    return Math.min(v, upper);
  };
  const s = fix(start, step < 0 ? upper : lower);
  const e = fix(stop, step < 0 ? lower : upper);
  const out: number[] = [];
  if (step > 0) for (let i = s; i < e; i += step) out.push(i);
  else for (let i = s; i > e; i += step) out.push(i);
  return out;
}

type SpecKind = "range" | "shrink" | "newaxis" | "ellipsis";
interface SpecEntry {
  readonly kind: SpecKind;
  readonly begin: number;
  readonly end: number;
  readonly stride: number;
  readonly beginMasked: boolean;
  readonly endMasked: boolean;
}

/**
 * tf.strided_slice as documented (tensorflow.org/api_docs/python/tf/strided_slice): entries
 * apply to input axes left to right; an ellipsis stands for as many whole axes as the other
 * axis-consuming entries leave (an implicit one is appended when there is none); a new-axis
 * entry inserts a size-1 output axis and consumes no input axis; a shrink entry takes the
 * single index `begin` (negative counts from the end; out of range is an error) and removes
 * the axis; a range entry is Python's x[begin:end:stride] with masked bounds as None.
 */
function naiveStridedSlice(
  shape: readonly number[],
  spec: readonly SpecEntry[],
): { outShape: number[]; indexLists: number[][] } | "invalid" {
  const entries = spec.some((e) => e.kind === "ellipsis")
    ? [...spec]
    : [
        ...spec,
        { kind: "ellipsis", begin: 0, end: 0, stride: 1, beginMasked: false, endMasked: false } as const,
      ];
  const consuming = entries.filter((e) => e.kind === "range" || e.kind === "shrink").length;
  if (consuming > shape.length) return "invalid";
  const outShape: number[] = [];
  const indexLists: number[][] = [];
  let axis = 0;
  for (const e of entries) {
    if (e.kind === "ellipsis") {
      for (let k = 0; k < shape.length - consuming; k++, axis++) {
        const all = Array.from({ length: shape[axis]! }, (_, i) => i);
        indexLists.push(all);
        outShape.push(all.length);
      }
    } else if (e.kind === "newaxis") {
      outShape.push(1);
    } else if (e.kind === "shrink") {
      const dim = shape[axis++]!;
      const i = e.begin < 0 ? e.begin + dim : e.begin;
      if (i < 0 || i >= dim) return "invalid";
      indexLists.push([i]);
    } else {
      const dim = shape[axis++]!;
      const list = pySliceIndices(e.beginMasked ? null : e.begin, e.endMasked ? null : e.end, e.stride, dim);
      indexLists.push(list);
      outShape.push(list.length);
    }
  }
  return { outShape, indexLists };
}

/** Gathers x at every combination of the per-axis index lists, last axis fastest. */
function gather(x: TensorData, shape: readonly number[], lists: readonly number[][]): number[] {
  const out: number[] = [];
  const rec = (axis: number, offset: number): void => {
    if (axis === shape.length) {
      out.push(Number(x[offset]!));
      return;
    }
    const stride = numel(shape.slice(axis + 1));
    for (const i of lists[axis]!) rec(axis + 1, offset + i * stride);
  };
  rec(0, 0);
  return out;
}

/** Encodes a spec as the op's attributes (sparse begin/end/strides plus bit masks). */
function specAttrs(spec: readonly SpecEntry[]): Record<string, unknown> {
  let beginMask = 0;
  let endMask = 0;
  let ellipsisMask = 0;
  let newAxisMask = 0;
  let shrinkAxisMask = 0;
  spec.forEach((e, i) => {
    if (e.beginMasked) beginMask |= 1 << i;
    if (e.endMasked) endMask |= 1 << i;
    if (e.kind === "ellipsis") ellipsisMask |= 1 << i;
    if (e.kind === "newaxis") newAxisMask |= 1 << i;
    if (e.kind === "shrink") shrinkAxisMask |= 1 << i;
  });
  return {
    begin: spec.map((e) => e.begin),
    end: spec.map((e) => e.end),
    strides: spec.map((e) => e.stride),
    beginMask,
    endMask,
    ellipsisMask,
    newAxisMask,
    shrinkAxisMask,
  };
}

const entryArb: fc.Arbitrary<SpecEntry> = fc
  .record({
    kind: fc.constantFrom<SpecKind>("range", "range", "range", "shrink", "newaxis", "ellipsis"),
    begin: fc.integer({ min: -7, max: 7 }),
    end: fc.integer({ min: -7, max: 7 }),
    stride: fc.constantFrom(-3, -2, -1, 1, 2, 3),
    beginMasked: fc.boolean(),
    endMasked: fc.boolean(),
  })
  // tf.strided_slice only allows positive strides on shrunk axes.
  .map((e) => (e.kind === "shrink" ? { ...e, stride: Math.abs(e.stride) } : e));

const sliceCase = fc.record({
  shape: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }),
  // At most one ellipsis: later ones become ranges.
  spec: fc
    .array(entryArb, { minLength: 1, maxLength: 6 })
    .map((spec) =>
      spec.map((e, i) =>
        e.kind === "ellipsis" && spec.findIndex((f) => f.kind === "ellipsis") !== i
          ? { ...e, kind: "range" as const }
          : e,
      ),
    ),
  dtype: fc.constantFrom<"float32" | "int8">("float32", "int8"),
});

describe("core.strided_slice", () => {
  it("matches TensorFlow's definition: masks, negative strides, shrink, new axes and ellipsis", () => {
    let compared = 0;
    fc.assert(
      fc.property(sliceCase, ({ shape, spec, dtype }) => {
        const want = naiveStridedSlice(shape, spec);
        const x = iota(dtype, numel(shape));
        const quant = dtype === "int8" ? { scale: [0.25], zeroPoint: [3] } : undefined;
        const opts = { dtype, ...(quant ? { inQuant: quant, outQuant: quant } : {}) };
        if (want === "invalid") {
          expect(() => runOne("core.strided_slice", shape, x, specAttrs(spec), opts)).toThrow(
            expect.objectContaining({ code: "MCU_E_ATTR" }),
          );
          return;
        }
        const got = runOne("core.strided_slice", shape, x, specAttrs(spec), opts);
        expect(got.kernel).toBe("core/any");
        expect(got.shape).toEqual(want.outShape);
        expect(got.data).toBeInstanceOf(dtype === "int8" ? Int8Array : Float32Array);
        expect([...got.data].map(Number)).toEqual(gather(x, shape, want.indexLists));
        compared++;
      }),
      { seed: 42, numRuns: 600 },
    );
    // About half the generated specs are valid, so the comparison really ran.
    expect(compared).toBeGreaterThan(200);
  });

  it("slices by hand: x[::-2, 1] of a 5x3 matrix, and x[..., newaxis, 1:]", () => {
    const x = Float32Array.from({ length: 15 }, (_, i) => i); // row r = [3r, 3r+1, 3r+2]
    const rev = runOne("core.strided_slice", [5, 3], x, {
      begin: [0, 1],
      end: [0, 2],
      strides: [-2, 1],
      beginMask: 1,
      endMask: 1,
      shrinkAxisMask: 2,
    });
    expect(rev.shape).toEqual([3]);
    expect([...rev.data]).toEqual([13, 7, 1]);
    const ell = runOne("core.strided_slice", [5, 3], x, {
      begin: [0, 0, 1],
      end: [0, 0, 3],
      strides: [1, 1, 1],
      ellipsisMask: 1,
      newAxisMask: 2,
    });
    expect(ell.shape).toEqual([5, 1, 2]);
    expect([...ell.data]).toEqual([1, 2, 4, 5, 7, 8, 10, 11, 13, 14]);
  });

  it("takes end relative to begin with TFLite's offset", () => {
    const x = Float32Array.from([10, 11, 12, 13, 14, 15]);
    const got = runOne("core.strided_slice", [6], x, { begin: [1], end: [3], strides: [1], offset: true });
    expect([...got.data]).toEqual([11, 12, 13]);
  });

  it("refuses to copy between differently quantized tensors (no kernel claims it)", () => {
    const x = Int8Array.from([1, 2, 3, 4]);
    const attrs = { begin: [1], end: [3], strides: [1] };
    const q = { scale: [0.5], zeroPoint: [0] };
    expect(() =>
      runOne("core.strided_slice", [4], x, attrs, {
        dtype: "int8",
        inQuant: q,
        outQuant: { scale: [0.25], zeroPoint: [0] },
      }),
    ).toThrow(expect.objectContaining({ code: "MCU_E_NO_KERNEL" }));
    // An unquantized output of a quantized input differs too.
    expect(() => runOne("core.strided_slice", [4], x, attrs, { dtype: "int8", inQuant: q })).toThrow(
      expect.objectContaining({ code: "MCU_E_NO_KERNEL" }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// slice

describe("core.slice", () => {
  it("copies int8 boxes, with size −1 meaning to the end", () => {
    // 3x4 int8: row r = [4r, 4r+1, 4r+2, 4r+3]; rows 1.., cols 1..2.
    const x = Int8Array.from({ length: 12 }, (_, i) => i - 6);
    const q = { scale: [0.1], zeroPoint: [-6] };
    const got = runOne(
      "core.slice",
      [3, 4],
      x,
      { begin: [1, 1], size: [-1, 2] },
      { dtype: "int8", inQuant: q, outQuant: q },
    );
    expect(got.kernel).toBe("core/any");
    expect(got.shape).toEqual([2, 2]);
    expect(got.data).toEqual(Int8Array.from([5 - 6, 6 - 6, 9 - 6, 10 - 6]));
  });

  it("equals the same box taken with Python-style indexing over random shapes", () => {
    const boxCase = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }).chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        box: fc.tuple(
          ...shape.map((d) => fc.tuple(fc.integer({ min: 0, max: d }), fc.integer({ min: 0, max: d }))),
        ),
        toEnd: fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
      }),
    );
    fc.assert(
      fc.property(boxCase, ({ shape, box, toEnd }) => {
        const begin = box.map(([a, b]) => Math.min(a, b));
        const size = box.map(([a, b], i) => (toEnd[i] ? -1 : Math.abs(a - b)));
        const x = iota("int8", numel(shape));
        const got = runOne("core.slice", shape, x, { begin, size }, { dtype: "int8" });
        const lists = shape.map((d, i) =>
          pySliceIndices(begin[i]!, size[i] === -1 ? d : begin[i]! + size[i]!, 1, d),
        );
        expect(got.shape).toEqual(lists.map((l) => l.length));
        expect([...got.data]).toEqual(gather(x, shape, lists));
      }),
      { seed: 8, numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// pad

/**
 * NumPy's np.pad modes, written per index: "constant" reads nothing outside the input, "edge"
 * repeats the border element, "reflect" mirrors about the border element without repeating
 * it (index −1 → 1, n → n − 2).
 */
function naiveSource(i: number, n: number, mode: "constant" | "reflect" | "edge"): number {
  if (i >= 0 && i < n) return i;
  if (mode === "constant") return -1;
  if (mode === "edge") return i < 0 ? 0 : n - 1;
  return i < 0 ? -i : 2 * (n - 1) - i;
}

function naivePad(
  x: TensorData,
  shape: readonly number[],
  paddings: readonly number[],
  mode: "constant" | "reflect" | "edge",
  fill: number,
): { shape: number[]; data: number[] } {
  const outShape = shape.map((d, a) => d + paddings[2 * a]! + paddings[2 * a + 1]!);
  const data: number[] = [];
  const rec = (axis: number, offset: number, inside: boolean): void => {
    if (axis === shape.length) {
      data.push(inside ? Number(x[offset]!) : fill);
      return;
    }
    const stride = numel(shape.slice(axis + 1));
    for (let o = 0; o < outShape[axis]!; o++) {
      const s = naiveSource(o - paddings[2 * axis]!, shape[axis]!, mode);
      rec(axis + 1, offset + Math.max(s, 0) * stride, inside && s >= 0);
    }
  };
  rec(0, 0, true);
  return { shape: outShape, data };
}

describe("core.pad", () => {
  it("pads [1, 2, 3] by (2, 2) in each mode, as NumPy documents", () => {
    const x = Float32Array.from([1, 2, 3]);
    const pad = (mode: string, value = 0) => [
      ...runOne("core.pad", [3], x, { paddings: [2, 2], mode, value }).data,
    ];
    expect(pad("constant")).toEqual([0, 0, 1, 2, 3, 0, 0]);
    expect(pad("constant", 1.5)).toEqual([1.5, 1.5, 1, 2, 3, 1.5, 1.5]);
    expect(pad("reflect")).toEqual([3, 2, 1, 2, 3, 2, 1]);
    expect(pad("edge")).toEqual([1, 1, 1, 2, 3, 3, 3]);
  });

  it("fills quantized int8 with the quantized value: the zero point for 0, clamped at the range", () => {
    // real = 0.5 · (q + 3): value 0 → −3 (the zero point, as TFLite PAD), 1 → round(2) − 3 = −1,
    // −1.25 → round(−2.5) − 3 = −3 − 3 = −6 (half away from zero), 100 → 197 → 127.
    const q = { scale: [0.5], zeroPoint: [-3] };
    const x = Int8Array.from([7, -7]);
    const fill = (value: number) =>
      runOne("core.pad", [2], x, { paddings: [1, 1], value }, { dtype: "int8", inQuant: q, outQuant: q })
        .data;
    expect(fill(0)).toEqual(Int8Array.from([-3, 7, -7, -3]));
    expect(fill(1)).toEqual(Int8Array.from([-1, 7, -7, -1]));
    expect(fill(-1.25)).toEqual(Int8Array.from([-6, 7, -7, -6]));
    expect(fill(100)).toEqual(Int8Array.from([127, 7, -7, 127]));
  });

  it("fills unquantized integers with the value itself (rounded, clamped to the dtype)", () => {
    const x = Int8Array.from([1, 2]);
    const fill = (value: number) => [
      ...runOne("core.pad", [2], x, { paddings: [0, 1], value }, { dtype: "int8" }).data,
    ];
    expect(fill(5)).toEqual([1, 2, 5]);
    expect(fill(-2.5)).toEqual([1, 2, -3]);
    expect(fill(-1000)).toEqual([1, 2, -128]);
    const wide = runOne(
      "core.pad",
      [2],
      Int32Array.from([1, 2]),
      { paddings: [1, 0], value: 70000 },
      { dtype: "int32" },
    );
    expect([...wide.data]).toEqual([70000, 1, 2]);
  });

  it("mirrors and repeats int8 data in 2-D by hand", () => {
    // [[1,2,3],[4,5,6]] padded (1,1) rows and (2,0) cols.
    const x = Int8Array.from([1, 2, 3, 4, 5, 6]);
    const reflect = runOne(
      "core.pad",
      [2, 3],
      x,
      { paddings: [1, 1, 2, 0], mode: "reflect" },
      { dtype: "int8" },
    );
    expect(reflect.shape).toEqual([4, 5]);
    expect([...reflect.data]).toEqual([6, 5, 4, 5, 6, 3, 2, 1, 2, 3, 6, 5, 4, 5, 6, 3, 2, 1, 2, 3]);
    const edge = runOne("core.pad", [2, 3], x, { paddings: [1, 1, 2, 0], mode: "edge" }, { dtype: "int8" });
    expect([...edge.data]).toEqual([1, 1, 1, 2, 3, 1, 1, 1, 2, 3, 4, 4, 4, 5, 6, 4, 4, 4, 5, 6]);
  });

  it("matches NumPy's pad modes over random shapes, for float32 and quantized int8", () => {
    const padCase = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }).chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        mode: fc.constantFrom<"constant" | "reflect" | "edge">("constant", "reflect", "edge"),
        paddings: fc.tuple(
          ...shape.flatMap(() => [fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })]),
        ),
        value: fc.integer({ min: -20, max: 20 }).map((v) => v / 4),
        dtype: fc.constantFrom<"float32" | "int8">("float32", "int8"),
      }),
    );
    fc.assert(
      fc.property(padCase, ({ shape, mode, paddings, value, dtype }) => {
        // Reflect pads must be smaller than the axis (NumPy would reflect repeatedly).
        const pads = mode === "reflect" ? paddings.map((p, i) => Math.min(p, shape[i >> 1]! - 1)) : paddings;
        const x = iota(dtype, numel(shape));
        const q = { scale: [0.25], zeroPoint: [5] };
        const opts = dtype === "int8" ? { dtype, inQuant: q, outQuant: q } : { dtype };
        const got = runOne("core.pad", shape, x, { paddings: pads, mode, value }, opts);
        // int8: value/0.25 is an integer here, so the stored fill is exact (and in range).
        const fill = dtype === "int8" ? value / 0.25 + 5 : value;
        const want = naivePad(x, shape, pads, mode, fill);
        expect(got.kernel).toBe("core/any");
        expect(got.shape).toEqual(want.shape);
        expect([...got.data].map(Number)).toEqual(want.data);
      }),
      { seed: 3, numRuns: 300 },
    );
  });

  it("fills per-axis quantized data with each channel's own quantized value", () => {
    // value 1 with scales (0.5, 0.25) and zero points (0, 1): channel 0 → 2, channel 1 → 5.
    const pc = { scale: [0.5, 0.25], zeroPoint: [0, 1], axis: 1 };
    const rows = runOne(
      "core.pad",
      [1, 2],
      Int8Array.from([-8, 9]),
      { paddings: [1, 0, 0, 0], value: 1 },
      {
        dtype: "int8",
        inQuant: pc,
        outQuant: pc,
      },
    );
    expect([...rows.data]).toEqual([2, 5, -8, 9]);
    const pr = { scale: [0.5, 0.25], zeroPoint: [0, 1], axis: 0 };
    const cols = runOne(
      "core.pad",
      [2, 1],
      Int8Array.from([-8, 9]),
      { paddings: [0, 0, 1, 0], value: 1 },
      {
        dtype: "int8",
        inQuant: pr,
        outQuant: pr,
      },
    );
    expect([...cols.data]).toEqual([2, -8, 5, 9]);
  });

  it("does not claim bit-packed tensors, whose rows are words", () => {
    const b = graphBuilder(registry);
    const y = b.op("core.pad", [b.input("x", [2, 3], "bit")], { paddings: [0, 0, 1, 0] });
    const graph = b.output(y).build();
    expect(() => createInterpreter(graph, { registry })).toThrow(
      expect.objectContaining({ code: "MCU_E_NO_KERNEL" }),
    );
  });

  it("pads int64 (bigint) data", () => {
    const got = runOne(
      "core.pad",
      [2],
      BigInt64Array.from([5n, -6n]),
      { paddings: [1, 1], value: 7 },
      { dtype: "int64" },
    );
    expect([...got.data]).toEqual([7n, 5n, -6n, 7n]);
  });
});
