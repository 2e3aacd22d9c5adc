/**
 * binary/from-sign + binary/fold-threshold on synthetic binarized networks built from core float
 * ops (the pattern of an exported BNN): every bit of the binary graph equals the float graph's
 * sign (@mcu/tensor's float kernels) on random inputs, with γ < 0 (flipped comparison), γ = 0
 * (constant channels), a max-pool between conv and batch norm, hidden and final dense layers;
 * where batch normalization is exactly 0 the float sign is 0, the bit +1, and the pass says so.
 */
import {
  createInterpreter,
  type Diagnostic,
  type Graph,
  type Registry,
  resolvePipeline,
  runPipeline,
} from "@mcu/tensor";
import { unpackSigns } from "../bits.js";
import { binaryRegistry, graphBuilder, randomSigns, rng } from "../testing/helpers.js";

const registry: Registry = binaryRegistry();

/** A BNN in float ops: conv → BN → sign → conv±1 → pool → BN → sign → flatten → fc±1 → BN → sign → fc±1 → BN. */
function floatBnn(seed: number, opts: { tieAt?: number } = {}): Graph {
  const next = rng(seed);
  const b = graphBuilder(registry);
  const bn = (x: string, c: number, center: number, spread: number): string => {
    const gamma = Float32Array.from(
      { length: c },
      (_, i) => (i % 5 === 0 ? -1 : i % 7 === 3 ? 0 : 1) * (0.5 + next()),
    );
    const beta = Float32Array.from({ length: c }, () => (next() - 0.5) * 0.4);
    const mean = Float32Array.from({ length: c }, () => center + (next() - 0.5) * spread);
    if (opts.tieAt !== undefined) {
      // Channel 1: BN(x) = (x − μ)·k exactly 0 at the integer x = μ.
      beta[1] = 0;
      mean[1] = opts.tieAt;
      gamma[1] = 1;
    }
    const variance = Float32Array.from({ length: c }, () => 1 + next() * spread);
    return b.op("core.batch_norm", [
      x,
      ...[gamma, beta, mean, variance].map((d, i) => b.constant(`bn${x}${i}`, d, [c])),
    ]);
  };
  const x = b.input("x", [1, 8, 8, 2]);
  const w1 = b.constant(
    "w1",
    Float32Array.from({ length: 16 * 9 * 2 }, () => next() * 2 - 1),
    [16, 3, 3, 2],
  );
  let y = b.op(
    "core.conv2d",
    [
      x,
      w1,
      b.constant(
        "b1",
        Float32Array.from({ length: 16 }, () => next() - 0.5),
        [16],
      ),
    ],
    { padding: "SAME" },
  );
  y = b.op("core.sign", [bn(y, 16, 0, 1)]);
  const w2 = b.constant("w2", randomSigns(40 * 9 * 16, next), [40, 3, 3, 16]);
  y = b.op("core.conv2d", [y, w2], { padding: "SAME" });
  y = b.op("core.max_pool2d", [y], { filter: [2, 2], strides: [2, 2] });
  y = b.op("core.sign", [bn(y, 40, 10, 30)]);
  y = b.op("core.flatten", [y], { axis: 1 });
  const w3 = b.constant("w3", randomSigns(24 * 640, next), [24, 640]);
  y = b.op("core.sign", [bn(b.op("core.fully_connected", [y, w3]), 24, 0, 60)]);
  const w4 = b.constant("w4", randomSigns(7 * 24, next), [7, 24]);
  b.output(bn(b.op("core.fully_connected", [y, w4]), 7, 0, 4));
  return b.build();
}

async function binarize(g: Graph): Promise<{ graph: Graph; diagnostics: readonly Diagnostic[] }> {
  return runPipeline(g, resolvePipeline(registry, "binary/from-sign,binary/fold-threshold"), { registry });
}

/** Sign outputs of the float graph and bits of the binary graph, by sign node name. */
function compare(float: Graph, binary: Graph, x: Float32Array) {
  const signs = new Map<string, Float32Array>();
  const [yf] = createInterpreter(float, { registry }).invoke([x], {
    afterNode: (e) => {
      if (e.node.op === "core.sign")
        signs.set(e.outputs[0]!.name, (e.outputs[0]!.data as Float32Array).slice());
    },
  });
  const bits = new Map<string, Int8Array>();
  const [yb] = createInterpreter(binary, { registry }).invoke([x], {
    afterNode: (e) => {
      const t = e.outputs[0]!;
      if (t.dtype === "bit") bits.set(t.name, unpackSigns(t.data as Uint32Array, t.shape));
    },
  });
  let mismatches = 0;
  let zeros = 0;
  let compared = 0;
  // A zero before a sign (float 0, bit +1) changes the next layer's input: later layers of the
  // same sample are compared only while no zero has come before them.
  let upstreamZero = false;
  for (const [name, f] of signs) {
    const b = bits.get(`${name}:bits`);
    expect(b).toBeDefined();
    let layerZeros = 0;
    for (let i = 0; i < f.length; i++) {
      compared++;
      if (f[i] === 0) layerZeros++;
      if (!upstreamZero && (f[i] === 0 ? 1 : f[i]) !== b![i]) mismatches++;
    }
    zeros += layerZeros;
    if (layerZeros > 0) upstreamZero = true;
  }
  return { mismatches, zeros, compared, yf: yf!.data as Float32Array, yb: yb!.data as Float32Array };
}

describe("binary/from-sign + binary/fold-threshold", () => {
  it("leave no float between the layers and reproduce every sign of the float graph", async () => {
    for (const seed of [1, 2, 3]) {
      const float = floatBnn(seed);
      const { graph } = await binarize(float);
      expect(graph.nodes.map((n) => n.op)).toEqual([
        "binary.input_conv2d",
        "binary.conv2d",
        "binary.fully_connected",
        "binary.fully_connected",
      ]);
      expect(graph.nodes.map((n) => graph.tensors.get(n.outputs[0]!)!.dtype)).toEqual([
        "bit",
        "bit",
        "bit",
        "float32",
      ]);
      const next = rng(seed + 100);
      for (let s = 0; s < 20; s++) {
        const x = Float32Array.from({ length: 128 }, () => next() * 2 - 1);
        const r = compare(float, graph, x);
        expect(r.compared).toBe(8 * 8 * 16 + 4 * 4 * 40 + 24);
        expect(r.mismatches).toBe(0);
        const scale = Math.max(...Array.from(r.yf, Math.abs));
        for (let i = 0; i < 7; i++) expect(Math.abs(r.yf[i]! - r.yb[i]!) / scale).toBeLessThan(1e-5);
      }
    }
  });

  it("flips the comparison where γ < 0 and makes γ = 0 channels constant", async () => {
    const { graph } = await binarize(floatBnn(4));
    const conv = graph.nodes[1]!;
    const flip = unpackSigns(graph.tensors.get(conv.inputs[5]!)!.data as Uint32Array, [40]);
    const threshold = graph.tensors.get(conv.inputs[4]!)!.data as Int32Array;
    for (let c = 0; c < 40; c++) {
      if (c % 5 === 0)
        expect(flip[c]).toBe(-1); // γ < 0
      else expect(flip[c]).toBe(1);
      // γ = 0: BN is the constant β, so the threshold is beyond the reachable dot products.
      if (c % 7 === 3 && c % 5 !== 0) expect(Math.abs(threshold[c]!)).toBeGreaterThanOrEqual(9 * 16);
    }
  });

  it("reports where batch normalization is exactly 0, and gives +1 there", async () => {
    const float = floatBnn(5, { tieAt: 4 });
    const { graph, diagnostics } = await binarize(float);
    expect(diagnostics.some((d) => /exactly 0 at .*channel 1 at 4/.test(d.message))).toBe(true);
    const next = rng(77);
    let zeros = 0;
    for (let s = 0; s < 30; s++) {
      const r = compare(
        float,
        graph,
        Float32Array.from({ length: 128 }, () => next() * 2 - 1),
      );
      expect(r.mismatches).toBe(0); // zeros in the float graph are +1 bits
      zeros += r.zeros;
    }
    expect(zeros).toBeGreaterThan(0);
  });

  it("leaves a sign alone when a reader is not a ±1-weight layer", async () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 4, 4, 3]);
    const s = b.op("core.sign", [x]);
    const w = b.constant(
      "w",
      Float32Array.from({ length: 2 * 27 }, (_, i) => (i % 3 === 0 ? 0.5 : 1)),
      [2, 3, 3, 3],
    );
    b.output(b.op("core.conv2d", [s, w], { padding: "SAME" }));
    const g = b.build();
    const { graph, diagnostics } = await binarize(g);
    expect(graph).toBe(g);
    expect(diagnostics.some((d) => /weights are not all ±1/.test(d.message))).toBe(true);
  });
});
