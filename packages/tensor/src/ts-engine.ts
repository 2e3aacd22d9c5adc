/** The `ts` engine: the TypeScript interpreter behind the `Engine` interface. */
import { createInterpreter } from "./interpreter.js";
import type { Engine } from "./plugin.js";

/** Runs graphs with the registry's TypeScript kernels. */
export const tsEngine: Engine = {
  name: "ts",
  description: "the TypeScript interpreter (reference kernels)",
  async prepare(graph, { registry }) {
    const interpreter = createInterpreter(graph, { registry });
    return {
      async invoke(inputs) {
        return interpreter.invoke(inputs).map((v) => v.data);
      },
    };
  },
};
