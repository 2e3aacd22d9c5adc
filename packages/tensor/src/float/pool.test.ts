/**
 * The float32 pooling and mean kernels against naive definitions written here (window maxima
 * and averages with explicit bounds checks, TensorFlow's documented SAME rule, a mean by
 * explicit index enumeration) and hand-derived border cases. Graphs run through the builder,
 * `verify` and the interpreter with the core registry.
 */
import fc from "fast-check";
import { graphBuilder } from "../builder.js";
import { corePlugin } from "../core-plugin.js";
import { createInterpreter } from "../interpreter.js";
import { createRegistry } from "../registry.js";
import { verify } from "../verify.js";

const registry = createRegistry([corePlugin]);

type Act = "NONE" | "RELU" | "RELU6" | "RELU_N1_TO_1" | "TANH";
type Mode = "SAME" | "VALID" | "EXPLICIT";
const ACTS: readonly Act[] = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1", "TANH"];

/** Deterministic uniform values in [−scale, scale) (mulberry32), rounded to float32. */
function randomData(seed: number, length: number, scale = 1): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

function activate(v: number, act: Act): number {
  if (act === "RELU") return Math.max(0, v);
  if (act === "RELU6") return Math.min(6, Math.max(0, v));
  if (act === "RELU_N1_TO_1") return Math.min(1, Math.max(-1, v));
  if (act === "TANH") return Math.tanh(v);
  return v;
}

/** TensorFlow's SAME rule: out = ceil(in/s), total = max((out−1)·s + k − in, 0), before = floor(total/2). */
function tfSamePads(size: number, k: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= 1e-5 * Math.max(1, Math.abs(e))))
      throw new Error(`element ${i}: got ${a}, expected ${e}`);
  }
}

function runOne(
  op: string,
  shape: readonly number[],
  data: Float32Array,
  attrs: Record<string, unknown>,
): { shape: readonly number[]; data: Float32Array; kernel: string } {
  const b = graphBuilder(registry);
  const y = b.op(op, [b.input("x", shape)], attrs as never);
  const graph = verify(b.output(y).build(), registry);
  const interp = createInterpreter(graph, { registry });
  const [out] = interp.invoke([data]);
  return { shape: out!.shape, data: out!.data as Float32Array, kernel: interp.kernelNames[0]! };
}

/**
 * Naive 2-D pooling: every window of the padded input, visiting the in-bounds elements with
 * an explicit bounds test. `avg` divides by the in-bounds count, or by fh·fw with includePad.
 */
function naivePool(
  kind: "max" | "avg",
  x: Float32Array,
  [n, h, w, c]: readonly number[],
  [fh, fw]: readonly number[],
  [sh, sw]: readonly number[],
  [pt, pb, pl, pr]: readonly number[],
  includePad: boolean,
  act: Act,
): { shape: number[]; data: Float64Array } {
  const oh = Math.floor((h! + pt! + pb! - fh!) / sh!) + 1;
  const ow = Math.floor((w! + pl! + pr! - fw!) / sw!) + 1;
  const y = new Float64Array(n! * oh * ow * c!);
  for (let b = 0; b < n!; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let ch = 0; ch < c!; ch++) {
          let acc = kind === "max" ? Number.NEGATIVE_INFINITY : 0;
          let count = 0;
          for (let ky = 0; ky < fh!; ky++)
            for (let kx = 0; kx < fw!; kx++) {
              const iy = oy * sh! - pt! + ky;
              const ix = ox * sw! - pl! + kx;
              if (iy < 0 || iy >= h! || ix < 0 || ix >= w!) continue;
              const v = x[((b * h! + iy) * w! + ix) * c! + ch]!;
              acc = kind === "max" ? Math.max(acc, v) : acc + v;
              count++;
            }
          if (kind === "avg") acc /= includePad ? fh! * fw! : count;
          y[((b * oh + oy) * ow + ox) * c! + ch] = activate(acc, act);
        }
  return { shape: [n!, oh, ow, c!], data: y };
}

const small = (lo: number, hi: number) => fc.integer({ min: lo, max: hi });
const poolCase = fc.record({
  n: small(1, 2),
  h: small(1, 8),
  w: small(1, 8),
  c: small(1, 4),
  fh: small(1, 4),
  fw: small(1, 4),
  strides: fc.tuple(small(1, 3), small(1, 3)),
  mode: fc.constantFrom<Mode>("SAME", "VALID", "EXPLICIT"),
  // Fractions of the filter size: ONNX requires pads < kernel, so no window is all padding.
  padFrac: fc.tuple(fc.nat(99), fc.nat(99), fc.nat(99), fc.nat(99)),
  includePad: fc.boolean(),
  act: fc.constantFrom(...ACTS),
  seed: fc.integer(),
});
type PoolCase = typeof poolCase extends fc.Arbitrary<infer T> ? T : never;

function poolPads(t: PoolCase): [number, number, number, number] {
  if (t.mode === "VALID") return [0, 0, 0, 0];
  if (t.mode === "SAME")
    return [...tfSamePads(t.h, t.fh, t.strides[0]), ...tfSamePads(t.w, t.fw, t.strides[1])];
  const f = t.padFrac;
  return [
    Math.floor((f[0] * t.fh) / 100),
    Math.floor((f[1] * t.fh) / 100),
    Math.floor((f[2] * t.fw) / 100),
    Math.floor((f[3] * t.fw) / 100),
  ];
}

describe.each(["max", "avg"] as const)("core.%s_pool2d float32", (kind) => {
  it("matches the naive window definition over random shapes, strides and paddings", () => {
    fc.assert(
      fc.property(poolCase, (t) => {
        const pads = poolPads(t);
        fc.pre(t.h + pads[0] + pads[1] >= t.fh && t.w + pads[2] + pads[3] >= t.fw);
        const shape = [t.n, t.h, t.w, t.c] as const;
        const x = randomData(t.seed, t.n * t.h * t.w * t.c, 4);
        const attrs: Record<string, unknown> = {
          filter: [t.fh, t.fw],
          strides: t.strides,
          padding: t.mode,
          pads,
          fusedActivation: t.act,
        };
        if (kind === "avg") attrs.countIncludePad = t.includePad;
        const got = runOne(`core.${kind}_pool2d`, shape, x, attrs);
        const want = naivePool(kind, x, shape, [t.fh, t.fw], t.strides, pads, t.includePad, t.act);
        expect(got.kernel).toBe("core/float32");
        expect(got.shape).toEqual(want.shape);
        expectClose(got.data, want.data);
      }),
      { seed: kind === "max" ? 11 : 12, numRuns: 300 },
    );
  });
});

describe("pooling, hand-derived", () => {
  // x = [[1,2,3],[4,5,6],[7,8,9]] as 1x3x3x1.
  const x3 = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);

  it("averages only in-bounds elements at SAME borders (TFLite)", () => {
    // 2x2 filter, stride 1, SAME: pad_total = 1 → bottom/right. Borders average fewer elements:
    // y00 = (1+2+4+5)/4 = 3, y02 = (3+6)/2 = 4.5, y20 = (7+8)/2 = 7.5, y22 = 9.
    const got = runOne("core.avg_pool2d", [1, 3, 3, 1], x3, { filter: [2, 2], padding: "SAME" });
    expect([...got.data]).toEqual([3, 4, 4.5, 6, 7, 7.5, 7.5, 8.5, 9]);
  });

  it("divides by the whole window with countIncludePad (ONNX count_include_pad=1)", () => {
    // 2x2 filter, stride 2, pads 1 on every side: windows rows {−1,0},{1,2} × cols {−1,0},{1,2}.
    // Including pads: 1/4, (2+3)/4, (4+7)/4, (5+6+8+9)/4. Excluding: 1, 2.5, 5.5, 7.
    const attrs = { filter: [2, 2], strides: [2, 2], padding: "EXPLICIT", pads: [1, 1, 1, 1] };
    const incl = runOne("core.avg_pool2d", [1, 3, 3, 1], x3, { ...attrs, countIncludePad: true });
    expect([...incl.data]).toEqual([0.25, 1.25, 2.75, 7]);
    const excl = runOne("core.avg_pool2d", [1, 3, 3, 1], x3, { ...attrs, countIncludePad: false });
    expect([...excl.data]).toEqual([1, 2.5, 5.5, 7]);
  });

  it("never lets padding win a max pool, and applies the fused activation", () => {
    const neg = x3.map((v) => -v);
    // Same windows as above on −x: padding (0 in an avg) must not beat the negative values.
    const attrs = { filter: [2, 2], strides: [2, 2], padding: "EXPLICIT", pads: [1, 1, 1, 1] };
    expect([...runOne("core.max_pool2d", [1, 3, 3, 1], neg, attrs).data]).toEqual([-1, -2, -4, -5]);
    const relu = runOne("core.max_pool2d", [1, 3, 3, 1], x3, { filter: [2, 2], fusedActivation: "RELU6" });
    expect([...relu.data]).toEqual([5, 6, 6, 6]);
  });
});

describe("core.mean float32", () => {
  /** Mean by enumerating every input index and adding it to the output index it maps to. */
  function naiveMean(x: Float32Array, shape: readonly number[], axes: readonly number[], keepDims: boolean) {
    const rank = shape.length;
    const red = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
    const outFull = shape.map((d, i) => (red.has(i) ? 1 : d));
    const total = outFull.reduce((p, d) => p * d, 1);
    const sums = new Float64Array(total);
    const counts = new Float64Array(total);
    const idx = new Array<number>(rank).fill(0);
    for (let flat = 0; flat < x.length; flat++) {
      let rem = flat;
      for (let a = rank - 1; a >= 0; a--) {
        idx[a] = rem % shape[a]!;
        rem = Math.floor(rem / shape[a]!);
      }
      let o = 0;
      for (let a = 0; a < rank; a++) o = o * outFull[a]! + (red.has(a) ? 0 : idx[a]!);
      sums[o]! += x[flat]!;
      counts[o]! += 1;
    }
    const shapeOut = keepDims ? outFull : shape.filter((_, i) => !red.has(i));
    return { shape: shapeOut, data: sums.map((s, i) => s / counts[i]!) };
  }

  it("matches the naive mean over random axes, with and without keepDims", () => {
    const meanCase = fc.array(small(1, 5), { minLength: 1, maxLength: 4 }).chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        axes: fc.subarray(
          shape.map((_, i) => i),
          { minLength: 1 },
        ),
        negate: fc.boolean(),
        keepDims: fc.boolean(),
        seed: fc.integer(),
      }),
    );
    fc.assert(
      fc.property(meanCase, (t) => {
        const axes = t.axes.map((a) => (t.negate ? a - t.shape.length : a));
        const x = randomData(
          t.seed,
          t.shape.reduce((p, d) => p * d, 1),
          3,
        );
        const got = runOne("core.mean", t.shape, x, { axes, keepDims: t.keepDims });
        const want = naiveMean(x, t.shape, axes, t.keepDims);
        expect(got.shape).toEqual(want.shape);
        expectClose(got.data, want.data);
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  it("computes global average pooling by hand", () => {
    // 1x2x2x2: channel 0 = 1,2,3,4 → 2.5; channel 1 = 10,20,30,40 → 25.
    const x = Float32Array.from([1, 10, 2, 20, 3, 30, 4, 40]);
    const got = runOne("core.mean", [1, 2, 2, 2], x, { axes: [1, 2], keepDims: true });
    expect(got.shape).toEqual([1, 1, 1, 2]);
    expect([...got.data]).toEqual([2.5, 25]);
    expect([...runOne("core.mean", [1, 2, 2, 2], x, { axes: [-1] }).data]).toEqual([5.5, 11, 16.5, 22]);
  });
});
