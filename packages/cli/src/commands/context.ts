/** What every command receives: the output streams and the registry of this invocation. */
import type { Diagnostic, Registry } from "@mcu/tensor";
import type { CliIo } from "../io.js";

/** The environment of one command run. */
export interface CommandContext {
  readonly io: CliIo;
  readonly registry: Registry;
}

/** Prints an engine's or pass's diagnostic on stderr as one line (`warning: ... (node x)`). */
export function reportDiagnostic(io: CliIo, d: Diagnostic): void {
  const where = [
    d.pass !== undefined ? `pass ${d.pass}` : "",
    d.node !== undefined ? `node ${d.node}` : "",
    d.tensor !== undefined ? `tensor ${d.tensor}` : "",
  ].filter((s) => s !== "");
  io.stderr.write(`${d.level}: ${d.message}${where.length > 0 ? ` (${where.join(", ")})` : ""}\n`);
}
