#!/usr/bin/env node
// Packaging checks for every published workspace package (not "private"), run by
// `npm run check:packages` after `nx run-many -t build` and by .ci/run:
//
// - publint --strict: the package.json fields (exports, files, types, main, sideEffects) point at
//   files that are in the packed tarball, in a sensible order, with no warnings.
// - attw --pack --profile esm-only (@arethetypeswrong/cli): TypeScript finds the right types for
//   every JavaScript entry point under node16 (ESM) and bundler resolution. The packages are
//   ESM-only on purpose ("type": "module", no "require" condition; DESIGN.md: Node >= 20.6), so the
//   esm-only profile leaves out the two resolutions that only matter to CommonJS consumers
//   (node10, and node16 from CJS, where `require()` of an ESM file is reported). Subpaths that
//   export data files rather than modules (`./mcuir.proto`, `./package.json`) are excluded from
//   attw, which would try to resolve them as modules.
//
// Both tools pack the package with `npm pack` (a tarball in a temporary place; nothing is
// installed or published). Exit code 1 when any package fails either check.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);

/** Subpaths of `exports` whose target is not a JavaScript module (or is blocked with null). */
function nonModuleSubpaths(exports) {
  if (exports === undefined || typeof exports === "string") return [];
  const isModule = (target) => {
    if (target === null) return false;
    if (typeof target === "string") return /\.(m|c)?js$/.test(target);
    return Object.values(target).some(isModule);
  };
  return Object.entries(exports)
    .filter(([subpath, target]) => !subpath.includes("*") && !isModule(target))
    .map(([subpath]) => subpath);
}

function run(command, args) {
  const r = spawnSync(command, args, {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`
    .split("\n")
    .filter((line) => !line.startsWith("npm warn Unknown project config"))
    .join("\n")
    .trim();
  return { ok: r.status === 0, output };
}

const packages = readdirSync(join(root, "packages"))
  .map((dir) => join("packages", dir))
  .filter((dir) => existsSync(join(root, dir, "package.json")))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) }))
  .filter(({ pkg }) => pkg.private !== true);

const failures = [];
for (const { dir, pkg } of packages) {
  if (!existsSync(join(root, dir, "dist"))) {
    failures.push(`${pkg.name}: no dist/ (run nx run-many -t build first)`);
    continue;
  }
  const publint = run(bin("publint"), [dir, "--strict"]);
  const excluded = nonModuleSubpaths(pkg.exports);
  const attw = run(bin("attw"), [
    "--pack",
    dir,
    "--profile",
    "esm-only",
    "--format",
    "ascii",
    ...(excluded.length > 0 ? ["--exclude-entrypoints", ...excluded] : []),
  ]);
  const status = (ok) => (ok ? "ok" : "FAILED");
  process.stdout.write(`${pkg.name}: publint ${status(publint.ok)}, attw ${status(attw.ok)}\n`);
  if (!publint.ok) failures.push(`${pkg.name}: publint\n${publint.output}`);
  if (!attw.ok) failures.push(`${pkg.name}: attw\n${attw.output}`);
}

if (failures.length > 0) {
  process.stderr.write(
    `\n${failures.join("\n\n")}\n\npackaging checks failed for ${failures.length} check(s)\n`,
  );
  process.exitCode = 1;
} else {
  process.stdout.write(`publint and attw pass for ${packages.length} packages\n`);
}
