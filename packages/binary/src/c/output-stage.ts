/**
 * The output stage of the binary C kernels, operation for operation the TS one
 * (kernels/epilogue.ts): int32 dot products, float32 v = (float)dot, v = v·scale, v = v + bias
 * (separate statements, so no compiler contracts them into a fused multiply-add), or bits: +1
 * (clear) iff s·dot ≥ threshold with s = −1 where the flip bit is set.
 */
import type { CEmitContext, CSupportCode } from "@mcu/codegen-c";
import type { TensorInfo } from "@mcu/tensor";

/** The stage descriptor type. */
const outputStageType: CSupportCode = {
  id: "binary/output-stage-t",
  code: `
/* kind 0: int32; 1: float32 (scale, bias may be NULL); 2: bits from an integer threshold;
   3: bits from a float threshold. flip may be NULL. */
typedef struct {
  int32_t kind;
  const float *scale;
  const float *bias;
  const int32_t *threshold;
  const float *threshold_f;
  const uint32_t *flip;
} mcu_bin_out_t;

#define MCU_BIN_FLIPPED(s, o) ((s)->flip != NULL && (((s)->flip[(o) >> 5] >> ((o) & 31)) & 1u) != 0u)`,
};

/** The stage for integer dot products (binary conv and dense). */
export const outputStage: CSupportCode = {
  id: "binary/output-stage-i",
  requires: [outputStageType],
  code: `
/* Channel o of an output row whose first element (word, for bits) is at y; *word collects bits. */
static void mcu_bin_out_i(const mcu_bin_out_t *s, void *y, int32_t o, int32_t channels, int32_t dot, uint32_t *word) {
  if (s->kind == 0) {
    ((int32_t *)y)[o] = dot;
  } else if (s->kind == 1) {
    float v = (float)dot;
    if (s->scale != NULL) v = v * s->scale[o];
    if (s->bias != NULL) v = v + s->bias[o];
    ((float *)y)[o] = v;
  } else {
    const int32_t v = MCU_BIN_FLIPPED(s, o) ? -dot : dot;
    if (v < s->threshold[o]) *word |= 1u << (o & 31);
    if ((o & 31) == 31 || o == channels - 1) {
      ((uint32_t *)y)[o >> 5] = *word;
      *word = 0u;
    }
  }
}`,
};

/** The stage for float sums (the first-layer convolution). */
export const outputStageFloat: CSupportCode = {
  id: "binary/output-stage-f",
  requires: [outputStageType],
  code: `
static void mcu_bin_out_f(const mcu_bin_out_t *s, void *y, int32_t o, int32_t channels, float acc, uint32_t *word) {
  if (s->kind == 1) {
    float v = acc;
    if (s->scale != NULL) v = v * s->scale[o];
    if (s->bias != NULL) v = v + s->bias[o];
    ((float *)y)[o] = v;
  } else {
    const float v = MCU_BIN_FLIPPED(s, o) ? -acc : acc;
    if (!(v >= s->threshold_f[o])) *word |= 1u << (o & 31);
    if ((o & 31) == 31 || o == channels - 1) {
      ((uint32_t *)y)[o >> 5] = *word;
      *word = 0u;
    }
  }
}`,
};

/** `static const mcu_bin_out_t <symbol>_out = {...};` for a node with epilogue inputs at 2–5. */
export function emitOutputStage(ctx: CEmitContext, kind: string, floatThreshold = false): string {
  const inputs = ctx.inputs as readonly (TensorInfo | undefined)[];
  const arr = (i: number, name: string, ctype: "float" | "int32_t" | "uint32_t"): string => {
    const t = inputs[i];
    if (t?.data === undefined) return "NULL";
    return ctx.constArray(name, ctype, t.data as ArrayLike<number>);
  };
  const k = kind === "int32" ? 0 : kind === "float32" ? 1 : floatThreshold ? 3 : 2;
  const fields = [
    String(k),
    arr(2, "scale", "float"),
    arr(3, "bias", "float"),
    k === 2 ? arr(4, "threshold", "int32_t") : "NULL",
    k === 3 ? arr(4, "threshold", "float") : "NULL",
    k >= 2 ? arr(5, "flip", "uint32_t") : "NULL",
  ];
  return `static const mcu_bin_out_t ${ctx.symbol}_out = {${fields.join(", ")}};`;
}
