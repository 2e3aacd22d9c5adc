import { graphBuilder } from "../builder.js";
import { corePlugin } from "../core-plugin.js";
import { createRegistry } from "../registry.js";

const registry = createRegistry([corePlugin]);

describe("core.cast", () => {
  it("keeps the shape and takes the dtype from `to`", () => {
    const g = graphBuilder(registry);
    const y = g.op("core.cast", [g.input("x", [1, 40], "int16")], { to: "float32" });
    g.output(y);
    const graph = g.build();
    expect(graph.tensors.get(y)).toMatchObject({ shape: [1, 40], dtype: "float32" });
  });

  it("requires a known dtype", () => {
    const g = graphBuilder(registry);
    expect(() => g.op("core.cast", [g.input("x", [2])], { to: "float16" })).toThrow(
      expect.objectContaining({ code: "MCU_E_ATTR" }),
    );
  });
});
