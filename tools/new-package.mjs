#!/usr/bin/env node
// Creates the skeleton of a new workspace package: node tools/new-package.mjs <name> "<description>"
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const [name, description = ""] = process.argv.slice(2);
if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) {
  console.error("usage: node tools/new-package.mjs <kebab-name> \"<description>\"");
  process.exit(1);
}
const dir = join("packages", name);
if (existsSync(dir)) {
  console.error(`${dir} exists`);
  process.exit(1);
}
mkdirSync(join(dir, "src"), { recursive: true });
const pkg = {
  name: `@mcu/${name}`,
  version: "0.1.0",
  description,
  license: "Apache-2.0",
  type: "module",
  sideEffects: false,
  exports: {
    ".": { source: "./src/index.ts", types: "./dist/index.d.ts", default: "./dist/index.js" },
    "./internal/*": null,
    "./package.json": "./package.json",
  },
  main: "./dist/index.js",
  types: "./dist/index.d.ts",
  files: ["dist"],
  scripts: {
    build: "tsc -p tsconfig.build.json",
    typecheck: "tsc -p tsconfig.json",
    test: "jest",
    lint: "biome lint src",
  },
  peerDependencies: { "@mcu/tensor": "^0.1.0" },
  devDependencies: { "@mcu/tensor": "*" },
  engines: { node: ">=20.6" },
};
const write = (f, s) => writeFileSync(join(dir, f), s);
write("package.json", `${JSON.stringify(pkg, null, 2)}\n`);
write(
  "tsconfig.json",
  `${JSON.stringify({ extends: "../../tsconfig.base.json", compilerOptions: { noEmit: true, customConditions: ["source"], types: ["node", "jest"] }, include: ["src"] }, null, 2)}\n`,
);
write(
  "tsconfig.build.json",
  `${JSON.stringify({ extends: "../../tsconfig.base.json", compilerOptions: { rootDir: "src", outDir: "dist" }, include: ["src"], exclude: ["src/**/*.test.ts"] }, null, 2)}\n`,
);
write("jest.config.cjs", 'module.exports = require("../../jest.preset.cjs")(__dirname);\n');
write("src/index.ts", `/** @mcu/${name}: ${description} */\nexport {};\n`);
write("README.md", `# @mcu/${name}\n\n${description}\n`);
console.log(`created ${dir}`);
