/** Runs the workspace's `mcu` command (packages/cli/bin/mcu.js) as a child process. Test-only. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { workspaceRoot } from "@mcu/testing";

/** The command's exit code and output. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `mcu <args>` from the workspace root. */
export function mcu(args: readonly string[]): Promise<CliResult> {
  const bin = join(workspaceRoot, "packages", "cli", "bin", "mcu.js");
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: workspaceRoot, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
