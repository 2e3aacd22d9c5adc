/** Random int8 clustered layers, for tests only. */
import { type Graph, graphBuilder, type Registry } from "@mcu/tensor";
import { seededRandom } from "../random.js";
import type { LayerSpec } from "./random-layer.js";

/** Random int8 clustered layer data. */
export interface Int8Data {
  readonly codebook: Int8Array;
  readonly indices: Uint8Array;
  readonly transforms: Uint8Array;
  readonly factors: Int8Array;
  readonly sw: number[];
  readonly bias: Int32Array;
  readonly x: Int8Array;
  readonly sx: number;
  readonly zx: number;
  readonly sy: number;
  readonly zy: number;
  readonly codes: number[];
}

/** Random int8 data of a layer spec: |factor| · max|centroid| ≤ 127. */
export function randomInt8(spec: LayerSpec): Int8Data {
  const r = seededRandom(spec.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const taps = spec.kh * spec.kw;
  const kernels = spec.outC * spec.inPerGroup;
  const cmax = int(1, 20);
  const amax = Math.floor(127 / cmax);
  return {
    codebook: Int8Array.from({ length: spec.k * taps }, () => int(-cmax, cmax)),
    indices: Uint8Array.from({ length: kernels }, () => int(0, spec.k - 1)),
    transforms: Uint8Array.from({ length: kernels }, () =>
      spec.tic ? int(0, spec.kh === spec.kw ? 7 : 3) : 0,
    ),
    factors: Int8Array.from({ length: kernels }, () => int(-amax, amax)),
    sw: Array.from({ length: spec.outC }, () => Math.fround(0.001 + r() * 0.01)),
    bias: Int32Array.from({ length: spec.outC }, () => int(-5000, 5000)),
    x: Int8Array.from({ length: spec.n * spec.h * spec.w * spec.inPerGroup * spec.groups }, () =>
      int(-128, 127),
    ),
    sx: Math.fround(0.01 + r() * 0.05),
    zx: int(-128, 127),
    sy: Math.fround(0.01 + r() * 0.2),
    zy: int(-128, 127),
    codes: spec.kh === spec.kw ? [0, 1, 2, 3, 4, 5, 6, 7] : [0, 2, 4, 5],
  };
}

/** A one-node graph of an int8 cluster.conv2d. */
export function buildInt8Layer(registry: Registry, spec: LayerSpec, d: Int8Data, algorithm: string): Graph {
  const b = graphBuilder(registry);
  const x = b.input("x", [spec.n, spec.h, spec.w, spec.inPerGroup * spec.groups], "int8", {
    scale: [d.sx],
    zeroPoint: [d.zx],
  });
  const cb = b.constant("codebook", d.codebook, [spec.k, spec.kh, spec.kw]);
  const idx = b.constant("indices", d.indices, [spec.outC, spec.inPerGroup]);
  const sc = b.constant("scales", d.factors, [spec.outC, spec.inPerGroup], {
    quant: { scale: d.sw, zeroPoint: d.sw.map(() => 0), axis: 0 },
  });
  const tr = spec.tic ? b.constant("transforms", d.transforms, [spec.outC, spec.inPerGroup]) : undefined;
  const bias = spec.bias ? b.constant("bias", d.bias, [spec.outC]) : undefined;
  const y = b.op(
    "cluster.conv2d",
    [x, cb, idx, sc, tr, bias],
    {
      strides: spec.strides,
      dilations: spec.dilations,
      padding: spec.padding,
      pads: spec.pads,
      groups: spec.groups,
      fusedActivation: spec.act,
      algorithm,
    },
    { outputs: [{ dtype: "int8", quant: { scale: [d.sy], zeroPoint: [d.zy] } }] },
  );
  return b.output(y).build();
}
