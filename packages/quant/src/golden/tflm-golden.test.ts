/**
 * TFLite Micro's own outputs (its reference kernels, built from source at the commit named in
 * fixtures/tflm-golden/index.json) for six int8 models on fixed inputs: every output byte of
 * ours must equal TFLM's.
 */
import { readFixture } from "@mcu/testing";
import { bytesOf, inputFromBytes, interpreterOf, loadModel } from "../../test/models.js";

interface GoldenCase {
  readonly input: string;
  readonly output: string;
}
interface GoldenModel {
  readonly model_file: string;
  readonly cases: Readonly<Record<string, GoldenCase>>;
}

const index = JSON.parse(new TextDecoder().decode(readFixture("tflm-golden", "index.json"))) as {
  models: Record<string, GoldenModel>;
};

describe.each(Object.entries(index.models))("TFLM golden: %s", (name, model) => {
  const graph = loadModel(...model.model_file.split("/"));
  const interp = interpreterOf(graph);

  it("runs integer-only: every node on an @mcu/quant kernel or a plain copy", () => {
    for (const k of interp.kernelNames) expect(["quant/int8", "quant/int16x8", "core/any"]).toContain(k);
  });

  it.each(Object.entries(model.cases))(`${name} %s: every output byte equals TFLM's`, (_case, c) => {
    interp.resetState();
    const [out] = interp.invoke([
      inputFromBytes(graph, 0, readFixture("tflm-golden", ...c.input.split("/"))),
    ]);
    expect(Array.from(bytesOf(out!.data))).toEqual(
      Array.from(readFixture("tflm-golden", ...c.output.split("/"))),
    );
  });
});
