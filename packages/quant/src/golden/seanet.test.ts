/**
 * The seanet int16x8 single-op models of TFLite Micro's integration tests with their golden CSVs
 * (fixtures/tflite-micro/seanet): our output must equal every golden value exactly (TFLM's own
 * test allows ±1).
 */
import { allocateData } from "@mcu/tensor";
import { fixtureFiles, interpreterOf, loadModel, readCsvInts } from "../../test/models.js";

const GROUPS = ["add", "conv", "leaky_relu", "pad", "quantize", "strided_slice", "sub", "transpose_conv"];

const cases = GROUPS.flatMap((group) =>
  fixtureFiles("tflite-micro", "seanet", group)
    .filter((f) => f.endsWith(".tflite"))
    .map((f) => [group, f.replace(/\.tflite$/, "")] as const),
);

describe("seanet int16x8 goldens", () => {
  it("has models for every operator group", () => {
    for (const g of GROUPS) expect(cases.some(([group]) => group === g)).toBe(true);
  });

  it.each(cases)("%s/%s equals the golden CSV exactly", (group, name) => {
    const dir = ["tflite-micro", "seanet", group];
    const files = fixtureFiles(...dir);
    const graph = loadModel(...dir, `${name}.tflite`);
    const inputs = graph.inputs.map((id, i) => {
      const file = files.find((f) => f.startsWith(`${name}_input${i}_`))!;
      const t = graph.tensors.get(id)!;
      const data = allocateData(t.dtype, t.shape);
      const values = readCsvInts(...dir, file);
      expect(values.length).toBe(data.length);
      if (data instanceof BigInt64Array) data.set(values.map(BigInt));
      else data.set(values);
      return data;
    });
    const golden = readCsvInts(...dir, files.find((f) => f.startsWith(`${name}_golden_`))!);
    const interp = interpreterOf(graph);
    const [out] = interp.invoke(inputs);
    expect(Array.from(out!.data as Int16Array, Number)).toEqual(golden);
  });
});
