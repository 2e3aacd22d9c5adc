import { Matrix, solve } from "ml-matrix";
import type { ClusteredKernels } from "./kernel-clustering.js";
import { normalSample, seededRandom } from "./random.js";
import { refitScales } from "./scale-refit.js";

// Shapes small enough to build the least-squares problem explicitly.
const [O, KH, KW, I, H, W] = [3, 3, 3, 4, 6, 5];
const taps = KH * KW;
const attrs = { strides: [1, 1], dilations: [1, 1], padding: "SAME" as const, pads: [0, 0, 0, 0] };

/** Direct zero-padded SAME convolution of one input plane (NHWC sample, channel i) with a 3×3 kernel. */
function convPlane(x: Float32Array, i: number, kernel: (ky: number, kx: number) => number): Float64Array {
  const out = new Float64Array(H * W);
  for (let y = 0; y < H; y++)
    for (let xx = 0; xx < W; xx++)
      for (let ky = 0; ky < KH; ky++)
        for (let kx = 0; kx < KW; kx++) {
          const iy = y + ky - 1;
          const ix = xx + kx - 1;
          if (iy >= 0 && iy < H && ix >= 0 && ix < W)
            out[y * W + xx] = out[y * W + xx]! + kernel(ky, kx) * x[(iy * W + ix) * I + i]!;
        }
  return out;
}

function problem(seed: number) {
  const rnd = seededRandom(seed);
  const gauss = () => normalSample(rnd);
  const weights = Float32Array.from({ length: O * taps * I }, gauss); // OHWI
  const codebook = Float32Array.from({ length: 2 * taps }, gauss);
  const clustered: ClusteredKernels = {
    indices: Int32Array.from({ length: O * I }, (_, n) => n % 2),
    transforms: new Uint8Array(O * I), // identity
    scales: Float32Array.from({ length: O * I }, () => 0.5),
  };
  const samples = Array.from({ length: 3 }, () =>
    Float32Array.from({ length: H * W * I }, () => rnd() * 2 - 1),
  );
  return { weights, codebook, clustered, samples };
}

describe("refitScales", () => {
  it.each([
    ["the layer's own inputs", false],
    ["reference inputs for the target (error compensation)", true],
  ])("solves the output least-squares problem, %s (oracle: the explicit design matrix)", (_, compensated) => {
    const { weights, codebook, clustered, samples } = problem(7);
    // Reference inputs: what the uncompressed model would feed the layer (here: perturbed samples).
    const reference = compensated
      ? samples.map((x, s) => Float32Array.from(x, (v, j) => v + 0.3 * Math.sin(j * 0.7 + s)))
      : samples;
    const fit = refitScales({
      samples,
      ...(compensated ? { referenceSamples: reference } : {}),
      inH: H,
      inW: W,
      attrs,
      weights,
      shape: [O, KH, KW, I],
      codebook,
      clustered,
      ridge: 0,
    });
    for (let o = 0; o < O; o++) {
      // Rows: every position of every sample; columns: f_0 … f_{I−1}, 1.
      const rows: number[][] = [];
      const target: number[] = [];
      for (const [s, x] of samples.entries()) {
        const f = Array.from({ length: I }, (_, i) =>
          convPlane(x, i, (ky, kx) => codebook[clustered.indices[o * I + i]! * taps + ky * KW + kx]!),
        );
        const y = new Float64Array(H * W);
        for (let i = 0; i < I; i++) {
          const p = convPlane(reference[s]!, i, (ky, kx) => weights[((o * KH + ky) * KW + kx) * I + i]!);
          for (let q = 0; q < H * W; q++) y[q] = y[q]! + p[q]!;
        }
        for (let q = 0; q < H * W; q++) {
          rows.push([...f.map((fi) => fi[q]!), 1]);
          target.push(y[q]!);
        }
      }
      const A = new Matrix(rows);
      const sol = solve(A, Matrix.columnVector(target), true);
      for (let i = 0; i < I; i++) expect(fit.scales[o * I + i]).toBeCloseTo(sol.get(i, 0), 8);
      // With the least-squares scales, the bias shift is the least-squares intercept.
      expect(fit.biasShift(fit.scales)[o]).toBeCloseTo(sol.get(I, 0), 8);
    }
  });

  it("recovers exact scales and a zero bias shift when the weights are scaled centroids", () => {
    const { codebook, clustered, samples } = problem(11);
    const truth = Float64Array.from({ length: O * I }, (_, n) => (n % 3) - 1.25);
    const weights = new Float32Array(O * taps * I);
    for (let o = 0; o < O; o++)
      for (let j = 0; j < taps; j++)
        for (let i = 0; i < I; i++)
          weights[(o * taps + j) * I + i] =
            truth[o * I + i]! * codebook[clustered.indices[o * I + i]! * taps + j]!;
    const fit = refitScales({
      samples,
      inH: H,
      inW: W,
      attrs,
      weights,
      shape: [O, KH, KW, I],
      codebook,
      clustered,
    });
    // The ridge pulls toward the initial 0.5 only where it does not cost output error: none here.
    for (let n = 0; n < O * I; n++) expect(fit.scales[n]).toBeCloseTo(truth[n]!, 2);
    const shift = fit.biasShift(truth);
    for (let o = 0; o < O; o++) expect(Math.abs(shift[o]!)).toBeLessThan(1e-6); // float32 weights
  });

  it("keeps the weight-space scale of an input channel the calibration data never excites", () => {
    const { weights, codebook, clustered, samples } = problem(5);
    // Channel 2 is zero on every sample (a dead ReLU): the data say nothing about its scales.
    const dead = samples.map((x) => x.map((v, j) => (j % I === 2 ? 0 : v)));
    const fit = refitScales({
      samples: dead,
      inH: H,
      inW: W,
      attrs,
      weights,
      shape: [O, KH, KW, I],
      codebook,
      clustered,
    });
    for (let o = 0; o < O; o++) expect(fit.scales[o * I + 2]).toBeCloseTo(clustered.scales[o * I + 2]!, 12);
    // The live channels still move to fit the outputs.
    expect(
      Array.from({ length: O }, (_, o) => fit.scales[o * I]).some((v) => Math.abs(v! - 0.5) > 1e-3),
    ).toBe(true);
  });

  it("rejects an empty calibration set", () => {
    const { weights, codebook, clustered } = problem(1);
    expect(() =>
      refitScales({
        samples: [],
        inH: H,
        inW: W,
        attrs,
        weights,
        shape: [O, KH, KW, I],
        codebook,
        clustered,
      }),
    ).toThrow(expect.objectContaining({ code: "MCU_E_CLUSTER_OPTION" }));
  });
});
