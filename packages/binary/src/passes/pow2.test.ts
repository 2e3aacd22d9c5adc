/**
 * binary/pow2: the weight codes are the nearest allowed levels (checked by brute force over the
 * level set), and the rewritten graph equals the float graph on int8-quantized inputs and
 * power-of-two weights (core ops on dequantized values).
 */
import { createInterpreter, McuError, resolvePipeline, runPipeline } from "@mcu/tensor";
import fc from "fast-check";
import { binaryRegistry, graphBuilder, rng } from "../testing/helpers.js";
import { int8Params, pow2Weights } from "./pow2.js";

const registry = binaryRegistry();
const level = (c: number): number => (c === 0 ? 0 : Math.sign(c) * 2 ** (Math.abs(c) - 1));

describe("pow2Weights", () => {
  it("picks, per weight, the nearest of 0, ±s·2^k (k < L) for bits 3 and 4", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(3, 4),
        fc.array(fc.float({ min: -4, max: 4, noNaN: true }), { minLength: 6, maxLength: 6 }),
        (bits, ws) => {
          const w = Float32Array.from(ws);
          const { codes, scale } = pow2Weights(w, 2, bits);
          const levels = 2 ** (bits - 1) - 1;
          const allowed = [0, ...Array.from({ length: levels }, (_, k) => 2 ** k)];
          for (let i = 0; i < 6; i++) {
            const s = scale[Math.floor(i / 3)]!;
            const m = Math.abs(w[i]!) / s;
            const got = Math.abs(level(codes[i]!));
            const best = Math.min(...allowed.map((a) => Math.abs(a - m)));
            expect(Math.abs(got - m)).toBeLessThanOrEqual(best + 1e-6);
            if (codes[i] !== 0) expect(Math.sign(codes[i]!)).toBe(Math.sign(w[i]!));
          }
        },
      ),
      { seed: 5, numRuns: 300 },
    );
  });

  it("maps each channel's largest weight to s·2^(L−1)", () => {
    // s = 0.8/64: 0.1 → 8 = 2^3 (code 4), 0.3 → 24, the midpoint of 16 and 32 → 2^5 (code 6);
    // s = 2/64: 0.01 → 0.32 → 0, −0.2 → −6.4 → −2^3 (code −4).
    const { codes, scale } = pow2Weights(Float32Array.of(0.1, -0.8, 0.3, 2, 0.01, -0.2), 2, 4);
    expect(Array.from(codes)).toEqual([4, -7, 6, 7, 0, -4]);
    expect(scale[0]).toBeCloseTo(0.8 / 64, 7);
    expect(scale[1]).toBeCloseTo(2 / 64, 7);
  });

  it("is ternary with Ternary Weight Networks' threshold at 2 bits", () => {
    // mean |w| = 0.5, Δ = 0.35: weights above keep their sign, scale = mean of their |w| = 0.8.
    const { codes, scale } = pow2Weights(Float32Array.of(0.9, -0.7, 0.1, 0.3), 1, 2);
    expect(Array.from(codes)).toEqual([1, -1, 0, 0]);
    expect(scale[0]).toBeCloseTo(0.8, 6);
  });

  it("quantizes inputs over [min, max] ∪ {0}", () => {
    expect(int8Params(0, 2.55).scale).toBeCloseTo(0.01, 12);
    expect(int8Params(0, 2.55).zeroPoint).toBe(-128);
    // −128 + 127.5 = −0.5 rounds away from zero, as std::round in TFLite's nudging.
    expect(int8Params(-1, 1).zeroPoint).toBe(-1);
    expect(int8Params(0, 0)).toEqual({ scale: 1, zeroPoint: 0 });
  });
});

describe("binary/pow2", () => {
  const next = rng(4);
  const b = graphBuilder(registry);
  const x = b.input("x", [1, 5, 5, 3]);
  const wc = Float32Array.from({ length: 4 * 27 }, () => next() - 0.5);
  const bc = Float32Array.from({ length: 4 }, () => next() - 0.5);
  const h = b.op(
    "core.conv2d",
    [x, b.constant("wc", wc, [4, 3, 3, 3]), b.constant("bc", bc, [4])],
    { padding: "SAME", fusedActivation: "RELU" },
    { name: "conv" },
  );
  const f = b.op("core.flatten", [h], { axis: 1 });
  const wf = Float32Array.from({ length: 3 * 100 }, () => next() - 0.5);
  b.output(b.op("core.fully_connected", [f, b.constant("wf", wf, [3, 100])], {}, { name: "fc" }));
  const graph = b.build();
  const calibration = Array.from({ length: 8 }, () => [
    Float32Array.from({ length: 75 }, () => next() * 2 - 1),
  ]);

  it("needs calibration samples", async () => {
    await expect(runPipeline(graph, resolvePipeline(registry, "binary/pow2"), { registry })).rejects.toThrow(
      /calibration/,
    );
    await expect(
      runPipeline(graph, resolvePipeline(registry, "binary/pow2:bits=5"), {
        registry,
        resources: { calibration },
      }),
    ).rejects.toThrow(McuError);
  });

  it("equals the float graph on quantized inputs and power-of-two weights (rounding only)", async () => {
    const { graph: g } = await runPipeline(graph, resolvePipeline(registry, "binary/pow2"), {
      registry,
      resources: { calibration },
    });
    expect(g.nodes.map((n) => n.op)).toEqual([
      "core.quantize",
      "binary.pow2_conv2d",
      "core.flatten",
      "core.quantize",
      "binary.pow2_fully_connected",
    ]);
    // The reference: quantize → dequantize the inputs, float conv/dense with the levels × scale.
    const q1 = g.tensors.get(g.nodes[0]!.outputs[0]!)!.quant!;
    const q2 = g.tensors.get(g.nodes[3]!.outputs[0]!)!.quant!;
    const levels = (w: Float32Array, outs: number) => {
      const { codes, scale } = pow2Weights(w, outs, 4);
      return Float32Array.from(codes, (c, i) => level(c) * scale[Math.floor(i / (w.length / outs))]!);
    };
    const rb = graphBuilder(registry);
    const rx = rb.input("x", [1, 5, 5, 3]);
    const dq = (t: string, q: typeof q1) =>
      rb.op("core.dequantize", [rb.op("core.quantize", [t], {}, { outputs: [{ dtype: "int8", quant: q }] })]);
    const rh = rb.op(
      "core.conv2d",
      [dq(rx, q1), rb.constant("wc", levels(wc, 4), [4, 3, 3, 3]), rb.constant("bc", bc, [4])],
      { padding: "SAME", fusedActivation: "RELU" },
    );
    const rf = rb.op("core.flatten", [rh], { axis: 1 });
    rb.output(rb.op("core.fully_connected", [dq(rf, q2), rb.constant("wf", levels(wf, 3), [3, 100])]));
    const ref = rb.build();
    const ours = createInterpreter(g, { registry });
    const theirs = createInterpreter(ref, { registry });
    for (let s = 0; s < 10; s++) {
      const input = Float32Array.from({ length: 75 }, () => next() * 2 - 1);
      const a = ours.invoke([input])[0]!.data as Float32Array;
      const e = theirs.invoke([input])[0]!.data as Float32Array;
      const mag = Math.max(...Array.from(e, Math.abs));
      for (let i = 0; i < 3; i++) expect(Math.abs(a[i]! - e[i]!) / mag).toBeLessThan(1e-4);
    }
  });
});
