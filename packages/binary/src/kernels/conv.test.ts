/**
 * binary.conv2d against the float convolution of @mcu/tensor on the same ±1 values (integers are
 * exact in float32): core.conv2d with zero padding, or core.pad with +1 then a VALID core.conv2d
 * for larq's padding, then core.max_pool2d; the output stages against their definitions.
 * binary.input_conv2d against a sequential float32 sum written here and core.conv2d (tolerance).
 */
import { numElements, type Registry, window2d } from "@mcu/tensor";
import fc from "fast-check";
import { packSigns, unpackSigns } from "../bits.js";
import { binaryRegistry, graphBuilder, randomSigns, rng, runOnce } from "../testing/helpers.js";

const registry: Registry = binaryRegistry();

interface Case {
  n: number;
  h: number;
  w: number;
  c: number;
  o: number;
  kh: number;
  kw: number;
  stride: number;
  dilation: number;
  padding: "SAME" | "VALID" | "EXPLICIT";
  pads: number[];
  padValue: "zero" | "one";
  pool: number[];
  poolStride: number;
  output: "int32" | "float32" | "bit";
  seed: number;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  n: fc.integer({ min: 1, max: 2 }),
  h: fc.integer({ min: 3, max: 9 }),
  w: fc.integer({ min: 3, max: 9 }),
  c: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constantFrom(32, 64, 65)),
  o: fc.integer({ min: 1, max: 37 }),
  kh: fc.integer({ min: 1, max: 3 }),
  kw: fc.integer({ min: 1, max: 3 }),
  stride: fc.integer({ min: 1, max: 2 }),
  dilation: fc.integer({ min: 1, max: 2 }),
  padding: fc.constantFrom("SAME" as const, "VALID" as const, "EXPLICIT" as const),
  pads: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }),
  padValue: fc.constantFrom("zero" as const, "one" as const),
  pool: fc.constantFrom([], [2, 2], [3, 2], [1, 2]),
  poolStride: fc.integer({ min: 1, max: 2 }),
  output: fc.constantFrom("int32" as const, "float32" as const, "bit" as const),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
});

/** The float reference: core ops on ±1 floats; returns per-position dot products [N,OH,OW,O]. */
function floatReference(
  k: Case,
  x: Float32Array,
  w: Float32Array,
): { dots: Float32Array; shape: number[] } | undefined {
  const b = graphBuilder(registry);
  const xi = b.input("x", [k.n, k.h, k.w, k.c]);
  const wi = b.constant("w", w, [k.o, k.kh, k.kw, k.c]);
  const win = tryWindow(k);
  if (win === undefined) return undefined;
  const convAttrs = { strides: [k.stride, k.stride], dilations: [k.dilation, k.dilation] };
  let y: string;
  if (k.padValue === "one") {
    const padded = b.op("core.pad", [xi], {
      paddings: [0, 0, win.padTop, win.padBottom, win.padLeft, win.padRight, 0, 0],
      value: 1,
    });
    y = b.op("core.conv2d", [padded, wi], { ...convAttrs, padding: "VALID" });
  } else {
    y = b.op("core.conv2d", [xi, wi], { ...convAttrs, padding: k.padding, pads: k.pads });
  }
  if (k.pool.length === 2) {
    const convShape = b.info(y).shape;
    if (convShape[1]! < k.pool[0]! || convShape[2]! < k.pool[1]!) return undefined;
    y = b.op("core.max_pool2d", [y], {
      filter: k.pool,
      strides: [k.poolStride, k.poolStride],
      padding: "VALID",
    });
  }
  b.output(y);
  const g = b.build();
  const [out] = runOnce(g, registry, [x]);
  return { dots: out as Float32Array, shape: [...g.tensors.get(y)!.shape] };
}

function tryWindow(k: Case) {
  try {
    return window2d(k.h, k.w, k.kh, k.kw, [k.stride, k.stride], [k.dilation, k.dilation], k.padding, k.pads);
  } catch {
    return undefined;
  }
}

describe("binary.conv2d", () => {
  it("equals the float convolution of the ±1 values, pooled, through each output stage", () => {
    let checked = 0;
    fc.assert(
      fc.property(caseArb, (k) => {
        const next = rng(k.seed);
        const x = randomSigns(k.n * k.h * k.w * k.c, next);
        const w = randomSigns(k.o * k.kh * k.kw * k.c, next);
        const ref = floatReference(k, x, w);
        if (ref === undefined) return;
        const maxDot = k.kh * k.kw * k.c;
        const scale = Float32Array.from({ length: k.o }, () => (next() - 0.3) * 0.1);
        const bias = Float32Array.from({ length: k.o }, () => (next() - 0.5) * 5);
        const threshold = Int32Array.from({ length: k.o }, () => Math.round((next() * 2 - 1) * (maxDot + 1)));
        const flipSigns = randomSigns(k.o, next);

        const b = graphBuilder(registry);
        const xi = b.input("x", [k.n, k.h, k.w, k.c], "bit");
        const wi = b.constant("w", packSigns(w, [k.o, k.kh, k.kw, k.c]), [k.o, k.kh, k.kw, k.c], {
          dtype: "bit",
        });
        const epi: (string | undefined)[] = [];
        if (k.output === "float32") epi.push(b.constant("s", scale, [k.o]), b.constant("b", bias, [k.o]));
        if (k.output === "bit")
          epi.push(
            undefined,
            undefined,
            b.constant("t", threshold, [k.o]),
            b.constant("f", packSigns(flipSigns, [k.o]), [k.o], { dtype: "bit" }),
          );
        const y = b.op("binary.conv2d", [xi, wi, ...epi], {
          strides: [k.stride, k.stride],
          dilations: [k.dilation, k.dilation],
          padding: k.padding,
          pads: k.pads,
          padValue: k.padValue,
          pool: k.pool,
          poolStrides: k.pool.length === 2 ? [k.poolStride, k.poolStride] : [],
          output: k.output,
        });
        b.output(y);
        const g = b.build();
        expect(g.tensors.get(y)!.shape).toEqual(ref.shape);
        const [out] = runOnce(g, registry, [packSigns(x, [k.n, k.h, k.w, k.c])]);
        const f = Math.fround;
        const expected = Array.from(ref.dots, (d, i) => {
          const o = i % k.o;
          if (k.output === "int32") return d;
          if (k.output === "float32") return f(f(d * scale[o]!) + bias[o]!);
          return flipSigns[o]! * d >= threshold[o]! ? 1 : -1;
        });
        const actual =
          k.output === "bit"
            ? Array.from(unpackSigns(out as Uint32Array, ref.shape))
            : Array.from(out!, Number);
        expect(actual).toEqual(expected);
        checked++;
      }),
      { seed: 11, numRuns: 250 },
    );
    expect(checked).toBeGreaterThan(150);
  });
});

describe("binary.input_conv2d", () => {
  it("sums x·w in float32 in filter row, column, channel order; bit weights act as ±1", () => {
    fc.assert(
      fc.property(caseArb, fc.boolean(), (k, bitWeights) => {
        const next = rng(k.seed);
        const x = Float32Array.from({ length: k.n * k.h * k.w * k.c }, () => next() * 2 - 1);
        const w = bitWeights
          ? randomSigns(k.o * k.kh * k.kw * k.c, next)
          : Float32Array.from({ length: k.o * k.kh * k.kw * k.c }, () => next() * 2 - 1);
        const win = tryWindow(k);
        if (win === undefined) return;
        const convH = win.outH;
        const convW = win.outW;
        const [ph, pw] = k.pool.length === 2 ? (k.pool as [number, number]) : [1, 1];
        const ps = k.pool.length === 2 ? k.poolStride : 1;
        if (convH < ph || convW < pw) return;
        const outH = Math.floor((convH - ph) / ps) + 1;
        const outW = Math.floor((convW - pw) / ps) + 1;
        const threshold = Float32Array.from({ length: k.o }, () => (next() - 0.5) * 2);
        const flipSigns = randomSigns(k.o, next);
        const output = k.output === "int32" ? "float32" : k.output;

        // The definition: a sequential float32 sum over in-bounds taps, max over the pool window.
        const f = Math.fround;
        const acc = (b: number, oy: number, ox: number, o: number): number => {
          let s = 0;
          for (let ky = 0; ky < k.kh; ky++)
            for (let kx = 0; kx < k.kw; kx++) {
              const iy = oy * k.stride - win.padTop + ky * k.dilation;
              const ix = ox * k.stride - win.padLeft + kx * k.dilation;
              if (iy < 0 || iy >= k.h || ix < 0 || ix >= k.w) continue;
              for (let i = 0; i < k.c; i++)
                s = f(
                  s +
                    f(
                      x[((b * k.h + iy) * k.w + ix) * k.c + i]! * w[((o * k.kh + ky) * k.kw + kx) * k.c + i]!,
                    ),
                );
            }
          return s;
        };
        const expected: number[] = [];
        for (let b = 0; b < k.n; b++)
          for (let py = 0; py < outH; py++)
            for (let px = 0; px < outW; px++)
              for (let o = 0; o < k.o; o++) {
                let best = Number.NEGATIVE_INFINITY;
                for (let qy = 0; qy < ph; qy++)
                  for (let qx = 0; qx < pw; qx++)
                    best = Math.max(best, acc(b, py * ps + qy, px * ps + qx, o));
                expected.push(output === "bit" ? (flipSigns[o]! * best >= threshold[o]! ? 1 : -1) : best);
              }

        const bld = graphBuilder(registry);
        const xi = bld.input("x", [k.n, k.h, k.w, k.c]);
        const wi = bitWeights
          ? bld.constant("w", packSigns(w, [k.o, k.kh, k.kw, k.c]), [k.o, k.kh, k.kw, k.c], { dtype: "bit" })
          : bld.constant("w", w, [k.o, k.kh, k.kw, k.c]);
        const epi =
          output === "bit"
            ? [
                undefined,
                undefined,
                bld.constant("t", threshold, [k.o]),
                bld.constant("f", packSigns(flipSigns, [k.o]), [k.o], { dtype: "bit" }),
              ]
            : [];
        const y = bld.op("binary.input_conv2d", [xi, wi, ...epi], {
          strides: [k.stride, k.stride],
          dilations: [k.dilation, k.dilation],
          padding: k.padding,
          pads: k.pads,
          pool: k.pool,
          poolStrides: k.pool.length === 2 ? [k.poolStride, k.poolStride] : [],
          output,
        });
        bld.output(y);
        const g = bld.build();
        const shape = [k.n, outH, outW, k.o];
        expect(g.tensors.get(y)!.shape).toEqual(shape);
        const [out] = runOnce(g, registry, [x]);
        const actual =
          output === "bit" ? Array.from(unpackSigns(out as Uint32Array, shape)) : Array.from(out!, Number);
        expect(actual).toEqual(expected);
        expect(numElements(shape)).toBe(expected.length);
      }),
      { seed: 12, numRuns: 150 },
    );
  });

  it("is the float convolution to rounding (core.conv2d accumulates in double)", () => {
    const next = rng(5);
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 12, 12, 3]);
    const wData = Float32Array.from({ length: 8 * 3 * 3 * 3 }, () => next() * 2 - 1);
    const w = b.constant("w", wData, [8, 3, 3, 3]);
    const attrs = { padding: "SAME" as const, strides: [1, 1] };
    b.output(
      b.op("binary.input_conv2d", [x, w], { ...attrs, output: "float32" }),
      b.op("core.conv2d", [x, w], attrs),
    );
    const g = b.build();
    const [ours, core] = runOnce(g, registry, [Float32Array.from({ length: 432 }, () => next())]);
    for (let i = 0; i < ours!.length; i++)
      expect(Math.abs(Number(ours![i]) - Number(core![i]))).toBeLessThan(1e-5);
  });
});
