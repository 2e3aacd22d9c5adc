import fc from "fast-check";
import { graphBuilder } from "../builder.js";
import { corePlugin } from "../core-plugin.js";
import { type DType, dtypeRange, type TensorData } from "../dtype.js";
import { createInterpreter } from "../interpreter.js";
import { createRegistry } from "../registry.js";
import { type QuantParams, quantParams, type Value } from "../tensor-info.js";

const registry = createRegistry([corePlugin]);

/** Runs core.quantize from float32 to `dtype` with output parameters `q`. */
function quantize(
  x: readonly number[],
  shape: readonly number[],
  dtype: DType,
  q: QuantParams,
): { y: Value; kernel: string } {
  const g = graphBuilder(registry);
  const xi = g.input("x", shape);
  g.output(g.op("core.quantize", [xi], {}, { outputs: [{ dtype, quant: q }] }));
  const interp = createInterpreter(g.build(), { registry });
  return { y: interp.invoke([Float32Array.from(x)])[0]!, kernel: interp.kernelNames[0]! };
}

/** Runs core.dequantize of `data` (a `dtype` tensor with parameters `q`) to float32. */
function dequantize(
  data: TensorData,
  shape: readonly number[],
  dtype: DType,
  q: QuantParams,
): { y: Value; kernel: string } {
  const g = graphBuilder(registry);
  const xi = g.input("x", shape, dtype, q);
  g.output(g.op("core.dequantize", [xi]));
  const interp = createInterpreter(g.build(), { registry });
  return { y: interp.invoke([data])[0]!, kernel: interp.kernelNames[0]! };
}

const list = (v: Value) => Array.from(v.data as ArrayLike<number>);
const perAxis = (scale: number[], zeroPoint: number[], axis: number): QuantParams => ({
  scale,
  zeroPoint,
  axis,
});

describe("core.quantize from float32", () => {
  it("rounds half away from zero (std::round), not half to even or half up", () => {
    // scale 1, zero point 0: 0.5 → 1, −0.5 → −1, 2.5 → 3, −2.5 → −3, −1.5 → −2, 1.4999999 → 1
    const { y, kernel } = quantize(
      [0.5, -0.5, 2.5, -2.5, -1.5, 1.4999999, 0],
      [7],
      "int8",
      quantParams(1, 0),
    );
    expect(kernel).toBe("core/float32");
    expect(y.data).toBeInstanceOf(Int8Array);
    expect(list(y)).toEqual([1, -1, 3, -3, -2, 1, 0]);
  });

  it("adds the zero point after rounding", () => {
    // scale 0.5, zp −3: 1.25/0.5 = 2.5 → 3 → 0;  −1.25/0.5 = −2.5 → −3 → −6;  0 → −3
    expect(list(quantize([1.25, -1.25, 0], [3], "int8", quantParams(0.5, -3)).y)).toEqual([0, -6, -3]);
  });

  it("divides in float32 by the float32 scale, as TFLite does", () => {
    // fround(0.1) = 0.100000001490116…; 0.25 / 0.100000001490116 = 2.4999999627… in double,
    // which rounds to 2.5 in float32 (its float32 neighbours are 2.5 ± 2.4e−7), then to 3.
    // A double division would give 2. Likewise −0.25 → −3.
    expect(Math.round(0.25 / Math.fround(0.1))).toBe(2); // the double path, for contrast
    expect(list(quantize([0.25, -0.25], [2], "int8", quantParams(0.1, 0)).y)).toEqual([3, -3]);
  });

  it("clamps to each dtype's range", () => {
    // int8, scale 0.5, zp 10: 100/0.5 + 10 = 210 → 127;  −100/0.5 + 10 = −190 → −128
    expect(list(quantize([100, -100], [2], "int8", quantParams(0.5, 10)).y)).toEqual([127, -128]);
    // uint8, zp 128: −200 + 128 → 0;  300 + 128 → 255;  0.4 → 0 + 128
    const u8 = quantize([-200, 300, 0.4], [3], "uint8", quantParams(1, 128)).y;
    expect(u8.data).toBeInstanceOf(Uint8Array);
    expect(list(u8)).toEqual([0, 255, 128]);
    // int16
    expect(list(quantize([40000, -40000, 12.5], [3], "int16", quantParams(1, 0)).y)).toEqual([
      32767, -32768, 13,
    ]);
    // int4: 7.4 → 7;  7.5 → 8 → 7;  −8.5 → −9 → −8;  −8.4 → −8
    expect(list(quantize([7.4, 7.5, -8.5, -8.4], [4], "int4", quantParams(1, 0)).y)).toEqual([7, 7, -8, -8]);
    // int32
    expect(list(quantize([3e9, -3e9, 1e6], [3], "int32", quantParams(1, 0)).y)).toEqual([
      2147483647, -2147483648, 1000000,
    ]);
  });

  it("saturates infinities and sends NaN to the zero point", () => {
    expect(list(quantize([Infinity, -Infinity, Number.NaN], [3], "int8", quantParams(0.5, 5)).y)).toEqual([
      127, -128, 5,
    ]);
  });

  it("quantizes per axis 0", () => {
    // x = [[1,2,3],[1,2,3]], axis 0: row 0 scale 1, zp 0 → [1,2,3];
    // row 1 scale 0.5, zp −1 → [2,4,6] − 1 = [1,3,5]
    const { y } = quantize([1, 2, 3, 1, 2, 3], [2, 3], "int8", perAxis([1, 0.5], [0, -1], 0));
    expect(list(y)).toEqual([1, 2, 3, 1, 3, 5]);
  });

  it("quantizes per axis 3 (NHWC channels)", () => {
    // x [1,1,2,2] = [1, 1, 2, 2]: channel 0 holds 1, 2 with scale 0.5 → 2, 4;
    // channel 1 holds 1, 2 with scale 0.25, zp 10 → 14, 18
    const { y } = quantize([1, 1, 2, 2], [1, 1, 2, 2], "int8", perAxis([0.5, 0.25], [0, 10], 3));
    expect(list(y)).toEqual([2, 14, 4, 18]);
  });

  it("leaves requantization of integer inputs to @mcu/quant", () => {
    const g = graphBuilder(registry);
    const xi = g.input("x", [2], "int8", quantParams(0.5, 0));
    g.output(g.op("core.quantize", [xi], {}, { outputs: [{ dtype: "int8", quant: quantParams(0.25, 0) }] }));
    expect(() => createInterpreter(g.build(), { registry })).toThrow(
      expect.objectContaining({ code: "MCU_E_NO_KERNEL" }),
    );
  });
});

describe("core.dequantize to float32", () => {
  it("computes scale·(q − zp) for every integer dtype", () => {
    // int8, scale 0.5, zp 3: 0.5·(−131) = −65.5, 0.5·(−3) = −1.5, 0, 0.5·124 = 62
    const i8 = dequantize(Int8Array.of(-128, 0, 3, 127), [4], "int8", quantParams(0.5, 3));
    expect(i8.kernel).toBe("core/float32");
    expect(i8.y.data).toBeInstanceOf(Float32Array);
    expect(list(i8.y)).toEqual([-65.5, -1.5, 0, 62]);
    // uint8, scale 0.25, zp 128: −32, 0, 31.75
    expect(list(dequantize(Uint8Array.of(0, 128, 255), [3], "uint8", quantParams(0.25, 128)).y)).toEqual([
      -32, 0, 31.75,
    ]);
    // int16, scale 2^−10: −32, 2^−10
    expect(list(dequantize(Int16Array.of(-32768, 1), [2], "int16", quantParams(1 / 1024, 0)).y)).toEqual([
      -32,
      1 / 1024,
    ]);
    // int4, scale 2, zp −1: 2·(−7) = −14, 2·8 = 16
    expect(list(dequantize(Int8Array.of(-8, 7), [2], "int4", quantParams(2, -1)).y)).toEqual([-14, 16]);
    // int32, scale 1: exact below 2^24
    expect(list(dequantize(Int32Array.of(-16777216, 123), [2], "int32", quantParams(1, 0)).y)).toEqual([
      -16777216, 123,
    ]);
  });

  it("uses the float32 scale, as TFLite stores it", () => {
    // fround(0.3) = 0.300000011920928955…; 0.300000011920928955 · (−200) = −60.000002384…,
    // whose nearest float32 is −60.0000038147 (float32 steps are 2^−18 ≈ 3.8e−6 in [32, 64)).
    // The unrounded double 0.3 would give exactly −60.
    const { y } = dequantize(Int8Array.of(-100), [1], "int8", quantParams(0.3, 100));
    expect(list(y)).toEqual([-60.000003814697266]);
  });

  it("dequantizes per axis 0 and per axis 3", () => {
    // [2,2] axis 0: row 0 scale 0.5 zp 0 → [−1, 1];  row 1 scale 2 zp 1 → [2·(−3), 2·2] = [−6, 4]
    const a0 = dequantize(Int8Array.of(-2, 2, -2, 3), [2, 2], "int8", perAxis([0.5, 2], [0, 1], 0)).y;
    expect(list(a0)).toEqual([-1, 1, -6, 4]);
    // [1,1,2,3] axis 3, scales [1, 0.5, 0.25], zps [0, 0, −4]: q = [4,4,4, 8,8,8]
    // → [4, 2, 2, 8, 4, 3]
    const a3 = dequantize(
      Int8Array.of(4, 4, 4, 8, 8, 8),
      [1, 1, 2, 3],
      "int8",
      perAxis([1, 0.5, 0.25], [0, 0, -4], 3),
    ).y;
    expect(list(a3)).toEqual([4, 2, 2, 8, 4, 3]);
  });

  it("multiplies in double per tensor but in float32 per axis (TFLite Dequantize vs PerChannelDequantize)", () => {
    // q = 2^24 + 1 = 16777217, scale 3.
    // Per tensor: 3 · 16777217 = 50331651 in double; float32 steps are 4 there → 50331652.
    // Per axis: (float)16777217 = 16777216 (ties to even), 3 · 16777216 = 50331648 exactly.
    const q = Int32Array.of(16777217, 16777217);
    expect(list(dequantize(q, [2], "int32", quantParams(3, 0)).y)).toEqual([50331652, 50331652]);
    expect(list(dequantize(q, [2], "int32", perAxis([3, 3], [0, 0], 0)).y)).toEqual([50331648, 50331648]);
  });

  it("needs quantization parameters", () => {
    const g = graphBuilder(registry);
    g.output(g.op("core.dequantize", [g.input("x", [2], "int8")]));
    expect(() => createInterpreter(g.build(), { registry })).toThrow(
      expect.objectContaining({ code: "MCU_E_NO_KERNEL" }),
    );
  });
});

// ---- Properties against the naive TFLite formulas ----------------------------------------

const product = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

/** The channel of flat index f along `axis` of `shape`. */
function channelOf(f: number, shape: readonly number[], axis: number): number {
  return Math.floor(f / product(shape.slice(axis + 1))) % shape[axis]!;
}

/** std::round written as sign(v)·floor(|v| + 1/2). */
function stdRound(v: number): number {
  return Math.sign(v) * Math.floor(Math.abs(v) + 0.5);
}

const intDTypes = ["int8", "int16", "uint8", "int32", "int4"] as const;

const layoutArb = fc
  .record({
    shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
    dtype: fc.constantFrom(...intDTypes),
    axisSeed: fc.nat(),
    perAxis: fc.boolean(),
  })
  .chain((p) => {
    const axis = p.axisSeed % p.shape.length;
    const { min, max } = dtypeRange(p.dtype);
    const channels = p.perAxis ? p.shape[axis]! : 1;
    // Scales between 2^−8 and 4 with non-dyadic values, to exercise float32 rounding.
    const scale = fc.integer({ min: 1, max: 1000 }).map((k) => k / 250);
    const zp = fc.integer({ min: Math.max(min, -100), max: Math.min(max, 100) });
    return fc.record({
      shape: fc.constant(p.shape),
      dtype: fc.constant(p.dtype),
      axis: fc.constant(axis),
      perAxis: fc.constant(p.perAxis),
      scale: fc.array(scale, { minLength: channels, maxLength: channels }),
      zeroPoint: fc.array(zp, { minLength: channels, maxLength: channels }),
      x: fc.array(fc.float({ min: -300, max: 300, noNaN: true }), {
        minLength: product(p.shape),
        maxLength: product(p.shape),
      }),
      q: fc.array(fc.integer({ min, max }), { minLength: product(p.shape), maxLength: product(p.shape) }),
    });
  });

function paramsOf(l: { perAxis: boolean; scale: number[]; zeroPoint: number[]; axis: number }): QuantParams {
  return l.perAxis ? perAxis(l.scale, l.zeroPoint, l.axis) : quantParams(l.scale[0]!, l.zeroPoint[0]!);
}

describe("quantize/dequantize properties", () => {
  it("quantize equals clamp(std::round(fround(x / fround(scale))) + zp)", () => {
    fc.assert(
      fc.property(layoutArb, (l) => {
        const { y } = quantize(l.x, l.shape, l.dtype, paramsOf(l));
        const { min, max } = dtypeRange(l.dtype);
        const expected = l.x.map((v, f) => {
          const c = l.perAxis ? channelOf(f, l.shape, l.axis) : 0;
          const r = stdRound(Math.fround(Math.fround(v) / Math.fround(l.scale[c]!))) + l.zeroPoint[c]!;
          return Math.min(Math.max(r, min), max) + 0; // + 0 turns −0 into 0
        });
        expect(list(y).map((v) => v + 0)).toEqual(expected);
      }),
      { seed: 11, numRuns: 300 },
    );
  });

  it("dequantize equals fround(fround(scale)·(q − zp)), with (float)(q − zp) per axis", () => {
    fc.assert(
      fc.property(layoutArb, (l) => {
        const data = Int32Array.from(l.q);
        const typed: TensorData =
          l.dtype === "int8" || l.dtype === "int4"
            ? Int8Array.from(data)
            : l.dtype === "int16"
              ? Int16Array.from(data)
              : l.dtype === "uint8"
                ? Uint8Array.from(data)
                : data;
        const { y } = dequantize(typed, l.shape, l.dtype, paramsOf(l));
        const expected = l.q.map((q, f) => {
          const c = l.perAxis ? channelOf(f, l.shape, l.axis) : 0;
          // PerChannelDequantize (chosen when there is more than one scale, TFLite's
          // IsQuantizedPerChannel) converts the int32 difference to float before multiplying.
          const diff = l.scale.length > 1 ? Math.fround(q - l.zeroPoint[c]!) : q - l.zeroPoint[c]!;
          return Math.fround(Math.fround(l.scale[c]!) * diff);
        });
        expect(list(y)).toEqual(expected);
      }),
      { seed: 12, numRuns: 300 },
    );
  });

  it("dequantize(quantize(x)) is within half a step of x inside the representable range", () => {
    fc.assert(
      fc.property(layoutArb, (l) => {
        const params = paramsOf(l);
        const q = quantize(l.x, l.shape, l.dtype, params).y;
        const back = list(dequantize(q.data, l.shape, l.dtype, params).y);
        const { min, max } = dtypeRange(l.dtype);
        l.x.forEach((v, f) => {
          const c = l.perAxis ? channelOf(f, l.shape, l.axis) : 0;
          const s = Math.fround(l.scale[c]!);
          const zp = l.zeroPoint[c]!;
          const lo = s * (min - zp);
          const hi = s * (max - zp);
          if (v < lo || v > hi) return; // saturated: covered by the clamping tests
          // Half a step, plus float32 rounding of the quotient and of the result.
          expect(Math.abs(back[f]! - Math.fround(v))).toBeLessThanOrEqual(s / 2 + 1e-6 * (Math.abs(v) + s));
        });
      }),
      { seed: 13, numRuns: 200 },
    );
  });
});
