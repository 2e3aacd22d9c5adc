/** The .tflite fixtures the tests run over. Test-only. */
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fixturePath } from "@mcu/testing";

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith(".tflite") ? [p] : [];
    });
}

/** Every .tflite under fixtures/tflite-micro and fixtures/mlcommons-tiny, relative to fixtures/. */
export const TFLITE_FIXTURES: readonly string[] = ["tflite-micro", "mlcommons-tiny"].flatMap((d) =>
  walk(fixturePath(d)).map((p) => relative(fixturePath(), p)),
);
