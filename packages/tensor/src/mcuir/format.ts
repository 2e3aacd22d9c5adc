/** The `.mcuir` file format (placeholder until the serializer lands). */
import type { ModelFormat } from "../plugin.js";

export const mcuirFormat: ModelFormat = { name: "mcuir", extensions: [".mcuir"] };
