import { graphBuilder } from "../builder.js";
import { corePlugin } from "../core-plugin.js";
import { createGraph } from "../graph.js";
import { findProblems } from "../verify.js";
import { createRegistry } from "../registry.js";
import { quantParams } from "../tensor-info.js";
import { LSTM_INPUTS } from "./recurrent.js";

const registry = createRegistry([corePlugin]);
const q = quantParams(0.01);

describe("core.svdf", () => {
  // keyword_scrambled.tflite's first SVDF: input int8[1,96], 64 filters of 96 features,
  // a memory of 8, rank 1, bias [64], state int16[1,512] (= 8 · 64).
  function svdf(opts: { rank?: number; state?: number; feature?: number } = {}) {
    const g = graphBuilder(registry);
    const x = g.input("x", [1, 96], "int8", q);
    const wf = g.constant("wf", new Int8Array(64 * (opts.feature ?? 96)), [64, opts.feature ?? 96], {
      quant: q,
    });
    const wt = g.constant("wt", new Int16Array(64 * 8), [64, 8], { quant: q });
    const b = g.constant("b", new Int32Array(64 / (opts.rank ?? 1)), [64 / (opts.rank ?? 1)], { quant: q });
    const s = g.constant("s", new Int16Array(opts.state ?? 512), [1, opts.state ?? 512], { quant: q });
    const y = g.op("core.svdf", [x, wf, wt, b, s], { rank: opts.rank ?? 1, fusedActivation: "RELU" });
    g.output(y);
    return g;
  }

  it("infers [batch, filters / rank] and counts feature and time MACs", () => {
    const g = svdf();
    const graph = g.build();
    expect(graph.tensors.get(graph.outputs[0]!)!.shape).toEqual([1, 64]);
    const node = graph.nodes[0]!;
    const op = registry.op("core.svdf");
    const inputs = node.inputs.map((id) => graph.tensors.get(id));
    // 64 filters × (96 features + 8 memory) for one batch row.
    expect(
      op.macs({
        node: node.name,
        inputs,
        outputs: [graph.tensors.get(node.outputs[0]!)!],
        attrs: node.attrs as never,
      }),
    ).toBe(64 * (96 + 8));
  });

  it("divides the filters by the rank", () => {
    const graph = svdf({ rank: 2 }).build();
    expect(graph.tensors.get(graph.outputs[0]!)!.shape).toEqual([1, 32]);
  });

  it("rejects a state of the wrong size and mismatched feature weights", () => {
    expect(() => svdf({ state: 511 })).toThrow(expect.objectContaining({ code: "MCU_E_SHAPE" }));
    expect(() => svdf({ feature: 95 })).toThrow(expect.objectContaining({ code: "MCU_E_SHAPE" }));
  });
});

describe("core.unidirectional_sequence_lstm", () => {
  // trained_lstm.tflite: input [1, 28, 28], 20 cells, no projection, states [1, 20].
  function lstm(opts: { cifg?: boolean; timeMajor?: boolean; projection?: number } = {}) {
    const g = graphBuilder(registry);
    const nOut = opts.projection ?? 20;
    const inputs: (string | undefined)[] = new Array(LSTM_INPUTS.length).fill(undefined);
    inputs[0] = g.input("x", [1, 28, 28]);
    const w = (name: string, shape: number[]) =>
      g.constant(name, new Float32Array(shape[0]! * (shape[1] ?? 1)), shape);
    for (const i of [1, 2, 3, 4]) inputs[i] = w(`wi${i}`, [20, 28]);
    for (const i of [5, 6, 7, 8]) inputs[i] = w(`wr${i}`, [20, nOut]);
    for (const i of [12, 13, 14, 15]) inputs[i] = w(`b${i}`, [20]);
    if (opts.cifg === true) {
      inputs[1] = undefined;
      inputs[5] = undefined;
      inputs[12] = undefined;
    }
    if (opts.projection !== undefined) inputs[16] = w("proj", [nOut, 20]);
    inputs[18] = g.constant("h", new Float32Array(nOut), [1, nOut]);
    inputs[19] = g.constant("c", new Float32Array(20), [1, 20]);
    g.output(
      g.op("core.unidirectional_sequence_lstm", inputs.slice(0, 20), { timeMajor: opts.timeMajor ?? false }),
    );
    return g.build();
  }
  const macsOf = (graph: ReturnType<typeof lstm>) => {
    const node = graph.nodes[0]!;
    const inputs = node.inputs.map((id) => (id === "" ? undefined : graph.tensors.get(id)));
    const outputs = node.outputs.map((id) => graph.tensors.get(id)!);
    return registry.op(node.op).macs({ node: node.name, inputs, outputs, attrs: node.attrs as never });
  };

  it("outputs [batch, time, cells] and counts 4 gates per step", () => {
    const graph = lstm();
    expect(graph.tensors.get(graph.outputs[0]!)!.shape).toEqual([1, 28, 20]);
    expect(graph.nodes[0]!.attrs.fusedActivation).toBe("TANH");
    // 28 steps × 4 gates × 20 cells × (28 inputs + 20 recurrent).
    expect(macsOf(graph)).toBe(28 * 4 * 20 * (28 + 20));
  });

  it("counts 3 gates without an input gate (CIFG) and adds the projection", () => {
    expect(macsOf(lstm({ cifg: true }))).toBe(28 * 3 * 20 * (28 + 20));
    const projected = lstm({ projection: 8 });
    expect(projected.tensors.get(projected.outputs[0]!)!.shape).toEqual([1, 28, 8]);
    expect(macsOf(projected)).toBe(28 * (4 * 20 * (28 + 8) + 8 * 20));
  });

  it("needs at least the 20 inputs up to the cell state", () => {
    const graph = lstm();
    const node = graph.nodes[0]!;
    const cut = createGraph({ ...graph, nodes: [{ ...node, inputs: node.inputs.slice(0, 19) }] });
    expect(findProblems(cut, registry).map((p) => p.code)).toContain("MCU_E_ARITY");
  });
});
