/**
 * binary/xnor against XNOR-Net's definition written out here: y = β·α[o]·Σ sign(x)·sign(w) + b
 * (sign(0) = +1, zero padding, α = mean |W[o]|, β = mean |x| over the calibration samples), and
 * the Binary-Weight-Network form y = α[o]·Σ x·sign(w) + b; first and last layers kept in float.
 */
import { createInterpreter, type Graph, McuError, resolvePipeline, runPipeline } from "@mcu/tensor";
import { binaryRegistry, graphBuilder, rng } from "../testing/helpers.js";

const registry = binaryRegistry();

function threeConvs(seed: number): { graph: Graph; w1: Float32Array; b1: Float32Array } {
  const next = rng(seed);
  const b = graphBuilder(registry);
  const x = b.input("x", [1, 6, 6, 3]);
  const w0 = b.constant(
    "w0",
    Float32Array.from({ length: 4 * 27 }, () => next() - 0.5),
    [4, 3, 3, 3],
  );
  const h = b.op("core.conv2d", [x, w0], { padding: "SAME" }, { name: "conv0" });
  const w1 = Float32Array.from({ length: 5 * 36 }, () => next() - 0.5);
  const b1 = Float32Array.from({ length: 5 }, () => next() - 0.5);
  const y = b.op(
    "core.conv2d",
    [h, b.constant("w1", w1, [5, 3, 3, 4]), b.constant("b1", b1, [5])],
    { padding: "SAME" },
    { name: "conv1" },
  );
  const r = b.op("core.relu", [y]);
  const w2 = b.constant(
    "w2",
    Float32Array.from({ length: 2 * 45 }, () => next() - 0.5),
    [2, 3, 3, 5],
  );
  b.output(b.op("core.conv2d", [r, w2], { padding: "VALID" }, { name: "conv2" }));
  return { graph: b.build(), w1, b1 };
}

/** conv1 of the graph, computed by the definition from conv0's output h. */
function reference(
  h: Float32Array,
  w1: Float32Array,
  b1: Float32Array,
  beta: number,
  signInputs: boolean,
): Float32Array {
  const out = new Float32Array(6 * 6 * 5);
  const sg = (v: number) => (v < 0 ? -1 : 1);
  for (let o = 0; o < 5; o++) {
    let alpha = 0;
    for (let i = 0; i < 36; i++) alpha += Math.abs(w1[o * 36 + i]!);
    alpha /= 36;
    for (let y = 0; y < 6; y++)
      for (let x = 0; x < 6; x++) {
        let s = 0;
        for (let ky = 0; ky < 3; ky++)
          for (let kx = 0; kx < 3; kx++) {
            const iy = y + ky - 1;
            const ix = x + kx - 1;
            if (iy < 0 || iy >= 6 || ix < 0 || ix >= 6) continue;
            for (let c = 0; c < 4; c++) {
              const v = h[(iy * 6 + ix) * 4 + c]!;
              s += (signInputs ? sg(v) : v) * sg(w1[((o * 3 + ky) * 3 + kx) * 4 + c]!);
            }
          }
        out[(y * 6 + x) * 5 + o] = (signInputs ? beta : 1) * alpha * s + b1[o]!;
      }
  }
  return out;
}

function conv1Output(graph: Graph, x: Float32Array): { h: Float32Array; y: Float32Array } {
  let h = new Float32Array(0);
  let y = new Float32Array(0);
  createInterpreter(graph, { registry }).invoke([x], {
    afterNode: (e) => {
      if (e.node.name === "conv0") h = (e.outputs[0]!.data as Float32Array).slice();
      if (e.node.name === "conv1") y = (e.outputs[0]!.data as Float32Array).slice();
    },
  });
  return { h, y };
}

describe("binary/xnor", () => {
  const next = rng(3);
  const calibration = Array.from({ length: 6 }, () => [
    Float32Array.from({ length: 108 }, () => next() * 2 - 1),
  ]);
  const { graph, w1, b1 } = threeConvs(8);

  it("binarizes weights and inputs of the middle layer with α = mean |W| and β = mean |x|", async () => {
    const { graph: g, diagnostics } = await runPipeline(graph, resolvePipeline(registry, "binary/xnor"), {
      registry,
      resources: { calibration },
    });
    expect(g.nodes.map((n) => n.op)).toEqual([
      "core.conv2d",
      "binary.sign",
      "binary.conv2d",
      "core.relu",
      "core.conv2d",
    ]);
    expect(diagnostics.filter((d) => /kept in float/.test(d.message)).map((d) => d.node)).toEqual([
      "conv0",
      "conv2",
    ]);
    // β: mean |conv0 output| over the calibration samples, from the float graph.
    let sum = 0;
    let n = 0;
    for (const [x] of calibration) {
      const { h } = conv1Output(graph, x!);
      for (const v of h) sum += Math.abs(v);
      n += h.length;
    }
    const beta = sum / n;
    const x = Float32Array.from({ length: 108 }, () => next() * 2 - 1);
    const { h, y } = conv1Output(g, x);
    const ref = reference(h, w1, b1, beta, true);
    for (let i = 0; i < ref.length; i++)
      expect(Math.abs(y[i]! - ref[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref[i]!)));
  });

  it("activations=float is the Binary-Weight-Network: binary weights, float inputs", async () => {
    const { graph: g } = await runPipeline(
      graph,
      resolvePipeline(registry, "binary/xnor:activations=float"),
      { registry },
    );
    expect(g.nodes.map((n) => n.op)).toEqual([
      "core.conv2d",
      "binary.input_conv2d",
      "core.relu",
      "core.conv2d",
    ]);
    const x = Float32Array.from({ length: 108 }, () => next() * 2 - 1);
    const { h, y } = conv1Output(g, x);
    const ref = reference(h, w1, b1, 1, false);
    for (let i = 0; i < ref.length; i++)
      expect(Math.abs(y[i]! - ref[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref[i]!)));
  });

  it("binarizes the named layers only, and warns about names that are not weight layers", async () => {
    const { graph: g, diagnostics } = await runPipeline(
      graph,
      resolvePipeline(registry, "binary/xnor:layers=conv0+nope:activations=float"),
      { registry },
    );
    expect(g.nodes.map((n) => n.op)).toEqual([
      "binary.input_conv2d",
      "core.conv2d",
      "core.relu",
      "core.conv2d",
    ]);
    expect(diagnostics.some((d) => d.node === "nope" && d.level === "warning")).toBe(true);
  });

  it("refuses an unknown option", () => {
    expect(() => resolvePipeline(registry, "binary/xnor:activation=sign")).toThrow(McuError);
  });
});
