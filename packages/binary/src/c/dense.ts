/** C kernels of binary.fully_connected and binary.sign. */
import type { CEmitContext, CKernelDef, CSupportCode } from "@mcu/codegen-c";
import { numElements, storageLength } from "@mcu/tensor";
import { binaryFullyConnectedOp } from "../ops/dense.js";
import { binarySignOp } from "../ops/sign.js";
import { emitOutputStage, outputStage } from "./output-stage.js";
import { type PopcountKind, popcountSupport } from "./popcount.js";

function denseDriver(popcount: PopcountKind): CSupportCode {
  return {
    id: "binary/fully-connected",
    requires: [outputStage, popcountSupport(popcount)],
    code: `
/* binary.fully_connected: dot[b,o] = features - 2*popcount(x[b] ^ w[o]) over words words; output stage. */
static void mcu_bin_fc(const uint32_t *x, const uint32_t *w, void *y, int32_t batches, int32_t outs, int32_t words,
                       int32_t features, const mcu_bin_out_t *s) {
  const int32_t row_out = s->kind >= 2 ? (outs + 31) >> 5 : outs;
  int32_t b, o;
  MCU_BIN_MASKS;
  for (b = 0; b < batches; b++) {
    uint32_t word = 0u;
    char *out = (char *)y + (size_t)b * (size_t)row_out * 4u;
    for (o = 0; o < outs; o++) {
      uint32_t ones;
      MCU_BIN_XOR_POPCOUNT(ones, x + (size_t)b * (size_t)words, w + (size_t)o * (size_t)words, words);
      mcu_bin_out_i(s, out, o, outs, features - 2 * (int32_t)ones, &word);
    }
  }
}`,
  };
}

const signBody: CSupportCode = {
  id: "binary/sign-body",
  code: `
/* binary.sign: bit j of a row is set iff x < 0 (sign(0) = +1); rows padded to whole words. */
#define MCU_BIN_SIGN_BODY(T)                                                     \\
  int32_t r, k, j;                                                              \\
  const int32_t words = (last + 31) >> 5;                                       \\
  for (r = 0; r < rows; r++) {                                                  \\
    const T *xr = x + (size_t)r * (size_t)last;                                 \\
    for (k = 0; k < words; k++) {                                               \\
      const int32_t end = last - k * 32 < 32 ? last - k * 32 : 32;              \\
      uint32_t word = 0u;                                                       \\
      for (j = 0; j < end; j++) word |= (uint32_t)(xr[k * 32 + j] < 0) << j;    \\
      y[(size_t)r * (size_t)words + (size_t)k] = word;                          \\
    }                                                                           \\
  }`,
};

const signF32: CSupportCode = {
  id: "binary/sign-f32",
  requires: [signBody],
  code: "static void mcu_bin_sign_f32(const float *x, uint32_t *y, int32_t rows, int32_t last) { MCU_BIN_SIGN_BODY(float) }",
};

const signI32: CSupportCode = {
  id: "binary/sign-i32",
  requires: [signBody],
  code: "static void mcu_bin_sign_i32(const int32_t *x, uint32_t *y, int32_t rows, int32_t last) { MCU_BIN_SIGN_BODY(int32_t) }",
};

/** The C kernels of binary.fully_connected and binary.sign. */
export function denseCKernels(popcount: PopcountKind): CKernelDef[] {
  const dense: CKernelDef = {
    op: binaryFullyConnectedOp.name,
    variant: "binary/popcount",
    supports: (ctx) => ctx.inputs[0]?.dtype === "bit" && ctx.inputs[1]?.data !== undefined,
    emit: (ctx: CEmitContext) => {
      const x = ctx.inputs[0]!;
      const w = ctx.constArray("w", "uint32_t", ctx.inputs[1]!.data as Uint32Array);
      const features = x.shape.slice(1);
      const stage = emitOutputStage(ctx, String(ctx.attrs.output));
      const args = [
        x.shape[0]!,
        ctx.inputs[1]!.shape[0]!,
        storageLength("bit", features),
        numElements(features),
      ];
      return {
        support: [denseDriver(popcount)],
        declarations: stage,
        code: `mcu_bin_fc(${ctx.input(0)}, ${w}, ${ctx.output(0)}, ${args.join(", ")}, &${ctx.symbol}_out);`,
      };
    },
  };
  const sign: CKernelDef = {
    op: binarySignOp.name,
    variant: "binary/any",
    supports: (ctx) => ctx.inputs[0]?.dtype === "float32" || ctx.inputs[0]?.dtype === "int32",
    emit: (ctx: CEmitContext) => {
      const x = ctx.inputs[0]!;
      const last = x.shape[x.shape.length - 1]!;
      const rows = last === 0 ? 0 : numElements(x.shape) / last;
      const f32 = x.dtype === "float32";
      const fn = f32 ? "mcu_bin_sign_f32" : "mcu_bin_sign_i32";
      return {
        support: [f32 ? signF32 : signI32],
        code: `${fn}(${ctx.input(0)}, ${ctx.output(0)}, ${rows}, ${last});`,
      };
    },
  };
  return [dense, sign];
}
