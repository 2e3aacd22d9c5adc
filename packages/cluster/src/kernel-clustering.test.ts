import { clusterKernels, quantizeScales } from "./kernel-clustering.js";
import { float16Bits, float16Value } from "./scale-formats.js";
import { transformKernel } from "./testing/random-layer.js";

describe("clusterKernels", () => {
  it("reproduces kernels that are scaled, sign-flipped and rotated copies of two patterns exactly", () => {
    const a = [1, 2, 0, 0, 1, 0, 0, 0, 0];
    const b = [0, 0, 0, 1, 3, 1, 0, 0, 0];
    const rot90 = (k: number[]) => [k[6]!, k[3]!, k[0]!, k[7]!, k[4]!, k[1]!, k[8]!, k[5]!, k[2]!];
    const kernels = [a.map((v) => 2 * v), rot90(a).map((v) => -0.5 * v), b, rot90(b).map((v) => 4 * v)];
    // OHWI [2, 3, 3, 2]: kernel (o, i) = kernels[o·2 + i].
    const w = new Float32Array(2 * 9 * 2);
    kernels.forEach((k, n) => {
      k.forEach((v, j) => {
        w[(Math.floor(n / 2) * 9 + j) * 2 + (n % 2)] = v;
      });
    });
    const r = clusterKernels([{ weights: w, shape: [2, 3, 3, 2] }], {
      k: 2,
      tic: true,
      scaleFormat: "float32",
      codebookFormat: "float32",
    });
    expect(r.k).toBe(2);
    const layer = r.layers[0]!;
    // Decode with the written-out transforms and compare.
    for (let n = 0; n < 4; n++) {
      const c = layer.indices[n]!;
      const centroid = Array.from(r.codebook.subarray(c * 9, c * 9 + 9));
      const decoded = transformKernel(layer.transforms[n]!, centroid, 3, 3);
      decoded.forEach((v, j) => {
        expect(layer.scales[n]! * v).toBeCloseTo(kernels[n]![j]!, 5);
      });
    }
    expect(layer.indices[0]).toBe(layer.indices[1]);
    expect(layer.indices[2]).toBe(layer.indices[3]);
    expect(r.inertia).toBeCloseTo(0, 10);
  });

  it("rounds scales to their storage format", () => {
    const fp16 = quantizeScales([0.1, -3.25], "fp16");
    expect(Array.from(fp16)).toEqual([float16Value(float16Bits(0.1)), float16Value(float16Bits(-3.25))]);
    const log8 = quantizeScales([1, 0.5, -0.25, 0], "log8");
    expect(Array.from(log8)).toEqual([1, 0.5, -0.25, 0]);
  });

  it("refuses layers with different windows in one codebook", () => {
    expect(() =>
      clusterKernels(
        [
          { weights: new Float32Array(9), shape: [1, 3, 3, 1] },
          { weights: new Float32Array(25), shape: [1, 5, 5, 1] },
        ],
        { k: 2 },
      ),
    ).toThrow(expect.objectContaining({ code: "MCU_E_CLUSTER_OPTION" }));
  });
});
