import {
  corePlugin,
  createInterpreter,
  createRegistry,
  type Diagnostic,
  type Graph,
  getTensor,
  graphBuilder,
  isMcuError,
  type Node,
  resolvePipeline,
  runPipeline,
  type TensorInfo,
} from "@mcu/tensor";
import { quantPlugin } from "../plugin.js";

const registry = createRegistry([corePlugin, quantPlugin]);

/** Deterministic values in [−1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 48271) % 2147483647;
    return (2 * s) / 2147483647 - 1;
  });
}

function samplesFor(shape: number[], count: number, seed: number): Float32Array[][] {
  const n = shape.reduce((p, d) => p * d, 1);
  return Array.from({ length: count }, (_, i) => [values(n, seed + i)]);
}

async function quantize(graph: Graph, pipeline: string, samples: Float32Array[][]) {
  const diagnostics: Diagnostic[] = [];
  const { graph: q } = await runPipeline(graph, resolvePipeline(registry, pipeline), {
    registry,
    resources: { calibration: samples },
    onDiagnostic: (d) => diagnostics.push(d),
  });
  return { q, diagnostics };
}

/** conv(3×3, unfused relu) → max pool → reshape → fully connected → softmax. */
function convNet(): Graph {
  const b = graphBuilder(registry);
  const x = b.input("x", [1, 6, 6, 2]);
  const w = b.constant("w", values(4 * 3 * 3 * 2, 3), [4, 3, 3, 2]);
  const bias = b.constant("b", values(4, 9), [4]);
  const c = b.op("core.conv2d", [x, w, bias], { padding: "SAME" }, { name: "conv" });
  const r = b.op("core.relu", [c], {}, { name: "relu" });
  const p = b.op("core.max_pool2d", [r], { filter: [2, 2], strides: [2, 2] }, { name: "pool" });
  const f = b.op("core.reshape", [p], { shape: [1, 36] }, { name: "flat" });
  const fw = b.constant("fw", values(5 * 36, 5), [5, 36]);
  const fb = b.constant("fb", values(5, 6), [5]);
  const d = b.op("core.fully_connected", [f, fw, fb], {}, { name: "dense" });
  const s = b.op("core.softmax", [d], {}, { name: "probs" });
  return b.output(s).build();
}

function kernelsOf(q: Graph): Record<string, string> {
  const it = createInterpreter(q, { registry });
  return Object.fromEntries(q.nodes.map((n, i) => [n.name, it.kernelNames[i]!]));
}

function node(q: Graph, name: string): Node {
  return q.nodes.find((n) => n.name === name)!;
}

/** The largest difference between the two graphs' first outputs over the samples. */
function maxError(a: Graph, b: Graph, samples: Float32Array[][]): number {
  const ia = createInterpreter(a, { registry });
  const ib = createInterpreter(b, { registry });
  let worst = 0;
  for (const s of samples) {
    const ya = ia.invoke(s)[0]!.data as Float32Array;
    const yb = ib.invoke(s)[0]!.data as Float32Array;
    for (let k = 0; k < ya.length; k++) worst = Math.max(worst, Math.abs(ya[k]! - yb[k]!));
  }
  return worst;
}

const params = (t: TensorInfo) => ({ scale: t.quant!.scale[0]!, zeroPoint: t.quant!.zeroPoint[0]! });

describe("quant/int8 on a small conv net", () => {
  const graph = convNet();
  const samples = samplesFor([1, 6, 6, 2], 16, 100);

  it("keeps the float interface, fuses the relu and runs every layer on an integer kernel", async () => {
    const { q } = await quantize(graph, "quant/int8", samples);
    expect(q.nodes.map((n) => n.op)).toEqual([
      "core.quantize",
      "core.conv2d",
      "core.max_pool2d",
      "core.reshape",
      "core.fully_connected",
      "core.softmax",
      "core.dequantize",
    ]);
    expect(node(q, "conv").attrs.fusedActivation).toBe("RELU");
    expect(getTensor(q, "x").dtype).toBe("float32");
    expect(getTensor(q, q.outputs[0]!).dtype).toBe("float32");
    expect(kernelsOf(q)).toEqual({
      "x/quantize": "core/float32",
      conv: "quant/int8",
      pool: "quant/int8",
      flat: "core/any",
      dense: "quant/int8",
      probs: "quant/int8",
      "probs/dequantize": "core/float32",
    });
  });

  it("quantizes weights per channel, symmetric, within ±127, and biases as round(b / (s_in · s_w))", async () => {
    const { q } = await quantize(graph, "quant/int8", samples);
    for (const [name, wId, bId, fw, fb] of [
      ["conv", "w", "b", graph.tensors.get("w")!, graph.tensors.get("b")!],
      ["dense", "fw", "fb", graph.tensors.get("fw")!, graph.tensors.get("fb")!],
    ] as const) {
      const n = node(q, name);
      const w = getTensor(q, n.inputs[1]!);
      expect(n.inputs[1]).toBe(wId);
      expect(w.dtype).toBe("int8");
      const channels = w.shape[0]!;
      expect(w.quant!.axis).toBe(0);
      expect(w.quant!.zeroPoint).toEqual(new Array(channels).fill(0));
      const per = (w.data as Int8Array).length / channels;
      const floatW = fw.data as Float32Array;
      for (let c = 0; c < channels; c++) {
        const row = Array.from((w.data as Int8Array).subarray(c * per, (c + 1) * per));
        expect(Math.max(...row.map(Math.abs))).toBe(127);
        // Each weight is within half a step of its float value.
        row.forEach((v, k) => {
          expect(Math.abs(v * w.quant!.scale[c]! - floatW[c * per + k]!)).toBeLessThanOrEqual(
            w.quant!.scale[c]! / 2 + 1e-7,
          );
        });
      }
      const b = getTensor(q, n.inputs[2]!);
      expect(n.inputs[2]).toBe(bId);
      expect(b.dtype).toBe("int32");
      const sIn = getTensor(q, n.inputs[0]!).quant!.scale[0]!;
      const floatB = fb.data as Float32Array;
      Array.from(b.data as Int32Array).forEach((v, c) => {
        const s = Math.fround(sIn * w.quant!.scale[c]!);
        expect(b.quant!.scale[c]).toBe(s);
        expect(v).toBe(Math.round(floatB[c]! / s));
      });
    }
  });

  it("gives pool and reshape their input's parameters, and softmax the spec's (1/256, −128)", async () => {
    const { q } = await quantize(graph, "quant/int8", samples);
    const conv = params(getTensor(q, "relu"));
    expect(conv.zeroPoint).toBe(-128); // a relu output: real 0 at the bottom
    expect(params(getTensor(q, "pool"))).toEqual(conv);
    expect(params(getTensor(q, "flat"))).toEqual(params(getTensor(q, "pool")));
    expect(params(getTensor(q, node(q, "probs").outputs[0]!))).toEqual({ scale: 1 / 256, zeroPoint: -128 });
  });

  it("quantizes the input with the nudged parameters of its calibrated range", async () => {
    const { q } = await quantize(graph, "quant/int8", samples);
    let min = 0;
    let max = 0;
    for (const [s] of samples) for (const v of s!) [min, max] = [Math.min(min, v), Math.max(max, v)];
    const p = params(getTensor(q, "x:q"));
    expect(Math.abs(p.scale - (max - min) / 255)).toBeLessThan(1e-6 * p.scale);
    expect(p.zeroPoint).toBe(Math.round(-128 - min / ((max - min) / 255)));
  });

  it("stays close to the float model (probabilities within 0.03)", async () => {
    const { q } = await quantize(graph, "quant/int8", samples);
    expect(maxError(graph, q, samples)).toBeLessThan(0.03);
  });

  it("io=int8: integer inputs and outputs and nothing but integer kernels", async () => {
    const { q } = await quantize(graph, "quant/int8:io=int8", samples);
    expect(getTensor(q, "x").dtype).toBe("int8");
    expect(getTensor(q, q.outputs[0]!)).toMatchObject({
      dtype: "int8",
      quant: { scale: [1 / 256], zeroPoint: [-128] },
    });
    const k = kernelsOf(q);
    expect(Object.values(k).filter((n) => n !== "quant/int8")).toEqual(["core/any"]);
    expect(k.flat).toBe("core/any");
  });

  it("perChannel=false: one scale per weight tensor", async () => {
    const { q } = await quantize(graph, "quant/int8:perChannel=false", samples);
    const w = getTensor(q, "w");
    expect(w.quant!.scale).toHaveLength(1);
    expect(w.quant!.axis).toBeUndefined();
    expect(getTensor(q, "b").quant!.scale).toHaveLength(1);
  });

  it("needs calibration samples", async () => {
    const err = await runPipeline(graph, resolvePipeline(registry, "quant/int8"), { registry }).catch(
      (e) => e,
    );
    expect(isMcuError(err) && err.code).toBe("MCU_E_CALIBRATION");
    expect(err.pass).toBe("quant/int8");
  });
});

describe("per-op rules", () => {
  it("depthwise weights are per channel on axis 3", async () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 5, 5, 3]);
    const w = b.constant("w", values(27, 1), [1, 3, 3, 3]);
    const bias = b.constant("b", values(3, 2), [3]);
    b.output(b.op("core.depthwise_conv2d", [x, w, bias], { padding: "SAME" }, { name: "dw" }));
    const { q } = await quantize(b.build(), "quant/int8", samplesFor([1, 5, 5, 3], 4, 7));
    const wq = getTensor(q, "w");
    expect(wq.quant!.axis).toBe(3);
    expect(wq.quant!.scale).toHaveLength(3);
    // Channel c is every third value of the 1HWC data.
    const data = wq.data as Int8Array;
    for (let c = 0; c < 3; c++) {
      const ch = Array.from({ length: 9 }, (_, k) => Math.abs(data[k * 3 + c]!));
      expect(Math.max(...ch)).toBe(127);
    }
    expect(kernelsOf(q).dw).toBe("quant/int8");
  });

  it("concat inputs and output share one set of parameters (the union of their ranges)", async () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 4, 4, 2]);
    const w1 = b.constant("w1", values(2 * 2, 3), [2, 1, 1, 2]);
    const w2 = b.constant(
      "w2",
      values(3 * 2, 4).map((v) => 4 * v),
      [3, 1, 1, 2],
    );
    const c1 = b.op("core.conv2d", [x, w1], {}, { name: "c1" });
    const c2 = b.op("core.conv2d", [x, w2], {}, { name: "c2" });
    b.output(b.op("core.concat", [c1, c2], { axis: 3 }, { name: "cat" }));
    const { q } = await quantize(b.build(), "quant/int8", samplesFor([1, 4, 4, 2], 8, 21));
    const p = params(getTensor(q, "c1"));
    expect(params(getTensor(q, "c2"))).toEqual(p);
    expect(params(getTensor(q, "cat:q"))).toEqual(p);
    expect(Object.values(kernelsOf(q)).filter((k) => k.startsWith("quant/"))).toHaveLength(3);
  });

  it("leaves ops without an integer form in float, between dequantize and quantize", async () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 8]);
    const w = b.constant("w", values(64, 3), [8, 8]);
    const d1 = b.op("core.fully_connected", [x, w], {}, { name: "d1" });
    const two = b.constant("two", Float32Array.of(2), [1]);
    const q1 = b.op("core.div", [d1, two], {}, { name: "half" });
    b.output(b.op("core.fully_connected", [q1, w], {}, { name: "d2" }));
    const { q, diagnostics } = await quantize(b.build(), "quant/int8", samplesFor([1, 8], 8, 3));
    expect(q.nodes.map((n) => `${n.op}:${n.name}`)).toEqual([
      "core.quantize:x/quantize",
      "core.fully_connected:d1",
      "core.dequantize:d1:f/dequantize",
      "core.div:half",
      "core.quantize:half/quantize",
      "core.fully_connected:d2",
      "core.dequantize:d2/dequantize",
    ]);
    expect(diagnostics.some((d) => d.node === "half" && /stays float32/.test(d.message))).toBe(true);
    // The shared weight serves both layers under one quantized constant.
    expect(node(q, "d1").inputs[1]).toBe(node(q, "d2").inputs[1]);
  });

  it("falls back to float when no kernel runs the integer form (int16 hard_swish)", async () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 8]);
    const w = b.constant("w", values(64, 3), [8, 8]);
    const d = b.op("core.fully_connected", [x, w], {}, { name: "d" });
    b.output(b.op("core.hard_swish", [d], {}, { name: "hs" }));
    const { q, diagnostics } = await quantize(b.build(), "quant/int16x8", samplesFor([1, 8], 8, 3));
    expect(node(q, "hs").inputs[0]).toBe("d:f");
    expect(kernelsOf(q).d).toBe("quant/int16x8");
    expect(diagnostics.some((d) => d.level === "warning" && d.node === "hs")).toBe(true);
  });
});

describe("quant/int16x8 and quant/int4-weights", () => {
  const graph = convNet();
  const samples = samplesFor([1, 6, 6, 2], 16, 100);

  it("int16x8: symmetric int16 activations, int8 weights, int64 biases", async () => {
    const { q } = await quantize(graph, "quant/int16x8", samples);
    for (const id of ["x:q", "relu", "pool", "flat", "dense"]) {
      const t = getTensor(q, id);
      expect(t.dtype).toBe("int16");
      expect(t.quant!.zeroPoint).toEqual([0]);
    }
    expect(getTensor(q, "w").dtype).toBe("int8");
    expect(getTensor(q, "b").dtype).toBe("int64");
    expect(params(getTensor(q, node(q, "probs").outputs[0]!))).toEqual({ scale: 1 / 32768, zeroPoint: 0 });
    const k = kernelsOf(q);
    expect([k.conv, k.pool, k.dense, k.probs]).toEqual(new Array(4).fill("quant/int16x8"));
    // Closer to float than int8 activations (the int8 weights are the same).
    const { q: q8 } = await quantize(graph, "quant/int8", samples);
    expect(maxError(graph, q, samples)).toBeLessThan(0.7 * maxError(graph, q8, samples));
  });

  it("int16x8 ADD uses the general-scale kernel (potScaleInt16 false)", async () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 8]);
    const y = b.op("core.add", [x, x], {}, { name: "sum" });
    b.output(y);
    const { q } = await quantize(b.build(), "quant/int16x8", samplesFor([1, 8], 4, 1));
    expect(node(q, "sum").attrs.potScaleInt16).toBe(false);
    expect(kernelsOf(q).sum).toBe("quant/int16x8");
  });

  it("int4-weights: int4 weights in [−7, 7] on the int8 kernels", async () => {
    const { q } = await quantize(graph, "quant/int4-weights", samples);
    for (const id of ["w", "fw"]) {
      const w = getTensor(q, id);
      expect(w.dtype).toBe("int4");
      const data = Array.from(w.data as Int8Array);
      expect(Math.max(...data)).toBeLessThanOrEqual(7);
      expect(Math.min(...data)).toBeGreaterThanOrEqual(-7);
      expect(data.some((v) => Math.abs(v) === 7)).toBe(true);
    }
    const k = kernelsOf(q);
    expect([k.conv, k.dense]).toEqual(["quant/int8", "quant/int8"]);
  });
});
