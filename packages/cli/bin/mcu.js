#!/usr/bin/env node
// The `mcu` command. Published (no src/ in the package), it runs the compiled dist/; in a clone of
// the workspace it always runs the TypeScript sources through tsx with the "source" export
// condition, so that a dist/ left behind by `npm run build` can never run stale code.
import { existsSync } from "node:fs";
import { register } from "node:module";

const source = new URL("../src/bin.ts", import.meta.url);
if (!existsSync(source)) {
  await import(new URL("../dist/bin.js", import.meta.url).href);
} else {
  const { register: registerTsx } = await import("tsx/esm/api");
  registerTsx();
  // Registered last, so it runs first: resolve @mcu/* packages to their sources.
  register(
    "data:text/javascript,export async function resolve(s,c,n){return n(s,{...c,conditions:[...c.conditions,'source']})}",
  );
  await import(source.href);
}
