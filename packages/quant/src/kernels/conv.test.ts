/**
 * conv2d, depthwise_conv2d, transpose_conv2d and fully_connected kernels against naive
 * definitions written in the test (direct sums over the TFLite formula, BigInt requantization)
 * on random shapes, strides, dilations, paddings, groups, zero points and per-channel scales.
 */
import {
  corePlugin,
  createInterpreter,
  createRegistry,
  type FusedActivation,
  graphBuilder,
} from "@mcu/tensor";
import { q, runOne } from "../../test/graph.js";
import {
  clamp,
  naiveQuantizeMultiplier,
  naiveRequant,
  randomInts,
  randomScale,
  rng,
} from "../../test/naive.js";
import { createQuantPlugin } from "../plugin.js";

/** TFLite's SAME/VALID output size and leading pad for one axis. */
function axis(size: number, k: number, stride: number, dilation: number, padding: "SAME" | "VALID") {
  const eff = (k - 1) * dilation + 1;
  const out = padding === "SAME" ? Math.ceil(size / stride) : Math.ceil((size - eff + 1) / stride);
  const total = Math.max((out - 1) * stride + eff - size, 0);
  return { out, before: padding === "SAME" ? Math.floor(total / 2) : 0 };
}

/** The clamp range of a fused activation on quantized outputs, from its definition. */
function actRange(act: FusedActivation, scale: number, zp: number, lo: number, hi: number): [number, number] {
  const qv = (x: number) =>
    zp + (x / scale < 0 ? -Math.round(-Math.fround(x / scale)) : Math.round(Math.fround(x / scale)));
  if (act === "RELU") return [Math.max(lo, qv(0)), hi];
  if (act === "RELU6") return [Math.max(lo, qv(0)), Math.min(hi, qv(6))];
  return [lo, hi];
}

const ACTS: FusedActivation[] = ["NONE", "RELU", "RELU6"];

describe("conv2d kernels", () => {
  it("int8 and int16x8 equal the naive per-channel convolution", () => {
    const r = rng(1);
    for (let trial = 0; trial < 40; trial++) {
      const int16 = trial % 3 === 2;
      const groups = trial % 5 === 1 ? 2 : 1;
      const [h, w] = [3 + Math.floor(r() * 6), 3 + Math.floor(r() * 6)];
      const ic = groups * (1 + Math.floor(r() * 4));
      const oc = groups * (1 + Math.floor(r() * 4));
      const [kh, kw] = [1 + Math.floor(r() * 3), 1 + Math.floor(r() * 3)];
      const stride = 1 + Math.floor(r() * 2);
      const dilation = trial % 7 === 3 ? 2 : 1;
      const padding = r() < 0.5 ? "SAME" : "VALID";
      const act = ACTS[trial % 3]!;
      const ay = axis(h, kh, stride, dilation, padding);
      const ax = axis(w, kw, stride, dilation, padding);
      if (ay.out <= 0 || ax.out <= 0) continue;
      const [lo, hi] = int16 ? [-32768, 32767] : [-128, 127];
      const sx = randomScale(r, 0.001, 0.1);
      const sy = randomScale(r, 0.005, 0.5);
      const zx = int16 ? 0 : randomInts(r, 1, -20, 20)[0]!;
      const zy = int16 ? 0 : randomInts(r, 1, -20, 20)[0]!;
      const sw = Array.from({ length: oc }, () => randomScale(r, 0.001, 0.05));
      const fin = ic / groups;
      const x = randomInts(r, h * w * ic, lo, hi);
      const wt = randomInts(r, oc * kh * kw * fin, -127, 127);
      const bias = randomInts(r, oc, -5000, 5000);
      const res = runOne(
        "core.conv2d",
        [
          {
            shape: [1, h, w, ic],
            dtype: int16 ? "int16" : "int8",
            quant: q(sx, zx),
            value: int16 ? Int16Array.from(x) : Int8Array.from(x),
          },
          {
            shape: [oc, kh, kw, fin],
            dtype: "int8",
            quant: { scale: sw, zeroPoint: sw.map(() => 0), axis: 0 },
            data: Int8Array.from(wt),
          },
          int16
            ? { shape: [oc], dtype: "int64", data: BigInt64Array.from(bias, BigInt) }
            : { shape: [oc], dtype: "int32", data: Int32Array.from(bias) },
        ],
        { dtype: int16 ? "int16" : "int8", quant: q(sy, zy) },
        { strides: [stride, stride], dilations: [dilation, dilation], padding, fusedActivation: act, groups },
      );
      expect(res.kernel).toBe(int16 ? "quant/int16x8" : "quant/int8");
      const [amin, amax] = actRange(act, sy, zy, lo, hi);
      const want: number[] = [];
      for (let oy = 0; oy < ay.out; oy++) {
        for (let ox = 0; ox < ax.out; ox++) {
          for (let o = 0; o < oc; o++) {
            const g = Math.floor(o / (oc / groups));
            let acc = 0;
            for (let ky = 0; ky < kh; ky++) {
              for (let kx = 0; kx < kw; kx++) {
                const iy = oy * stride - ay.before + ky * dilation;
                const ix = ox * stride - ax.before + kx * dilation;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                for (let c = 0; c < fin; c++) {
                  acc +=
                    wt[((o * kh + ky) * kw + kx) * fin + c]! * (x[(iy * w + ix) * ic + g * fin + c]! - zx);
                }
              }
            }
            const v = naiveRequant(acc + bias[o]!, (sx * sw[o]!) / sy, int16) + zy;
            want.push(clamp(v, amin, amax));
          }
        }
      }
      expect(Array.from(res.data as Int8Array)).toEqual(want);
    }
  });
});

describe("depthwise_conv2d kernels", () => {
  it("int8 and int16x8 equal the naive depthwise convolution with channel multipliers", () => {
    const r = rng(2);
    for (let trial = 0; trial < 30; trial++) {
      const int16 = trial % 3 === 2;
      const [h, w] = [3 + Math.floor(r() * 6), 3 + Math.floor(r() * 6)];
      const c = 1 + Math.floor(r() * 4);
      const m = 1 + (trial % 3 === 1 ? 2 : 0);
      const oc = c * m;
      const [kh, kw] = [1 + Math.floor(r() * 3), 1 + Math.floor(r() * 3)];
      const stride = 1 + Math.floor(r() * 2);
      const padding = r() < 0.5 ? "SAME" : "VALID";
      const act = ACTS[trial % 3]!;
      const ay = axis(h, kh, stride, 1, padding);
      const ax = axis(w, kw, stride, 1, padding);
      if (ay.out <= 0 || ax.out <= 0) continue;
      const [lo, hi] = int16 ? [-32768, 32767] : [-128, 127];
      const sx = randomScale(r, 0.001, 0.1);
      const sy = randomScale(r, 0.005, 0.5);
      const zx = int16 ? 0 : randomInts(r, 1, -20, 20)[0]!;
      const zy = int16 ? 0 : randomInts(r, 1, -20, 20)[0]!;
      const sw = Array.from({ length: oc }, () => randomScale(r, 0.001, 0.05));
      const x = randomInts(r, h * w * c, lo, hi);
      const wt = randomInts(r, kh * kw * oc, -127, 127);
      const bias = randomInts(r, oc, -5000, 5000);
      const res = runOne(
        "core.depthwise_conv2d",
        [
          {
            shape: [1, h, w, c],
            dtype: int16 ? "int16" : "int8",
            quant: q(sx, zx),
            value: int16 ? Int16Array.from(x) : Int8Array.from(x),
          },
          {
            shape: [1, kh, kw, oc],
            dtype: "int8",
            quant: { scale: sw, zeroPoint: sw.map(() => 0), axis: 3 },
            data: Int8Array.from(wt),
          },
          int16
            ? { shape: [oc], dtype: "int64", data: BigInt64Array.from(bias, BigInt) }
            : { shape: [oc], dtype: "int32", data: Int32Array.from(bias) },
        ],
        { dtype: int16 ? "int16" : "int8", quant: q(sy, zy) },
        { strides: [stride, stride], padding, fusedActivation: act, depthMultiplier: m },
      );
      const [amin, amax] = actRange(act, sy, zy, lo, hi);
      const want: number[] = [];
      for (let oy = 0; oy < ay.out; oy++) {
        for (let ox = 0; ox < ax.out; ox++) {
          for (let o = 0; o < oc; o++) {
            const ci = Math.floor(o / m);
            let acc = 0;
            for (let ky = 0; ky < kh; ky++) {
              for (let kx = 0; kx < kw; kx++) {
                const iy = oy * stride - ay.before + ky;
                const ix = ox * stride - ax.before + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                acc += wt[(ky * kw + kx) * oc + o]! * (x[(iy * w + ix) * c + ci]! - zx);
              }
            }
            want.push(clamp(naiveRequant(acc + bias[o]!, (sx * sw[o]!) / sy, int16) + zy, amin, amax));
          }
        }
      }
      expect(Array.from(res.data as Int8Array)).toEqual(want);
    }
  });
});

describe("transpose_conv2d kernels", () => {
  it("int8 and int16x8 equal the naive scatter definition", () => {
    const r = rng(3);
    for (let trial = 0; trial < 20; trial++) {
      const int16 = trial % 2 === 1;
      const [h, w] = [1 + Math.floor(r() * 4), 2 + Math.floor(r() * 4)];
      const ic = 1 + Math.floor(r() * 3);
      const oc = 1 + Math.floor(r() * 3);
      const [kh, kw] = [1 + Math.floor(r() * 3), 2 + Math.floor(r() * 3)];
      const stride = 1 + Math.floor(r() * 2);
      const padding = r() < 0.5 ? "SAME" : "VALID";
      const outH = padding === "SAME" ? h * stride : (h - 1) * stride + kh;
      const outW = padding === "SAME" ? w * stride : (w - 1) * stride + kw;
      // TFLite pads as the forward conv over the output.
      const py = axis(outH, kh, stride, 1, padding).before;
      const px = axis(outW, kw, stride, 1, padding).before;
      const [lo, hi] = int16 ? [-32768, 32767] : [-128, 127];
      const sx = randomScale(r, 0.001, 0.1);
      const sy = randomScale(r, 0.005, 0.5);
      const zx = int16 ? 0 : randomInts(r, 1, -20, 20)[0]!;
      const zy = int16 ? 0 : randomInts(r, 1, -20, 20)[0]!;
      const sw = Array.from({ length: oc }, () => randomScale(r, 0.001, 0.05));
      const x = randomInts(r, h * w * ic, lo, hi);
      const wt = randomInts(r, oc * kh * kw * ic, -127, 127);
      const bias = randomInts(r, oc, -5000, 5000);
      const res = runOne(
        "core.transpose_conv2d",
        [
          {
            shape: [1, h, w, ic],
            dtype: int16 ? "int16" : "int8",
            quant: q(sx, zx),
            value: int16 ? Int16Array.from(x) : Int8Array.from(x),
          },
          {
            shape: [oc, kh, kw, ic],
            dtype: "int8",
            quant: { scale: sw, zeroPoint: sw.map(() => 0), axis: 0 },
            data: Int8Array.from(wt),
          },
          int16
            ? { shape: [oc], dtype: "int64", data: BigInt64Array.from(bias, BigInt) }
            : { shape: [oc], dtype: "int32", data: Int32Array.from(bias) },
        ],
        { dtype: int16 ? "int16" : "int8", quant: q(sy, zy) },
        { strides: [stride, stride], padding, outputShape: [1, outH, outW, oc] },
      );
      const acc = new Array<number>(outH * outW * oc).fill(0);
      for (let iy = 0; iy < h; iy++) {
        for (let ix = 0; ix < w; ix++) {
          for (let ky = 0; ky < kh; ky++) {
            for (let kx = 0; kx < kw; kx++) {
              const oy = iy * stride - py + ky;
              const ox = ix * stride - px + kx;
              if (oy < 0 || oy >= outH || ox < 0 || ox >= outW) continue;
              for (let o = 0; o < oc; o++) {
                for (let c = 0; c < ic; c++) {
                  acc[(oy * outW + ox) * oc + o]! +=
                    (x[(iy * w + ix) * ic + c]! - zx) * wt[((o * kh + ky) * kw + kx) * ic + c]!;
                }
              }
            }
          }
        }
      }
      const want = acc.map((a, i) =>
        clamp(naiveRequant(a + bias[i % oc]!, (sx * sw[i % oc]!) / sy, int16) + zy, lo, hi),
      );
      expect(Array.from(res.data as Int8Array)).toEqual(want);
    }
  });
});

describe("fully_connected kernels", () => {
  it("per-tensor int8 uses the float32 product s_x·s_w and the weights zero point", () => {
    const r = rng(4);
    for (let trial = 0; trial < 20; trial++) {
      const [batch, inD, outD] = [1 + Math.floor(r() * 3), 1 + Math.floor(r() * 20), 1 + Math.floor(r() * 6)];
      const sx = randomScale(r, 0.001, 0.1);
      const sw = randomScale(r, 0.001, 0.05);
      const sy = randomScale(r, 0.005, 0.5);
      const [zx, zy] = randomInts(r, 2, -20, 20) as [number, number];
      const zw = trial % 4 === 0 ? 3 : 0;
      const act = ACTS[trial % 3]!;
      const x = randomInts(r, batch * inD, -128, 127);
      const wt = randomInts(r, outD * inD, -127, 127);
      const bias = randomInts(r, outD, -3000, 3000);
      const res = runOne(
        "core.fully_connected",
        [
          { shape: [batch, inD], dtype: "int8", quant: q(sx, zx), value: Int8Array.from(x) },
          { shape: [outD, inD], dtype: "int8", quant: q(sw, zw), data: Int8Array.from(wt) },
          { shape: [outD], dtype: "int32", data: Int32Array.from(bias) },
        ],
        { dtype: "int8", quant: q(sy, zy) },
        { fusedActivation: act },
      );
      const [amin, amax] = actRange(act, sy, zy, -128, 127);
      const real = Math.fround(sx * sw) / sy;
      const want: number[] = [];
      for (let b = 0; b < batch; b++) {
        for (let o = 0; o < outD; o++) {
          let acc = bias[o]!;
          for (let i = 0; i < inD; i++) acc += (wt[o * inD + i]! - zw) * (x[b * inD + i]! - zx);
          want.push(clamp(naiveRequant(acc, real) + zy, amin, amax));
        }
      }
      expect(Array.from(res.data as Int8Array)).toEqual(want);
    }
  });

  it("per-channel int8 and int16x8 (int64 bias) equal the naive definition", () => {
    const r = rng(5);
    for (let trial = 0; trial < 20; trial++) {
      const int16 = trial % 2 === 1;
      const [batch, inD, outD] = [1 + Math.floor(r() * 3), 1 + Math.floor(r() * 20), 2 + Math.floor(r() * 6)];
      const [lo, hi] = int16 ? [-32768, 32767] : [-128, 127];
      const sx = randomScale(r, 0.001, 0.1);
      const sy = randomScale(r, 0.005, 0.5);
      const sw = Array.from({ length: outD }, () => randomScale(r, 0.001, 0.05));
      const zx = int16 ? 0 : 5;
      const zy = int16 ? 0 : -7;
      const x = randomInts(r, batch * inD, lo, hi);
      const wt = randomInts(r, outD * inD, -127, 127);
      const bias = randomInts(r, outD, -3000, 3000);
      const res = runOne(
        "core.fully_connected",
        [
          {
            shape: [batch, inD],
            dtype: int16 ? "int16" : "int8",
            quant: q(sx, zx),
            value: int16 ? Int16Array.from(x) : Int8Array.from(x),
          },
          {
            shape: [outD, inD],
            dtype: "int8",
            quant: { scale: sw, zeroPoint: sw.map(() => 0), axis: 0 },
            data: Int8Array.from(wt),
          },
          int16
            ? { shape: [outD], dtype: "int64", data: BigInt64Array.from(bias, BigInt) }
            : { shape: [outD], dtype: "int32", data: Int32Array.from(bias) },
        ],
        { dtype: int16 ? "int16" : "int8", quant: q(sy, zy) },
      );
      const want: number[] = [];
      for (let b = 0; b < batch; b++) {
        for (let o = 0; o < outD; o++) {
          let acc = bias[o]!;
          for (let i = 0; i < inD; i++) acc += wt[o * inD + i]! * (x[b * inD + i]! - zx);
          want.push(clamp(naiveRequant(acc, (sx * sw[o]!) / sy, int16) + zy, lo, hi));
        }
      }
      expect(Array.from(res.data as Int8Array)).toEqual(want);
    }
  });
});

describe("TFLITE_SINGLE_ROUNDING kernels", () => {
  it("createQuantPlugin({ rounding: 'single' }) requantizes with one rounding", () => {
    const r = rng(6);
    const [inD, outD] = [16, 64];
    const x = randomInts(r, inD, -128, 127);
    const wt = randomInts(r, outD * inD, -127, 127);
    const [sx, sw, sy] = [0.037, 0.0123, 0.0617].map(Math.fround) as [number, number, number];
    const build = (single: boolean) => {
      const registry = createRegistry([corePlugin, createQuantPlugin(single ? { rounding: "single" } : {})]);
      const g = graphBuilder(registry);
      const xi = g.input("x", [1, inD], "int8", q(sx, 2));
      const w = g.constant("w", Int8Array.from(wt), [outD, inD], { quant: q(sw, 0) });
      g.output(g.op("core.fully_connected", [xi, w], {}, { outputs: [{ dtype: "int8", quant: q(sy, -1) }] }));
      return createInterpreter(g.build(), { registry });
    };
    const single = Array.from(build(true).invoke([Int8Array.from(x)])[0]!.data as Int8Array);
    const double = Array.from(build(false).invoke([Int8Array.from(x)])[0]!.data as Int8Array);
    const { multiplier, shift } = naiveQuantizeMultiplier(Math.fround(sx * sw) / sy);
    const total = BigInt(31 - shift);
    const want = Array.from({ length: outD }, (_, o) => {
      let acc = 0;
      for (let i = 0; i < inD; i++) acc += wt[o * inD + i]! * (x[i]! - 2);
      const v = Number((BigInt(acc) * BigInt(multiplier) + (1n << (total - 1n))) >> total) - 1;
      return clamp(v, -128, 127);
    });
    expect(single).toEqual(want);
    // Both roundings agree except where double rounding moves a tie.
    expect(single.filter((v, i) => Math.abs(v - double[i]!) > 1)).toEqual([]);
  });
});
