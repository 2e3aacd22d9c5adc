/** Random clustered conv layers and a naive reference convolution, for tests only. */
import fc from "fast-check";
import { seededRandom } from "../random.js";

/** Parameters of a random clustered layer. */
export interface LayerSpec {
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly groups: number;
  readonly inPerGroup: number;
  readonly outC: number;
  readonly kh: number;
  readonly kw: number;
  readonly k: number;
  readonly tic: boolean;
  readonly strides: [number, number];
  readonly dilations: [number, number];
  readonly padding: "SAME" | "VALID" | "EXPLICIT";
  readonly pads: [number, number, number, number];
  readonly bias: boolean;
  readonly act: "NONE" | "RELU" | "RELU6";
  readonly seed: number;
}

/** fast-check arbitrary of layer specs that produce a non-empty output. */
export const layerSpec: fc.Arbitrary<LayerSpec> = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }),
    h: fc.integer({ min: 3, max: 9 }),
    w: fc.integer({ min: 3, max: 9 }),
    groups: fc.integer({ min: 1, max: 2 }),
    inPerGroup: fc.integer({ min: 1, max: 6 }),
    outPerGroup: fc.integer({ min: 1, max: 5 }),
    kh: fc.integer({ min: 1, max: 3 }),
    kw: fc.integer({ min: 1, max: 3 }),
    k: fc.integer({ min: 1, max: 6 }),
    tic: fc.boolean(),
    strides: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    dilations: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    padding: fc.constantFrom("SAME" as const, "VALID" as const, "EXPLICIT" as const),
    pads: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
    bias: fc.boolean(),
    act: fc.constantFrom("NONE" as const, "RELU" as const, "RELU6" as const),
    seed: fc.integer({ min: 0, max: 1 << 30 }),
  })
  .map((r) => ({ ...r, outC: r.outPerGroup * r.groups }))
  .filter((r) => {
    const eh = (r.kh - 1) * r.dilations[0] + 1;
    const ew = (r.kw - 1) * r.dilations[1] + 1;
    if (r.padding === "VALID") return r.h >= eh && r.w >= ew;
    if (r.padding === "EXPLICIT")
      return r.h + r.pads[0] + r.pads[1] >= eh && r.w + r.pads[2] + r.pads[3] >= ew;
    return true;
  });

/** The transform-code semantics written out on a kh×kw array (independent of transforms.ts). */
export function transformKernel(code: number, k: readonly number[], kh: number, kw: number): number[] {
  const at = (r: number, c: number) => k[r * kw + c]!;
  const out: number[] = [];
  for (let r = 0; r < kh; r++) {
    for (let c = 0; c < kw; c++) {
      const n = kh; // square codes only use n = kh = kw
      switch (code) {
        case 0:
          out.push(at(r, c));
          break;
        case 1: // clockwise quarter turn: row r of the result is column r read bottom-up
          out.push(at(n - 1 - c, r));
          break;
        case 2:
          out.push(at(kh - 1 - r, kw - 1 - c));
          break;
        case 3:
          out.push(at(c, n - 1 - r));
          break;
        case 4:
          out.push(at(r, kw - 1 - c));
          break;
        case 5:
          out.push(at(kh - 1 - r, c));
          break;
        case 6:
          out.push(at(c, r));
          break;
        default:
          out.push(at(n - 1 - c, n - 1 - r));
      }
    }
  }
  return out;
}

/** Random codebook, indices, scales and transform codes of a layer spec. */
export function randomClusterData(spec: LayerSpec) {
  const r = seededRandom(spec.seed);
  const taps = spec.kh * spec.kw;
  const codes = spec.kh === spec.kw ? [0, 1, 2, 3, 4, 5, 6, 7] : [0, 2, 4, 5];
  const kernels = spec.outC * spec.inPerGroup;
  const codebook = Float32Array.from({ length: spec.k * taps }, () => Math.fround(r() * 2 - 1));
  // Few distinct (centroid, transform) pairs per output channel, so add-then-conv groups form.
  const indices = Uint8Array.from({ length: kernels }, () => Math.floor(r() * spec.k));
  const transforms = Uint8Array.from({ length: kernels }, () =>
    spec.tic ? Math.floor(r() * codes.length) : 0,
  );
  const scales = Float32Array.from({ length: kernels }, () => Math.fround((r() * 2 - 1) * 3));
  const bias = Float32Array.from({ length: spec.outC }, () => Math.fround(r() - 0.5));
  const x = Float32Array.from({ length: spec.n * spec.h * spec.w * spec.inPerGroup * spec.groups }, () =>
    Math.fround(r() * 2 - 1),
  );
  return { codebook, indices, transforms, scales, bias, x, codes };
}

/** Dense OHWI weights decoded with the written-out transforms. */
export function naiveDecode(spec: LayerSpec, d: ReturnType<typeof randomClusterData>): Float64Array {
  const taps = spec.kh * spec.kw;
  const I = spec.inPerGroup;
  const w = new Float64Array(spec.outC * taps * I);
  for (let o = 0; o < spec.outC; o++) {
    for (let i = 0; i < I; i++) {
      const n = o * I + i;
      const c = Array.from(d.codebook.subarray(d.indices[n]! * taps, d.indices[n]! * taps + taps));
      const t = transformKernel(d.codes[d.transforms[n]!]!, c, spec.kh, spec.kw);
      for (let j = 0; j < taps; j++) w[(o * taps + j) * I + i] = d.scales[n]! * t[j]!;
    }
  }
  return w;
}

/** Output size and leading pad of one axis, TFLite's SAME/VALID or explicit pads. */
export function axis(
  size: number,
  k: number,
  s: number,
  dil: number,
  padding: string,
  before: number,
  after: number,
) {
  const eff = (k - 1) * dil + 1;
  if (padding === "EXPLICIT") return { out: Math.floor((size + before + after - eff) / s) + 1, pad: before };
  if (padding === "VALID") return { out: Math.ceil((size - eff + 1) / s), pad: 0 };
  const out = Math.ceil(size / s);
  return { out, pad: Math.floor(Math.max((out - 1) * s + eff - size, 0) / 2) };
}

/** The convolution from its definition (double precision). */
export function naiveConv(
  spec: LayerSpec,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  bias?: ArrayLike<number>,
): Float64Array {
  const C = spec.inPerGroup * spec.groups;
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
  const y = new Float64Array(spec.n * ah.out * aw.out * spec.outC);
  const og = spec.outC / spec.groups;
  for (let b = 0; b < spec.n; b++)
    for (let oy = 0; oy < ah.out; oy++)
      for (let ox = 0; ox < aw.out; ox++)
        for (let o = 0; o < spec.outC; o++) {
          let s = bias?.[o] ?? 0;
          const g = Math.floor(o / og);
          for (let ky = 0; ky < spec.kh; ky++)
            for (let kx = 0; kx < spec.kw; kx++) {
              const iy = oy * spec.strides[0] - ah.pad + ky * spec.dilations[0];
              const ix = ox * spec.strides[1] - aw.pad + kx * spec.dilations[1];
              if (iy < 0 || iy >= spec.h || ix < 0 || ix >= spec.w) continue;
              for (let i = 0; i < spec.inPerGroup; i++) {
                s +=
                  x[((b * spec.h + iy) * spec.w + ix) * C + g * spec.inPerGroup + i]! *
                  w[((o * spec.kh + ky) * spec.kw + kx) * spec.inPerGroup + i]!;
              }
            }
          y[((b * ah.out + oy) * aw.out + ox) * spec.outC + o] = s;
        }
  return y;
}

/** Applies a fused activation from its definition. */
export function activate(v: number, act: string): number {
  if (act === "RELU") return Math.max(0, v);
  if (act === "RELU6") return Math.min(6, Math.max(0, v));
  return v;
}
