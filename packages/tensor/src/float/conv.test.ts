/**
 * The float32 convolution kernels against naive definitions written here from the textbook
 * formulas (zero-padded input, direct sums, direct scatter), TensorFlow's documented SAME rule,
 * the adjoint identity <conv(z), x> = <z, convT(x)>, and hand-derived cases. Every graph goes
 * through the builder (which verifies it), `verify` and the interpreter with the core registry.
 */
import fc from "fast-check";
import { graphBuilder } from "../builder.js";
import { corePlugin } from "../core-plugin.js";
import { createInterpreter, runGraph } from "../interpreter.js";
import { createRegistry } from "../registry.js";
import { verify } from "../verify.js";

const registry = createRegistry([corePlugin]);

type Act = "NONE" | "RELU" | "RELU6" | "RELU_N1_TO_1" | "TANH";
type Mode = "SAME" | "VALID" | "EXPLICIT";
const ACTS: readonly Act[] = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1", "TANH"];
const MODES: readonly Mode[] = ["SAME", "VALID", "EXPLICIT"];

/** Deterministic uniform values in [−1, 1) (mulberry32), rounded to float32. */
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

/** The fused activations, written out from their definitions. */
function activate(v: number, act: Act): number {
  if (act === "RELU") return Math.max(0, v);
  if (act === "RELU6") return Math.min(6, Math.max(0, v));
  if (act === "RELU_N1_TO_1") return Math.min(1, Math.max(-1, v));
  if (act === "TANH") return Math.tanh(v);
  return v;
}

/**
 * TensorFlow's SAME padding (tensorflow.org/api_docs/python/tf/nn#notes_on_padding_2):
 * out = ceil(in / stride), pad_total = max((out − 1)·stride + (k − 1)·d + 1 − in, 0),
 * pad_before = floor(pad_total / 2), the rest after.
 */
function tfSamePads(size: number, k: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + (k - 1) * dilation + 1 - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** [top, bottom, left, right] for a padding mode. */
function padsFor(
  mode: Mode,
  h: number,
  w: number,
  kh: number,
  kw: number,
  s: readonly number[],
  d: readonly number[],
  explicit: readonly number[],
): [number, number, number, number] {
  if (mode === "VALID") return [0, 0, 0, 0];
  if (mode === "EXPLICIT") return [explicit[0]!, explicit[1]!, explicit[2]!, explicit[3]!];
  const [t, b] = tfSamePads(h, kh, s[0]!, d[0]!);
  const [l, r] = tfSamePads(w, kw, s[1]!, d[1]!);
  return [t, b, l, r];
}

/** Every output element within 1e-5 relative (absolute near 0) of the reference. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what = ""): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= 1e-5 * Math.max(1, Math.abs(e)))) {
      throw new Error(`${what} element ${i}: got ${a}, expected ${e}`);
    }
  }
}

interface ConvCase {
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly groups: number;
  readonly ig: number;
  readonly og: number;
  readonly kh: number;
  readonly kw: number;
  readonly strides: [number, number];
  readonly dilations: [number, number];
  readonly mode: Mode;
  readonly explicit: [number, number, number, number];
  readonly bias: boolean;
  readonly act: Act;
  readonly seed: number;
}

/** A zero-padded NHWC copy of x, padded [top, bottom, left, right] (in double precision). */
function zeroPad(
  x: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  pads: readonly number[],
): { data: Float64Array; hp: number; wp: number } {
  const [t, b, l, r] = pads as [number, number, number, number];
  const hp = h + t + b;
  const wp = w + l + r;
  const data = new Float64Array(n * hp * wp * c);
  for (let i = 0; i < n; i++)
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++)
        for (let ch = 0; ch < c; ch++)
          data[((i * hp + y + t) * wp + xx + l) * c + ch] = x[((i * h + y) * w + xx) * c + ch]!;
  return { data, hp, wp };
}

/**
 * Textbook grouped convolution on an explicitly zero-padded input:
 * y[n,oy,ox,o] = b[o] + Σ_{ky,kx,i} xp[n, oy·sh + ky·dh, ox·sw + kx·dw, g·I + i] · w[o,ky,kx,i],
 * with out = floor((in_padded − ((k − 1)·d + 1)) / stride) + 1.
 */
function naiveConv2d(
  x: Float32Array,
  xs: readonly number[],
  wt: Float32Array,
  ws: readonly number[],
  bias: Float32Array | undefined,
  strides: readonly number[],
  dilations: readonly number[],
  pads: readonly number[],
  groups: number,
  act: Act,
): { shape: number[]; data: Float64Array } {
  const [n, h, w, c] = xs as [number, number, number, number];
  const [o, kh, kw, ig] = ws as [number, number, number, number];
  const { data: xp, hp, wp } = zeroPad(x, n, h, w, c, pads);
  const oh = Math.floor((hp - ((kh - 1) * dilations[0]! + 1)) / strides[0]!) + 1;
  const ow = Math.floor((wp - ((kw - 1) * dilations[1]! + 1)) / strides[1]!) + 1;
  const og = o / groups;
  const y = new Float64Array(n * oh * ow * o);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let oc = 0; oc < o; oc++) {
          const g = Math.floor(oc / og);
          let s = bias ? bias[oc]! : 0;
          for (let ky = 0; ky < kh; ky++)
            for (let kx = 0; kx < kw; kx++)
              for (let i = 0; i < ig; i++) {
                const yy = oy * strides[0]! + ky * dilations[0]!;
                const xx = ox * strides[1]! + kx * dilations[1]!;
                s +=
                  xp[((b * hp + yy) * wp + xx) * c + g * ig + i]! * wt[((oc * kh + ky) * kw + kx) * ig + i]!;
              }
          y[((b * oh + oy) * ow + ox) * o + oc] = activate(s, act);
        }
  return { shape: [n, oh, ow, o], data: y };
}

/** Depthwise convolution from its definition: output channel c·m + k reads input channel c. */
function naiveDepthwise(
  x: Float32Array,
  xs: readonly number[],
  wt: Float32Array,
  ws: readonly number[],
  m: number,
  bias: Float32Array | undefined,
  strides: readonly number[],
  dilations: readonly number[],
  pads: readonly number[],
  act: Act,
): { shape: number[]; data: Float64Array } {
  const [n, h, w, c] = xs as [number, number, number, number];
  const [, kh, kw] = ws as [number, number, number, number];
  const { data: xp, hp, wp } = zeroPad(x, n, h, w, c, pads);
  const oh = Math.floor((hp - ((kh - 1) * dilations[0]! + 1)) / strides[0]!) + 1;
  const ow = Math.floor((wp - ((kw - 1) * dilations[1]! + 1)) / strides[1]!) + 1;
  const cm = c * m;
  const y = new Float64Array(n * oh * ow * cm);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let ch = 0; ch < c; ch++)
          for (let k = 0; k < m; k++) {
            const oc = ch * m + k;
            let s = bias ? bias[oc]! : 0;
            for (let ky = 0; ky < kh; ky++)
              for (let kx = 0; kx < kw; kx++) {
                const yy = oy * strides[0]! + ky * dilations[0]!;
                const xx = ox * strides[1]! + kx * dilations[1]!;
                s += xp[((b * hp + yy) * wp + xx) * c + ch]! * wt[(ky * kw + kx) * cm + oc]!;
              }
            y[((b * oh + oy) * ow + ox) * cm + oc] = activate(s, act);
          }
  return { shape: [n, oh, ow, cm], data: y };
}

/**
 * Transposed convolution by direct scatter (the definition in the op contract):
 * y[n, iy·sh − pt + ky·dh, ix·sw − pl + kx·dw, o] += x[n,iy,ix,c] · w[o,ky,kx,c], contributions
 * outside [0, oh) × [0, ow) dropped; then bias and activation.
 */
function naiveTransposeConv(
  x: Float32Array,
  xs: readonly number[],
  wt: Float32Array,
  ws: readonly number[],
  bias: Float32Array | undefined,
  strides: readonly number[],
  dilations: readonly number[],
  padTop: number,
  padLeft: number,
  oh: number,
  ow: number,
  act: Act,
): Float64Array {
  const [n, h, w, c] = xs as [number, number, number, number];
  const [o, kh, kw] = ws as [number, number, number, number];
  const y = new Float64Array(n * oh * ow * o);
  for (let b = 0; b < n; b++)
    for (let iy = 0; iy < h; iy++)
      for (let ix = 0; ix < w; ix++)
        for (let ky = 0; ky < kh; ky++)
          for (let kx = 0; kx < kw; kx++) {
            const yy = iy * strides[0]! - padTop + ky * dilations[0]!;
            const xx = ix * strides[1]! - padLeft + kx * dilations[1]!;
            if (yy < 0 || yy >= oh || xx < 0 || xx >= ow) continue;
            for (let oc = 0; oc < o; oc++)
              for (let ch = 0; ch < c; ch++) {
                y[((b * oh + yy) * ow + xx) * o + oc]! +=
                  x[((b * h + iy) * w + ix) * c + ch]! * wt[((oc * kh + ky) * kw + kx) * c + ch]!;
              }
          }
  for (let i = 0; i < y.length; i++) y[i] = activate(y[i]! + (bias ? bias[i % o]! : 0), act);
  return y;
}

/** Builds a one-node graph, checks it with `verify`, runs it with the interpreter. */
function runOne(
  op: string,
  x: { shape: readonly number[]; data: Float32Array },
  consts: readonly ({ shape: readonly number[]; data: Float32Array } | undefined)[],
  attrs: Record<string, unknown>,
): { shape: readonly number[]; data: Float32Array; kernel: string } {
  const b = graphBuilder(registry);
  const xi = b.input("x", x.shape);
  const ids = consts.map((t, i) => (t === undefined ? undefined : b.constant(`c${i}`, t.data, t.shape)));
  const y = b.op(op, [xi, ...ids], attrs as never);
  const graph = verify(b.output(y).build(), registry);
  const interp = createInterpreter(graph, { registry });
  const [out] = interp.invoke([x.data]);
  return { shape: out!.shape, data: out!.data as Float32Array, kernel: interp.kernelNames[0]! };
}

const small = (lo: number, hi: number) => fc.integer({ min: lo, max: hi });
const pads4 = fc.tuple(small(0, 3), small(0, 3), small(0, 3), small(0, 3));

const convCase: fc.Arbitrary<ConvCase> = fc.record({
  n: small(1, 2),
  h: small(1, 7),
  w: small(1, 7),
  groups: small(1, 3),
  ig: small(1, 3),
  og: small(1, 6),
  kh: small(1, 4),
  kw: small(1, 4),
  strides: fc.tuple(small(1, 3), small(1, 3)),
  dilations: fc.tuple(small(1, 3), small(1, 3)),
  mode: fc.constantFrom(...MODES),
  explicit: pads4,
  bias: fc.boolean(),
  act: fc.constantFrom(...ACTS),
  seed: fc.integer(),
});

/** True if the window fits the padded input (shape inference would reject it otherwise). */
function fits(size: number, k: number, d: number, before: number, after: number): boolean {
  return size + before + after >= (k - 1) * d + 1;
}

describe("core.conv2d float32", () => {
  it("matches the textbook convolution over random shapes, strides, dilations, paddings and groups", () => {
    fc.assert(
      fc.property(convCase, (t) => {
        const pads = padsFor(t.mode, t.h, t.w, t.kh, t.kw, t.strides, t.dilations, t.explicit);
        fc.pre(
          fits(t.h, t.kh, t.dilations[0], pads[0], pads[1]) &&
            fits(t.w, t.kw, t.dilations[1], pads[2], pads[3]),
        );
        const c = t.groups * t.ig;
        const o = t.groups * t.og;
        const xs = [t.n, t.h, t.w, c];
        const ws = [o, t.kh, t.kw, t.ig];
        const x = randomData(t.seed, t.n * t.h * t.w * c);
        const wt = randomData(t.seed + 1, o * t.kh * t.kw * t.ig);
        const bias = t.bias ? randomData(t.seed + 2, o) : undefined;
        const attrs = {
          strides: t.strides,
          dilations: t.dilations,
          padding: t.mode,
          pads: t.explicit,
          groups: t.groups,
          fusedActivation: t.act,
        };
        const got = runOne(
          "core.conv2d",
          { shape: xs, data: x },
          [{ shape: ws, data: wt }, bias && { shape: [o], data: bias }],
          attrs,
        );
        const want = naiveConv2d(x, xs, wt, ws, bias, t.strides, t.dilations, pads, t.groups, t.act);
        expect(got.kernel).toBe("core/float32");
        expect(got.shape).toEqual(want.shape);
        expectClose(got.data, want.data);
      }),
      { seed: 1234, numRuns: 300 },
    );
  });

  it("reads weights and bias that are activations, not constants", () => {
    fc.assert(
      fc.property(convCase, (t) => {
        const pads = padsFor(t.mode, t.h, t.w, t.kh, t.kw, t.strides, t.dilations, t.explicit);
        fc.pre(
          fits(t.h, t.kh, t.dilations[0], pads[0], pads[1]) &&
            fits(t.w, t.kw, t.dilations[1], pads[2], pads[3]),
        );
        const c = t.groups * t.ig;
        const o = t.groups * t.og;
        const xs = [t.n, t.h, t.w, c];
        const ws = [o, t.kh, t.kw, t.ig];
        const x = randomData(t.seed, t.n * t.h * t.w * c);
        const wt = randomData(t.seed + 1, o * t.kh * t.kw * t.ig);
        const bias = randomData(t.seed + 2, o);
        const b = graphBuilder(registry);
        const ids = [b.input("x", xs), b.input("w", ws), b.input("b", [o])];
        const attrs = {
          strides: t.strides,
          dilations: t.dilations,
          padding: t.mode,
          pads: t.explicit,
          groups: t.groups,
        };
        const y = b.op("core.conv2d", ids, attrs);
        const graph = b.output(y).build();
        const [out] = runGraph(graph, [x, wt, bias], { registry });
        const want = naiveConv2d(x, xs, wt, ws, bias, t.strides, t.dilations, pads, t.groups, "NONE");
        expectClose(out!.data as Float32Array, want.data);
      }),
      { seed: 99, numRuns: 60 },
    );
  });

  it("computes a 3x3 input with a 2x2 kernel as worked out by hand (VALID and SAME)", () => {
    // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,2],[3,4]].
    // VALID: y00 = 1·1+2·2+4·3+5·4 = 37, y01 = 2+6+15+24 = 47, y10 = 4+10+21+32 = 67,
    //        y11 = 5+12+24+36 = 77.
    // SAME: out 3x3, pad_total = max(2·1 + 2 − 3, 0) = 1 → 0 before, 1 after (bottom/right);
    //       y02 = 3·1 + 6·3 = 21, y12 = 6 + 27 = 33, y20 = 7 + 16 = 23, y21 = 8 + 18 = 26, y22 = 9.
    const x = { shape: [1, 3, 3, 1], data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]) };
    const w = { shape: [1, 2, 2, 1], data: Float32Array.from([1, 2, 3, 4]) };
    const valid = runOne("core.conv2d", x, [w], { padding: "VALID" });
    expect(valid.shape).toEqual([1, 2, 2, 1]);
    expect([...valid.data]).toEqual([37, 47, 67, 77]);
    const same = runOne("core.conv2d", x, [w], { padding: "SAME" });
    expect(same.shape).toEqual([1, 3, 3, 1]);
    expect([...same.data]).toEqual([37, 47, 21, 67, 77, 33, 23, 26, 9]);
    // Bias −40 and RELU: max(0, y − 40).
    const relu = runOne("core.conv2d", x, [w, { shape: [1], data: Float32Array.of(-40) }], {
      padding: "VALID",
      fusedActivation: "RELU",
    });
    expect([...relu.data]).toEqual([0, 7, 27, 37]);
  });

  it("computes a 1-D convolution as a conv2d over H = 1", () => {
    // x = [1,2,3,4,5], kernel [1,0,−1]: y[i] = x[i] − x[i+2].
    const x = { shape: [1, 1, 5, 1], data: Float32Array.from([1, 2, 3, 4, 5]) };
    const w = { shape: [1, 1, 3, 1], data: Float32Array.from([1, 0, -1]) };
    expect([...runOne("core.conv2d", x, [w], {}).data]).toEqual([-2, -2, -2]);
    // Dilation 2: taps 0, 2, 4 → one output x0 − x4 = −4.
    expect([...runOne("core.conv2d", x, [w], { dilations: [1, 2] }).data]).toEqual([-4]);
    // Stride 2, one zero each side: padded [0,1,2,3,4,5,0] → [0−2, 2−4, 4−0].
    const strided = runOne("core.conv2d", x, [w], {
      strides: [1, 2],
      padding: "EXPLICIT",
      pads: [0, 0, 1, 1],
    });
    expect([...strided.data]).toEqual([-2, -2, 4]);
  });

  it("keeps groups apart: each output channel sees only its group's input channels", () => {
    // 2 groups, 1 input and 1 output channel each, 1x1 kernel: y = [2·x0, −x1].
    const x = { shape: [1, 1, 2, 2], data: Float32Array.from([1, 10, 3, 30]) };
    const w = { shape: [2, 1, 1, 1], data: Float32Array.from([2, -1]) };
    expect([...runOne("core.conv2d", x, [w], { groups: 2 }).data]).toEqual([2, -10, 6, -30]);
  });
});

describe("core.depthwise_conv2d float32", () => {
  const dwCase = fc.record({
    n: small(1, 2),
    h: small(1, 7),
    w: small(1, 7),
    c: small(1, 4),
    m: small(1, 3),
    kh: small(1, 4),
    kw: small(1, 4),
    strides: fc.tuple(small(1, 3), small(1, 3)),
    dilations: fc.tuple(small(1, 3), small(1, 3)),
    mode: fc.constantFrom(...MODES),
    explicit: pads4,
    bias: fc.boolean(),
    act: fc.constantFrom(...ACTS),
    seed: fc.integer(),
  });

  it("matches the naive depthwise definition with channel multipliers", () => {
    fc.assert(
      fc.property(dwCase, (t) => {
        const pads = padsFor(t.mode, t.h, t.w, t.kh, t.kw, t.strides, t.dilations, t.explicit);
        fc.pre(
          fits(t.h, t.kh, t.dilations[0], pads[0], pads[1]) &&
            fits(t.w, t.kw, t.dilations[1], pads[2], pads[3]),
        );
        const cm = t.c * t.m;
        const xs = [t.n, t.h, t.w, t.c];
        const ws = [1, t.kh, t.kw, cm];
        const x = randomData(t.seed, t.n * t.h * t.w * t.c);
        const wt = randomData(t.seed + 1, t.kh * t.kw * cm);
        const bias = t.bias ? randomData(t.seed + 2, cm) : undefined;
        const attrs = {
          strides: t.strides,
          dilations: t.dilations,
          padding: t.mode,
          pads: t.explicit,
          depthMultiplier: t.m,
          fusedActivation: t.act,
        };
        const got = runOne(
          "core.depthwise_conv2d",
          { shape: xs, data: x },
          [{ shape: ws, data: wt }, bias && { shape: [cm], data: bias }],
          attrs,
        );
        const want = naiveDepthwise(x, xs, wt, ws, t.m, bias, t.strides, t.dilations, pads, t.act);
        expect(got.kernel).toBe("core/float32");
        expect(got.shape).toEqual(want.shape);
        expectClose(got.data, want.data);
      }),
      { seed: 4321, numRuns: 300 },
    );
  });

  it("equals conv2d with groups = C and the weights regrouped to [C·m, kh, kw, 1]", () => {
    fc.assert(
      fc.property(dwCase, (t) => {
        const pads = padsFor(t.mode, t.h, t.w, t.kh, t.kw, t.strides, t.dilations, t.explicit);
        fc.pre(
          fits(t.h, t.kh, t.dilations[0], pads[0], pads[1]) &&
            fits(t.w, t.kw, t.dilations[1], pads[2], pads[3]),
        );
        const cm = t.c * t.m;
        const x = { shape: [t.n, t.h, t.w, t.c], data: randomData(t.seed, t.n * t.h * t.w * t.c) };
        const wd = randomData(t.seed + 1, t.kh * t.kw * cm);
        const wc = new Float32Array(wd.length);
        for (let k = 0; k < t.kh * t.kw; k++)
          for (let oc = 0; oc < cm; oc++) wc[oc * t.kh * t.kw + k] = wd[k * cm + oc]!;
        const common = { strides: t.strides, dilations: t.dilations, padding: t.mode, pads: t.explicit };
        const dw = runOne("core.depthwise_conv2d", x, [{ shape: [1, t.kh, t.kw, cm], data: wd }], {
          ...common,
          depthMultiplier: t.m,
        });
        const cv = runOne("core.conv2d", x, [{ shape: [cm, t.kh, t.kw, 1], data: wc }], {
          ...common,
          groups: t.c,
        });
        expect(dw.shape).toEqual(cv.shape);
        expectClose(dw.data, cv.data);
      }),
      { seed: 777, numRuns: 80 },
    );
  });

  it("computes a hand-derived multiplier-2 case", () => {
    // 2x2 input, channels (1, 10) per pixel; 2x2 kernel, multiplier 2: out channel 0 and 1
    // read channel 0 with kernels all-ones and [1,0,0,0]; channels 2 and 3 read channel 1
    // with [0,0,0,1] and all-twos.
    const x = { shape: [1, 2, 2, 2], data: Float32Array.from([1, 10, 2, 20, 3, 30, 4, 40]) };
    // weights[0,ky,kx,c·2+k]
    const w = Float32Array.from([1, 1, 0, 2, 1, 0, 0, 2, 1, 0, 0, 2, 1, 0, 1, 2]);
    const got = runOne("core.depthwise_conv2d", x, [{ shape: [1, 2, 2, 4], data: w }], {
      depthMultiplier: 2,
    });
    // ch0: 1+2+3+4 = 10; ch1: x00 = 1; ch2: x11 of channel 1 = 40; ch3: 2·(10+20+30+40) = 200.
    expect([...got.data]).toEqual([10, 1, 40, 200]);
  });
});

describe("core.transpose_conv2d float32", () => {
  const tcCase = fc.record({
    n: small(1, 2),
    h: small(1, 5),
    w: small(1, 5),
    c: small(1, 3),
    o: small(1, 3),
    kh: small(1, 4),
    kw: small(1, 4),
    strides: fc.tuple(small(1, 3), small(1, 3)),
    dilations: fc.tuple(small(1, 2), small(1, 2)),
    mode: fc.constantFrom(...MODES),
    explicit: pads4,
    outputPadding: fc.tuple(small(0, 2), small(0, 2)),
    // SAME only: an explicit output size (TFLite's output_shape), as a shortfall from H·s.
    shortfall: fc.option(fc.tuple(small(0, 2), small(0, 2)), { nil: undefined }),
    bias: fc.boolean(),
    act: fc.constantFrom(...ACTS),
    seed: fc.integer(),
  });
  type TcCase = typeof tcCase extends fc.Arbitrary<infer T> ? T : never;

  /**
   * Output size and leading pads, derived independently: VALID out = (in − 1)·s + eff;
   * SAME out = in·s (or the given size) with the padding TensorFlow's SAME rule gives the
   * forward convolution from that output back to the input; EXPLICIT out = (in − 1)·s + eff −
   * pads + output_padding (ONNX ConvTranspose).
   */
  function geometry(t: TcCase): {
    oh: number;
    ow: number;
    pt: number;
    pl: number;
    attrs: Record<string, unknown>;
  } {
    const effH = (t.kh - 1) * t.dilations[0] + 1;
    const effW = (t.kw - 1) * t.dilations[1] + 1;
    const base = { strides: t.strides, dilations: t.dilations, padding: t.mode };
    if (t.mode === "VALID") {
      return {
        oh: (t.h - 1) * t.strides[0] + effH,
        ow: (t.w - 1) * t.strides[1] + effW,
        pt: 0,
        pl: 0,
        attrs: base,
      };
    }
    if (t.mode === "EXPLICIT") {
      const [pt, pb, pl, pr] = t.explicit;
      // ONNX requires output_padding < stride.
      const op = [
        Math.min(t.outputPadding[0], t.strides[0] - 1),
        Math.min(t.outputPadding[1], t.strides[1] - 1),
      ];
      return {
        oh: (t.h - 1) * t.strides[0] + effH - pt - pb + op[0]!,
        ow: (t.w - 1) * t.strides[1] + effW - pl - pr + op[1]!,
        pt,
        pl,
        attrs: { ...base, pads: t.explicit, outputPadding: op },
      };
    }
    const short = t.shortfall ?? [0, 0];
    const oh = t.h * t.strides[0] - Math.min(short[0], t.strides[0] - 1);
    const ow = t.w * t.strides[1] - Math.min(short[1], t.strides[1] - 1);
    const attrs = t.shortfall !== undefined ? { ...base, outputShape: [t.n, oh, ow, t.o] } : base;
    return {
      oh,
      ow,
      pt: tfSamePads(oh, t.kh, t.strides[0], t.dilations[0])[0],
      pl: tfSamePads(ow, t.kw, t.strides[1], t.dilations[1])[0],
      attrs,
    };
  }

  it("matches the direct scatter definition (VALID, SAME with and without output size, EXPLICIT)", () => {
    fc.assert(
      fc.property(tcCase, (t) => {
        const g = geometry(t);
        fc.pre(g.oh > 0 && g.ow > 0);
        const xs = [t.n, t.h, t.w, t.c];
        const ws = [t.o, t.kh, t.kw, t.c];
        const x = randomData(t.seed, t.n * t.h * t.w * t.c);
        const wt = randomData(t.seed + 1, t.o * t.kh * t.kw * t.c);
        const bias = t.bias ? randomData(t.seed + 2, t.o) : undefined;
        const got = runOne(
          "core.transpose_conv2d",
          { shape: xs, data: x },
          [{ shape: ws, data: wt }, bias && { shape: [t.o], data: bias }],
          { ...g.attrs, fusedActivation: t.act },
        );
        expect(got.kernel).toBe("core/float32");
        expect(got.shape).toEqual([t.n, g.oh, g.ow, t.o]);
        const want = naiveTransposeConv(
          x,
          xs,
          wt,
          ws,
          bias,
          t.strides,
          t.dilations,
          g.pt,
          g.pl,
          g.oh,
          g.ow,
          t.act,
        );
        expectClose(got.data, want);
      }),
      { seed: 2024, numRuns: 300 },
    );
  });

  it("is the adjoint of conv2d: <conv(z), x> = <z, convT(x)> with matching parameters", () => {
    fc.assert(
      fc.property(tcCase, (t) => {
        const g = geometry(t);
        fc.pre(g.oh > 0 && g.ow > 0);
        const [sh, sw] = t.strides;
        const effH = (t.kh - 1) * t.dilations[0] + 1;
        const effW = (t.kw - 1) * t.dilations[1] + 1;
        // The forward conv from [oh, ow] back to [h, w] with the same leading pads: choose the
        // trailing pads so that floor((oh + pt + pb − eff) / s) + 1 = h.
        const pb = Math.max(0, (t.h - 1) * sh - (g.oh + g.pt - effH));
        const pr = Math.max(0, (t.w - 1) * sw - (g.ow + g.pl - effW));
        fc.pre(g.oh + g.pt + pb - effH <= t.h * sh - 1 && g.ow + g.pl + pr - effW <= t.w * sw - 1);
        const x = randomData(t.seed, t.n * t.h * t.w * t.c);
        const z = randomData(t.seed + 3, t.n * g.oh * g.ow * t.o);
        const wt = randomData(t.seed + 1, t.o * t.kh * t.kw * t.c);
        // conv weights [C, kh, kw, O]: wc[c,ky,kx,o] = wt[o,ky,kx,c].
        const wc = new Float32Array(wt.length);
        for (let o = 0; o < t.o; o++)
          for (let k = 0; k < t.kh * t.kw; k++)
            for (let c = 0; c < t.c; c++)
              wc[(c * t.kh * t.kw + k) * t.o + o] = wt[(o * t.kh * t.kw + k) * t.c + c]!;
        const convT = runOne(
          "core.transpose_conv2d",
          { shape: [t.n, t.h, t.w, t.c], data: x },
          [{ shape: [t.o, t.kh, t.kw, t.c], data: wt }],
          g.attrs,
        );
        const conv = runOne(
          "core.conv2d",
          { shape: [t.n, g.oh, g.ow, t.o], data: z },
          [{ shape: [t.c, t.kh, t.kw, t.o], data: wc }],
          { strides: t.strides, dilations: t.dilations, padding: "EXPLICIT", pads: [g.pt, pb, g.pl, pr] },
        );
        expect(conv.shape).toEqual([t.n, t.h, t.w, t.c]);
        let lhs = 0;
        let rhs = 0;
        let mag = 0;
        for (let i = 0; i < x.length; i++) {
          lhs += conv.data[i]! * x[i]!;
          mag += Math.abs(conv.data[i]! * x[i]!);
        }
        for (let i = 0; i < z.length; i++) {
          rhs += z[i]! * convT.data[i]!;
          mag += Math.abs(z[i]! * convT.data[i]!);
        }
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-5 * Math.max(1, mag));
      }),
      { seed: 31337, numRuns: 300 },
    );
  });

  it("takes the output size from an outputShape input, constant or checked at run time", () => {
    // As the hand case below: x = [1, 2], kernel [1, 10, 100], stride 2, SAME, but with an
    // output width of 3 (TFLite output_shape): forward SAME from 3 → out 2, pad_total =
    // max(1·2 + 3 − 3, 0) = 2, before 1 → columns 1..3 of [1, 10, 102, 20, 200].
    const attrs = { strides: [1, 2], padding: "SAME", outputShape: [1, 1, 3, 1] };
    const build = (shape: "constant" | "runtime") => {
      const b = graphBuilder(registry);
      const x = b.input("x", [1, 1, 2, 1]);
      const w = b.constant("w", Float32Array.from([1, 10, 100]), [1, 1, 3, 1]);
      const s =
        shape === "constant"
          ? b.constant("s", Int32Array.from([1, 1, 3, 1]), [4])
          : b.input("s", [4], "int32");
      return verify(b.output(b.op("core.transpose_conv2d", [x, w, undefined, s], attrs)).build(), registry);
    };
    const xs = Float32Array.from([1, 2]);
    expect([...runGraph(build("constant"), [xs], { registry })[0]!.data]).toEqual([10, 102, 20]);
    const runtime = build("runtime");
    expect([...runGraph(runtime, [xs, Int32Array.from([1, 1, 3, 1])], { registry })[0]!.data]).toEqual([
      10, 102, 20,
    ]);
    expect(() => runGraph(runtime, [xs, Int32Array.from([1, 1, 4, 1])], { registry })).toThrow(
      expect.objectContaining({ code: "MCU_E_SHAPE" }),
    );
  });

  it("computes a hand-derived stride-2 case", () => {
    // x = [1, 2] along W (1x2x1), kernel [1, 10, 100] (1x3), stride 2, VALID: out width
    // (2 − 1)·2 + 3 = 5; x0 scatters to 0..2: [1, 10, 100], x1 to 2..4: [2, 20, 200];
    // y = [1, 10, 102, 20, 200].
    const x = { shape: [1, 1, 2, 1], data: Float32Array.from([1, 2]) };
    const w = { shape: [1, 1, 3, 1], data: Float32Array.from([1, 10, 100]) };
    const valid = runOne("core.transpose_conv2d", x, [w], { strides: [1, 2] });
    expect(valid.shape).toEqual([1, 1, 5, 1]);
    expect([...valid.data]).toEqual([1, 10, 102, 20, 200]);
    // SAME: out width 2·2 = 4; forward SAME from 4: out 2, pad_total = max(1·2 + 3 − 4, 0) = 1,
    // before 0 → the first 4 of the VALID result.
    const same = runOne("core.transpose_conv2d", x, [w], { strides: [1, 2], padding: "SAME" });
    expect([...same.data]).toEqual([1, 10, 102, 20]);
    // EXPLICIT pads left 1, right 1, output_padding 1: width 5 − 2 + 1 = 4, dropping column 0.
    const ex = runOne("core.transpose_conv2d", x, [w], {
      strides: [1, 2],
      padding: "EXPLICIT",
      pads: [0, 0, 1, 1],
      outputPadding: [0, 1],
    });
    expect([...ex.data]).toEqual([10, 102, 20, 200]);
  });
});
