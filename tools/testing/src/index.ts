/** Test helpers shared by the workspace's tests. Never published. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, "fixtures", "SOURCES.md"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no fixtures/ above ${start}`);
    dir = up;
  }
}

/** The workspace root (the folder holding fixtures/). */
export const workspaceRoot: string = findRoot(process.cwd());

/** Absolute path of a file under fixtures/. */
export function fixturePath(...parts: string[]): string {
  return resolve(workspaceRoot, "fixtures", ...parts);
}

/** The bytes of a file under fixtures/. */
export function readFixture(...parts: string[]): Uint8Array {
  const buf = readFileSync(fixturePath(...parts));
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** A directory for test artifacts (screenshots, dumps), created on demand, git-ignored. */
export function artifactPath(...parts: string[]): string {
  return resolve(workspaceRoot, "test-artifacts", ...parts);
}
