/**
 * Plugin discovery. The registry starts with the core plugin of @mcu/tensor; then every known
 * @mcu package that is installed and default-exports a plugin joins it; then the third-party
 * modules named with `--plugin`. Nothing registers itself on import: a package's plugin is
 * just the value of its `default` export.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { corePlugin, createRegistry, McuError, type Plugin, type Registry } from "@mcu/tensor";

/** The `@mcu` packages the CLI looks for, in registry order. */
export const KNOWN_PLUGIN_PACKAGES: readonly string[] = [
  "@mcu/tflite-io",
  "@mcu/onnx-io",
  "@mcu/quant",
  "@mcu/codegen-c",
  "@mcu/hw-model",
  "@mcu/cluster",
  "@mcu/binary",
];

/** True if `x` looks like a plugin value (`definePlugin` output): a name and an API version. */
export function isPlugin(x: unknown): x is Plugin {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as { name?: unknown }).name === "string" &&
    typeof (x as { apiVersion?: unknown }).apiVersion === "number"
  );
}

/** The plugin a module default-exports, also through CommonJS interop (`exports.default`). */
export function pluginOfModule(mod: unknown): Plugin | undefined {
  const d = (mod as { default?: unknown } | null)?.default;
  if (isPlugin(d)) return d;
  const dd = (d as { default?: unknown } | null | undefined)?.default;
  return isPlugin(dd) ? dd : undefined;
}

function isModuleNotFound(e: unknown, specifier: string): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return (
    (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
    e instanceof Error &&
    e.message.includes(specifier)
  );
}

/** `import()` of an absolute file path; a module that fails to load is the user's plugin problem. */
async function importFile(path: string, specifier: string): Promise<unknown> {
  try {
    return await import(process.platform === "win32" ? pathToFileURL(path).href : path);
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    if (typeof code === "string" && code.startsWith("ERR_")) {
      throw new McuError(
        "MCU_E_PLUGIN",
        `plugin "${specifier}" cannot be loaded: ${(e as Error).message}`,
        {},
        { cause: e },
      );
    }
    throw e;
  }
}

/** The first target of an `exports` entry for the conditions an ESM import uses. */
function exportsTarget(entry: unknown): string | undefined {
  if (typeof entry === "string") return entry;
  if (entry === null || typeof entry !== "object") return undefined;
  for (const condition of ["import", "node", "default"]) {
    const t = exportsTarget((entry as Record<string, unknown>)[condition]);
    if (t !== undefined) return t;
  }
  return undefined;
}

/**
 * The entry module of a package folder given by path (`--plugin ./my-plugin`): its `exports`
 * "." for an ESM import, else `main`, else index.js. In a workspace where the package is not
 * built, its "source" entry (TypeScript, loadable when the CLI runs from sources).
 */
function packageDirEntry(dir: string, specifier: string): string {
  const pkgPath = join(dir, "package.json");
  if (!existsSync(pkgPath)) {
    throw new McuError("MCU_E_PLUGIN", `plugin folder "${specifier}" has no package.json`);
  }
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { exports?: unknown; main?: string };
  const root =
    pkg.exports !== null && typeof pkg.exports === "object" && "." in (pkg.exports as object)
      ? (pkg.exports as Record<string, unknown>)["."]
      : pkg.exports;
  const candidates = [exportsTarget(root), pkg.main, "index.js"];
  if (root !== null && typeof root === "object")
    candidates.push(exportsTarget((root as Record<string, unknown>).source));
  for (const c of candidates) if (c !== undefined && existsSync(join(dir, c))) return join(dir, c);
  throw new McuError(
    "MCU_E_PLUGIN",
    `plugin folder "${specifier}" has no entry module (build it, or name its entry file)`,
  );
}

/** Loads a `--plugin` module: a path (relative to `cwd`) or a package name (resolved from `cwd`, then from the CLI). */
async function importUserModule(specifier: string, cwd: string): Promise<unknown> {
  const local = resolve(cwd, specifier);
  const looksLikePath =
    specifier.startsWith(".") ||
    isAbsolute(specifier) ||
    /\.[cm]?[jt]s$/.test(specifier) ||
    existsSync(local);
  if (looksLikePath) {
    if (!existsSync(local))
      throw new McuError("MCU_E_PLUGIN", `plugin module "${specifier}" not found (looked at ${local})`);
    return importFile(statSync(local).isDirectory() ? packageDirEntry(local, specifier) : local, specifier);
  }
  let resolved: string | undefined;
  try {
    resolved = createRequire(join(cwd, "package.json")).resolve(specifier);
  } catch {
    resolved = undefined;
  }
  if (resolved !== undefined) return importFile(resolved, specifier);
  try {
    return await import(specifier);
  } catch (e) {
    if (isModuleNotFound(e, specifier)) {
      throw new McuError(
        "MCU_E_PLUGIN",
        `plugin package "${specifier}" is not installed (from ${cwd} or beside @mcu/cli)`,
      );
    }
    throw e;
  }
}

/**
 * The plugins for one CLI invocation: the core plugin, the installed `@mcu` packages that
 * default-export a plugin (others are skipped silently), then the `--plugin` modules in order.
 */
export async function loadPlugins(
  extraModules: readonly string[] = [],
  cwd: string = process.cwd(),
): Promise<Plugin[]> {
  const plugins: Plugin[] = [corePlugin];
  for (const name of KNOWN_PLUGIN_PACKAGES) {
    let mod: unknown;
    try {
      mod = await import(name);
    } catch (e) {
      if (isModuleNotFound(e, name)) continue;
      throw e;
    }
    const plugin = pluginOfModule(mod);
    if (plugin !== undefined) plugins.push(plugin);
  }
  for (const specifier of extraModules) {
    const plugin = pluginOfModule(await importUserModule(specifier, cwd));
    if (plugin === undefined) {
      throw new McuError(
        "MCU_E_PLUGIN",
        `"${specifier}" does not default-export a plugin (export default definePlugin({ name, apiVersion, ... }))`,
      );
    }
    plugins.push(plugin);
  }
  return plugins;
}

/** The registry for one CLI invocation (see {@link loadPlugins}). */
export async function loadRegistry(
  extraModules: readonly string[] = [],
  cwd: string = process.cwd(),
): Promise<Registry> {
  return createRegistry(await loadPlugins(extraModules, cwd));
}
