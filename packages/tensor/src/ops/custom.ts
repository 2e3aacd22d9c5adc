/**
 * An opaque op kept from an imported file (a TFLite custom op such as `ethos-u`), so the model
 * round-trips. Its output shapes are whatever the file recorded; no core kernel runs it.
 */
import { attr } from "../attrs.js";
import { defineOp } from "../op.js";

/** An opaque custom op. */
export const customOp = defineOp({
  name: "core.custom",
  doc: "an opaque op from the source file, kept for round-tripping; not executable",
  attrs: {
    customCode: attr.string(undefined, "the op's name in the source file"),
    options: attr.bytes(new Uint8Array(0), "the op's options as stored in the source file"),
    format: attr.string("", "options encoding, e.g. 'flexbuffers'"),
  },
  inputs: ["x..."],
  outputs: ["y..."],
});
