/** C support code and TS helpers shared by the builtin C kernels. */
import type { FusedActivation, KernelPrepareContext, TensorInfo } from "@mcu/tensor";
import type { CEmitContext, CSupportCode } from "../contract.js";

/** True if every present input and every output is float32 and unquantized. */
export function allFloat32(ctx: KernelPrepareContext): boolean {
  const isFloat = (t: TensorInfo | undefined): boolean =>
    t === undefined || (t.dtype === "float32" && t.quant === undefined);
  return ctx.inputs.every(isFloat) && ctx.outputs.every(isFloat);
}

/** True if all present inputs and the outputs share one dtype and identical quantization. */
export function sameTypeMovement(ctx: KernelPrepareContext): boolean {
  const first = ctx.outputs[0];
  if (first === undefined) return false;
  const same = (t: TensorInfo | undefined): boolean => {
    if (t === undefined) return true;
    if (t.dtype !== first.dtype) return false;
    const a = t.quant;
    const b = first.quant;
    if (a === undefined || b === undefined) return a === b;
    return (
      a.scale.length === b.scale.length &&
      a.scale.every((s, i) => s === b.scale[i]) &&
      a.zeroPoint.length === b.zeroPoint.length &&
      a.zeroPoint.every((z, i) => z === b.zeroPoint[i])
    );
  };
  return ctx.inputs.every(same) && ctx.outputs.every(same);
}

/** True if every tensor of the node has a dtype whose C type is one element per value (not int4/bit). */
export function plainStorage(ctx: KernelPrepareContext): boolean {
  const ok = (t: TensorInfo | undefined): boolean =>
    t === undefined || (t.dtype !== "int4" && t.dtype !== "bit");
  return ctx.inputs.every(ok) && ctx.outputs.every(ok);
}

/** The code of a fused activation in the float kernels (TANH is applied by a separate pass). */
export function activationCode(act: FusedActivation): number {
  switch (act) {
    case "RELU":
      return 1;
    case "RELU6":
      return 2;
    case "RELU_N1_TO_1":
      return 3;
    default:
      return 0;
  }
}

/** Fused clamps of TFLite's ActivationFunctionType, on float32 values (NaN passes through). */
export const actF32: CSupportCode = {
  id: "core/act-f32",
  code: `
static float mcu_act_f32(float v, int32_t act) {
  if (act == 1) return v < 0.0f ? 0.0f : v;
  if (act == 2) return v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v);
  if (act == 3) return v < -1.0f ? -1.0f : (v > 1.0f ? 1.0f : v);
  return v;
}`,
};

/** tanh over a buffer in place (a fused TANH activation). */
export const tanhInPlaceF32: CSupportCode = {
  id: "core/tanh-inplace-f32",
  math: true,
  code: `
static void mcu_tanh_inplace_f32(float *y, int32_t n) {
  int32_t i;
  for (i = 0; i < n; i++) y[i] = tanhf(y[i]);
}`,
};

/** The statement applying a fused TANH to an output (or nothing), and the support it needs. */
export function fusedTanh(
  act: FusedActivation,
  output: string,
  count: number,
): { readonly code: string; readonly support: readonly CSupportCode[] } {
  if (act !== "TANH") return { code: "", support: [] };
  return { code: `mcu_tanh_inplace_f32(${output}, ${count});`, support: [tanhInPlaceF32] };
}

/** The geometry of a sliding window (convolution or pool) over NHWC data. */
export const windowType: CSupportCode = {
  id: "core/window-t",
  code: `
typedef struct {
  int32_t batches, in_h, in_w, in_c;
  int32_t out_h, out_w, out_c;
  int32_t k_h, k_w, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left;
  int32_t groups; /* conv2d: groups; depthwise: depth multiplier; pools: 1 if padding counts */
  int32_t act;    /* fused clamp: 0 none, 1 relu, 2 relu6, 3 relu_n1_to_1 */
} mcu_window_t;`,
};

/** The values of an mcu_window_t, in field order. */
export interface WindowFields {
  readonly batches: number;
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outH: number;
  readonly outW: number;
  readonly outC: number;
  readonly kH: number;
  readonly kW: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilH: number;
  readonly dilW: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly groups: number;
  readonly act: number;
}

/** Declares a node's `static const mcu_window_t`; returns its name and the declaration. */
export function windowDecl(
  ctx: CEmitContext,
  w: WindowFields,
): { readonly name: string; readonly decl: string } {
  const name = `${ctx.symbol}_win`;
  const v = [
    w.batches,
    w.inH,
    w.inW,
    w.inC,
    w.outH,
    w.outW,
    w.outC,
    w.kH,
    w.kW,
    w.strideH,
    w.strideW,
    w.dilH,
    w.dilW,
    w.padTop,
    w.padLeft,
    w.groups,
    w.act,
  ];
  return { name, decl: `static const mcu_window_t ${name} = {${v.join(", ")}};` };
}

/** `MCU_MAX_RANK`: the largest rank of the strided copy and pad kernels (after merging axes). */
export const maxRankMacro: CSupportCode = { id: "core/max-rank", code: "#define MCU_MAX_RANK 8" };

/**
 * Copies a box of elements between strided layouts: for every index (i0, ..., i[r-1]) < sizes,
 * dst[Σ i·dstStep] = src[Σ i·srcStep] (steps in bytes, `elem` bytes per element). The last
 * axis is a memcpy when both sides are contiguous there.
 */
export const copyStrided: CSupportCode = {
  id: "core/copy-strided",
  requires: [maxRankMacro],
  code: `
static void mcu_copy_strided(uint8_t *dst, const int32_t *dst_step, const uint8_t *src, const int32_t *src_step,
                             const int32_t *sizes, int32_t rank, int32_t elem) {
  int32_t idx[MCU_MAX_RANK];
  int32_t d, j, rows = 1;
  const int32_t inner = sizes[rank - 1], ds = dst_step[rank - 1], ss = src_step[rank - 1];
  for (d = 0; d < rank; d++) {
    idx[d] = 0;
    if (d < rank - 1) rows *= sizes[d];
  }
  if (inner == 0) return;
  while (rows-- > 0) {
    int32_t so = 0, dof = 0;
    for (d = 0; d < rank - 1; d++) {
      so += idx[d] * src_step[d];
      dof += idx[d] * dst_step[d];
    }
    if (ds == elem && ss == elem) {
      memcpy(dst + dof, src + so, (size_t)inner * (size_t)elem);
    } else {
      for (j = 0; j < inner; j++) memcpy(dst + dof + j * ds, src + so + j * ss, (size_t)elem);
    }
    for (d = rank - 2; d >= 0; d--) {
      if (++idx[d] < sizes[d]) break;
      idx[d] = 0;
    }
  }
}`,
};

/** Maximum rank of the strided copy after merging axes. */
export const MAX_COPY_RANK = 8;

/**
 * Simplifies a strided box: drops size-1 axes and merges neighbours that are contiguous on both
 * sides, so most copies become a few memcpy calls. Always returns at least one axis.
 */
export function simplifyBox(
  sizes: readonly number[],
  srcStep: readonly number[],
  dstStep: readonly number[],
): { sizes: number[]; src: number[]; dst: number[] } {
  const s: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  sizes.forEach((n, i) => {
    if (n === 1) return;
    const last = s.length - 1;
    if (last >= 0 && a[last] === srcStep[i]! * n && b[last] === dstStep[i]! * n) {
      s[last] = s[last]! * n;
      a[last] = srcStep[i]!;
      b[last] = dstStep[i]!;
    } else {
      s.push(n);
      a.push(srcStep[i]!);
      b.push(dstStep[i]!);
    }
  });
  if (s.length === 0) return { sizes: [1], src: [0], dst: [0] };
  return { sizes: s, src: a, dst: b };
}

/** Row-major byte strides of a shape. */
export function byteStrides(shape: readonly number[], elem: number): number[] {
  const out = new Array<number>(shape.length);
  let acc = elem;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = acc;
    acc *= shape[i]!;
  }
  return out;
}
