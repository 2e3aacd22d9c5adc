/**
 * Loading the plugin: a registry built with createRegistry finds every contribution by name,
 * and the registry's rules (API version, unique names) apply to a third-party plugin as to any.
 */
import { codegenPlugin } from "@mcu/codegen-c";
import hwModelPlugin from "@mcu/hw-model";
import {
  corePlugin,
  createRegistry,
  definePlugin,
  isMcuError,
  type McuError,
  PLUGIN_API_VERSION,
} from "@mcu/tensor";
import hardSigmoidPlugin, { hardSigmoidOp } from "./index.js";

describe("the example plugin in a registry", () => {
  const registry = createRegistry([corePlugin, codegenPlugin, hwModelPlugin, hardSigmoidPlugin]);

  it("contributes an op, a pass, a TS kernel, a C kernel and a cost function", () => {
    expect(registry.op("example.hard_sigmoid")).toBe(hardSigmoidOp);
    expect(registry.pass("example/fuse-hard-sigmoid").description).toMatch(/HardSigmoid/);
    expect(registry.kernels("example.hard_sigmoid").map((k) => k.name)).toEqual(["example/float32"]);
    expect(registry.cKernels("example.hard_sigmoid").map((k) => k.variant)).toEqual(["example/float32"]);
    expect(registry.costs("example.hard_sigmoid").map((k) => k.variant)).toEqual(["float32"]);
    expect(registry.plugins.at(-1)!.name).toBe("@mcu-example/hard-sigmoid");
  });

  it("fills the op's attribute defaults from ONNX (alpha 0.2, beta 0.5)", () => {
    const defaults = Object.fromEntries(Object.entries(hardSigmoidOp.attrs).map(([k, s]) => [k, s.default]));
    expect(defaults).toEqual({ alpha: 0.2, beta: 0.5 });
  });

  it("is refused when loaded twice (duplicate names)", () => {
    expect(() => createRegistry([corePlugin, hardSigmoidPlugin, hardSigmoidPlugin])).toThrow(
      expect.objectContaining({ code: "MCU_E_DUPLICATE" }),
    );
  });

  it("is refused by a registry of another plugin API version", () => {
    const fromTheFuture = definePlugin({ ...hardSigmoidPlugin, apiVersion: PLUGIN_API_VERSION + 1 });
    let error: unknown;
    try {
      createRegistry([corePlugin, fromTheFuture]);
    } catch (e) {
      error = e;
    }
    expect(isMcuError(error)).toBe(true);
    expect((error as McuError).code).toBe("MCU_E_PLUGIN_API");
    expect((error as McuError).message).toContain("@mcu-example/hard-sigmoid");
  });

  it("works without @mcu/codegen-c and @mcu/hw-model in the registry (their contributions just wait)", () => {
    const minimal = createRegistry([corePlugin, hardSigmoidPlugin]);
    expect(minimal.hasOp("example.hard_sigmoid")).toBe(true);
    expect(minimal.cKernels()).toHaveLength(1);
  });
});
