/** `mcu convert <in> <out> [--json]`: read with one registry format, write with another, by extension. */
import { readModel, writeModel } from "../model-file.js";
import { formatCount } from "../table.js";
import type { CommandContext } from "./context.js";

/** The `convert --json` document, schema 1. */
export interface ConvertSummary {
  readonly schema: 1;
  readonly input: string;
  readonly inputFormat: string;
  readonly output: string;
  readonly outputFormat: string;
  /** Bytes written. */
  readonly bytes: number;
}

/** Runs `mcu convert`. */
export async function convertCommand(
  ctx: CommandContext,
  input: string,
  output: string,
  opts: { readonly json?: boolean } = {},
): Promise<void> {
  const { graph, format } = await readModel(ctx.io, ctx.registry, input);
  const written = await writeModel(ctx.io, ctx.registry, graph, output);
  if (opts.json === true) {
    const summary: ConvertSummary = {
      schema: 1,
      input,
      inputFormat: format.name,
      output,
      outputFormat: written.format.name,
      bytes: written.bytes,
    };
    ctx.io.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  ctx.io.stdout.write(
    `wrote ${output} (${written.format.name}, ${formatCount(written.bytes)} bytes) from ${input} (${format.name})\n`,
  );
}
