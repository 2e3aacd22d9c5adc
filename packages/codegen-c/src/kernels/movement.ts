/**
 * Data-movement C kernels for every dtype stored one element per value ("core/any"): the
 * reshape family, transpose, concat, pad, slice and strided_slice. Values are copied, never
 * requantized, so they run only when inputs and outputs share one dtype and identical
 * quantization — the rule of the TS movement kernels.
 */
import {
  concatOp,
  type DType,
  dtypeRange,
  expandDimsOp,
  flattenOp,
  numElements,
  normalizeAxis,
  type OpContract,
  padOp,
  reshapeOp,
  resolveStridedSlice,
  sliceOp,
  squeezeOp,
  stridedSliceOp,
  storageLength,
  transposeOp,
} from "@mcu/tensor";
import { cTypeBytes, cTypeOf } from "../c-literals.js";
import {
  type CEmitContext,
  type CKernelDef,
  type CKernelContext,
  type CSupportCode,
  defineCKernel,
} from "../contract.js";
import {
  activationCode,
  actF32,
  byteStrides,
  copyStrided,
  fusedTanh,
  MAX_COPY_RANK,
  maxRankMacro,
  plainStorage,
  sameTypeMovement,
  simplifyBox,
} from "./support.js";

function elemBytes(dtype: DType): number {
  return cTypeBytes(cTypeOf(dtype));
}

function movable(ctx: CKernelContext): boolean {
  return sameTypeMovement(ctx) && plainStorage(ctx);
}

/** `mcu_copy_strided` of a box; `src` and `dst` are byte-pointer expressions. */
function boxCopy(
  ctx: CEmitContext,
  tag: string,
  dst: string,
  src: string,
  sizes: readonly number[],
  srcStep: readonly number[],
  dstStep: readonly number[],
  elem: number,
): string {
  const b = simplifyBox(sizes, srcStep, dstStep);
  if (b.sizes.length === 1 && b.src[0] === elem && b.dst[0] === elem) {
    return `memcpy(${dst}, ${src}, ${b.sizes[0]! * elem}u);`;
  }
  const s = ctx.constArray(`${tag}_sizes`, "int32_t", b.sizes);
  const a = ctx.constArray(`${tag}_src`, "int32_t", b.src);
  const d = ctx.constArray(`${tag}_dst`, "int32_t", b.dst);
  return `mcu_copy_strided(${dst}, ${d}, ${src}, ${a}, ${s}, ${b.sizes.length}, ${elem});`;
}

function boxRankOk(
  sizes: readonly number[],
  srcStep: readonly number[],
  dstStep: readonly number[],
): boolean {
  return simplifyBox(sizes, srcStep, dstStep).sizes.length <= MAX_COPY_RANK;
}

const bytesOf = (expr: string): string => `(uint8_t *)(void *)(${expr})`;
const constBytesOf = (expr: string): string => `(const uint8_t *)(const void *)(${expr})`;

/** Reshape-like ops: nothing when the planner gave input and output one buffer, else a copy. */
function reshapeLike(op: OpContract): CKernelDef {
  return defineCKernel(op, {
    variant: "core/any",
    supports: (ctx) =>
      sameTypeMovement(ctx) &&
      (ctx.inputs[0]!.dtype !== "bit" ||
        ctx.inputs[0]!.shape[ctx.inputs[0]!.shape.length - 1] ===
          ctx.outputs[0]!.shape[ctx.outputs[0]!.shape.length - 1]),
    emit(ctx) {
      if (ctx.sameBuffer(0, 0)) return { code: "/* the output is a view of the input */" };
      const t = ctx.outputs[0]!;
      const bytes = storageLength(t.dtype, t.shape) * elemBytes(t.dtype);
      return { code: bytes === 0 ? "" : `memcpy(${ctx.output(0)}, ${ctx.input(0)}, ${bytes}u);` };
    },
  });
}

/** core.transpose: a strided copy with the input's strides permuted. */
export const transposeAnyC: CKernelDef = defineCKernel(transposeOp, {
  variant: "core/any",
  supports: (ctx) => {
    if (!movable(ctx)) return false;
    const e = elemBytes(ctx.inputs[0]!.dtype);
    const inStrides = byteStrides(ctx.inputs[0]!.shape, e);
    const outShape = ctx.outputs[0]!.shape;
    return boxRankOk(
      outShape,
      ctx.attrs.perm.map((p) => inStrides[p]!),
      byteStrides(outShape, e),
    );
  },
  emit(ctx) {
    const x = ctx.inputs[0]!;
    const e = elemBytes(x.dtype);
    const outShape = ctx.outputs[0]!.shape;
    if (numElements(outShape) === 0) return { code: "" };
    const inStrides = byteStrides(x.shape, e);
    const code = boxCopy(
      ctx,
      "perm",
      bytesOf(ctx.output(0)),
      constBytesOf(ctx.input(0)),
      outShape,
      ctx.attrs.perm.map((p) => inStrides[p]!),
      byteStrides(outShape, e),
      e,
    );
    return { support: [copyStrided], code };
  },
});

const actInPlaceF32: CSupportCode = {
  id: "core/act-inplace-f32",
  requires: [actF32],
  code: `
static void mcu_act_inplace_f32(float *y, int32_t n, int32_t act) {
  int32_t i;
  for (i = 0; i < n; i++) y[i] = mcu_act_f32(y[i], act);
}`,
};

/** core.concat: one strided copy per input; a fused activation only on float32. */
export const concatAnyC: CKernelDef = defineCKernel(concatOp, {
  variant: "core/any",
  supports: (ctx) =>
    movable(ctx) &&
    ctx.outputs[0]!.shape.length <= MAX_COPY_RANK &&
    (ctx.attrs.fusedActivation === "NONE" || ctx.outputs[0]!.dtype === "float32"),
  emit(ctx) {
    const y = ctx.outputs[0]!;
    const e = elemBytes(y.dtype);
    const axis = normalizeAxis(ctx.attrs.axis, y.shape.length, ctx.node.name);
    let outer = 1;
    for (let i = 0; i < axis; i++) outer *= y.shape[i]!;
    let inner = 1;
    for (let i = axis + 1; i < y.shape.length; i++) inner *= y.shape[i]!;
    const total = y.shape[axis]! * inner;
    const lines: string[] = [];
    let offset = 0;
    ctx.inputs.forEach((t, j) => {
      const slab = t!.shape[axis]! * inner;
      if (slab > 0 && outer > 0) {
        lines.push(
          boxCopy(
            ctx,
            `in${j}`,
            `${bytesOf(ctx.output(0))} + ${offset * e}`,
            constBytesOf(ctx.input(j)),
            [outer, slab],
            [slab * e, e],
            [total * e, e],
            e,
          ),
        );
      }
      offset += slab;
    });
    const support: CSupportCode[] = [copyStrided];
    const act = ctx.attrs.fusedActivation;
    const n = numElements(y.shape);
    if (act !== "NONE" && act !== "TANH") {
      support.push(actInPlaceF32);
      lines.push(`mcu_act_inplace_f32(${ctx.output(0)}, ${n}, ${activationCode(act)});`);
    }
    const tail = fusedTanh(act, ctx.output(0), n);
    if (tail.code !== "") lines.push(tail.code);
    return { support: [...support, ...tail.support], code: lines.join("\n") };
  },
});

/** Rounds half away from zero, like std::round. */
function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/** The stored values constant padding writes (one per quantization channel): see the TS pad kernel. */
function padFills(ctx: CKernelContext): (number | bigint)[] {
  const out = ctx.outputs[0]!;
  const value = ctx.attrs.value as number;
  if (out.dtype === "float32") return [value];
  const { min, max } = dtypeRange(out.dtype);
  const clamp = (q: number): number => Math.min(max, Math.max(min, q));
  const q = out.quant;
  const stored =
    q === undefined
      ? [clamp(roundHalfAway(value))]
      : q.scale.map((s, i) => clamp(roundHalfAway(value / s) + q.zeroPoint[i]!));
  return out.dtype === "int64" ? stored.map((v) => BigInt(v)) : stored;
}

const padAny: CSupportCode = {
  id: "core/pad-any",
  requires: [maxRankMacro],
  code: `
/* y = x padded. maps holds, axis after axis, the source index along that axis of each output
   index (-1: the fill value); in_step are the input's byte strides. */
static void mcu_pad_any(uint8_t *y, const uint8_t *x, int32_t rank, const int32_t *out_shape, const int32_t *in_step,
                        const int32_t *maps, const uint8_t *fill, int32_t elem) {
  int32_t idx[MCU_MAX_RANK], map_at[MCU_MAX_RANK];
  int32_t d, j, rows = 1, at = 0;
  const int32_t last = out_shape[rank - 1];
  for (d = 0; d < rank; d++) {
    idx[d] = 0;
    map_at[d] = at;
    at += out_shape[d];
    if (d < rank - 1) rows *= out_shape[d];
  }
  if (last == 0) return;
  while (rows-- > 0) {
    int32_t base = 0;
    for (d = 0; d < rank - 1 && base >= 0; d++) {
      const int32_t s = maps[map_at[d] + idx[d]];
      base = s < 0 ? -1 : base + s * in_step[d];
    }
    for (j = 0; j < last; j++) {
      const int32_t s = maps[map_at[rank - 1] + j];
      if (base >= 0 && s >= 0) memcpy(y, x + base + s * in_step[rank - 1], (size_t)elem);
      else memcpy(y, fill, (size_t)elem);
      y += elem;
    }
    for (d = rank - 2; d >= 0; d--) {
      if (++idx[d] < out_shape[d]) break;
      idx[d] = 0;
    }
  }
}`,
};

/** core.pad (constant, reflect, edge) with per-axis index maps built at generation time. */
export const padAnyC: CKernelDef = defineCKernel(padOp, {
  variant: "core/any",
  supports: (ctx) => {
    if (!movable(ctx)) return false;
    const x = ctx.inputs[0]!;
    if (x.shape.length > MAX_COPY_RANK) return false;
    if (ctx.attrs.mode !== "constant" && x.shape.some((d) => d === 0)) return false;
    const fills = padFills(ctx);
    return fills.every((f) => f === fills[0]);
  },
  emit(ctx) {
    const x = ctx.inputs[0]!;
    const y = ctx.outputs[0]!;
    if (numElements(y.shape) === 0) return { code: "" };
    const e = elemBytes(x.dtype);
    const inShape = x.shape.length === 0 ? [1] : x.shape;
    const outShape = y.shape.length === 0 ? [1] : y.shape;
    const maps: number[] = [];
    inShape.forEach((d, a) => {
      const before = ctx.attrs.paddings[2 * a] ?? 0;
      for (let i = 0; i < outShape[a]!; i++) {
        let j = i - before;
        if (j < 0 || j >= d) {
          if (ctx.attrs.mode === "constant") j = -1;
          else if (ctx.attrs.mode === "edge") j = j < 0 ? 0 : d - 1;
          else j = j < 0 ? -j : 2 * (d - 1) - j;
        }
        maps.push(j);
      }
    });
    const ctype = cTypeOf(y.dtype);
    const fill = ctx.constArray("fill", ctype, [padFills(ctx)[0]!] as number[]);
    const m = ctx.constArray("maps", "int32_t", maps);
    const s = ctx.constArray("out_shape", "int32_t", outShape);
    const st = ctx.constArray("in_step", "int32_t", byteStrides(inShape, e));
    return {
      support: [padAny],
      code: `mcu_pad_any(${bytesOf(ctx.output(0))}, ${constBytesOf(ctx.input(0))}, ${outShape.length}, ${s}, ${st}, ${m}, (const uint8_t *)(const void *)${fill}, ${e});`,
    };
  },
});

/** A strided box of the input (begin, step and count per axis) copied to the output in order. */
function sliceBox(
  ctx: CEmitContext,
  begin: readonly number[],
  steps: readonly number[],
  sizes: readonly number[],
) {
  const x = ctx.inputs[0]!;
  const e = elemBytes(x.dtype);
  if (numElements(sizes) === 0) return { code: "" };
  const inStrides = byteStrides(x.shape, e);
  let start = 0;
  for (let a = 0; a < begin.length; a++) start += begin[a]! * inStrides[a]!;
  const code = boxCopy(
    ctx,
    "box",
    bytesOf(ctx.output(0)),
    `${constBytesOf(ctx.input(0))} + ${start}`,
    sizes.length === 0 ? [1] : sizes,
    sizes.length === 0 ? [e] : sizes.map((_, a) => steps[a]! * inStrides[a]!),
    sizes.length === 0 ? [e] : byteStrides(sizes, e),
    e,
  );
  return { support: [copyStrided], code };
}

function sliceSizes(ctx: CKernelContext): number[] {
  const shape = ctx.inputs[0]!.shape;
  const begin = ctx.attrs.begin as readonly number[];
  const size = ctx.attrs.size as readonly number[];
  return shape.map((d, a) => (size[a] === -1 ? d - begin[a]! : size[a]!));
}

/** core.slice for any dtype. */
export const sliceAnyC: CKernelDef = defineCKernel(sliceOp, {
  variant: "core/any",
  supports: (ctx) => movable(ctx) && ctx.inputs[0]!.shape.length <= MAX_COPY_RANK,
  emit(ctx) {
    const sizes = sliceSizes(ctx);
    return sliceBox(
      ctx,
      ctx.attrs.begin,
      sizes.map(() => 1),
      sizes,
    );
  },
});

/** core.strided_slice for any dtype (TensorFlow's masks resolved at generation time). */
export const stridedSliceAnyC: CKernelDef = defineCKernel(stridedSliceOp, {
  variant: "core/any",
  supports: (ctx) => movable(ctx) && ctx.inputs[0]!.shape.length <= MAX_COPY_RANK,
  emit(ctx) {
    const r = resolveStridedSlice(ctx.inputs[0]!.shape, ctx.attrs, ctx.node.name);
    return sliceBox(ctx, r.begin, r.strides, r.sizes);
  },
});

/** The data-movement C kernels. */
export const movementCKernels: readonly CKernelDef[] = [
  reshapeLike(reshapeOp),
  reshapeLike(flattenOp),
  reshapeLike(squeezeOp),
  reshapeLike(expandDimsOp),
  transposeAnyC,
  concatAnyC,
  padAnyC,
  sliceAnyC,
  stridedSliceAnyC,
];
