/** An in-memory `CliIo` for running `main()` in-process (tests, embedding) and reading what it printed. */
import type { CliIo } from "../io.js";

/** A `CliIo` whose output is collected in strings. */
export interface CapturedIo extends CliIo {
  readonly out: () => string;
  readonly err: () => string;
}

/** Creates a non-TTY `CliIo` that records stdout and stderr. */
export function captureIo(cwd?: string): CapturedIo {
  let out = "";
  let err = "";
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    isTTY: false,
    ...(cwd !== undefined ? { cwd } : {}),
    out: () => out,
    err: () => err,
  };
}
