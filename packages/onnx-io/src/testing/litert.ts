/**
 * LiteRT (TFLite's runtime compiled to WebAssembly, `@litertjs/core`) in Node, as the oracle for
 * the .tflite files `mcu convert` writes. Following DEVELOPERS.md "Oracles": LiteRT's loader
 * expects a worker, so `self`, `importScripts`, `require` and `__dirname` are provided first;
 * under jest the runtime script is compiled with `new Function` so that its `ModuleFactory`
 * lands in the test's realm. Test-only.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { workspaceRoot } from "@mcu/testing";

type LiteRt = typeof import("@litertjs/core");

let ready: Promise<LiteRt> | undefined;

/** LiteRT, loaded once per process. */
export function loadLiteRtOnce(): Promise<LiteRt> {
  ready ??= (async () => {
    const resolveFromRoot = createRequire(join(workspaceRoot, "package.json"));
    const wasm = join(dirname(resolveFromRoot.resolve("@litertjs/core/package.json")), "wasm");
    const g = globalThis as Record<string, unknown>;
    g.self = globalThis;
    g.__dirname = wasm;
    g.require = createRequire(join(wasm, "loader.js"));
    g.importScripts = (...urls: string[]) => {
      for (const url of urls) {
        const file = url.startsWith("file:") ? fileURLToPath(url) : url;
        g.ModuleFactory = new Function(`${readFileSync(file, "utf8")}\nreturn ModuleFactory;`)();
      }
    };
    const lib = (await import("@litertjs/core")) as LiteRt;
    await lib.loadLiteRt(`${wasm}/`);
    return lib;
  })();
  return ready;
}

/** A compiled float32-I/O model for many runs of one input and one output. */
export async function liteRtModel(model: Uint8Array): Promise<{
  run(input: Float32Array, shape: readonly number[]): Promise<Float32Array>;
  close(): void;
}> {
  const lib = await loadLiteRtOnce();
  const compiled = await lib.loadAndCompile(model, { accelerator: "wasm" });
  return {
    async run(input, shape) {
      const x = new lib.Tensor(input, [...shape]);
      const outs = await compiled.run([x]);
      const y = Float32Array.from(outs[0]!.toTypedArray() as Float32Array);
      x.delete();
      for (const t of outs) t.delete();
      return y;
    },
    close: () => compiled.delete(),
  };
}
