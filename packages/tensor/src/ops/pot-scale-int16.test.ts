import { graphBuilder } from "../builder.js";
import { corePlugin } from "../core-plugin.js";
import { createRegistry } from "../registry.js";

const registry = createRegistry([corePlugin]);

// TFLite's AddOptions/SubOptions carry pot_scale_int16; seanet's int16 add/sub set it false.
describe("potScaleInt16 on core.add and core.sub", () => {
  function node(op: string, attrs: Record<string, boolean>) {
    const g = graphBuilder(registry);
    const a = g.input("a", [1, 4], "int16");
    const b = g.input("b", [4], "int16");
    g.output(g.op(op, [a, b], attrs));
    return g.build().nodes[0]!;
  }

  it("defaults to true and keeps false", () => {
    expect(node("core.add", {}).attrs.potScaleInt16).toBe(true);
    expect(node("core.sub", { potScaleInt16: false }).attrs.potScaleInt16).toBe(false);
    expect(node("core.add", {}).attrs.fusedActivation).toBe("NONE");
  });

  it("is not an attribute of the other binary ops", () => {
    expect(() => node("core.mul", { potScaleInt16: false })).toThrow(expect.objectContaining({ code: "MCU_E_ATTR" }));
  });
});
