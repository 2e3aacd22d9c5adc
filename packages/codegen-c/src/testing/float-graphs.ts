/**
 * Random float32 test graphs, one per family of ops: each graph holds many independent cases
 * (own input, own output) drawn with fast-check, so that one compilation checks them all.
 */
import fc from "fast-check";
import { type Graph, graphBuilder, numElements, type Registry, type TensorData } from "@mcu/tensor";
import { randomFloats } from "./compare.js";

/** A graph of independent cases and one sample of inputs for it. */
export interface CaseGraph {
  readonly graph: Graph;
  readonly inputs: TensorData[];
  readonly cases: readonly string[];
}

const ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1", "TANH"] as const;
const PADS = ["SAME", "VALID", "EXPLICIT"] as const;

function sample<T>(arb: fc.Arbitrary<T>, seed: number, n: number): T[] {
  return fc.sample(arb, { seed, numRuns: n });
}

/** Builds a case graph: `build` adds nodes for one case from its input id and returns its output id. */
function caseGraph<T>(
  registry: Registry,
  configs: readonly T[],
  inputShape: (c: T) => readonly number[],
  build: (b: ReturnType<typeof graphBuilder>, x: string, c: T, k: number) => string,
  seed: number,
): CaseGraph {
  const b = graphBuilder(registry);
  const inputs: TensorData[] = [];
  const cases: string[] = [];
  configs.forEach((c, k) => {
    const shape = inputShape(c);
    const x = b.input(`x${k}`, shape);
    inputs.push(randomFloats(numElements(shape), seed * 1000 + k, 2));
    b.output(build(b, x, c, k));
    cases.push(JSON.stringify(c));
  });
  return { graph: b.build(), inputs, cases };
}

/** conv2d (groups, dilation, strides, all paddings, fused activations), depthwise and transposed conv. */
export function convCases(registry: Registry, seed: number, n = 10): CaseGraph {
  const arb = fc.record({
    kind: fc.constantFrom("conv", "depthwise", "transpose"),
    h: fc.integer({ min: 3, max: 9 }),
    w: fc.integer({ min: 1, max: 9 }),
    groups: fc.integer({ min: 1, max: 3 }),
    ig: fc.integer({ min: 1, max: 4 }),
    og: fc.integer({ min: 1, max: 3 }),
    k: fc.integer({ min: 1, max: 3 }),
    stride: fc.integer({ min: 1, max: 2 }),
    dilation: fc.integer({ min: 1, max: 2 }),
    padding: fc.constantFrom(...PADS),
    pads: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }),
    act: fc.constantFrom(...ACTS),
    bias: fc.boolean(),
    batches: fc.integer({ min: 1, max: 2 }),
  });
  const configs = sample(arb, seed, n).map((c) => {
    // Keep windows inside the input.
    const eff = (c.k - 1) * c.dilation + 1;
    return { ...c, h: Math.max(c.h, eff), w: Math.max(c.w, eff) };
  });
  return caseGraph(
    registry,
    configs,
    (c) => [c.batches, c.h, c.w, c.kind === "conv" ? c.groups * c.ig : c.ig],
    (b, x, c, k) => {
      const r = (n: number, s: number) => randomFloats(n, seed * 7919 + k * 31 + s, 0.7);
      const window = {
        strides: [c.stride, c.stride],
        padding: c.padding,
        pads: c.pads,
        fusedActivation: c.act,
      };
      if (c.kind === "conv") {
        const o = c.groups * c.og;
        const w = b.constant(`w${k}`, r(o * c.k * c.k * c.ig, 1), [o, c.k, c.k, c.ig]);
        const bias = c.bias ? b.constant(`b${k}`, r(o, 2), [o]) : undefined;
        return b.op("core.conv2d", [x, w, bias], {
          ...window,
          dilations: [c.dilation, c.dilation],
          groups: c.groups,
        });
      }
      if (c.kind === "depthwise") {
        const m = c.og;
        const w = b.constant(`w${k}`, r(c.k * c.k * c.ig * m, 1), [1, c.k, c.k, c.ig * m]);
        const bias = c.bias ? b.constant(`b${k}`, r(c.ig * m, 2), [c.ig * m]) : undefined;
        return b.op("core.depthwise_conv2d", [x, w, bias], {
          ...window,
          dilations: [c.dilation, c.dilation],
          depthMultiplier: m,
        });
      }
      const o = c.og + 1;
      const w = b.constant(`w${k}`, r(o * c.k * c.k * c.ig, 1), [o, c.k, c.k, c.ig]);
      const bias = c.bias ? b.constant(`b${k}`, r(o, 2), [o]) : undefined;
      return b.op("core.transpose_conv2d", [x, w, bias], {
        ...window,
        padding: c.padding === "EXPLICIT" ? "VALID" : c.padding,
        dilations: [1, 1],
        outputPadding: [0, 0],
      });
    },
    seed,
  );
}

/** fully_connected (keepNumDims, activations), matmul (transposes) and batch_matmul (broadcast batches). */
export function denseCases(registry: Registry, seed: number, n = 10): CaseGraph {
  const arb = fc.record({
    kind: fc.constantFrom("fc", "matmul", "batch_matmul"),
    m: fc.integer({ min: 1, max: 5 }),
    k: fc.integer({ min: 1, max: 24 }),
    n: fc.integer({ min: 1, max: 7 }),
    ta: fc.boolean(),
    tb: fc.boolean(),
    batchA: fc.constantFrom([2, 3], [1, 3], [3], [2, 1]),
    batchB: fc.constantFrom([1], [3], [2, 3], [1, 1]),
    act: fc.constantFrom(...ACTS),
    bias: fc.boolean(),
    keep: fc.boolean(),
  });
  const configs = sample(arb, seed, n).map((c) =>
    c.kind === "batch_matmul" && !isBroadcastable(c.batchA, c.batchB) ? { ...c, batchB: [1] } : c,
  );
  return caseGraph(
    registry,
    configs,
    (c) => {
      if (c.kind === "fc") return c.keep ? [c.m, 2, c.k] : [c.m, c.k];
      const a = c.ta ? [c.k, c.m] : [c.m, c.k];
      return c.kind === "matmul" ? a : [...c.batchA, ...a];
    },
    (b, x, c, k) => {
      const r = (n: number, s: number) => randomFloats(n, seed * 104729 + k * 17 + s, 0.5);
      if (c.kind === "fc") {
        const w = b.constant(`w${k}`, r(c.n * c.k, 1), [c.n, c.k]);
        const bias = c.bias ? b.constant(`b${k}`, r(c.n, 2), [c.n]) : undefined;
        return b.op("core.fully_connected", [x, w, bias], { fusedActivation: c.act, keepNumDims: c.keep });
      }
      const bShape = c.tb ? [c.n, c.k] : [c.k, c.n];
      if (c.kind === "matmul") {
        const w = b.constant(`w${k}`, r(c.n * c.k, 1), bShape);
        return b.op("core.matmul", [x, w], { transposeA: c.ta, transposeB: c.tb });
      }
      const shape = [...c.batchB, ...bShape];
      const w = b.constant(`w${k}`, r(numElements(shape), 1), shape);
      return b.op("core.batch_matmul", [x, w], { transposeA: c.ta, transposeB: c.tb });
    },
    seed,
  );
}

function isBroadcastable(a: readonly number[], b: readonly number[]): boolean {
  const r = Math.max(a.length, b.length);
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return false;
  }
  return true;
}

const BINARY = ["core.add", "core.sub", "core.mul", "core.div", "core.maximum", "core.minimum"] as const;
const UNARY = [
  "core.relu",
  "core.relu6",
  "core.leaky_relu",
  "core.logistic",
  "core.tanh",
  "core.hard_swish",
  "core.clip",
  "core.sign",
] as const;

/** Binary ops over broadcast shapes (constant or input second operand) and every unary activation. */
export function elementwiseCases(registry: Registry, seed: number, n = 16): CaseGraph {
  const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });
  const arb = fc.record({
    op: fc.constantFrom(...BINARY, ...UNARY),
    shape: shapeArb,
    // Which axes of the other operand are broadcast (1), and how many leading axes it drops.
    ones: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    drop: fc.integer({ min: 0, max: 3 }),
    swap: fc.boolean(),
    act: fc.constantFrom(...ACTS),
    clip: fc.constantFrom(
      [-0.5, 0.5],
      [Number.NEGATIVE_INFINITY, 0.25],
      [0, Number.POSITIVE_INFINITY],
      [1, -1],
    ),
  });
  return caseGraph(
    registry,
    sample(arb, seed, n),
    (c) => c.shape,
    (b, x, c, k) => {
      if ((UNARY as readonly string[]).includes(c.op)) {
        const attrs: Record<string, number> =
          c.op === "core.leaky_relu"
            ? { alpha: 0.2 }
            : c.op === "core.clip"
              ? { min: c.clip[0]!, max: c.clip[1]! }
              : {};
        return b.op(c.op, [x], attrs);
      }
      const other = c.shape.slice(Math.min(c.drop, c.shape.length - 1)).map((d, i) => (c.ones[i] ? 1 : d));
      let y = b.constant(`c${k}`, randomFloats(numElements(other), seed + k, 1.5), other);
      // Keep divisors away from zero.
      if (c.op === "core.div") y = b.op("core.add", [y, b.constant(`d${k}`, Float32Array.of(3), [1])]);
      const [a1, a2] = c.swap ? [y, x] : [x, y];
      return b.op(c.op, [a1, a2], { fusedActivation: c.act });
    },
    seed,
  );
}

/** Max and average pooling (all paddings, countIncludePad) and mean over random axes. */
export function poolCases(registry: Registry, seed: number, n = 12): CaseGraph {
  const arb = fc.record({
    kind: fc.constantFrom("max", "avg", "mean"),
    shape: fc.tuple(
      fc.integer({ min: 1, max: 2 }),
      fc.integer({ min: 2, max: 7 }),
      fc.integer({ min: 2, max: 7 }),
      fc.integer({ min: 1, max: 5 }),
    ),
    f: fc.integer({ min: 1, max: 3 }),
    stride: fc.integer({ min: 1, max: 2 }),
    padding: fc.constantFrom(...PADS),
    pads: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 4, maxLength: 4 }),
    act: fc.constantFrom(...ACTS),
    includePad: fc.boolean(),
    axes: fc.subarray([0, 1, 2, 3], { minLength: 1 }),
    keepDims: fc.boolean(),
  });
  return caseGraph(
    registry,
    sample(arb, seed, n),
    (c) => c.shape,
    (b, x, c) => {
      if (c.kind === "mean") return b.op("core.mean", [x], { axes: c.axes, keepDims: c.keepDims });
      const f = Math.min(c.f, c.shape[1], c.shape[2]);
      const attrs = {
        filter: [f, f],
        strides: [c.stride, c.stride],
        padding: c.padding,
        pads: c.pads.map((p) => Math.min(p, f - 1)),
        fusedActivation: c.act,
      };
      return c.kind === "max"
        ? b.op("core.max_pool2d", [x], attrs)
        : b.op("core.avg_pool2d", [x], { ...attrs, countIncludePad: c.includePad });
    },
    seed,
  );
}

/** softmax (axis, beta), log_softmax and batch_norm. */
export function normalizationCases(registry: Registry, seed: number, n = 9): CaseGraph {
  const arb = fc.record({
    kind: fc.constantFrom("softmax", "log_softmax", "batch_norm"),
    shape: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
    axis: fc.integer({ min: -4, max: 3 }),
    beta: fc.constantFrom(1, 0.5, 2),
  });
  return caseGraph(
    registry,
    sample(arb, seed, n),
    (c) => c.shape,
    (b, x, c, k) => {
      const rank = c.shape.length;
      const axis = ((c.axis % rank) + rank) % rank;
      if (c.kind === "softmax") return b.op("core.softmax", [x], { axis, beta: c.beta });
      if (c.kind === "log_softmax") return b.op("core.log_softmax", [x], { axis });
      const ch = c.shape[axis]!;
      const p = (s: number, lo: number) => randomFloats(ch, seed + k * 5 + s, 1).map((v) => v + lo);
      return b.op(
        "core.batch_norm",
        [
          x,
          b.constant(`s${k}`, p(1, 0), [ch]),
          b.constant(`b${k}`, p(2, 0), [ch]),
          b.constant(`m${k}`, p(3, 0), [ch]),
          b.constant(`v${k}`, p(4, 1.5), [ch]),
        ],
        { axis, epsilon: 1e-3 },
      );
    },
    seed,
  );
}
