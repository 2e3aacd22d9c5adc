import { attr } from "./attrs.js";
import { corePlugin } from "./core-plugin.js";
import { McuError } from "./errors.js";
import { defineOp } from "./op.js";
import { definePass } from "./pass.js";
import { definePlugin, PLUGIN_API_VERSION } from "./plugin.js";
import { createRegistry } from "./registry.js";

const identity = definePass({ name: "test/identity", description: "returns the graph", run: (g) => g });

describe("createRegistry", () => {
  it("refuses a plugin written for another API version, naming both versions", () => {
    const future = definePlugin({ name: "@example/future", apiVersion: PLUGIN_API_VERSION + 1 });
    expect(() => createRegistry([corePlugin, future])).toThrow(McuError);
    try {
      createRegistry([corePlugin, future]);
    } catch (e) {
      expect((e as McuError).code).toBe("MCU_E_PLUGIN_API");
      expect((e as McuError).message).toContain("@example/future");
      expect((e as McuError).message).toContain(`version ${PLUGIN_API_VERSION + 1}`);
    }
  });

  it("throws on a duplicate pass name across plugins", () => {
    const a = definePlugin({ name: "a", apiVersion: PLUGIN_API_VERSION, passes: [identity] });
    const b = definePlugin({ name: "b", apiVersion: PLUGIN_API_VERSION, passes: [identity] });
    expect(() => createRegistry([a, b])).toThrow(/pass "test\/identity" is registered twice/);
  });

  it("throws on a duplicate op name", () => {
    const op = defineOp({ name: "core.conv2d", doc: "a second conv", attrs: { k: attr.int(1) }, inputs: ["x"] });
    const p = definePlugin({ name: "dup", apiVersion: PLUGIN_API_VERSION, ops: [op] });
    expect(() => createRegistry([corePlugin, p])).toThrow(/op "core.conv2d" is registered twice/);
  });

  it("holds state per instance: no registration by import", () => {
    const a = createRegistry([corePlugin]);
    const b = createRegistry([corePlugin, definePlugin({ name: "x", apiVersion: PLUGIN_API_VERSION, passes: [identity] })]);
    expect(() => a.pass("test/identity")).toThrow(/no plugin defines pass/);
    expect(b.pass("test/identity")).toBe(identity);
  });

  it("finds formats by extension and engines by name", () => {
    const r = createRegistry([corePlugin]);
    expect(r.formatFor("dir/model.MCUIR").name).toBe("mcuir");
    expect(() => r.formatFor("model.pb")).toThrow(expect.objectContaining({ code: "MCU_E_UNKNOWN_FORMAT" }));
    expect(r.engine("ts").name).toBe("ts");
    expect(() => r.engine("gpu")).toThrow(expect.objectContaining({ code: "MCU_E_UNKNOWN_ENGINE" }));
  });

  it("rejects badly named passes and ops", () => {
    expect(() => definePass({ name: "NoNamespace", description: "", run: (g) => g })).toThrow(McuError);
    expect(() => defineOp({ name: "conv", doc: "", attrs: {}, inputs: [] })).toThrow(McuError);
  });
});
