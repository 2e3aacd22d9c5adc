/**
 * The float32 TS kernel against three independent expectations: hand-derived values, the three
 * core ops it replaces (run by @mcu/tensor's own kernels) on random alpha, beta and inputs, and
 * onnxruntime running an ONNX HardSigmoid.
 */
import { corePlugin, createRegistry, type Graph, graphBuilder, runGraph } from "@mcu/tensor";
import fc from "fast-check";
import hardSigmoidPlugin from "./index.js";
import { hardSigmoidModel } from "./testing/onnx-model.js";
import { runOnnxRuntime } from "./testing/ort.js";
import { randomFloats } from "./testing/random.js";

const registry = createRegistry([corePlugin, hardSigmoidPlugin]);

function fusedGraph(n: number, alpha: number, beta: number): Graph {
  const b = graphBuilder(registry);
  return b.output(b.op("example.hard_sigmoid", [b.input("x", [1, n])], { alpha, beta })).build();
}

/** The same function as core ops: clip(add(mul(x, alpha), beta), 0, 1). */
function coreGraph(n: number, alpha: number, beta: number): Graph {
  const b = graphBuilder(registry);
  const m = b.op("core.mul", [b.input("x", [1, n]), b.constant("alpha", Float32Array.of(alpha), [])]);
  const s = b.op("core.add", [m, b.constant("beta", Float32Array.of(beta), [])]);
  return b.output(b.op("core.clip", [s], { min: 0, max: 1 })).build();
}

const run = (g: Graph, x: Float32Array): Float32Array =>
  runGraph(g, [x], { registry })[0]!.data as Float32Array;

describe("example/float32 (TS kernel)", () => {
  it("computes hand-derived values (alpha 1/4 and beta 1/2 keep every step exact)", () => {
    const x = Float32Array.of(
      -3,
      -2,
      -1,
      0,
      1,
      2,
      10,
      1e-8,
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      Number.NaN,
    );
    const y = run(fusedGraph(x.length, 0.25, 0.5), x);
    // -3·¼+½ = −¼ → 0; −2 → 0; −1 → ¼; 0 → ½; 1 → ¾; 2 → 1; 10 → 1; ¼·1e-8 is below half an ulp of ½;
    // ±∞ saturate; NaN stays NaN (clip by comparisons, as ONNX Clip and C).
    expect(Array.from(y)).toEqual([0, 0, 0.25, 0.5, 0.75, 1, 1, 0.5, 0, 1, Number.NaN]);
  });

  it("rounds alpha·x to float32 before adding beta (ONNX's defaults, x = 1: 0.2f + 0.5f)", () => {
    // 0.2 as float32 is 0.20000000298023224; 0.2f + 0.5f = 0.7000000029802322, rounded to float32
    // is 0.699999988079071 (the nearest float32, 2^-24 · 11744051).
    const y = run(fusedGraph(1, 0.2, 0.5), Float32Array.of(1));
    expect(y[0]).toBe(11744051 / 2 ** 24);
  });

  it("gives the same bytes as the core ops it replaces, for any alpha, beta and x", () => {
    const f32 = (min: number, max: number) =>
      fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true });
    fc.assert(
      fc.property(
        f32(-4, 4),
        f32(-2, 2),
        fc.array(fc.float(), { minLength: 1, maxLength: 64 }),
        (alpha, beta, values) => {
          const x = Float32Array.from(values);
          const fused = run(fusedGraph(x.length, alpha, beta), x);
          const core = run(coreGraph(x.length, alpha, beta), x);
          expect(new Uint8Array(fused.buffer)).toEqual(new Uint8Array(core.buffer));
        },
      ),
      { seed: 20260, numRuns: 200 },
    );
  });

  it("agrees with onnxruntime's HardSigmoid to the last bit on 4096 values", async () => {
    for (const attrs of [{}, { alpha: 0.3, beta: 0.4 }, { alpha: -1.5, beta: 0.125 }]) {
      const x = randomFloats(4096, 11, -8, 8);
      const [expected] = await runOnnxRuntime(hardSigmoidModel([64, 64], attrs), [
        { data: x, dims: [64, 64] },
      ]);
      const y = run(fusedGraph(4096, attrs.alpha ?? 0.2, attrs.beta ?? 0.5), x);
      expect(new Uint8Array(y.buffer)).toEqual(new Uint8Array(expected!.buffer));
    }
  });
});
