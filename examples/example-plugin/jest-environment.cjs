// jest's node environment, except that typed-array constructors are the host realm's. The
// onnxruntime-node binding returns outputs as host-realm typed arrays, which onnxruntime-common
// (loaded inside the test sandbox) checks with `instanceof`: with one set of constructors the
// check passes. Only kernel.test.ts needs it (onnxruntime is one of its oracles).
const NodeEnvironment = require("jest-environment-node").TestEnvironment;

const SHARED = [
  "ArrayBuffer",
  "Float32Array",
  "Float64Array",
  "Int8Array",
  "Int16Array",
  "Int32Array",
].concat([
  "Uint8Array",
  "Uint8ClampedArray",
  "Uint16Array",
  "Uint32Array",
  "BigInt64Array",
  "BigUint64Array",
]);

module.exports = class SharedTypedArraysEnvironment extends NodeEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
};
