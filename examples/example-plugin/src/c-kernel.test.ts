/**
 * The C kernel through @mcu/codegen-c: the generated C is compiled by the real compilers (gcc
 * with AddressSanitizer and UndefinedBehaviorSanitizer on the host, arm-none-eabi-gcc for a
 * Cortex-M4 run under QEMU), always with -std=c99 -Wall -Wextra -Werror, and its outputs are
 * byte-identical to the TS kernel's — and so to the core ops the pass replaced. In a whole
 * network the convolutions differ from the TS interpreter's in summation order (codegen-c's
 * float contract: within 1e-5 of the largest magnitude), so there the comparison is a tolerance.
 */
import onnxPlugin, { readOnnx } from "@mcu/onnx-io";
import { codegenPlugin, cTarget, generateC, prepareC } from "@mcu/codegen-c";
import {
  corePlugin,
  createRegistry,
  type Graph,
  graphBuilder,
  resolvePipeline,
  runGraph,
  runPipeline,
} from "@mcu/tensor";
import hardSigmoidPlugin from "./index.js";
import { convHardSigmoidModel } from "./testing/onnx-model.js";
import { randomFloats } from "./testing/random.js";

const registry = createRegistry([corePlugin, onnxPlugin, codegenPlugin, hardSigmoidPlugin]);

/** ONNX conv net with two HardSigmoids, imported and fused: the kind of graph a user compiles. */
async function fusedConvNet(): Promise<Graph> {
  const model = readOnnx(
    convHardSigmoidModel({
      cin: 3,
      cout: 8,
      h: 6,
      w: 7,
      w1: randomFloats(8 * 3 * 9, 21, -0.5, 0.5),
      b1: randomFloats(8, 22),
      w2: randomFloats(64, 23, -0.5, 0.5),
      b2: randomFloats(8, 24),
      attrs: { alpha: 0.3, beta: 0.45 },
    }),
    { registry },
  );
  const { graph } = await runPipeline(model, resolvePipeline(registry, "example/fuse-hard-sigmoid"), {
    registry,
  });
  expect(graph.nodes.filter((n) => n.op === "example.hard_sigmoid")).toHaveLength(2);
  return graph;
}

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe("example/float32 (C kernel)", () => {
  it("is emitted once per model however many nodes call it, with exact float literals", async () => {
    const generated = generateC(await fusedConvNet(), { registry, name: "hs_net" });
    expect(generated.source.match(/static void ex_hard_sigmoid_f32\(/g)).toHaveLength(1);
    expect(generated.source.match(/ex_hard_sigmoid_f32\(/g)).toHaveLength(3); // definition + two calls
    // The shortest literals that read back as the float32 attributes.
    expect(generated.source).toContain(
      "ex_hard_sigmoid_f32(MCU_AT_(const float, 0), MCU_AT_(float, 1344), 336, 0.3f, 0.45f);",
    );
    expect(generated.source).toContain(", 0.2f, 0.5f);");
    expect(generated.usesMath).toBe(false);
  });

  it("gives the TS kernel's bytes on the host under ASan + UBSan", async () => {
    const b = graphBuilder(registry);
    b.output(b.op("example.hard_sigmoid", [b.input("x", [3, 100])], { alpha: -0.7, beta: 0.35 }));
    const graph = b.build();
    const host = await prepareC(graph, registry, cTarget("host"), { sanitize: true });
    const samples = [0, 1, 2, 3].map((s) => [randomFloats(300, 100 + s, -4, 4)]);
    const outputs = await host.invokeBatch(samples);
    samples.forEach((inputs, i) => {
      expect(bytesOf(outputs[i]![0]!)).toEqual(bytesOf(runGraph(graph, inputs, { registry })[0]!.data));
    });
  });

  it("runs a fused ONNX conv net on the host within codegen-c's float tolerance of the interpreter", async () => {
    const graph = await fusedConvNet();
    const host = await prepareC(graph, registry, cTarget("host"), { sanitize: true, name: "hs_net" });
    const samples = [0, 1, 2].map((s) => [randomFloats(3 * 6 * 7, 200 + s, -4, 4)]);
    const outputs = await host.invokeBatch(samples);
    samples.forEach((inputs, i) => {
      const expected = runGraph(graph, inputs, { registry })[0]!.data as Float32Array;
      const got = outputs[i]![0] as Float32Array;
      let worst = 0;
      expected.forEach((v, k) => {
        worst = Math.max(worst, Math.abs(got[k]! - v));
      });
      expect(worst).toBeLessThanOrEqual(1e-5); // outputs lie in [0, 1]
    });
  });

  it("gives the TS kernel's bytes on a Cortex-M4 under QEMU, saturating and NaN inputs included", async () => {
    const b = graphBuilder(registry);
    b.output(b.op("example.hard_sigmoid", [b.input("x", [4, 64])], { alpha: 0.2, beta: 0.5 }));
    const graph = b.build();
    const x = randomFloats(256, 31, -10, 10);
    x.set([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 2.5, -2.5], 0);
    const m4 = await prepareC(graph, registry, cTarget("cortex-m4"));
    const [y] = await m4.invoke([x]);
    expect(bytesOf(y!)).toEqual(bytesOf(runGraph(graph, [x], { registry })[0]!.data));
    expect(m4.stats().instructions).toBeGreaterThan(0);
  });
});
