/** Float32 C kernels of fully_connected, matmul and batch_matmul. */
import {
  batchMatmulOp,
  broadcastStrides,
  fullyConnectedOp,
  matmulOp,
  numElements,
  stridesOf,
} from "@mcu/tensor";
import { type CKernelDef, type CSupportCode, defineCKernel } from "../../contract.js";
import { activationCode, actF32, allFloat32, fusedTanh } from "../support.js";

const fullyConnectedF32: CSupportCode = {
  id: "core/fully-connected-f32",
  requires: [actF32],
  code: `
/* y[r,o] = act(bias[o] + sum_i x[r,i] * w[o,i]) */
static void mcu_fully_connected_f32(const float *x, const float *w, const float *bias, float *y, int32_t rows,
                                    int32_t in, int32_t out, int32_t act) {
  int32_t r, o, i;
  for (r = 0; r < rows; r++) {
    const float *xr = x + (size_t)r * (size_t)in;
    for (o = 0; o < out; o++) {
      const float *wo = w + (size_t)o * (size_t)in;
      float acc = 0.0f;
      for (i = 0; i < in; i++) acc += xr[i] * wo[i];
      if (bias != NULL) acc += bias[o];
      *y++ = mcu_act_f32(acc, act);
    }
  }
}`,
};

const matmulF32: CSupportCode = {
  id: "core/matmul-f32",
  code: `
/* One product y = op(a) . op(b): element (i,p) of op(a) is a[i*a_row + p*a_col], (p,j) of op(b) is b[p*b_row + j*b_col]. */
typedef struct { int32_t m, k, n, a_row, a_col, b_row, b_col; } mcu_matmul_t;
static void mcu_matmul_f32(const float *a, const float *b, float *y, const mcu_matmul_t *l) {
  int32_t i, j, p;
  for (i = 0; i < l->m; i++) {
    for (j = 0; j < l->n; j++) {
      const float *ap = a + (size_t)i * (size_t)l->a_row;
      const float *bp = b + (size_t)j * (size_t)l->b_col;
      float acc = 0.0f;
      for (p = 0; p < l->k; p++) acc += ap[(size_t)p * (size_t)l->a_col] * bp[(size_t)p * (size_t)l->b_row];
      *y++ = acc;
    }
  }
}`,
};

function matmulLayout(a: readonly number[], b: readonly number[], ta: boolean, tb: boolean): number[] {
  const aRows = a[a.length - 2]!;
  const aCols = a[a.length - 1]!;
  const bRows = b[b.length - 2]!;
  const bCols = b[b.length - 1]!;
  return [
    ta ? aCols : aRows,
    ta ? aRows : aCols,
    tb ? bRows : bCols,
    ta ? 1 : aCols,
    ta ? aCols : 1,
    tb ? 1 : bCols,
    tb ? bCols : 1,
  ];
}

/** core.fully_connected on float32. */
export const fullyConnectedFloat32C: CKernelDef = defineCKernel(fullyConnectedOp, {
  variant: "core/float32",
  supports: allFloat32,
  emit(ctx) {
    const [out, inF] = ctx.inputs[1]!.shape as [number, number];
    const rows = inF === 0 ? 0 : numElements(ctx.inputs[0]!.shape) / inF;
    const y = ctx.output(0);
    const act = ctx.attrs.fusedActivation;
    const tail = fusedTanh(act, y, rows * out);
    return {
      support: [fullyConnectedF32, ...tail.support],
      code: `mcu_fully_connected_f32(${ctx.input(0)}, ${ctx.input(1)}, ${ctx.input(2)}, ${y}, ${rows}, ${inF}, ${out}, ${activationCode(act)});\n${tail.code}`,
    };
  },
});

/** core.matmul on float32. */
export const matmulFloat32C: CKernelDef = defineCKernel(matmulOp, {
  variant: "core/float32",
  supports: allFloat32,
  emit(ctx) {
    const l = matmulLayout(
      ctx.inputs[0]!.shape,
      ctx.inputs[1]!.shape,
      ctx.attrs.transposeA,
      ctx.attrs.transposeB,
    );
    return {
      support: [matmulF32],
      declarations: `static const mcu_matmul_t ${ctx.symbol}_mm = {${l.join(", ")}};`,
      code: `mcu_matmul_f32(${ctx.input(0)}, ${ctx.input(1)}, ${ctx.output(0)}, &${ctx.symbol}_mm);`,
    };
  },
});

/** core.batch_matmul on float32: one matmul per index of the broadcast batch axes. */
export const batchMatmulFloat32C: CKernelDef = defineCKernel(batchMatmulOp, {
  variant: "core/float32",
  supports: allFloat32,
  emit(ctx) {
    const a = ctx.inputs[0]!.shape;
    const b = ctx.inputs[1]!.shape;
    const yShape = ctx.outputs[0]!.shape;
    const l = matmulLayout(a, b, ctx.attrs.transposeA, ctx.attrs.transposeB);
    const batchShape = yShape.slice(0, -2);
    const rank = batchShape.length;
    const aMat = a[a.length - 2]! * a[a.length - 1]!;
    const bMat = b[b.length - 2]! * b[b.length - 1]!;
    const aStrides = broadcastStrides(a.slice(0, -2), rank);
    const bStrides = broadcastStrides(b.slice(0, -2), rank);
    const outStrides = stridesOf(batchShape);
    const batches = numElements(batchShape);
    const aOff: number[] = [];
    const bOff: number[] = [];
    for (let t = 0; t < batches; t++) {
      let rest = t;
      let ao = 0;
      let bo = 0;
      for (let d = 0; d < rank; d++) {
        const idx = Math.floor(rest / outStrides[d]!);
        rest -= idx * outStrides[d]!;
        ao += idx * aStrides[d]!;
        bo += idx * bStrides[d]!;
      }
      aOff.push(ao * aMat);
      bOff.push(bo * bMat);
    }
    const ao = ctx.constArray("a_off", "int32_t", aOff);
    const bo = ctx.constArray("b_off", "int32_t", bOff);
    const yMat = l[0]! * l[2]!;
    return {
      support: [matmulF32],
      declarations: `static const mcu_matmul_t ${ctx.symbol}_mm = {${l.join(", ")}};`,
      code: [
        "{",
        "  int32_t t;",
        `  for (t = 0; t < ${batches}; t++) {`,
        `    mcu_matmul_f32(${ctx.input(0)} + ${ao}[t], ${ctx.input(1)} + ${bo}[t], ${ctx.output(0)} + (size_t)t * ${yMat}u, &${ctx.symbol}_mm);`,
        "  }",
        "}",
      ].join("\n"),
    };
  },
});

/** The float32 dense C kernels. */
export const denseFloat32CKernels: readonly CKernelDef[] = [
  fullyConnectedFloat32C,
  matmulFloat32C,
  batchMatmulFloat32C,
];
