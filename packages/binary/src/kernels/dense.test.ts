/** binary.fully_connected against core.fully_connected on the same ±1 values, and binary.sign by hand. */
import fc from "fast-check";
import { numElements } from "@mcu/tensor";
import { packSigns, unpackSigns } from "../bits.js";
import { binaryRegistry, graphBuilder, randomSigns, rng, runOnce } from "../testing/helpers.js";

const registry = binaryRegistry();

describe("binary.fully_connected", () => {
  it("equals the float dense layer on ±1 values, with features of any shape", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 35 }),
        fc.constantFrom("int32" as const, "float32" as const, "bit" as const),
        fc.integer({ min: 1, max: 1 << 30 }),
        (batch, features, outs, output, seed) => {
          const next = rng(seed);
          const f = numElements(features);
          const x = randomSigns(batch * f, next);
          const w = randomSigns(outs * f, next);
          // Reference: core.fully_connected on floats ([B, F] · [O, F]ᵀ), exact for integers.
          const rb = graphBuilder(registry);
          const rx = rb.input("x", [batch, f]);
          rb.output(rb.op("core.fully_connected", [rx, rb.constant("w", w, [outs, f])]));
          const [dots] = runOnce(rb.build(), registry, [x]);

          const scale = Float32Array.from({ length: outs }, () => next() - 0.5);
          const bias = Float32Array.from({ length: outs }, () => next() * 4 - 2);
          const threshold = Int32Array.from({ length: outs }, () => Math.round((next() * 2 - 1) * f));
          const flips = randomSigns(outs, next);
          const b = graphBuilder(registry);
          const xi = b.input("x", [batch, ...features], "bit");
          const wi = b.constant("w", packSigns(w, [outs, ...features]), [outs, ...features], {
            dtype: "bit",
          });
          const epi =
            output === "float32"
              ? [b.constant("s", scale, [outs]), b.constant("b", bias, [outs])]
              : output === "bit"
                ? [
                    undefined,
                    undefined,
                    b.constant("t", threshold, [outs]),
                    b.constant("f", packSigns(flips, [outs]), [outs], { dtype: "bit" }),
                  ]
                : [];
          const y = b.op("binary.fully_connected", [xi, wi, ...epi], { output });
          b.output(y);
          const [out] = runOnce(b.build(), registry, [packSigns(x, [batch, ...features])]);
          const fr = Math.fround;
          const expected = Array.from(dots as Float32Array, (d, i) => {
            const o = i % outs;
            if (output === "int32") return d;
            if (output === "float32") return fr(fr(d * scale[o]!) + bias[o]!);
            return flips[o]! * d >= threshold[o]! ? 1 : -1;
          });
          const actual =
            output === "bit"
              ? Array.from(unpackSigns(out as Uint32Array, [batch, outs]))
              : Array.from(out!, Number);
          expect(actual).toEqual(expected);
        },
      ),
      { seed: 21, numRuns: 200 },
    );
  });

  it("refuses weights whose features differ from the input's", () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 7, 7, 64], "bit");
    const w = b.constant("w", new Uint32Array(10 * 7 * 2 * 7), [10, 7, 7, 32], { dtype: "bit" });
    expect(() => b.op("binary.fully_connected", [x, w])).toThrow(/do not match input features/);
  });
});

describe("binary.sign", () => {
  it("sets the bit of negative values only: sign(0) = sign(−0) = +1, NaN → +1", () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [2, 5]);
    b.output(b.op("binary.sign", [x]));
    const [y] = runOnce(b.build(), registry, [
      Float32Array.of(-1, 0, -0, 3, Number.NaN, -1e-30, 1e-30, -7, 2, -0.5),
    ]);
    // row 0: bits 0 → 1; row 1: bits 0, 2, 4 → 1 + 4 + 16 = 21
    expect(Array.from(y as Uint32Array)).toEqual([1, 21]);
  });

  it("packs int32 input and rows longer than a word", () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 40], "int32");
    b.output(b.op("binary.sign", [x]));
    const values = Int32Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? -i - 1 : i));
    const [y] = runOnce(b.build(), registry, [values]);
    expect(Array.from(unpackSigns(y as Uint32Array, [1, 40]))).toEqual(
      Array.from(values, (v) => (v < 0 ? -1 : 1)),
    );
  });
});
