/** `mcu convert <in> <out>`: read with one registry format, write with another, by extension. */
import { readModel, writeModel } from "../model-file.js";
import { formatCount } from "../table.js";
import type { CommandContext } from "./context.js";

/** Runs `mcu convert`. */
export async function convertCommand(ctx: CommandContext, input: string, output: string): Promise<void> {
  const { graph, format } = await readModel(ctx.io, ctx.registry, input);
  const written = await writeModel(ctx.io, ctx.registry, graph, output);
  ctx.io.stdout.write(
    `wrote ${output} (${written.format.name}, ${formatCount(written.bytes)} bytes) from ${input} (${format.name})\n`,
  );
}
