/** The `mcu` executable: runs {@link main} on the process's arguments and streams. */
import { readFileSync } from "node:fs";
import { main } from "./main.js";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};
process.exitCode = await main(process.argv.slice(2), undefined, { version: pkg.version });
