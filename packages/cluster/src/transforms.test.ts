import { applyInverseTransform, applyTransform, kernelTransforms, TRANSFORM_NAMES } from "./transforms.js";

const K3 = [1, 2, 3, 4, 5, 6, 7, 8, 9]; // rows [1 2 3] [4 5 6] [7 8 9]

function transformed(code: number, kernel: number[], kh = 3, kw = 3): number[] {
  const tr = kernelTransforms(kh, kw);
  const t = tr.codes.indexOf(code);
  const out = new Array<number>(kernel.length);
  applyTransform(tr, t, kernel, 0, out, 0);
  return out;
}

describe("kernelTransforms", () => {
  it("has the eight symmetries of the square, hand-derived on a 3x3 kernel", () => {
    expect(TRANSFORM_NAMES).toHaveLength(8);
    expect(transformed(0, K3)).toEqual(K3);
    // Clockwise quarter turn: the left column (7 4 1 read upwards) becomes the top row.
    expect(transformed(1, K3)).toEqual([7, 4, 1, 8, 5, 2, 9, 6, 3]);
    expect(transformed(2, K3)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(transformed(3, K3)).toEqual([3, 6, 9, 2, 5, 8, 1, 4, 7]);
    expect(transformed(4, K3)).toEqual([3, 2, 1, 6, 5, 4, 9, 8, 7]);
    expect(transformed(5, K3)).toEqual([7, 8, 9, 4, 5, 6, 1, 2, 3]);
    expect(transformed(6, K3)).toEqual([1, 4, 7, 2, 5, 8, 3, 6, 9]);
    expect(transformed(7, K3)).toEqual([9, 6, 3, 8, 5, 2, 7, 4, 1]);
  });

  it("is a group: closed under composition, every element with an inverse", () => {
    const tr = kernelTransforms(3, 3);
    const all = tr.codes.map((c) => transformed(c, K3).join());
    expect(new Set(all).size).toBe(8);
    for (const a of tr.codes) {
      for (const b of tr.codes) {
        const ab = transformed(a, transformed(b, K3)).join();
        expect(all).toContain(ab);
      }
    }
  });

  it("undoes each transform with its inverse (5x5 and rectangles)", () => {
    for (const [kh, kw] of [
      [5, 5],
      [3, 5],
      [2, 4],
    ] as const) {
      const tr = kernelTransforms(kh, kw);
      expect(tr.count).toBe(kh === kw ? 8 : 4);
      const k = Array.from({ length: kh * kw }, (_, i) => i * 7 + 1);
      for (let t = 0; t < tr.count; t++) {
        const a = new Array<number>(k.length);
        const b = new Array<number>(k.length);
        applyTransform(tr, t, k, 0, a, 0);
        applyInverseTransform(tr, t, a, 0, b, 0);
        expect(b).toEqual(k);
      }
    }
  });

  it("keeps a rectangle a rectangle: 180° turn and the two flips", () => {
    // 2x3: rows [1 2 3] [4 5 6]
    expect(transformed(2, [1, 2, 3, 4, 5, 6], 2, 3)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(transformed(4, [1, 2, 3, 4, 5, 6], 2, 3)).toEqual([3, 2, 1, 6, 5, 4]);
    expect(transformed(5, [1, 2, 3, 4, 5, 6], 2, 3)).toEqual([4, 5, 6, 1, 2, 3]);
  });

  it("has only the identity when not transform-invariant", () => {
    expect(kernelTransforms(3, 3, false).count).toBe(1);
  });

  it("rejects an empty window", () => {
    expect(() => kernelTransforms(0, 3)).toThrow(expect.objectContaining({ code: "MCU_E_CLUSTER_SHAPE" }));
  });
});
