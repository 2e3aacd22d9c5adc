/**
 * The int16x8 convolution C kernels against TFLite Micro's seanet goldens (fixtures/tflite-micro/
 * seanet: conv2d and transpose_conv2d single-op models with their input and golden CSVs, produced
 * by TFLM itself): every output value equal, on the host (ASan + UBSan) for all fifteen models and
 * on a Cortex-M4 under QEMU for one of each op. Random int16x8 conv2d / depthwise /
 * fully_connected / transpose_conv2d cases (and int8 transpose_conv2d) are checked byte for byte
 * against the TS kernels in c-kernels.test.ts.
 */
import { codegenPlugin } from "@mcu/codegen-c";
import { allocateData, corePlugin, createRegistry, type Graph, type TensorData } from "@mcu/tensor";
import tflitePlugin from "@mcu/tflite-io";
import { fixtureFiles, loadModel, readCsvInts } from "../../test/models.js";
import { quantPlugin } from "../plugin.js";
import { prepareOn } from "./test-graphs.js";

const registry = createRegistry([corePlugin, tflitePlugin, quantPlugin, codegenPlugin]);

const cases = ["conv", "transpose_conv"].flatMap((group) =>
  fixtureFiles("tflite-micro", "seanet", group)
    .filter((f) => f.endsWith(".tflite"))
    .map((f) => [group, f.replace(/\.tflite$/, "")] as const),
);

/** The model, its inputs from the CSVs and the golden output values. */
function seanet(group: string, name: string): { graph: Graph; inputs: TensorData[]; golden: number[] } {
  const dir = ["tflite-micro", "seanet", group];
  const files = fixtureFiles(...dir);
  const graph = loadModel(...dir, `${name}.tflite`);
  const inputs = graph.inputs.map((id, i) => {
    const t = graph.tensors.get(id)!;
    const data = allocateData(t.dtype, t.shape);
    const values = readCsvInts(...dir, files.find((f) => f.startsWith(`${name}_input${i}_`))!);
    (data as Int16Array).set(values);
    return data;
  });
  const golden = readCsvInts(...dir, files.find((f) => f.startsWith(`${name}_golden_`))!);
  return { graph, inputs, golden };
}

describe("seanet int16x8 goldens as generated C", () => {
  it("covers both ops", () => {
    expect(cases.filter(([g]) => g === "conv").length).toBe(12);
    expect(cases.filter(([g]) => g === "transpose_conv").length).toBe(3);
  });

  const runs = [
    ...cases.map(([group, name]) => [group, name, "host"] as const),
    ["conv", "conv10", "cortex-m4"] as const,
    ["transpose_conv", "transpose_conv1", "cortex-m4"] as const,
  ];
  it.each(runs)(
    "%s/%s on %s equals the golden CSV",
    async (group, name, target) => {
      const { graph, inputs, golden } = seanet(group, name);
      const m = await prepareOn(graph, registry, target);
      expect(m.generated.layers.map((l) => l.variant)).toEqual(["quant/int16x8"]);
      const [outputs] = await m.invokeBatch([inputs]);
      expect(Array.from(outputs![0] as Int16Array)).toEqual(golden);
    },
    60_000,
  );
});
