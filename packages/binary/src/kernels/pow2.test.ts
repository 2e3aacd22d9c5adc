/**
 * The power-of-two layers against their definition written with multiplications (the kernels use
 * shifts), and against core.conv2d / core.fully_connected on the dequantized values.
 */
import fc from "fast-check";
import { quantParams } from "@mcu/tensor";
import { binaryRegistry, graphBuilder, rng, runOnce } from "../testing/helpers.js";

const registry = binaryRegistry();
const q = (c: number): number => (c === 0 ? 0 : Math.sign(c) * 2 ** (Math.abs(c) - 1));

describe("binary.pow2_conv2d and binary.pow2_fully_connected", () => {
  it("conv: act(fl(fl(m·acc) + bias)) with acc = Σ (x − z)·q(c), and ≈ the float conv of the dequantized values", () => {
    fc.assert(
      fc.property(
        fc.record({
          h: fc.integer({ min: 2, max: 7 }),
          w: fc.integer({ min: 2, max: 7 }),
          c: fc.integer({ min: 1, max: 9 }),
          o: fc.integer({ min: 1, max: 9 }),
          k: fc.integer({ min: 1, max: 3 }),
          stride: fc.integer({ min: 1, max: 2 }),
          padding: fc.constantFrom("SAME" as const, "VALID" as const),
          act: fc.constantFrom("NONE" as const, "RELU" as const, "RELU6" as const),
          zp: fc.integer({ min: -128, max: 127 }),
          seed: fc.integer({ min: 1, max: 1 << 30 }),
        }),
        (p) => {
          if (p.padding === "VALID" && (p.h < p.k || p.w < p.k)) return;
          const next = rng(p.seed);
          const sx = 0.02 + next() * 0.1;
          const x = Int8Array.from({ length: p.h * p.w * p.c }, () => Math.floor(next() * 256) - 128);
          const codes = Int8Array.from({ length: p.o * p.k * p.k * p.c }, () => Math.floor(next() * 15) - 7);
          const scale = Float32Array.from({ length: p.o }, () => 0.001 + next() * 0.05);
          const bias = Float32Array.from({ length: p.o }, () => next() * 2 - 1);
          const b = graphBuilder(registry);
          const xi = b.input("x", [1, p.h, p.w, p.c], "int8", quantParams(sx, p.zp));
          const attrs = { strides: [p.stride, p.stride], padding: p.padding };
          const y = b.op(
            "binary.pow2_conv2d",
            [
              xi,
              b.constant("w", codes, [p.o, p.k, p.k, p.c], { dtype: "int4" }),
              b.constant("s", scale, [p.o]),
              b.constant("b", bias, [p.o]),
            ],
            { ...attrs, fusedActivation: p.act },
          );
          b.output(y);
          const g = b.build();
          const [out] = runOnce(g, registry, [x]);
          const [, oh, ow] = g.tensors.get(y)!.shape as [number, number, number, number];
          const padTop =
            p.padding === "SAME" ? Math.floor(Math.max((oh - 1) * p.stride + p.k - p.h, 0) / 2) : 0;
          const padLeft =
            p.padding === "SAME" ? Math.floor(Math.max((ow - 1) * p.stride + p.k - p.w, 0) / 2) : 0;
          const f = Math.fround;
          const expected: number[] = [];
          const real: number[] = [];
          for (let oy = 0; oy < oh; oy++)
            for (let ox = 0; ox < ow; ox++)
              for (let o = 0; o < p.o; o++) {
                let acc = 0;
                for (let ky = 0; ky < p.k; ky++)
                  for (let kx = 0; kx < p.k; kx++) {
                    const iy = oy * p.stride - padTop + ky;
                    const ix = ox * p.stride - padLeft + kx;
                    if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w) continue;
                    for (let i = 0; i < p.c; i++)
                      acc +=
                        (x[(iy * p.w + ix) * p.c + i]! - p.zp) *
                        q(codes[((o * p.k + ky) * p.k + kx) * p.c + i]!);
                  }
                let v = f(f(f(f(sx) * scale[o]!) * f(acc)) + bias[o]!);
                if (p.act !== "NONE") v = Math.max(v, 0);
                if (p.act === "RELU6") v = Math.min(v, 6);
                expected.push(v);
                real.push(v);
              }
          expect(Array.from(out as Float32Array)).toEqual(expected);

          // Against core.conv2d on dequantized input and weights (double sums: rounding only).
          const rb = graphBuilder(registry);
          const rx = rb.input("x", [1, p.h, p.w, p.c]);
          const wf = Float32Array.from(codes, (c, i) => q(c) * scale[Math.floor(i / (p.k * p.k * p.c))]!);
          const ry = rb.op(
            "core.conv2d",
            [rx, rb.constant("w", wf, [p.o, p.k, p.k, p.c]), rb.constant("b", bias, [p.o])],
            {
              ...attrs,
              fusedActivation: p.act,
            },
          );
          rb.output(ry);
          const [ref] = runOnce(rb.build(), registry, [Float32Array.from(x, (v) => (v - p.zp) * sx)]);
          const mag = Math.max(1, ...Array.from(ref as Float32Array, Math.abs));
          for (let i = 0; i < real.length; i++)
            expect(Math.abs((ref as Float32Array)[i]! - real[i]!) / mag).toBeLessThan(1e-5);
        },
      ),
      { seed: 31, numRuns: 120 },
    );
  });

  it("fully connected: the same stage over [B, K]", () => {
    const next = rng(9);
    const k = 37;
    const o = 5;
    const x = Int8Array.from({ length: 2 * k }, () => Math.floor(next() * 256) - 128);
    const codes = Int8Array.from({ length: o * k }, () => Math.floor(next() * 15) - 7);
    const scale = Float32Array.from({ length: o }, () => 0.01 + next() * 0.02);
    const b = graphBuilder(registry);
    const xi = b.input("x", [2, k], "int8", quantParams(0.05, -3));
    b.output(
      b.op("binary.pow2_fully_connected", [
        xi,
        b.constant("w", codes, [o, k], { dtype: "int4" }),
        b.constant("s", scale, [o]),
      ]),
    );
    const [out] = runOnce(b.build(), registry, [x]);
    const f = Math.fround;
    const expected: number[] = [];
    for (let r = 0; r < 2; r++)
      for (let c = 0; c < o; c++) {
        let acc = 0;
        for (let i = 0; i < k; i++) acc += (x[r * k + i]! + 3) * q(codes[c * k + i]!);
        expected.push(f(f(f(0.05) * scale[c]!) * acc));
      }
    expect(Array.from(out as Float32Array)).toEqual(expected);
  });

  it("refuses float input and overflowing sums", () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 4]);
    const w = b.constant("w", new Int8Array(8), [2, 4], { dtype: "int4" });
    expect(() =>
      b.op("binary.pow2_fully_connected", [x, w, b.constant("s", new Float32Array(2), [2])]),
    ).toThrow(/int8 input/);
    const x2 = b.input("x2", [1, 70_000], "int8", quantParams(1, 0));
    const w2 = b.constant("w2", new Int8Array(70_000), [1, 70_000], { dtype: "int4" });
    expect(() =>
      b.op("binary.pow2_fully_connected", [x2, w2, b.constant("s2", new Float32Array(1), [1])]),
    ).toThrow(/int32 accumulator/);
  });
});
