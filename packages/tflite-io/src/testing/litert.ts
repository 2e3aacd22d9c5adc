/**
 * LiteRT (TFLite's own runtime, compiled to WebAssembly: `@litertjs/core`) in Node, as the
 * oracle for float models. LiteRT's loader expects a browser worker: before `loadLiteRt` it
 * needs `self`, `importScripts` (which evaluates the runtime's JS in the global scope),
 * `require` and `__dirname` (its wasm/ folder). See DEVELOPERS.md "Oracles". Test-only.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { workspaceRoot } from "@mcu/testing";

type LiteRtModule = typeof import("@litertjs/core");

let loading: Promise<LiteRtModule> | undefined;

/** Loads LiteRT once per process (per jest worker). */
export function liteRt(): Promise<LiteRtModule> {
  loading ??= (async () => {
    const req = createRequire(join(workspaceRoot, "package.json"));
    const wasmDir = join(dirname(req.resolve("@litertjs/core/package.json")), "wasm");
    const g = globalThis as Record<string, unknown>;
    g.self = globalThis;
    g.require = createRequire(join(wasmDir, "loader.js"));
    g.__dirname = wasmDir;
    g.importScripts = (...urls: string[]) => {
      for (const url of urls) {
        const path = url.startsWith("file:") ? fileURLToPath(url) : url;
        // The script defines `var ModuleFactory`, which LiteRT's loader reads from `self`.
        // Compiled as a function in this realm (jest's sandbox too), it sees the globals above.
        const script = new Function(`${readFileSync(path, "utf8")}\nreturn ModuleFactory;`);
        g.ModuleFactory = script();
      }
    };
    const lib = (await import("@litertjs/core")) as LiteRtModule;
    await lib.loadLiteRt(`${wasmDir}/`);
    return lib;
  })();
  return loading;
}

/** Runs a float32-I/O model once in LiteRT (CPU) and returns its outputs. */
export async function runLiteRt(
  model: Uint8Array,
  inputs: readonly { readonly data: Float32Array; readonly shape: readonly number[] }[],
): Promise<Float32Array[]> {
  const lib = await liteRt();
  const compiled = await lib.loadAndCompile(model, { accelerator: "wasm" });
  try {
    const tensors = inputs.map((x) => new lib.Tensor(x.data, [...x.shape]));
    const outputs = await compiled.run(tensors);
    const result = outputs.map((t) => Float32Array.from(t.toTypedArray() as Float32Array));
    for (const t of [...tensors, ...outputs]) t.delete();
    return result;
  } finally {
    compiled.delete();
  }
}
