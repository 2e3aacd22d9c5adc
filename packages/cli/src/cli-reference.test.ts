/**
 * docs/cli-reference.md is generated from this package's commander definition by
 * tools/gen-cli-reference.ts: this test fails when a command, argument or option changed and the
 * committed reference was not regenerated (`npm run docs:cli`).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { workspaceRoot } from "@mcu/testing";
import { CLI_REFERENCE_PATH, currentCliReference } from "../../../tools/gen-cli-reference.js";

describe("docs/cli-reference.md", () => {
  const reference = currentCliReference();

  it("is up to date with the commander definitions (run `npm run docs:cli` if not)", () => {
    const committed = readFileSync(join(workspaceRoot, CLI_REFERENCE_PATH), "utf8");
    expect(committed).toBe(reference);
  });

  it("documents every command and every option of the program", () => {
    for (const command of ["inspect", "run", "eval", "convert", "compress", "codegen", "estimate", "demo"]) {
      expect(reference).toContain(`## mcu ${command}\n`);
    }
    for (const option of [
      "--plugin <module>",
      "--engine <name>",
      "-p, --pipeline <passes>",
      "--target <target>",
    ]) {
      expect(reference).toContain(`| \`${option}\` |`);
    }
  });
});
