/** Element type conversion (TFLite CAST, ONNX Cast) of unquantized values. */
import { attr } from "../attrs.js";
import { DTYPES } from "../dtype.js";
import { defineOp } from "../op.js";

/** Casts every element to another dtype, as C++ `static_cast` does (TFLite cast.cc). */
export const castOp = defineOp({
  name: "core.cast",
  doc: "y = static_cast<to>(x) element by element (float → integer truncates toward zero; → bool is x ≠ 0)",
  attrs: { to: attr.enum(DTYPES, undefined, "the output dtype") },
  inputs: ["x"],
  inferShape: ({ inputs: [x], attrs }) => [{ shape: x!.shape, dtype: attrs.to }],
});
