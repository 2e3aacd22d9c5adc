/** The `.mcuir` file format as a registry format (the core plugin contributes it). */
import type { ModelFormat } from "../plugin.js";
import { readMcuir } from "./read-mcuir.js";
import { writeMcuir } from "./write-mcuir.js";

/** Reads and writes `.mcuir` files; see docs/mcuir.md. */
export const mcuirFormat: ModelFormat = {
  name: "mcuir",
  extensions: [".mcuir"],
  read: (bytes) => readMcuir(bytes),
  write: (graph) => writeMcuir(graph),
};
