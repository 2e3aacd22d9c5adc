/** Finding and running the external tools: gcc/clang, arm-none-eabi-gcc, size, qemu-system-arm. */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import { McuError } from "@mcu/tensor";

/** The tools a build or run needs, overridable through environment variables. */
export const TOOL_ENV: Readonly<Record<string, string>> = {
  cc: "MCU_CC",
  "arm-none-eabi-gcc": "MCU_ARM_CC",
  "arm-none-eabi-size": "MCU_ARM_SIZE",
  size: "MCU_SIZE",
  "qemu-system-arm": "MCU_QEMU",
};

const INSTALL_HINT: Readonly<Record<string, string>> = {
  cc: "install gcc or clang (Debian/Ubuntu: apt-get install gcc), or set MCU_CC",
  "arm-none-eabi-gcc":
    "install the Arm GNU toolchain with newlib (Debian/Ubuntu: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi), or set MCU_ARM_CC",
  "arm-none-eabi-size": "install binutils-arm-none-eabi (comes with gcc-arm-none-eabi), or set MCU_ARM_SIZE",
  size: "install binutils, or set MCU_SIZE",
  "qemu-system-arm": "install QEMU (Debian/Ubuntu: apt-get install qemu-system-arm), or set MCU_QEMU",
};

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The absolute path of an executable on PATH (or an absolute path that is executable), or undefined. */
export function which(command: string): string | undefined {
  if (isAbsolute(command)) return isExecutable(command) ? command : undefined;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const p = join(dir, command);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

/**
 * The path of a tool: the environment override (`MCU_CC`, `MCU_ARM_CC`, ...) or the first of its
 * usual names on PATH; `MCU_E_TOOLCHAIN` with an install hint when none is found.
 */
export function findTool(tool: keyof typeof TOOL_ENV | string): string {
  const env = TOOL_ENV[tool];
  const override = env !== undefined ? process.env[env] : undefined;
  const names =
    override !== undefined && override !== "" ? [override] : tool === "cc" ? ["gcc", "cc", "clang"] : [tool];
  for (const n of names) {
    const p = which(n);
    if (p !== undefined) return p;
  }
  throw new McuError(
    "MCU_E_TOOLCHAIN",
    `${names.join(" / ")} was not found on PATH: ${INSTALL_HINT[tool] ?? `install ${tool}`}`,
  );
}

/** True if the tool is available. */
export function hasTool(tool: string): boolean {
  try {
    findTool(tool);
    return true;
  } catch {
    return false;
  }
}

/** What a finished process left behind. */
export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** Runs a program to completion (no shell), collecting its output; kills it after `timeoutMs`. */
export function runProcess(
  file: string,
  args: readonly string[],
  options: { readonly cwd?: string; readonly timeoutMs?: number } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
          }, options.timeoutMs)
        : undefined;
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", (e) => {
      if (timer !== undefined) clearTimeout(timer);
      reject(new McuError("MCU_E_TOOLCHAIN", `cannot run ${file}: ${e.message}`, {}, { cause: e }));
    });
    child.on("close", (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        timedOut,
      });
    });
  });
}

/** Runs a compiler or other build step; a failure is `MCU_E_C_BUILD` with the tool's messages. */
export async function runBuildStep(
  file: string,
  args: readonly string[],
  cwd: string,
): Promise<ProcessResult> {
  const r = await runProcess(file, args, { cwd, timeoutMs: 30 * 60 * 1000 });
  if (r.code !== 0) {
    const text = `${r.stderr}\n${r.stdout}`.trim().split("\n").slice(0, 40).join("\n");
    throw new McuError("MCU_E_C_BUILD", `${file} ${args.join(" ")} failed in ${cwd}:\n${text}`);
  }
  return r;
}
