/** The version of @mcu/cli, from its package.json (beside src/ and dist/ alike). */
import { readFileSync } from "node:fs";

/** `@mcu/cli`'s version, e.g. `0.1.0`. */
export const CLI_VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
