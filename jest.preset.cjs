// Shared jest setup: tests run against sibling packages' TypeScript sources (the "source"
// export condition), transformed by swc to CommonJS, so nothing needs building first.
const path = require("node:path");

/** @param {string} packageDir */
module.exports = function jestConfig(packageDir) {
  return {
    rootDir: packageDir,
    testEnvironment: "node",
    testMatch: ["<rootDir>/src/**/*.test.ts", "<rootDir>/test/**/*.test.ts"],
    transform: {
      "^.+\\.(t|j|mj)s$": [
        require.resolve("@swc/jest"),
        {
          jsc: { parser: { syntax: "typescript" }, target: "es2022" },
          module: { type: "commonjs" },
          sourceMaps: "inline",
        },
      ],
    },
    // ESM-only dependencies are transformed too.
    transformIgnorePatterns: ["/node_modules/(?!(@litertjs)/)"],
    moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
    testEnvironmentOptions: { customExportConditions: ["source", "node", "require", "default"] },
    // Globals inside jest's vm context are looked up through interceptors, ~100× slower than in
    // plain Node (nodejs/node#31658); injecting them as module-wrapper parameters makes the
    // integer and float kernels' Math/typed-array use run at native speed under test.
    sandboxInjectedGlobals: [
      "Math",
      "Number",
      "BigInt",
      "Array",
      "Object",
      "Int8Array",
      "Uint8Array",
      "Int16Array",
      "Int32Array",
      "Uint32Array",
      "Float32Array",
      "Float64Array",
      "BigInt64Array",
    ],
    cacheDirectory: path.join(__dirname, "node_modules", ".cache", "jest"),
    testTimeout: 60000,
  };
};
