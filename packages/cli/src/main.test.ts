import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { workspaceRoot } from "@mcu/testing";
import { captureIo } from "./internal/capture-io.js";
import { main } from "./main.js";

describe("mcu (in-process)", () => {
  it("--help lists the commands and exits 0", async () => {
    const io = captureIo();
    expect(await main(["--help"], io)).toBe(0);
    for (const cmd of ["inspect", "run", "eval", "convert", "demo"]) expect(io.out()).toContain(`  ${cmd} `);
    expect(io.out()).toContain("--plugin <module>");
    expect(io.err()).toBe("");
  });

  it("a command's --help shows its options", async () => {
    const io = captureIo();
    expect(await main(["run", "--help"], io)).toBe(0);
    expect(io.out()).toContain("--input <file>");
    expect(io.out()).toContain("--stats <file>");
  });

  it.each([
    [["frobnicate"], /^error MCU_E_USAGE: unknown command 'frobnicate'\n$/],
    [["inspect"], /^error MCU_E_USAGE: missing required argument 'model'\n$/],
    [
      ["inspect", "m.mcuir", "--jsn"],
      /^error MCU_E_USAGE: unknown option '--jsn'\n\(Did you mean --json\?\)\n$/,
    ],
    [
      ["eval", "m.mcuir", "--input", "x.npy"],
      /^error MCU_E_USAGE: required option '--labels <file>' not specified\n$/,
    ],
  ])("usage error %j → one error line, exit 1", async (argv, line) => {
    const io = captureIo();
    expect(await main(argv, io)).toBe(1);
    expect(io.err()).toMatch(line);
    expect(io.out()).toBe("");
  });
});

describe("mcu (a real process)", () => {
  it("node packages/cli/bin/mcu.js --help runs the sources and exits 0", () => {
    const r = spawnSync(process.execPath, [join("packages", "cli", "bin", "mcu.js"), "--help"], {
      cwd: workspaceRoot,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.error).toBeUndefined();
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: mcu \[options\] \[command\]/);
    expect(r.stdout).toContain("inspect [options] <model>");
  });

  it("exits 1 with one error line for a user error", () => {
    const r = spawnSync(
      process.execPath,
      [join("packages", "cli", "bin", "mcu.js"), "inspect", "model.unknown-ext"],
      {
        cwd: workspaceRoot,
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^error MCU_E_UNKNOWN_FORMAT: no installed plugin reads or writes "model\.unknown-ext" .*\n$/,
    );
  });
});
