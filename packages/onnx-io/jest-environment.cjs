// The node test environment, with the host realm's typed-array constructors in the sandbox.
// onnxruntime-node's native binding creates output tensors as host-realm typed arrays, and
// onnxruntime-common (loaded inside jest's sandbox) checks them with `instanceof`; sharing the
// constructors makes both realms agree.
const { TestEnvironment } = require("jest-environment-node");

const TYPED_ARRAYS = [
  "ArrayBuffer",
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
];

class HostTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}

module.exports = HostTypedArraysEnvironment;
