/**
 * Element-wise, pooling and data-movement kernels against naive definitions written here
 * (TFLite's formulas with BigInt requantization), plus real-valued sanity bounds: the
 * dequantized result stays within a quantization step of the real operation.
 */
import {
  clamp,
  naiveMbqm,
  naiveQuantizeMultiplier,
  naiveRequant,
  randomInts,
  randomScale,
  rng,
} from "../../test/naive.js";
import { q, runOne } from "../../test/graph.js";

const int8 = (xs: number[]) => Int8Array.from(xs);

describe("add / sub", () => {
  it("int8 and int16 (broadcast) equal TFLite's rescale-add-rescale definition", () => {
    const r = rng(11);
    for (let trial = 0; trial < 40; trial++) {
      const wide = trial % 2 === 1;
      const subtract = trial % 4 >= 2;
      const [lo, hi] = wide ? [-32768, 32767] : [-128, 127];
      const L = wide ? 15 : 20;
      const [sa, sb, sy] = [randomScale(r, 1e-4, 0.1), randomScale(r, 1e-4, 0.1), randomScale(r, 1e-4, 0.2)];
      const [za, zb, zy] = wide ? [0, 0, 0] : (randomInts(r, 3, -30, 30) as [number, number, number]);
      const bShape = trial % 3 === 0 ? [4] : [2, 3, 4];
      const a = randomInts(r, 24, lo, hi);
      const b = randomInts(
        r,
        bShape.reduce((p, d) => p * d, 1),
        lo,
        hi,
      );
      const dtype = wide ? "int16" : "int8";
      const make = (xs: number[]) => (wide ? Int16Array.from(xs) : Int8Array.from(xs));
      const res = runOne(
        subtract ? "core.sub" : "core.add",
        [
          { shape: [2, 3, 4], dtype, quant: q(sa, za), value: make(a) },
          { shape: bShape, dtype, quant: q(sb, zb), value: make(b) },
        ],
        { dtype, quant: q(sy, zy) },
      );
      const t = 2 * Math.max(sa, sb);
      const [r1, r2, ro] = [sa / t, sb / t, t / (2 ** L * sy)];
      const want = a.map((av, i) => {
        const bv = b[i % b.length]!;
        const x1 = naiveRequant((av - za) * 2 ** L, r1);
        const x2 = naiveRequant((bv - zb) * 2 ** L, r2);
        const v = clamp(naiveRequant(subtract ? x1 - x2 : x1 + x2, ro) + zy, lo, hi);
        // Real-valued bound: within one output step plus the inputs' rounding (where not clamped).
        const real = sa * (av - za) + (subtract ? -1 : 1) * sb * (bv - zb);
        const unclamped = real / sy + zy;
        if (unclamped > lo + 1 && unclamped < hi - 1)
          expect(Math.abs(v - unclamped)).toBeLessThanOrEqual(1.01);
        return v;
      });
      expect(Array.from(res.data as Int8Array)).toEqual(want);
    }
  });
});

describe("mul", () => {
  it("int8 and int16 equal MBQM((a − z_a)(b − z_b)) + z_y", () => {
    const r = rng(12);
    for (let trial = 0; trial < 20; trial++) {
      const wide = trial % 2 === 1;
      const [lo, hi] = wide ? [-32768, 32767] : [-128, 127];
      const [sa, sb, sy] = [randomScale(r, 1e-3, 0.1), randomScale(r, 1e-3, 0.1), randomScale(r, 1e-4, 0.05)];
      const [za, zb, zy] = wide ? [0, 0, 0] : (randomInts(r, 3, -30, 30) as [number, number, number]);
      const dtype = wide ? "int16" : "int8";
      const make = (xs: number[]) => (wide ? Int16Array.from(xs) : Int8Array.from(xs));
      const a = randomInts(r, 12, lo, hi);
      const b = randomInts(r, 3, lo, hi);
      const res = runOne(
        "core.mul",
        [
          { shape: [4, 3], dtype, quant: q(sa, za), value: make(a) },
          { shape: [3], dtype, quant: q(sb, zb), value: make(b) },
        ],
        { dtype, quant: q(sy, zy) },
        { fusedActivation: "RELU" },
      );
      const low = Math.max(lo, zy);
      const want = a.map((av, i) =>
        clamp(naiveRequant((av - za) * (b[i % 3]! - zb), (sa * sb) / sy) + zy, low, hi),
      );
      expect(Array.from(res.data as Int8Array)).toEqual(want);
    }
  });
});

describe("pooling", () => {
  it("average pool rounds half away from zero over in-image positions; max pool takes the maximum", () => {
    const r = rng(13);
    const x = randomInts(r, 5 * 5 * 2, -128, 127);
    const common = [{ shape: [1, 5, 5, 2], dtype: "int8" as const, quant: q(0.1, 3), value: int8(x) }];
    const attrs = { filter: [3, 3], strides: [2, 2], padding: "SAME" };
    const avg = runOne("core.avg_pool2d", common, { dtype: "int8", quant: q(0.1, 3) }, attrs);
    const max = runOne("core.max_pool2d", common, { dtype: "int8", quant: q(0.1, 3) }, attrs);
    const wantAvg: number[] = [];
    const wantMax: number[] = [];
    for (let oy = 0; oy < 3; oy++) {
      for (let ox = 0; ox < 3; ox++) {
        for (let c = 0; c < 2; c++) {
          let sum = 0;
          let n = 0;
          let m = -129;
          for (let ky = 0; ky < 3; ky++) {
            for (let kx = 0; kx < 3; kx++) {
              const [iy, ix] = [oy * 2 - 1 + ky, ox * 2 - 1 + kx];
              if (iy < 0 || iy >= 5 || ix < 0 || ix >= 5) continue;
              const v = x[(iy * 5 + ix) * 2 + c]!;
              sum += v;
              n++;
              m = Math.max(m, v);
            }
          }
          wantAvg.push(sum >= 0 ? Math.round(sum / n) : -Math.round(-sum / n));
          wantMax.push(m);
        }
      }
    }
    expect(Array.from(avg.data as Int8Array)).toEqual(wantAvg);
    expect(Array.from(max.data as Int8Array)).toEqual(wantMax);
    expect(avg.kernel).toBe("quant/int8");
  });
});

describe("mean", () => {
  it("equals QuantizedMeanOrSum: the 1/n folded into the multiplier, requantized to the output", () => {
    const r = rng(14);
    const x = randomInts(r, 2 * 3 * 5 * 4, -128, 127);
    const [sx, sy] = [0.05, 0.03];
    const res = runOne(
      "core.mean",
      [{ shape: [2, 3, 5, 4], dtype: "int8", quant: q(sx, -4), value: int8(x) }],
      { dtype: "int8", quant: q(sy, 6) },
      { axes: [1, 2], keepDims: true },
    );
    const { multiplier, shift } = naiveQuantizeMultiplier(Math.fround(sx) / Math.fround(sy));
    const n = 15;
    const k = Math.min(Math.floor(Math.log2(n)), 32, 31 + shift);
    const m2 = Math.trunc((multiplier * 2 ** k) / n);
    const want: number[] = [];
    for (let b = 0; b < 2; b++) {
      for (let c = 0; c < 4; c++) {
        let sum = 0;
        for (let i = 0; i < 15; i++) sum += x[(b * 15 + i) * 4 + c]!;
        const v = clamp(naiveMbqm(sum + 4 * n, m2, shift - k) + 6, -128, 127);
        // The mean stays within a step of the real mean.
        expect(Math.abs(v - ((sx * (sum / n + 4)) / sy + 6))).toBeLessThanOrEqual(1.01);
        want.push(v);
      }
    }
    expect(Array.from(res.data as Int8Array)).toEqual(want);
  });
});

describe("softmax", () => {
  const softmax = (xs: number[]) => {
    const m = Math.max(...xs);
    const e = xs.map((v) => Math.exp(v - m));
    const s = e.reduce((p, v) => p + v, 0);
    return e.map((v) => v / s);
  };

  it("int8 → int8 is within one output step (1/256) of the real softmax", () => {
    const r = rng(15);
    for (let trial = 0; trial < 30; trial++) {
      const n = 2 + Math.floor(r() * 12);
      const sx = randomScale(r, 0.01, 0.5);
      const zx = randomInts(r, 1, -20, 20)[0]!;
      const x = randomInts(r, n, -128, 127);
      const res = runOne(
        "core.softmax",
        [{ shape: [1, n], dtype: "int8", quant: q(sx, zx), value: int8(x) }],
        { dtype: "int8", quant: q(1 / 256, -128) },
      );
      const want = softmax(x.map((v) => sx * (v - zx)));
      Array.from(res.data as Int8Array).forEach((v, i) => {
        expect(Math.abs((v + 128) / 256 - want[i]!)).toBeLessThanOrEqual(1 / 256 + 1e-9);
      });
    }
  });

  // int16 → int16 (TFLite's table path) rescales differences to 10/65535 units (±2.5 output
  // steps) and clamps them at −10, where the exp table still holds exp(−10)·2^15 ≈ 1.5 → 2: every
  // far-below-max element adds 2 to the sum. It is held to 2n + 6 steps; int8 → int16 to 2.
  it("int8 → int16 and int16 → int16 are within a few steps of the real softmax", () => {
    const r = rng(16);
    for (let trial = 0; trial < 20; trial++) {
      const n = 2 + Math.floor(r() * 10);
      const wide = trial % 2 === 1;
      const sx = wide ? randomScale(r, 1e-4, 1e-3) : randomScale(r, 0.01, 0.2);
      const x = randomInts(r, n, wide ? -32768 : -128, wide ? 32767 : 127);
      const res = runOne(
        "core.softmax",
        [
          {
            shape: [1, n],
            dtype: wide ? "int16" : "int8",
            quant: q(sx, 0),
            value: wide ? Int16Array.from(x) : int8(x),
          },
        ],
        { dtype: "int16", quant: wide ? q(1 / 32768, 0) : q(1 / 65536, -32768) },
      );
      expect(res.kernel).toBe(wide ? "quant/int16x8" : "quant/int8");
      const want = softmax(x.map((v) => sx * v));
      Array.from(res.data as Int16Array).forEach((v, i) => {
        const real = wide ? v / 32768 : (v + 32768) / 65536;
        expect(Math.abs(real - want[i]!)).toBeLessThanOrEqual(wide ? (2 * n + 6) / 32768 : 2 / 65536);
      });
    }
  });

  it("log_softmax int8 is within one output step (1/16) of the real log-softmax", () => {
    const r = rng(17);
    for (let trial = 0; trial < 20; trial++) {
      const n = 2 + Math.floor(r() * 10);
      const sx = randomScale(r, 0.01, 0.3);
      const x = randomInts(r, n, -128, 127);
      const res = runOne(
        "core.log_softmax",
        [{ shape: [1, n], dtype: "int8", quant: q(sx, 0), value: int8(x) }],
        { dtype: "int8", quant: q(16 / 256, 127) },
      );
      const m = Math.max(...x.map((v) => sx * v));
      const lse = m + Math.log(x.reduce((p, v) => p + Math.exp(sx * v - m), 0));
      Array.from(res.data as Int8Array).forEach((v, i) => {
        const real = sx * x[i]! - lse;
        if (real > -15.9) expect(Math.abs((v - 127) / 16 - real)).toBeLessThanOrEqual(1 / 16 + 1e-9);
      });
    }
  });
});

describe("logistic and tanh", () => {
  it("int8 results are within one output step of the real functions", () => {
    const x = Array.from({ length: 256 }, (_, i) => i - 128);
    for (const sx of [0.01, 0.05, 0.12]) {
      const lg = runOne(
        "core.logistic",
        [{ shape: [256], dtype: "int8", quant: q(sx, 10), value: int8(x) }],
        { dtype: "int8", quant: q(1 / 256, -128) },
      );
      const th = runOne("core.tanh", [{ shape: [256], dtype: "int8", quant: q(sx, 10), value: int8(x) }], {
        dtype: "int8",
        quant: q(1 / 128, 0),
      });
      x.forEach((v, i) => {
        const real = sx * (v - 10);
        expect(
          Math.abs(((lg.data[i] as number) + 128) / 256 - 1 / (1 + Math.exp(-real))),
        ).toBeLessThanOrEqual(1 / 256);
        expect(Math.abs((th.data[i] as number) / 128 - Math.tanh(real))).toBeLessThanOrEqual(1 / 128);
      });
    }
  });

  it("int16 results (sigmoid-table interpolation) are within 3 steps of 1/32768", () => {
    const x = Array.from({ length: 2001 }, (_, i) => (i - 1000) * 32);
    for (const sx of [1 / 4096, 3 / 8192, 1 / 2048]) {
      const lg = runOne(
        "core.logistic",
        [{ shape: [x.length], dtype: "int16", quant: q(sx, 0), value: Int16Array.from(x) }],
        {
          dtype: "int16",
          quant: q(1 / 32768, 0),
        },
      );
      const th = runOne(
        "core.tanh",
        [{ shape: [x.length], dtype: "int16", quant: q(sx, 0), value: Int16Array.from(x) }],
        {
          dtype: "int16",
          quant: q(1 / 32768, 0),
        },
      );
      x.forEach((v, i) => {
        const real = Math.fround(sx) * v;
        expect(
          Math.abs((lg.data[i] as number) - Math.min(32767, 32768 / (1 + Math.exp(-real)))),
        ).toBeLessThanOrEqual(3);
        expect(
          Math.abs((th.data[i] as number) - clamp(32768 * Math.tanh(real), -32768, 32767)),
        ).toBeLessThanOrEqual(3);
      });
    }
  });
});

describe("leaky_relu, relu, relu6, hard_swish", () => {
  it("leaky_relu equals z_y + MBQM(x − z_x) with the float32 identity and alpha ratios", () => {
    const x = Array.from({ length: 256 }, (_, i) => i - 128);
    const [sx, sy, alpha] = [0.05, 0.03, 0.2];
    const res = runOne(
      "core.leaky_relu",
      [{ shape: [256], dtype: "int8", quant: q(sx, -5), value: int8(x) }],
      { dtype: "int8", quant: q(sy, 8) },
      { alpha },
    );
    const fx = Math.fround(sx);
    const fy = Math.fround(sy);
    const ra = Math.fround(Math.fround(fx * Math.fround(alpha)) / fy);
    const ri = Math.fround(fx / fy);
    const want = x.map((v) => clamp(8 + naiveRequant(v + 5, v + 5 >= 0 ? ri : ra), -128, 127));
    expect(Array.from(res.data as Int8Array)).toEqual(want);
  });

  it("relu and relu6 requantize and clamp to [q(0), q(6)]", () => {
    const x = Array.from({ length: 256 }, (_, i) => i - 128);
    const [sx, sy] = [0.05, 0.04];
    const relu = runOne("core.relu", [{ shape: [256], dtype: "int8", quant: q(sx, 3), value: int8(x) }], {
      dtype: "int8",
      quant: q(sy, -100),
    });
    const relu6 = runOne("core.relu6", [{ shape: [256], dtype: "int8", quant: q(sx, 3), value: int8(x) }], {
      dtype: "int8",
      quant: q(sy, -100),
    });
    const six = -100 + Math.round(6 / Math.fround(sy));
    x.forEach((v, i) => {
      const scaled = naiveRequant(v - 3, Math.fround(sx) / Math.fround(sy)) - 100;
      expect(relu.data[i]).toBe(clamp(scaled, -100, 127));
      expect(relu6.data[i]).toBe(clamp(scaled, -100, Math.min(127, six)));
    });
  });

  it("hard_swish int8 is within one output step of x·relu6(x + 3)/6", () => {
    const x = Array.from({ length: 256 }, (_, i) => i - 128);
    for (const [sx, zx, sy, zy] of [
      [0.05, 0, 0.04, -20],
      [0.03, 12, 0.02, -100],
      [0.2, -7, 0.1, 5],
    ] as const) {
      const res = runOne(
        "core.hard_swish",
        [{ shape: [256], dtype: "int8", quant: q(sx, zx), value: int8(x) }],
        {
          dtype: "int8",
          quant: q(sy, zy),
        },
      );
      x.forEach((v, i) => {
        const real = sx * (v - zx);
        const want = clamp((real * Math.min(6, Math.max(0, real + 3))) / 6 / sy + zy, -128, 127);
        expect(Math.abs((res.data[i] as number) - want)).toBeLessThanOrEqual(1);
      });
    }
  });
});

describe("pad, concat, quantize", () => {
  it("pad fills with the quantized constant (the zero point for 0)", () => {
    const x = [1, 2, 3, 4, 5, 6];
    const res = runOne(
      "core.pad",
      [{ shape: [1, 2, 3], dtype: "int8", quant: q(0.5, -3), value: int8(x) }],
      { dtype: "int8", quant: q(0.5, -3) },
      { paddings: [0, 0, 1, 0, 0, 2] },
    );
    expect(res.kernel).toBe("quant/int8");
    expect(Array.from(res.data as Int8Array)).toEqual([-3, -3, -3, -3, -3, 1, 2, 3, -3, -3, 4, 5, 6, -3, -3]);
    const v2 = runOne(
      "core.pad",
      [{ shape: [2], dtype: "int16", quant: q(0.25, 0), value: Int16Array.of(7, 8) }],
      { dtype: "int16", quant: q(0.25, 0) },
      { paddings: [1, 1], value: -1.5 },
    );
    expect(Array.from(v2.data as Int16Array)).toEqual([-6, 7, 8, -6]);
  });

  it("concat copies matching inputs and requantizes the others in float32", () => {
    const a = [-128, -1, 0, 5, 127, 64];
    const b = [10, -10, 100, -100];
    const res = runOne(
      "core.concat",
      [
        { shape: [2, 3], dtype: "int8", quant: q(0.1, 2), value: int8(a) },
        { shape: [2, 2], dtype: "int8", quant: q(0.037, -9), value: int8(b) },
      ],
      { dtype: "int8", quant: q(0.1, 2) },
      { axis: 1 },
    );
    const scale = Math.fround(Math.fround(0.037) * Math.fround(1 / Math.fround(0.1)));
    const bias = Math.fround(9 * scale);
    const rq = (v: number) => {
      const t = Math.fround(Math.fround(v * scale) + bias);
      return clamp((t < 0 ? -Math.round(-t) : Math.round(t)) + 2, -128, 127);
    };
    expect(Array.from(res.data as Int8Array)).toEqual([
      ...a.slice(0, 3),
      ...b.slice(0, 2).map(rq),
      ...a.slice(3),
      ...b.slice(2).map(rq),
    ]);
  });

  it("quantize requantizes int8 → int16 → int8 and flips the sign bit for int8 ↔ uint8", () => {
    const x = Array.from({ length: 256 }, (_, i) => i - 128);
    const up = runOne("core.quantize", [{ shape: [256], dtype: "int8", quant: q(0.02, 4), value: int8(x) }], {
      dtype: "int16",
      quant: q(0.0003, 0),
    });
    expect(up.kernel).toBe("quant/int16x8");
    x.forEach((v, i) => {
      expect(up.data[i]).toBe(
        clamp(naiveRequant(v - 4, Math.fround(0.02) / Math.fround(0.0003)), -32768, 32767),
      );
    });
    const u8 = runOne("core.quantize", [{ shape: [256], dtype: "int8", quant: q(0.02, 4), value: int8(x) }], {
      dtype: "uint8",
      quant: q(0.02, 132),
    });
    expect(Array.from(u8.data as Uint8Array)).toEqual(x.map((v) => v + 128));
  });
});

describe("batch_matmul", () => {
  it("int8 with broadcast batches and transposed b equals Σ (a − z_a)(b − z_b) requantized", () => {
    const r = rng(18);
    const [m, k, n] = [3, 5, 4];
    const a = randomInts(r, 2 * m * k, -128, 127);
    const b = randomInts(r, n * k, -128, 127); // [1, n, k], transposed
    const [sa, sb, sy] = [0.02, 0.03, 0.5];
    const res = runOne(
      "core.batch_matmul",
      [
        { shape: [2, m, k], dtype: "int8", quant: q(sa, 3), value: int8(a) },
        { shape: [1, n, k], dtype: "int8", quant: q(sb, -2), value: int8(b) },
      ],
      { dtype: "int8", quant: q(sy, 1) },
      { transposeB: true },
    );
    const want: number[] = [];
    for (let batch = 0; batch < 2; batch++) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let acc = 0;
          for (let t = 0; t < k; t++) acc += (a[(batch * m + i) * k + t]! - 3) * (b[j * k + t]! + 2);
          want.push(
            clamp(naiveRequant(acc, (Math.fround(sa) * Math.fround(sb)) / Math.fround(sy)) + 1, -128, 127),
          );
        }
      }
    }
    expect(res.kernel).toBe("quant/int8");
    expect(Array.from(res.data as Int8Array)).toEqual(want);
  });
});
