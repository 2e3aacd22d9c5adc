/** Model files, read and written through the registry's formats (found by file extension). */
import { type Graph, McuError, type ModelFormat, type Registry, verify } from "@mcu/tensor";
import { type CliIo, readUserFile, writeUserFile } from "./io.js";

/** A model read from a file, with the format that read it. */
export interface LoadedModel {
  readonly graph: Graph;
  readonly format: ModelFormat;
}

/** Reads and verifies a model with the format its extension names. */
export async function readModel(io: CliIo, registry: Registry, path: string): Promise<LoadedModel> {
  const format = registry.formatFor(path);
  if (format.read === undefined) {
    throw new McuError("MCU_E_FORMAT_UNSUPPORTED", `the ${format.name} format cannot read files ("${path}")`);
  }
  const bytes = await readUserFile(io, path);
  const graph = verify(format.read(bytes, { registry }), registry);
  return { graph, format };
}

/** Writes a model with the format its extension names; returns the format and the byte count. */
export async function writeModel(
  io: CliIo,
  registry: Registry,
  graph: Graph,
  path: string,
): Promise<{ readonly format: ModelFormat; readonly bytes: number }> {
  const format = registry.formatFor(path);
  if (format.write === undefined) {
    throw new McuError(
      "MCU_E_FORMAT_UNSUPPORTED",
      `the ${format.name} format cannot write files ("${path}")`,
    );
  }
  const bytes = format.write(graph, { registry });
  await writeUserFile(io, path, bytes);
  return { format, bytes: bytes.length };
}
