import {
  calculateActivationRangeQuantized,
  corePlugin,
  createInterpreter,
  createRegistry,
  type Graph,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
} from "@mcu/tensor";
import fc from "fast-check";
import { clusterPlugin } from "../plugin.js";
import { buildInt8Layer as build, type Int8Data, randomInt8 } from "../testing/int8-layer.js";
import { axis, type LayerSpec, layerSpec, transformKernel } from "../testing/random-layer.js";

const registry = createRegistry([corePlugin, clusterPlugin]);

/** TFLite's int8 ConvPerChannel from its definition, on weights decoded with the written-out transforms. */
function naiveInt8Conv(spec: LayerSpec, d: Int8Data): Int8Array {
  const taps = spec.kh * spec.kw;
  const I = spec.inPerGroup;
  const C = I * spec.groups;
  const w = new Int32Array(spec.outC * taps * I);
  for (let o = 0; o < spec.outC; o++) {
    for (let i = 0; i < I; i++) {
      const n = o * I + i;
      const c = Array.from(d.codebook.subarray(d.indices[n]! * taps, d.indices[n]! * taps + taps));
      const t = transformKernel(d.codes[d.transforms[n]!]!, c, spec.kh, spec.kw);
      for (let j = 0; j < taps; j++) w[(o * taps + j) * I + i] = d.factors[n]! * t[j]!;
    }
  }
  const ah = axis(
    spec.h,
    spec.kh,
    spec.strides[0],
    spec.dilations[0],
    spec.padding,
    spec.pads[0],
    spec.pads[1],
  );
  const aw = axis(
    spec.w,
    spec.kw,
    spec.strides[1],
    spec.dilations[1],
    spec.padding,
    spec.pads[2],
    spec.pads[3],
  );
  const y = new Int8Array(spec.n * ah.out * aw.out * spec.outC);
  const range = calculateActivationRangeQuantized(spec.act, "int8", d.sy, d.zy);
  const og = spec.outC / spec.groups;
  for (let b = 0; b < spec.n; b++)
    for (let oy = 0; oy < ah.out; oy++)
      for (let ox = 0; ox < aw.out; ox++)
        for (let o = 0; o < spec.outC; o++) {
          let acc = 0n;
          for (let ky = 0; ky < spec.kh; ky++)
            for (let kx = 0; kx < spec.kw; kx++) {
              const iy = oy * spec.strides[0] - ah.pad + ky * spec.dilations[0];
              const ix = ox * spec.strides[1] - aw.pad + kx * spec.dilations[1];
              if (iy < 0 || iy >= spec.h || ix < 0 || ix >= spec.w) continue;
              for (let i = 0; i < I; i++) {
                const xv = d.x[((b * spec.h + iy) * spec.w + ix) * C + Math.floor(o / og) * I + i]!;
                acc += BigInt(w[((o * spec.kh + ky) * spec.kw + kx) * I + i]! * (xv - d.zx));
              }
            }
          if (spec.bias) acc += BigInt(d.bias[o]!);
          const q = quantizeMultiplier((d.sx * d.sw[o]!) / d.sy);
          const v =
            multiplyByQuantizedMultiplier(Number(BigInt.asIntN(32, acc)), q.multiplier, q.shift) + d.zy;
          y[((b * ah.out + oy) * aw.out + ox) * spec.outC + o] = Math.min(range.max, Math.max(range.min, v));
        }
  return y;
}

function run(g: Graph, x: Int8Array): { y: Int8Array; kernel: string } {
  const it = createInterpreter(g, { registry });
  return { y: it.invoke([x])[0]!.data as Int8Array, kernel: it.kernelNames[0]! };
}

describe("cluster.conv2d int8 kernels", () => {
  it("decode-then-conv is TFLite's int8 conv on the decoded weights, and add-then-conv gives the same bytes (property)", () => {
    fc.assert(
      fc.property(layerSpec, (spec) => {
        const d = randomInt8(spec);
        const ref = naiveInt8Conv(spec, d);
        const dec = run(build(registry, spec, d, "decode-then-conv"), d.x);
        const add = run(build(registry, spec, d, "add-then-conv"), d.x);
        expect(dec.kernel).toBe("cluster/int8-decode-then-conv");
        expect(add.kernel).toBe("cluster/int8-add-then-conv");
        expect(Array.from(dec.y)).toEqual(Array.from(ref));
        expect(Array.from(add.y)).toEqual(Array.from(dec.y));
      }),
      { seed: 23, numRuns: 150 },
    );
  });

  it("refuses decoded weights that do not fit int8", () => {
    const spec: LayerSpec = {
      n: 1,
      h: 3,
      w: 3,
      groups: 1,
      inPerGroup: 1,
      outC: 1,
      kh: 3,
      kw: 3,
      k: 1,
      tic: false,
      strides: [1, 1],
      dilations: [1, 1],
      padding: "SAME",
      pads: [0, 0, 0, 0],
      bias: false,
      act: "NONE",
      seed: 1,
    };
    const d = { ...randomInt8(spec), codebook: new Int8Array(9).fill(100), factors: new Int8Array([2]) };
    expect(() => run(build(registry, spec, d, "decode-then-conv"), d.x)).toThrow(
      expect.objectContaining({ code: "MCU_E_CLUSTER_DATA" }),
    );
  });
});
