#!/usr/bin/env node
// The `mcu` command. Published, it runs the compiled dist/; in the workspace (no dist/), it runs
// the TypeScript sources through tsx with the "source" export condition.
import { existsSync } from "node:fs";
import { register } from "node:module";

const dist = new URL("../dist/bin.js", import.meta.url);
if (existsSync(dist)) {
  await import(dist.href);
} else {
  const { register: registerTsx } = await import("tsx/esm/api");
  registerTsx();
  // Registered last, so it runs first: resolve @mcu/* packages to their sources.
  register(
    "data:text/javascript,export async function resolve(s,c,n){return n(s,{...c,conditions:[...c.conditions,'source']})}",
  );
  await import(new URL("../src/bin.ts", import.meta.url).href);
}
