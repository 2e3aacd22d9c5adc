/**
 * The hw-model contributions: @mcu/hw-model picks them for cluster.conv2d / cluster.lookup nodes
 * and reports the bytes the generated C stores — checked against arm-none-eabi-size of the
 * generated model object (the constants' share of the flash) on mnist_cnn.
 */
import codegenPlugin, { cTarget, prepareC } from "@mcu/codegen-c";
import hwModelPlugin, { estimateModel } from "@mcu/hw-model";
import { readOnnx } from "@mcu/onnx-io";
import { corePlugin, createRegistry, type Graph, resolvePipeline, runPipeline } from "@mcu/tensor";
import { readFixture } from "@mcu/testing";
import { clusterPlugin } from "./plugin.js";
import { clusterConvStorage } from "./storage.js";

const registry = createRegistry([corePlugin, codegenPlugin, hwModelPlugin, clusterPlugin]);
const mnistCnn = (): Graph => readOnnx(readFixture("pytorch-mnist", "mnist_cnn.onnx"), { registry });

describe("hw-model cost contributions", () => {
  it("cost the clustered layers with their stored bytes and a latency, and TFLM not at all", async () => {
    const g = (
      await runPipeline(mnistCnn(), resolvePipeline(registry, "cluster/kernels:k=16:tic=true"), { registry })
    ).graph;
    const report = estimateModel(g, { registry, board: "nucleo-l4r5zi" });
    const layers = report.layers.filter((l) => l.op === "cluster.conv2d");
    expect(layers.map((l) => l.kernel)).toEqual([
      "cluster.conv2d:cluster/float32-add-then-conv",
      "cluster.conv2d:cluster/float32-add-then-conv",
    ]);
    for (const l of layers) {
      const n = g.nodes.find((m) => m.name === l.name)!;
      const stored = clusterConvStorage({ inputs: n.inputs.map((id) => g.tensors.get(id)), attrs: n.attrs });
      expect(l.weightBytes).toBe(stored.total);
      expect(l.instructions.generated).toBeGreaterThan(0);
      expect(l.scratchBytes).toBeGreaterThan(0);
    }
    expect(report.latencyMs.tflmCmsisNn).toBeNull();
  });

  it("counts the weights the generated C really stores (arm-none-eabi-size, cortex-m4)", async () => {
    const base = mnistCnn();
    const g = (
      await runPipeline(base, resolvePipeline(registry, "cluster/kernels:k=16:tic=true:scales=log8"), {
        registry,
      })
    ).graph;
    const size = async (graph: Graph) => {
      const m = await prepareC(graph, registry, cTarget("cortex-m4"));
      return m.stats().text + m.stats().data;
    };
    const estimate = (graph: Graph) =>
      estimateModel(graph, { registry, board: "nucleo-l4r5zi" }).flash.weightBytes;
    const measured = (await size(base)) - (await size(g));
    const claimed = estimate(base) - estimate(g);
    // The difference is code: the cluster kernels and descriptors replace core conv code (< 2.5 KB).
    expect(Math.abs(measured - claimed)).toBeLessThan(2500);
    expect(claimed).toBeGreaterThan(18000);
  });
});
