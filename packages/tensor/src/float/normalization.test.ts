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

/** |actual − expected| ≤ rel·|expected| + abs. */
function expectClose(actual: readonly number[], expected: readonly number[], rel = 1e-6, abs = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i]!;
    if (!(Math.abs(a - e) <= rel * Math.abs(e) + abs))
      throw new Error(`element ${i}: got ${a}, expected ${e}`);
  });
}

describe("core.softmax (float32)", () => {
  it("normalizes exponentials along the last axis", () => {
    // exp(0), exp(ln 2), exp(ln 3) = 1, 2, 3; sum 6 → 1/6, 1/3, 1/2
    const { y, kernel } = runOp("core.softmax", [{ shape: [1, 3], data: f32(0, Math.log(2), Math.log(3)) }]);
    expect(kernel).toBe("core/float32");
    expectClose(list(y), [1 / 6, 1 / 3, 1 / 2]);
  });

  it("scales the logits by beta, of either sign", () => {
    // beta 2 on [0, ln2/2, ln3/2] is softmax of [0, ln 2, ln 3]
    const x = f32(0, Math.log(2) / 2, Math.log(3) / 2);
    expectClose(list(runOp("core.softmax", [{ shape: [3], data: x }], { beta: 2 }).y), [1 / 6, 1 / 3, 1 / 2]);
    // beta −1 on [0, ln 2]: exp(0) = 1, exp(−ln 2) = 1/2 → 2/3, 1/3
    const y = runOp("core.softmax", [{ shape: [2], data: f32(0, Math.log(2)) }], { beta: -1 }).y;
    expectClose(list(y), [2 / 3, 1 / 3]);
  });

  it("works along a leading axis", () => {
    // [[0, 5], [ln 3, 5]] along axis 0: column 0 → 1/4, 3/4; column 1 → 1/2, 1/2
    const { y } = runOp("core.softmax", [{ shape: [2, 2], data: f32(0, 5, Math.log(3), 5) }], { axis: 0 });
    expectClose(list(y), [1 / 4, 1 / 2, 3 / 4, 1 / 2]);
  });

  it("stays finite on large logits (the maximum is subtracted)", () => {
    // exp(1000) overflows a double; softmax([1000, 1000, 1000 − ln 2]) = [2/5, 2/5, 1/5]
    const { y } = runOp("core.softmax", [{ shape: [3], data: f32(1000, 1000, 1000 - Math.log(2)) }]);
    // The third logit is rounded to float32 (steps of 2^−14 near 1000): its weight is e^d with
    // d = fround(1000 − ln 2) − 1000 ≈ −ln 2, i.e. ≈ 1/2.
    const w = Math.exp(Math.fround(1000 - Math.log(2)) - 1000);
    expect(Math.abs(w - 0.5)).toBeLessThan(1e-4);
    expectClose(list(y), [1 / (2 + w), 1 / (2 + w), w / (2 + w)]);
  });
});

describe("core.log_softmax (float32)", () => {
  it("equals log of the softmax", () => {
    const { y } = runOp("core.log_softmax", [{ shape: [3], data: f32(0, Math.log(2), Math.log(3)) }]);
    expectClose(list(y), [Math.log(1 / 6), Math.log(1 / 3), Math.log(1 / 2)]);
  });

  it("stays finite on large logits", () => {
    // log_softmax([1000, 1000]) = [−ln 2, −ln 2]
    const { y } = runOp("core.log_softmax", [{ shape: [2], data: f32(1000, 1000) }]);
    expectClose(list(y), [-Math.LN2, -Math.LN2]);
  });
});

describe("core.batch_norm (float32)", () => {
  // scale [2, 1], bias [0.5, −1], mean [1, 2], variance [4, 0.25], epsilon 0:
  // channel 0: 2·(x − 1)/2 + 0.5 = x − 0.5;  channel 1: (x − 2)/0.5 − 1 = 2x − 5
  const params = [f32(2, 1), f32(0.5, -1), f32(1, 2), f32(4, 0.25)];

  it("normalizes along the last axis (NHWC)", () => {
    // x = [1,2,3,4] as [1,2,2]: channel 0 holds 1, 3 → 0.5, 2.5; channel 1 holds 2, 4 → −1, 3
    const { y, kernel } = runOp(
      "core.batch_norm",
      [
        { shape: [1, 2, 2], data: f32(1, 2, 3, 4) },
        ...params.map((data) => ({ shape: [2], data, constant: true })),
      ],
      { epsilon: 0 },
    );
    expect(kernel).toBe("core/float32");
    expect(list(y)).toEqual([0.5, -1, 2.5, 3]);
  });

  it("normalizes along axis 1 (NCHW), with parameters fed at run time", () => {
    // x = [1,2,3,4] as [1,2,2]: channel 0 holds 1, 2 → 0.5, 1.5; channel 1 holds 3, 4 → 1, 3
    const { y } = runOp(
      "core.batch_norm",
      [{ shape: [1, 2, 2], data: f32(1, 2, 3, 4) }, ...params.map((data) => ({ shape: [2], data }))],
      { epsilon: 0, axis: 1 },
    );
    expect(list(y)).toEqual([0.5, 1.5, 1, 3]);
  });

  it("adds epsilon to the variance", () => {
    // variance 0, epsilon 0.25: (3 − 1)/sqrt(0.25) = 4
    const one = (v: number) => ({ shape: [1], data: f32(v), constant: true });
    const { y } = runOp("core.batch_norm", [{ shape: [1], data: f32(3) }, one(1), one(0), one(1), one(0)], {
      epsilon: 0.25,
    });
    expect(list(y)).toEqual([4]);
  });
});

// ---- Properties against the direct formulas ----------------------------------------------

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

/** The flat indices of the line through `flat` along `axis`. */
function lineThrough(flat: number, shape: readonly number[], axis: number): number[] {
  const idx = unravel(flat, shape);
  return Array.from({ length: shape[axis]! }, (_, k) =>
    ravel(
      idx.map((v, d) => (d === axis ? k : v)),
      shape,
    ),
  );
}

const tensorArb = fc
  .record({
    shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
    axisSeed: fc.nat(),
    negative: fc.boolean(),
  })
  .chain((p) =>
    fc.record({
      shape: fc.constant(p.shape),
      axis: fc.constant(p.axisSeed % p.shape.length),
      negative: fc.constant(p.negative),
      x: fc
        .array(fc.integer({ min: -400, max: 400 }), {
          minLength: product(p.shape),
          maxLength: product(p.shape),
        })
        .map((v) => Float32Array.from(v, (k) => k / 50)),
    }),
  );

describe("normalization properties", () => {
  it("softmax equals exp(beta·x)/Σexp(beta·x) computed directly, and every line sums to 1", () => {
    fc.assert(
      fc.property(tensorArb, fc.constantFrom(1, 0.5, 2, -1), ({ shape, axis, negative, x }, beta) => {
        const axisAttr = negative ? axis - shape.length : axis;
        const y = list(runOp("core.softmax", [{ shape, data: x }], { beta, axis: axisAttr }).y);
        for (let f = 0; f < x.length; f++) {
          const line = lineThrough(f, shape, axis);
          const sum = line.reduce((s, j) => s + Math.exp(beta * x[j]!), 0);
          expectClose([y[f]!], [Math.exp(beta * x[f]!) / sum]);
          const total = line.reduce((s, j) => s + y[j]!, 0);
          expect(Math.abs(total - 1)).toBeLessThan(1e-6 * line.length);
        }
      }),
      { seed: 8, numRuns: 150 },
    );
  });

  it("log_softmax equals log(exp(x)/Σexp(x)) computed directly", () => {
    fc.assert(
      fc.property(tensorArb, ({ shape, axis, x }) => {
        const y = list(runOp("core.log_softmax", [{ shape, data: x }], { axis }).y);
        const expected = Array.from(x, (v, f) => {
          const sum = lineThrough(f, shape, axis).reduce((s, j) => s + Math.exp(x[j]!), 0);
          return Math.log(Math.exp(v) / sum);
        });
        // Absolute slack for results near 0 (a line of one element gives exactly 0).
        expectClose(y, expected, 1e-6, 1e-6);
      }),
      { seed: 9, numRuns: 150 },
    );
  });

  it("batch_norm equals scale·(x − mean)/sqrt(variance + epsilon) + bias", () => {
    const arb = tensorArb.chain((t) => {
      const c = t.shape[t.axis]!;
      const vec = (min: number, max: number) =>
        fc
          .array(fc.integer({ min, max }), { minLength: c, maxLength: c })
          .map((v) => Float32Array.from(v, (k) => k / 8));
      return fc.record({
        t: fc.constant(t),
        scale: vec(-16, 16),
        bias: vec(-16, 16),
        mean: vec(-16, 16),
        variance: vec(0, 32),
      });
    });
    fc.assert(
      fc.property(arb, ({ t, scale, bias, mean, variance }) => {
        const c = t.shape[t.axis]!;
        const eps = 1e-3;
        const y = list(
          runOp(
            "core.batch_norm",
            [
              { shape: t.shape, data: t.x },
              ...[scale, bias, mean, variance].map((data) => ({ shape: [c], data, constant: true })),
            ],
            { epsilon: eps, axis: t.axis },
          ).y,
        );
        const expected = Array.from(t.x, (v, f) => {
          const k = unravel(f, t.shape)[t.axis]!;
          return (scale[k]! * (v - mean[k]!)) / Math.sqrt(variance[k]! + eps) + bias[k]!;
        });
        // A small absolute slack: the result may cancel to near zero.
        expectClose(y, expected, 1e-6, 1e-9);
      }),
      { seed: 10, numRuns: 150 },
    );
  });
});
