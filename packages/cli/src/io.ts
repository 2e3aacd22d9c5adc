/** The CLI's view of the outside world: output streams, the terminal, and files. */
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { McuError } from "@mcu/tensor";

/** Something text can be written to (a process stream, or a test's buffer). */
export interface TextSink {
  write(text: string): unknown;
}

/** Where the CLI writes, and whether a person is watching (progress bars only then). */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** True when stderr is a terminal: progress bars are shown only then. */
  readonly isTTY: boolean;
  /** The directory relative paths are resolved against (default: `process.cwd()`). */
  readonly cwd?: string;
}

/** The process's own streams. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, isTTY: process.stderr.isTTY === true };
}

function describeFsError(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EISDIR") return "it is a directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return e instanceof Error ? e.message : String(e);
}

/** Reads a file the user named; a missing or unreadable file is `MCU_E_FILE`. */
export async function readUserFile(io: CliIo, path: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(resolve(io.cwd ?? process.cwd(), path));
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    throw new McuError("MCU_E_FILE", `cannot read "${path}": ${describeFsError(e)}`, {}, { cause: e });
  }
}

/** Writes a file the user named; failure is `MCU_E_FILE`. */
export async function writeUserFile(io: CliIo, path: string, data: Uint8Array | string): Promise<void> {
  try {
    await writeFile(resolve(io.cwd ?? process.cwd(), path), data);
  } catch (e) {
    throw new McuError("MCU_E_FILE", `cannot write "${path}": ${describeFsError(e)}`, {}, { cause: e });
  }
}
