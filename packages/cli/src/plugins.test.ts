import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { corePlugin } from "@mcu/tensor";
import { captureIo } from "./internal/capture-io.js";
import { main } from "./main.js";
import { isPlugin, KNOWN_PLUGIN_PACKAGES, loadPlugins, pluginOfModule } from "./plugins.js";

// A third-party plugin as a user would write it, in a directory of its own: a ".toy" format
// whose files are one line, "relu <n>" (y = relu(x), x float32 [1,n]) or "qrelu <n>" (the
// same with int8 tensors quantized with scale 0.5, zero point -1). Any other line makes its
// reader throw a TypeError — a bug in the plugin, which the CLI reports as an internal error.
const TOY_PLUGIN = `"use strict";
function graph(kind, n) {
  const q = kind === "qrelu" ? { dtype: "int8", quant: { scale: [0.5], zeroPoint: [-1] } } : { dtype: "float32" };
  const x = { name: "x", shape: [1, n], ...q };
  const y = { name: "y", shape: [1, n], ...q };
  return {
    tensors: new Map([["x", x], ["y", y]]),
    nodes: [{ name: "relu", op: "core.relu", inputs: ["x"], outputs: ["y"], attrs: {}, sourceOp: "TOY_RELU" }],
    inputs: ["x"],
    outputs: ["y"],
    metadata: {},
  };
}
exports.default = {
  name: "toy-plugin",
  apiVersion: 1,
  formats: [{
    name: "toy",
    extensions: [".toy"],
    read(bytes) {
      const [kind, n] = new TextDecoder().decode(bytes).trim().split(/\\s+/);
      if (kind !== "relu" && kind !== "qrelu") throw new TypeError("toy reader bug on " + kind);
      return graph(kind, Number(n));
    },
  }],
};
`;

let dir: string;
const path = (name: string): string => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mcu-plugins-"));
  writeFileSync(path("toy-plugin.cjs"), TOY_PLUGIN);
  writeFileSync(path("future-plugin.cjs"), 'exports.default = { name: "future-plugin", apiVersion: 99 };\n');
  writeFileSync(path("not-a-plugin.cjs"), "exports.answer = 42;\n");
  writeFileSync(path("model.toy"), "relu 4\n");
  writeFileSync(path("quant.toy"), "qrelu 2\n");
  writeFileSync(path("buggy.toy"), "sigmoid 4\n");
  // The same plugin as a package folder: exports "." → lib/plugin.cjs.
  mkdirSync(path("toy-pkg/lib"), { recursive: true });
  writeFileSync(path("toy-pkg/lib/plugin.cjs"), TOY_PLUGIN);
  writeFileSync(
    path("toy-pkg/package.json"),
    JSON.stringify({ name: "toy-pkg", exports: { ".": { import: "./lib/plugin.cjs" } } }),
  );
  mkdirSync(path("empty-pkg"));
  writeFileSync(
    path("empty-pkg/package.json"),
    JSON.stringify({ name: "empty-pkg", main: "./dist/index.js" }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("plugin discovery", () => {
  it("starts with the core plugin and adds only plugin values of the installed @mcu packages", async () => {
    const plugins = await loadPlugins();
    expect(plugins[0]).toBe(corePlugin);
    expect(plugins.every(isPlugin)).toBe(true);
    const names = plugins.slice(1).map((p) => p.name);
    expect(names.every((n) => KNOWN_PLUGIN_PACKAGES.includes(n))).toBe(true);
  });

  it("takes a module's default export, also through CommonJS interop", () => {
    const p = { name: "p", apiVersion: 1 };
    expect(pluginOfModule({ default: p })).toBe(p);
    expect(pluginOfModule({ default: { default: p } })).toBe(p);
    expect(pluginOfModule({ p })).toBeUndefined();
    expect(pluginOfModule({ default: {} })).toBeUndefined();
  });

  it("--plugin loads a third-party format: inspect and run through it", async () => {
    const io = captureIo();
    expect(await main(["--plugin", path("toy-plugin.cjs"), "inspect", path("model.toy"), "--json"], io)).toBe(
      0,
    );
    const summary = JSON.parse(io.out());
    expect(summary.format).toBe("toy");
    expect(summary.opCounts).toEqual({ TOY_RELU: 1 });
    expect(summary.irOpCounts).toEqual({ "core.relu": 1 });

    writeFileSync(path("x.csv"), "-1,2,-3,4");
    const run = captureIo();
    const args = ["run", path("model.toy"), "--input", path("x.csv"), "--output", path("y.csv")];
    // The global option may also follow the command.
    expect(await main([...args, "--plugin", path("toy-plugin.cjs")], run)).toBe(0);
    expect(run.err()).toBe("");
    expect(readFileSync(path("y.csv"), "utf8")).toBe("0,2,0,4\n");
  });

  it("--plugin takes a package folder, with or without ./, relative to the working directory", async () => {
    for (const spec of ["toy-pkg", "./toy-pkg", path("toy-pkg")]) {
      const io = captureIo();
      expect(
        await main(["--plugin", spec, "inspect", path("model.toy"), "--json"], { ...io, cwd: dir }),
      ).toBe(0);
      expect(JSON.parse(io.out()).format).toBe("toy");
    }
    const io = captureIo();
    expect(await main(["--plugin", "empty-pkg", "inspect", path("model.toy")], { ...io, cwd: dir })).toBe(1);
    expect(io.err()).toMatch(/^error MCU_E_PLUGIN: plugin folder "empty-pkg" has no entry module/);
  });

  it("converts through a third-party reader, and refuses to write a read-only format", async () => {
    const io = captureIo();
    expect(
      await main(["--plugin", path("toy-plugin.cjs"), "convert", path("model.toy"), path("model.mcuir")], io),
    ).toBe(0);
    const back = captureIo();
    expect(await main(["inspect", path("model.mcuir"), "--json"], back)).toBe(0);
    expect(JSON.parse(back.out()).opCounts).toEqual({ TOY_RELU: 1 });
    const refused = captureIo();
    expect(
      await main(
        ["--plugin", path("toy-plugin.cjs"), "convert", path("model.mcuir"), path("copy.toy")],
        refused,
      ),
    ).toBe(1);
    expect(refused.err()).toMatch(
      /^error MCU_E_FORMAT_UNSUPPORTED: the toy format cannot write files \(".*copy\.toy"\)\n$/,
    );
  });

  it("shows quantization parameters of inputs and outputs", async () => {
    const io = captureIo();
    expect(await main(["--plugin", path("toy-plugin.cjs"), "inspect", path("quant.toy"), "--json"], io)).toBe(
      0,
    );
    const summary = JSON.parse(io.out());
    expect(summary.inputs).toEqual([
      { name: "x", shape: [1, 2], dtype: "int8", quant: { scale: [0.5], zeroPoint: [-1] } },
    ]);
    expect(summary.outputs[0].quant).toEqual({ scale: [0.5], zeroPoint: [-1] });
  });

  it.each([
    [
      "a missing module",
      "absent-plugin.cjs",
      /^error MCU_E_PLUGIN: plugin module ".*absent-plugin\.cjs" not found/,
    ],
    [
      "a module without a default plugin",
      "not-a-plugin.cjs",
      /^error MCU_E_PLUGIN: ".*not-a-plugin\.cjs" does not default-export a plugin/,
    ],
    [
      "a plugin for another API version",
      "future-plugin.cjs",
      /^error MCU_E_PLUGIN_API: plugin future-plugin was written for plugin API version 99/,
    ],
  ])("reports %s as one error line", async (_, file, line) => {
    const io = captureIo();
    expect(await main(["--plugin", path(file), "inspect", path("model.toy")], io)).toBe(1);
    expect(io.err()).toMatch(line);
    expect(io.err().split("\n")).toHaveLength(2);
  });

  it("reports a bug inside a plugin as an internal error, exit code 2, stack only with --verbose", async () => {
    const quiet = captureIo();
    expect(await main(["--plugin", path("toy-plugin.cjs"), "inspect", path("buggy.toy")], quiet)).toBe(2);
    expect(quiet.err()).toBe("internal error: toy reader bug on sigmoid\n");
    const verbose = captureIo();
    expect(
      await main(["--verbose", "--plugin", path("toy-plugin.cjs"), "inspect", path("buggy.toy")], verbose),
    ).toBe(2);
    expect(verbose.err()).toMatch(
      /^internal error: toy reader bug on sigmoid\nTypeError: toy reader bug on sigmoid\n\s+at /,
    );
  });
});
