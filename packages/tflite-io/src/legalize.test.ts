/**
 * tflite/legalize: EXPLICIT pads and batch_norm rewritten into TFLite builtins. Oracles: the
 * interpreter on the original (unrewritten) graph, whose EXPLICIT-pad and batch_norm kernels do
 * not go through the legalizer; the batch-norm and max-pool definitions written out here; and
 * LiteRT (TFLite's own kernels) running the written file.
 */
import {
  corePlugin,
  createRegistry,
  type Graph,
  graphBuilder,
  McuError,
  numElements,
  quantParams,
  resolvePipeline,
  runGraph,
  runPipeline,
  verify,
} from "@mcu/tensor";
import { readFixture } from "@mcu/testing";
import fc from "fast-check";
import { decodeModel } from "./internal/decode.js";
import { lowestPadValue } from "./internal/legalize-padding.js";
import { ENUMS } from "./internal/schema.generated.js";
import { legalizeForTflite } from "./legalize.js";
import { tfliteFormat, tflitePlugin } from "./plugin.js";
import { readTflite } from "./read.js";
import { maxRelativeError, seededRandom } from "./testing/compare.js";
import { TFLITE_FIXTURES } from "./testing/fixtures.js";
import { runLiteRt } from "./testing/litert.js";
import { writeTflite } from "./write.js";

const registry = createRegistry([corePlugin]);

const randomData = (n: number, rand: () => number, lo = -1, hi = 1) =>
  Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());

/** Runs a float graph with one input on our interpreter. */
const ours = (g: Graph, x: Float32Array) => runGraph(g, [x], { registry })[0]!.data as Float32Array;

/** The builtin operator names of a written file, in operator order. */
const operatorNames = (bytes: Uint8Array) => {
  const m = decodeModel(bytes);
  return m.subgraphs[0]!.operators.map(
    (o) => ENUMS.BuiltinOperator![m.operatorCodes[o.opcodeIndex]!.builtinCode],
  );
};

/** std::round: half away from zero. */
const roundHalfAway = (r: number) => Math.sign(r) * Math.round(Math.abs(r));

/** TFLite's quantize (reference/quantize.h): x / scale in float32, std::round, clamp to int8. */
const quantize = (v: number, scale: number, zp: number) =>
  Math.min(127, Math.max(-128, roundHalfAway(Math.fround(v / Math.fround(scale))) + zp));

/** TFLite's dequantize: float(double(float scale) · (q − zp)). */
const dequantize = (q: number, scale: number, zp: number) => Math.fround(Math.fround(scale) * (q - zp));

function exportError(g: Graph): McuError {
  try {
    writeTflite(g);
  } catch (e) {
    if (e instanceof McuError) return e;
    throw e;
  }
  throw new Error("writeTflite accepted the graph");
}

describe("graphs TFLite already holds", () => {
  it.each(TFLITE_FIXTURES)("%s comes back as the same graph reference", (file) => {
    const g = readTflite(readFixture(file));
    expect(legalizeForTflite(g, registry)).toBe(g);
  });
});

type WindowOp = "conv" | "depthwise" | "max" | "avg_incl" | "avg_excl";

interface WindowCase {
  readonly op: WindowOp;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly k: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  readonly pads: readonly [number, number, number, number];
  readonly relu6: boolean;
  readonly seed: number;
}

const windowCase: fc.Arbitrary<WindowCase> = fc
  .record({
    op: fc.constantFrom<WindowOp>("conv", "depthwise", "max", "avg_incl", "avg_excl"),
    h: fc.integer({ min: 2, max: 9 }),
    w: fc.integer({ min: 2, max: 9 }),
    c: fc.integer({ min: 1, max: 3 }),
    k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    strides: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    dilations: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    pads: fc.tuple(
      fc.integer({ min: 0, max: 2 }),
      fc.integer({ min: 0, max: 2 }),
      fc.integer({ min: 0, max: 2 }),
      fc.integer({ min: 0, max: 2 }),
    ),
    relu6: fc.boolean(),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  })
  .map((c) => {
    const pool = c.op !== "conv" && c.op !== "depthwise";
    const dilations: [number, number] = pool ? [1, 1] : c.dilations;
    // ONNX pools need pads smaller than the kernel (so no window is all padding).
    const pads = pool ? (c.pads.map((p, i) => Math.min(p, c.k[i < 2 ? 0 : 1] - 1)) as typeof c.pads) : c.pads;
    return { ...c, dilations, pads };
  })
  .filter((c) => {
    const fits = (size: number, k: number, d: number, before: number, after: number) =>
      size + before + after >= (k - 1) * d + 1;
    return (
      fits(c.h, c.k[0], c.dilations[0], c.pads[0], c.pads[1]) &&
      fits(c.w, c.k[1], c.dilations[1], c.pads[2], c.pads[3])
    );
  });

function windowGraph(t: WindowCase): Graph {
  const rand = seededRandom(t.seed);
  const b = graphBuilder(registry);
  const x = b.input("x", [1, t.h, t.w, t.c]);
  const window = { strides: t.strides, padding: "EXPLICIT", pads: t.pads };
  const act = { fusedActivation: t.relu6 ? "RELU6" : "NONE" };
  let y: string;
  if (t.op === "conv" || t.op === "depthwise") {
    const out = t.op === "conv" ? 2 : t.c;
    const wShape = t.op === "conv" ? [out, t.k[0], t.k[1], t.c] : [1, t.k[0], t.k[1], t.c];
    const w = b.constant("w", randomData(numElements(wShape), rand), wShape);
    const bias = b.constant("b", randomData(out, rand), [out]);
    const op = t.op === "conv" ? "core.conv2d" : "core.depthwise_conv2d";
    y = b.op(op, [x, w, bias], { ...window, ...act, dilations: t.dilations }, { name: "window" });
  } else {
    const op = t.op === "max" ? "core.max_pool2d" : "core.avg_pool2d";
    const extra = t.op === "max" ? {} : { countIncludePad: t.op === "avg_incl" };
    y = b.op(op, [x], { ...window, ...act, filter: t.k, ...extra }, { name: "window" });
  }
  b.output(y);
  return b.build();
}

describe("EXPLICIT pads", () => {
  it("become SAME, VALID or PAD + VALID that compute the same in our interpreter and in LiteRT", async () => {
    let padded = 0;
    let same = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(windowCase, async (t) => {
        const g = windowGraph(t);
        const l = verify(legalizeForTflite(g, registry), registry);
        expect(l.outputs).toEqual(g.outputs);
        const y = l.tensors.get(l.outputs[0]!)!;
        expect(y.shape).toEqual(g.tensors.get(g.outputs[0]!)!.shape);
        const node = l.nodes.find((n) => n.name === "window")!;
        if (node.attrs.padding === "EXPLICIT") {
          // Only an average that excludes the pads from its divisor, with pads other than SAME's.
          expect(t.op).toBe("avg_excl");
          expect(exportError(g).message).toContain("window");
          refused++;
          return;
        }
        if (l.nodes.some((n) => n.op === "core.pad")) padded++;
        if (node.attrs.padding === "SAME") same++;
        const x = randomData(t.h * t.w * t.c, seededRandom(t.seed + 1), -8, 8);
        const expected = ours(g, x);
        expect(maxRelativeError(ours(l, x), expected)).toBeLessThanOrEqual(1e-6);
        const [lite] = await runLiteRt(writeTflite(g), [{ data: x, shape: [1, t.h, t.w, t.c] }]);
        expect(maxRelativeError(lite!, expected)).toBeLessThanOrEqual(1e-5);
      }),
      { seed: 4242, numRuns: 120 },
    );
    // Every path was taken.
    expect([padded > 0, same > 0, refused > 0]).toEqual([true, true, true]);
  }, 60_000);

  it("ONNX's stride-2 pads [1,1,1,1] become a PAD before a VALID conv", () => {
    const g = windowGraph({
      op: "conv",
      h: 28,
      w: 28,
      c: 1,
      k: [3, 3],
      strides: [2, 2],
      dilations: [1, 1],
      pads: [1, 1, 1, 1],
      relu6: false,
      seed: 5,
    });
    const l = legalizeForTflite(g, registry);
    expect(l.nodes.map((n) => [n.op, n.attrs.padding ?? ""])).toEqual([
      ["core.pad", ""],
      ["core.conv2d", "VALID"],
    ]);
    expect(l.nodes[0]!.attrs).toMatchObject({
      paddings: [0, 0, 1, 1, 1, 1, 0, 0],
      mode: "constant",
      value: 0,
    });
    expect(operatorNames(writeTflite(g))).toEqual(["PAD", "CONV_2D"]);
  });

  it("that equal SAME's or are zero are written without a PAD", () => {
    const sameCase = {
      h: 8,
      w: 8,
      c: 1,
      k: [3, 3],
      strides: [2, 2],
      dilations: [1, 1],
      relu6: false,
      seed: 1,
    } as const;
    const g = windowGraph({ ...sameCase, op: "max", pads: [0, 1, 0, 1] });
    expect(legalizeForTflite(g, registry).nodes.map((n) => n.attrs.padding)).toEqual(["SAME"]);
    const v = windowGraph({ ...sameCase, op: "avg_incl", pads: [0, 0, 0, 0] });
    expect(legalizeForTflite(v, registry).nodes.map((n) => n.attrs.padding)).toEqual(["VALID"]);
    // An average that counts the pads cannot be TFLite's SAME (which does not): PAD + VALID.
    const incl = windowGraph({ ...sameCase, op: "avg_incl", pads: [0, 1, 0, 1] });
    expect(operatorNames(writeTflite(incl))).toEqual(["PAD", "AVERAGE_POOL_2D"]);
  });
});

describe("EXPLICIT pads on int8 tensors", () => {
  it("pads a max pool with −128 exactly (the lowest stored value), for any scale and zero point", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 10, noNaN: true }),
        fc.integer({ min: -128, max: 127 }),
        (scale, zeroPoint) => {
          const v = lowestPadValue({
            name: "x",
            shape: [1],
            dtype: "int8",
            quant: quantParams(scale, zeroPoint),
          });
          expect(v).toBeDefined();
          // TFLite's PADV2 constant and the IR's pad kernel quantize with round(v / scale) + zp.
          expect(Math.round(v! / scale) + zeroPoint).toBe(-128);
          expect(roundHalfAway(v! / scale) + zeroPoint).toBe(-128);
        },
      ),
      { seed: 17, numRuns: 500 },
    );
    expect(lowestPadValue({ name: "x", shape: [1], dtype: "float32" })).toBe(Number.NEGATIVE_INFINITY);
    expect(lowestPadValue({ name: "x", shape: [1], dtype: "uint8", quant: quantParams(0.1, 7) })).toBeCloseTo(
      -0.7,
    );
  });

  /** float → QUANTIZE → int8 max pool (or conv) with EXPLICIT pads → DEQUANTIZE. */
  function int8Graph(kind: "max" | "conv"): { graph: Graph; scale: number; zeroPoint: number } {
    const scale = 0.05;
    const zeroPoint = -3;
    const q = quantParams(scale, zeroPoint);
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 5, 6, 2]);
    const xq = b.op("core.quantize", [x], {}, { outputs: [{ dtype: "int8", quant: q }] });
    let y: string;
    if (kind === "max") {
      y = b.op(
        "core.max_pool2d",
        [xq],
        { filter: [3, 2], strides: [2, 2], padding: "EXPLICIT", pads: [1, 1, 1, 0] },
        { name: "pool", outputs: [{ dtype: "int8", quant: q }] },
      );
    } else {
      // One output channel summing both input channels over a 3×3 window: weights all 1, and
      // the output scale is the input's, so the requantization multiplier is exactly 1.
      const w = b.constant("w", new Int8Array(18).fill(1), [1, 3, 3, 2], {
        quant: { scale: [1], zeroPoint: [0], axis: 0 },
      });
      const bias = b.constant("b", new Int32Array(1), [1], { quant: { scale: [scale], zeroPoint: [0] } });
      y = b.op(
        "core.conv2d",
        [xq, w, bias],
        { strides: [2, 2], padding: "EXPLICIT", pads: [1, 1, 1, 1] },
        { name: "conv", outputs: [{ dtype: "int8", quant: quantParams(scale, 0) }] },
      );
    }
    b.output(b.op("core.dequantize", [y]));
    return { graph: b.build(), scale, zeroPoint };
  }

  it("max pool: PADV2 with −128, and LiteRT gives the max of the in-bounds values", async () => {
    const { graph, scale, zeroPoint } = int8Graph("max");
    const bytes = writeTflite(graph);
    expect(operatorNames(bytes)).toEqual(["QUANTIZE", "PADV2", "MAX_POOL_2D", "DEQUANTIZE"]);
    const back = readTflite(bytes);
    const pad = back.nodes.find((n) => n.op === "core.pad")!;
    expect(quantize(pad.attrs.value as number, scale, zeroPoint)).toBe(-128);
    // Inputs near the bottom of the range (stored −128 … −103): a pad of the zero point (−3)
    // or anything above −128 would win at the borders.
    const x = randomData(60, seededRandom(9), -6.5, -5);
    const [lite] = await runLiteRt(bytes, [{ data: x, shape: [1, 5, 6, 2] }]);
    // The definition: y[oy, ox, c] = max over the in-bounds window of the quantized input.
    const expected: number[] = [];
    for (let oy = 0; oy < 3; oy++)
      for (let ox = 0; ox < 3; ox++)
        for (let c = 0; c < 2; c++) {
          let m = Number.NEGATIVE_INFINITY;
          for (let ky = 0; ky < 3; ky++)
            for (let kx = 0; kx < 2; kx++) {
              const iy = oy * 2 - 1 + ky;
              const ix = ox * 2 - 1 + kx;
              if (iy < 0 || iy >= 5 || ix < 0 || ix >= 6) continue;
              m = Math.max(m, quantize(x[(iy * 6 + ix) * 2 + c]!, scale, zeroPoint));
            }
          expected.push(dequantize(m, scale, zeroPoint));
        }
    expect(Array.from(lite!)).toEqual(expected);
  });

  it("conv: PAD (the zero point), and LiteRT sums only the in-bounds values", async () => {
    const { graph, scale, zeroPoint } = int8Graph("conv");
    const bytes = writeTflite(graph);
    expect(operatorNames(bytes)).toEqual(["QUANTIZE", "PAD", "CONV_2D", "DEQUANTIZE"]);
    // Small inputs (|stored − zero point| ≤ 4) so that sums of 18 stay inside int8.
    const x = randomData(60, seededRandom(10), -0.2, 0.2);
    const [lite] = await runLiteRt(bytes, [{ data: x, shape: [1, 5, 6, 2] }]);
    // The definition: Σ over the in-bounds window of (stored − zero point); a pad that stored
    // anything but the zero point would add to the border sums.
    const expected: number[] = [];
    for (let oy = 0; oy < 3; oy++)
      for (let ox = 0; ox < 3; ox++) {
        let sum = 0;
        for (let ky = 0; ky < 3; ky++)
          for (let kx = 0; kx < 3; kx++) {
            const iy = oy * 2 - 1 + ky;
            const ix = ox * 2 - 1 + kx;
            if (iy < 0 || iy >= 5 || ix < 0 || ix >= 6) continue;
            for (let c = 0; c < 2; c++)
              sum += quantize(x[(iy * 6 + ix) * 2 + c]!, scale, zeroPoint) - zeroPoint;
          }
        expected.push(dequantize(sum, scale, 0));
      }
    expect(Array.from(lite!)).toEqual(expected);
  });
});

describe("transpose_conv2d with EXPLICIT pads", () => {
  /** ONNX ConvTranspose: kernel k, stride 2, pads, output_padding, on a 4×5 input. */
  function transposeGraph(k: number, pads: readonly number[], outputPadding: readonly number[]): Graph {
    const rand = seededRandom(k * 100 + pads[0]! * 10 + outputPadding[0]!);
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 4, 5, 3]);
    const w = b.constant("w", randomData(2 * k * k * 3, rand), [2, k, k, 3]);
    const bias = b.constant("b", randomData(2, rand), [2]);
    const y = b.op(
      "core.transpose_conv2d",
      [x, w, bias],
      { strides: [2, 2], padding: "EXPLICIT", pads, outputPadding },
      { name: "up" },
    );
    b.output(y);
    return b.build();
  }

  it.each([
    ["k4 s2 p1 (SAME with the output shape)", 4, [1, 1, 1, 1], [0, 0], ["TRANSPOSE_CONV"], "SAME"],
    [
      "k3 s2 p0 output_padding 1 (VALID with the output shape)",
      3,
      [0, 0, 0, 0],
      [1, 1],
      ["TRANSPOSE_CONV"],
      "VALID",
    ],
    [
      "k3 s2 p1 output_padding 1 (VALID, then a SLICE)",
      3,
      [1, 1, 1, 1],
      [1, 1],
      ["TRANSPOSE_CONV", "SLICE"],
      "VALID",
    ],
    [
      "k3 s2 pads [2,0,1,1] (VALID, then a SLICE)",
      3,
      [2, 0, 1, 1],
      [0, 0],
      ["TRANSPOSE_CONV", "SLICE"],
      "VALID",
    ],
  ] as const)("%s computes the same in LiteRT", async (_, k, pads, outputPadding, ops, padding) => {
    const g = transposeGraph(k, pads, outputPadding);
    const l = verify(legalizeForTflite(g, registry), registry);
    expect(l.nodes.find((n) => n.name === "up")!.attrs.padding).toBe(padding);
    expect(l.outputs).toEqual(g.outputs);
    const bytes = writeTflite(g);
    expect(operatorNames(bytes)).toEqual(ops);
    const x = randomData(60, seededRandom(3));
    const expected = ours(g, x);
    expect(maxRelativeError(ours(l, x), expected)).toBeLessThanOrEqual(1e-6);
    const [lite] = await runLiteRt(bytes, [{ data: x, shape: [1, 4, 5, 3] }]);
    expect(maxRelativeError(lite!, expected)).toBeLessThanOrEqual(1e-5);
  });

  it("whose window reaches past the un-cropped output stays for the writer to report", () => {
    // Rows: top pad 1 and output_padding 1 give 9 rows from row 1 of the 9-row VALID output
    // (the last is bias only); columns: no pads, 11 = the VALID width. SAME would crop row 1
    // but column 1 too, so no single padding mode and no slice of the VALID output holds it.
    const g = transposeGraph(3, [1, 0, 0, 0], [1, 0]);
    expect(legalizeForTflite(g, registry).nodes.map((n) => n.attrs.padding)).toEqual(["EXPLICIT"]);
    expect(exportError(g).message).toContain("up (core.transpose_conv2d: ");
  });
});

describe("batch_norm", () => {
  const channels = 3;
  function bnParams(rand: () => number) {
    return {
      gamma: randomData(channels, rand, 0.5, 2),
      beta: randomData(channels, rand),
      mean: randomData(channels, rand),
      variance: randomData(channels, rand, 0.1, 3),
    };
  }

  /** The definition: γ·(x − μ)/√(σ² + ε) + β along `axis` of a [2,3,4,5]-like shape. */
  function batchNormDefinition(
    x: Float32Array,
    shape: readonly number[],
    axis: number,
    p: ReturnType<typeof bnParams>,
    eps: number,
  ): Float64Array {
    const inner = numElements(shape.slice(axis + 1));
    return Float64Array.from(x, (v, i) => {
      const c = Math.floor(i / inner) % shape[axis]!;
      return (p.gamma[c]! * (v - p.mean[c]!)) / Math.sqrt(p.variance[c]! + eps) + p.beta[c]!;
    });
  }

  it.each([
    ["the channel (last) axis", [1, 4, 5, channels], -1],
    ["axis 1 of a rank-4 tensor", [1, channels, 4, 5], 1],
    ["axis 1 of a rank-2 tensor", [2, channels], 1],
  ] as const)("that cannot be folded becomes MUL + ADD along %s", async (_, shape, axis) => {
    const rand = seededRandom(21);
    const p = bnParams(rand);
    const b = graphBuilder(registry);
    const x = b.input("x", shape);
    const c = (name: string, d: Float32Array) => b.constant(name, d, [channels]);
    b.output(
      b.op(
        "core.batch_norm",
        [x, c("gamma", p.gamma), c("beta", p.beta), c("mean", p.mean), c("var", p.variance)],
        { epsilon: 1e-3, axis },
        { name: "bn" },
      ),
    );
    const g = b.build();
    const l = verify(legalizeForTflite(g, registry), registry);
    expect(l.nodes.map((n) => n.op)).toEqual(["core.mul", "core.add"]);
    expect(l.outputs).toEqual(g.outputs);
    const bytes = writeTflite(g);
    expect(operatorNames(bytes)).toEqual(["MUL", "ADD"]);
    const data = randomData(numElements(shape), rand, -3, 3);
    const expected = batchNormDefinition(data, shape, axis < 0 ? axis + shape.length : axis, p, 1e-3);
    expect(maxRelativeError(ours(l, data), expected)).toBeLessThanOrEqual(1e-5);
    const [lite] = await runLiteRt(bytes, [{ data, shape }]);
    expect(maxRelativeError(lite!, expected)).toBeLessThanOrEqual(1e-5);
  });

  it("after a conv is folded into it by core/fold-batchnorm (no MUL/ADD)", async () => {
    const rand = seededRandom(22);
    const p = bnParams(rand);
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 6, 6, 2]);
    const w = b.constant("w", randomData(channels * 9 * 2, rand), [channels, 3, 3, 2]);
    const h = b.op("core.conv2d", [x, w], { padding: "EXPLICIT", pads: [1, 1, 1, 1] });
    const c = (name: string, d: Float32Array) => b.constant(name, d, [channels]);
    const y = b.op("core.batch_norm", [
      h,
      c("gamma", p.gamma),
      c("beta", p.beta),
      c("mean", p.mean),
      c("var", p.variance),
    ]);
    b.output(b.op("core.relu", [y]));
    const g = b.build();
    const bytes = writeTflite(g);
    expect(operatorNames(bytes)).toEqual(["CONV_2D", "RELU"]);
    const data = randomData(72, rand);
    const [lite] = await runLiteRt(bytes, [{ data, shape: [1, 6, 6, 2] }]);
    expect(maxRelativeError(lite!, ours(g, data))).toBeLessThanOrEqual(1e-5);
  });

  it("that is not float32 with constant parameters stays for the writer to report", () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 2, 2, 2]);
    const mean = b.input("mean", [2]);
    const one = b.constant("one", Float32Array.of(1, 1), [2]);
    b.output(b.op("core.batch_norm", [x, one, one, mean, one], {}, { name: "runtime_mean" }));
    const g = b.build();
    expect(legalizeForTflite(g, registry).nodes.map((n) => n.op)).toEqual(["core.batch_norm"]);
    expect(exportError(g).message).toContain("runtime_mean (core.batch_norm");
  });
});

describe("the pass", () => {
  it("is tflite/legalize in the plugin, runs in a verified pipeline and reports what it rewrote", async () => {
    const withPlugin = createRegistry([corePlugin, tflitePlugin]);
    const g = windowGraph({
      op: "max",
      h: 6,
      w: 6,
      c: 2,
      k: [3, 3],
      strides: [2, 2],
      dilations: [1, 1],
      pads: [1, 1, 1, 1],
      relu6: false,
      seed: 3,
    });
    const { graph, diagnostics } = await runPipeline(g, resolvePipeline(withPlugin, "tflite/legalize"), {
      registry: withPlugin,
    });
    expect(graph.nodes.map((n) => n.op)).toEqual(["core.pad", "core.max_pool2d"]);
    expect(graph.nodes[0]!.attrs.value).toBe(Number.NEGATIVE_INFINITY);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        pass: "tflite/legalize",
        node: "window",
        message: expect.stringContaining("PAD"),
      }),
    ]);
    // The format legalizes with the registry it is given, as `mcu convert` calls it.
    const written = tfliteFormat.write!(g, { registry: withPlugin });
    expect(operatorNames(written)).toEqual(["PADV2", "MAX_POOL_2D"]);
  });
});
