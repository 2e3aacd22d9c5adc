import {
  corePlugin,
  createRegistry,
  definePlugin,
  GraphBuilder,
  PLUGIN_API_VERSION,
  quantParams,
} from "@mcu/tensor";
import { readFixture } from "@mcu/testing";
import { readTflite } from "@mcu/tflite-io";
import { BOARDS } from "./boards.js";
import { defineCost } from "./cost-contract.js";
import { estimateJson, estimateModel } from "./estimate.js";
import { hwModelPlugin } from "./plugin.js";

const q = quantParams(0.05, 0);

/** x[1,8,8,4] int8 → conv 3×3 (8 filters, SAME) → fully connected 512→10. */
function smallInt8Graph(registry = createRegistry([corePlugin])) {
  const b = new GraphBuilder(registry);
  const x = b.input("x", [1, 8, 8, 4], "int8", q);
  const w = b.constant("w", new Int8Array(8 * 3 * 3 * 4), [8, 3, 3, 4], { quant: q });
  const bias = b.constant("b", new Int32Array(8), [8]);
  const y = b.op(
    "core.conv2d",
    [x, w, bias],
    { padding: "SAME" },
    { outputs: [{ dtype: "int8", quant: q }] },
  );
  const w2 = b.constant("w2", new Int8Array(10 * 512), [10, 512], { quant: q });
  const z = b.op("core.fully_connected", [y, w2], {}, { outputs: [{ dtype: "int8", quant: q }] });
  b.output(z);
  return b.build();
}

describe("estimateModel", () => {
  const registry = createRegistry([corePlugin, hwModelPlugin]);

  it("counts weights, MACs and activations of a hand-built int8 graph", () => {
    const r = estimateModel(smallInt8Graph(), { registry, board: "nucleo-l4r5zi" });
    const [conv, fc] = r.layers;
    // conv: 8·3·3·4 int8 weights + 8 int32 biases + 8 channels × (int32 multiplier + int32 shift).
    expect(conv!.weightBytes).toBe(288 + 32 + 64);
    expect(conv!.macs).toBe(8 * 8 * 8 * 3 * 3 * 4);
    expect(conv!.params).toBe(288 + 8);
    expect(conv!.activationBytes).toBe(8 * 8 * 8);
    expect(fc!.weightBytes).toBe(5120 + 10 * 8);
    expect(fc!.macs).toBe(512 * 10);
    // Arena: x (256 B) and y (512 B) live while the conv runs, then y and z (10 B, 16-aligned).
    // The conv's im2col scratch (2 columns × 36 int16 = 144 B) is live only during the conv.
    expect(conv!.liveArenaBytes).toBe(256 + 512 + 144);
    expect(r.ram.arenaBytes).toBe(256 + 512 + 144);
    expect(r.fits).toBe(true);
  });

  it("says a model does not fit when RAM or flash exceed the board", () => {
    const tiny = { ...BOARDS[0]!, id: "tiny", sramBytes: { ...BOARDS[0]!.sramBytes, value: 1024 } };
    const r = estimateModel(smallInt8Graph(), { registry, board: tiny });
    expect(r.fits).toBe(false);
    expect(r.ramMarginBytes).toBe(1024 - r.ramBytes);
  });

  it("writes exactly the schema-1 keys", () => {
    const json = estimateJson(estimateModel(smallInt8Graph(), { registry, board: "nucleo-f446re" }));
    expect(Object.keys(json).sort()).toEqual(
      ["board", "energyUj", "fits", "flashBytes", "latencyMs", "layers", "ramBytes", "schema"].sort(),
    );
    expect(Object.keys(json.latencyMs).sort()).toEqual(["generated", "tflmCmsisNn"]);
    expect(json.schema).toBe(1);
    expect(JSON.parse(JSON.stringify(json)).board).toBe("nucleo-f446re");
  });

  it("scales latency with the clock on boards of the same core family", () => {
    const g = smallInt8Graph();
    const l4 = estimateModel(g, { registry, board: "nucleo-l4r5zi" }).latencyMs.tflmCmsisNn!;
    const f4 = estimateModel(g, { registry, board: "nucleo-f446re" }).latencyMs.tflmCmsisNn!;
    expect(l4 / f4).toBeCloseTo(180 / 120, 9);
  });

  it("uses a plugin's higher-priority contribution for storage and cost (the plugin contract)", () => {
    // A compression plugin that stores this conv's weights as 4-bit codes plus a 16-entry codebook.
    const clustered = defineCost({
      op: "core.conv2d",
      variant: "test-clustered",
      priority: 10,
      supports: (ctx) => ctx.inputs[1]?.dtype === "int8",
      weightBytes: (ctx) => Math.ceil((ctx.inputs[1]!.shape.reduce((a, b) => a * b, 1) * 4) / 8) + 16,
      kernelCodeBytes: () => 2000,
      generatedInstructions: (ctx) => 3 * ctx.macs,
    });
    const plugin = definePlugin({ name: "test-cluster", apiVersion: PLUGIN_API_VERSION, costs: [clustered] });
    const reg = createRegistry([corePlugin, hwModelPlugin, plugin]);
    const r = estimateModel(smallInt8Graph(reg), { registry: reg, board: "nucleo-l4r5zi" });
    expect(r.layers[0]!.kernel).toBe("core.conv2d:test-clustered");
    expect(r.layers[0]!.weightBytes).toBe(144 + 16);
    expect(r.layers[0]!.instructions.generated).toBe(3 * 8 * 8 * 8 * 36);
    // TFLM cannot run the variant: no TFLM figure for the layer, so none for the model.
    expect(r.layers[0]!.latencyMs.tflmCmsisNn).toBeNull();
    expect(r.latencyMs.tflmCmsisNn).toBeNull();
    expect(r.latencyMs.generated).not.toBeNull();
    expect(r.layers[1]!.kernel).toBe("core.fully_connected:int8");
  });

  it("adds the builtin contributions when the registry lacks the hw-model plugin", () => {
    const r = estimateModel(smallInt8Graph(), { registry: createRegistry([corePlugin]), board: "rp2040" });
    expect(r.layers.every((l) => l.kernel !== null)).toBe(true);
  });

  it("reports person_detect's weights as the bytes the .tflite stores, plus requantization data", () => {
    const g = readTflite(readFixture("tflite-micro", "person_detect.tflite"));
    const r = estimateModel(g, { registry, board: "nucleo-l4r5zi" });
    let constBytes = 0;
    for (const t of g.tensors.values()) if (t.data !== undefined) constBytes += t.data.byteLength;
    // Every constant of person_detect belongs to a conv / depthwise layer; each adds 8 B per output channel.
    const channels = r.layers
      .filter((l) => l.op === "core.conv2d" || l.op === "core.depthwise_conv2d")
      .reduce(
        (s, l) => s + 8 * (g.tensors.get(g.nodes.find((n) => n.name === l.name)!.outputs[0]!)!.shape[3] ?? 0),
        0,
      );
    expect(r.flash.weightBytes).toBe(constBytes + channels);
    expect(r.layers.filter((l) => l.op === "core.depthwise_conv2d")).toHaveLength(14);
  });
});
