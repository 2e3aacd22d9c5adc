import { centerTap, gatherKernels, kernelSign, normalizeKernels } from "./kernel-normalization.js";

describe("kernel normalization", () => {
  it("gathers the kh×kw kernels of OHWI weights, kernel n = o·I + i", () => {
    // O = 1, 2x1 window, I = 2: w[0, r, 0, i] = 10·r + i.
    const w = [0, 1, 10, 11];
    expect(Array.from(gatherKernels(w, [1, 2, 1, 2]))).toEqual([0, 10, 1, 11]);
  });

  it("scales by the norm with the center tap's sign (hand example)", () => {
    // Center −2, norm √(1 + 4 + 4) = 3: scale −3, unit kernel w / −3.
    const w = [0, 1, 0, 0, -2, 0, 0, 2, 0];
    const nk = normalizeKernels(w, 3, 3);
    expect(nk.scales[0]).toBeCloseTo(-3, 12);
    expect(Array.from(nk.units).map((v) => Number(v.toFixed(12)))).toEqual(
      [0, -1 / 3, 0, 0, 2 / 3, 0, 0, -2 / 3, 0].map((v) => Number(v.toFixed(12))),
    );
  });

  it("takes the sign of the sum without a center tap or with a zero center, and leaves zero kernels alone", () => {
    expect(centerTap(2, 2)).toBe(-1);
    expect(centerTap(3, 3)).toBe(4);
    expect(kernelSign([1, -3, 0, 1], 0, 4, -1)).toBe(-1);
    expect(kernelSign([1, 1, 1, 1, 0, -1, 1, 1, 1], 0, 9, 4)).toBe(1);
    const nk = normalizeKernels([0, 0, 0, 0], 2, 2);
    expect(nk.scales[0]).toBe(0);
    expect(Array.from(nk.units)).toEqual([0, 0, 0, 0]);
  });
});
