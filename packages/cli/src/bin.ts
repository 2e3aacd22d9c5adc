/** The `mcu` executable: runs {@link main} on the process's arguments and streams. */
import { readFileSync } from "node:fs";
import { main } from "./main.js";

// A closed pipe (`mcu inspect m.tflite | head`) ends the command quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
}

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};
process.exitCode = await main(process.argv.slice(2), undefined, { version: pkg.version });
