import { corePlugin, createRegistry } from "@mcu/tensor";
import { readFixture } from "@mcu/testing";
import defaultPlugin, { readTflite, tfliteFormat, tflitePlugin } from "./index.js";

describe("the plugin", () => {
  it("is the default export and adds the .tflite format to a registry", () => {
    expect(defaultPlugin).toBe(tflitePlugin);
    const registry = createRegistry([corePlugin, defaultPlugin]);
    const format = registry.formatFor("models/Person_Detect.TFLITE");
    expect(format).toBe(tfliteFormat);
    expect(format).toMatchObject({ name: "tflite", extensions: [".tflite"] });
  });

  it("reads and writes through the format as the CLI does", () => {
    const registry = createRegistry([corePlugin, tflitePlugin]);
    const bytes = readFixture("tflite-micro", "hello_world_int8.tflite");
    const g = tfliteFormat.read!(bytes, { registry });
    expect(g.nodes.map((n) => n.sourceOp)).toEqual(["FULLY_CONNECTED", "FULLY_CONNECTED", "FULLY_CONNECTED"]);
    const written = tfliteFormat.write!(g, { registry });
    expect(readTflite(written).nodes).toEqual(g.nodes);
  });
});
