/**
 * Constant evaluation: the ONNX ops that exporters use for shape plumbing (Shape, Gather,
 * Concat, Unsqueeze, Cast, Range, ...) and for constant preprocessing of weights, evaluated at
 * import time so the IR sees plain constants. Semantics follow the ONNX operator spec
 * (docs/Operators.md); integer arithmetic is exact (int64 as bigint).
 */
import { type DType, McuError, numElements, type TensorData } from "@mcu/tensor";
import { type Elements, padRank, sameKind, transposeData } from "./internal/ndarray.js";
import { type ConstTensor, MAX_FOLDED_ELEMENTS } from "./tensor-proto.js";

/** The values of an integer (or float) constant as JS numbers. */
export function constInts(t: ConstTensor): number[] {
  const d = t.data as Elements;
  const out = new Array<number>(d.length);
  for (let i = 0; i < d.length; i++) out[i] = Number(d[i]!);
  return out;
}

/** The values of a constant as JS numbers (floats stay floats). */
export function constNumbers(t: ConstTensor): number[] {
  return constInts(t);
}

/** Throws MCU_E_ONNX_TOO_LARGE when a folded constant would be unreasonably large. */
export function checkConstSize(count: number, node: string): void {
  if (!Number.isSafeInteger(count) || count < 0 || count > MAX_FOLDED_ELEMENTS) {
    const limit = MAX_FOLDED_ELEMENTS;
    throw new McuError(
      "MCU_E_ONNX_TOO_LARGE",
      `a constant of ${count} elements is too large to fold (limit ${limit})`,
      {
        node,
      },
    );
  }
}

/** A new constant of a dtype from numbers (bigint for int64). */
export function makeConst(
  dtype: DType,
  shape: readonly number[],
  values: ArrayLike<number> | ArrayLike<bigint>,
): ConstTensor {
  const data = allocate(dtype, values.length);
  const d = data as Elements;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    d[i] = data instanceof BigInt64Array ? (typeof v === "bigint" ? v : BigInt(Math.trunc(v))) : Number(v);
  }
  return { dtype, shape: [...shape], data };
}

/** A zero-filled typed array for a dtype (int4 unpacked, bool as bytes). */
export function allocate(dtype: DType, n: number): TensorData {
  switch (dtype) {
    case "float32":
      return new Float32Array(n);
    case "int32":
      return new Int32Array(n);
    case "int16":
      return new Int16Array(n);
    case "int8":
    case "int4":
      return new Int8Array(n);
    case "int64":
      return new BigInt64Array(n);
    case "bit":
      return new Uint32Array(n);
    default:
      return new Uint8Array(n);
  }
}

/** NumPy broadcast of two shapes, or MCU_E_SHAPE. */
export function broadcastShape(a: readonly number[], b: readonly number[], node: string): number[] {
  const rank = Math.max(a.length, b.length);
  const pa = padRank(a, rank);
  const pb = padRank(b, rank);
  return pa.map((d, i) => {
    const e = pb[i]!;
    if (d !== e && d !== 1 && e !== 1) {
      throw new McuError("MCU_E_SHAPE", `shapes [${a.join(",")}] and [${b.join(",")}] do not broadcast`, {
        node,
      });
    }
    return d === 1 ? e : d;
  });
}

/** Index of each output element into an input broadcast to `outShape`. */
function broadcastIndex(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const rank = outShape.length;
  const s = padRank(inShape, rank);
  const count = numElements(outShape);
  const map = new Int32Array(count);
  const strides = new Array<number>(rank);
  let acc = 1;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = s[i] === 1 ? 0 : acc;
    acc *= s[i]!;
  }
  const idx = new Array<number>(rank).fill(0);
  let off = 0;
  for (let o = 0; o < count; o++) {
    map[o] = off;
    for (let a = rank - 1; a >= 0; a--) {
      idx[a]!++;
      off += strides[a]!;
      if (idx[a]! < outShape[a]!) break;
      off -= strides[a]! * outShape[a]!;
      idx[a] = 0;
    }
  }
  return map;
}

/** Expands a constant to a broadcast shape (data copied). */
export function broadcastTo(t: ConstTensor, shape: readonly number[], node: string): ConstTensor {
  const count = numElements(shape);
  checkConstSize(count, node);
  const map = broadcastIndex(t.shape, shape);
  const out = sameKind(t.data, count);
  const src = t.data as Elements;
  const dst = out as Elements;
  for (let i = 0; i < count; i++) dst[i] = src[map[i]!]!;
  return { dtype: t.dtype, shape: [...shape], data: out };
}

type NumOp = (x: number, y: number) => number;
type BigOp = (x: bigint, y: bigint) => bigint;

/** Element-wise binary op with broadcasting; the output has a's dtype (ONNX requires equal types). */
export function binaryConst(
  a: ConstTensor,
  b: ConstTensor,
  f: NumOp,
  g: BigOp,
  node: string,
  outDType?: DType,
): ConstTensor {
  const shape = broadcastShape(a.shape, b.shape, node);
  const count = numElements(shape);
  checkConstSize(count, node);
  const ma = broadcastIndex(a.shape, shape);
  const mb = broadcastIndex(b.shape, shape);
  const dtype = outDType ?? a.dtype;
  const out = allocate(dtype, count);
  const da = a.data as Elements;
  const db = b.data as Elements;
  const dst = out as Elements;
  const big = a.data instanceof BigInt64Array && b.data instanceof BigInt64Array;
  for (let i = 0; i < count; i++) {
    const x = da[ma[i]!]!;
    const y = db[mb[i]!]!;
    if (big) {
      const r = g(x as bigint, y as bigint);
      dst[i] = out instanceof BigInt64Array ? BigInt.asIntN(64, r) : Number(r);
    } else {
      const r = f(Number(x), Number(y));
      dst[i] = out instanceof BigInt64Array ? BigInt(Math.trunc(r)) : r;
    }
  }
  return { dtype, shape, data: out };
}

/** Element-wise unary op on a float or integer constant. */
export function unaryConst(t: ConstTensor, f: (x: number) => number): ConstTensor {
  const out = sameKind(t.data, t.data.length);
  const src = t.data as Elements;
  const dst = out as Elements;
  for (let i = 0; i < src.length; i++) {
    const r = f(Number(src[i]!));
    dst[i] = out instanceof BigInt64Array ? BigInt(Math.trunc(r)) : r;
  }
  return { dtype: t.dtype, shape: t.shape, data: out };
}

/** Cast to an IR dtype with ONNX Cast's conversions (float → integer truncates toward zero). */
export function castConst(t: ConstTensor, to: DType): ConstTensor {
  const out = allocate(to, t.data.length);
  const src = t.data as Elements;
  const dst = out as Elements;
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (to === "bool") dst[i] = Number(v) !== 0 ? 1 : 0;
    else if (out instanceof BigInt64Array)
      dst[i] = typeof v === "bigint" ? v : BigInt(Number.isFinite(v) ? Math.trunc(v) : 0);
    else if (to === "float32") dst[i] = Number(v);
    else dst[i] = Math.trunc(Number(v));
  }
  return { dtype: to, shape: t.shape, data: out };
}

/** Resolves a possibly negative axis, or MCU_E_ONNX_ATTR. */
export function axisOf(axis: number, rank: number, node: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw new McuError("MCU_E_ONNX_ATTR", `axis ${axis} is out of range for rank ${rank}`, { node });
  }
  return a;
}

/** ONNX Gather along `axis` (negative indices count from the end). */
export function gatherConst(
  data: ConstTensor,
  indices: ConstTensor,
  axisAttr: number,
  node: string,
): ConstTensor {
  const rank = data.shape.length;
  const axis = axisOf(axisAttr, rank, node);
  const dim = data.shape[axis]!;
  const idx = constInts(indices).map((i) => {
    const k = i < 0 ? i + dim : i;
    if (!Number.isInteger(k) || k < 0 || k >= dim) {
      throw new McuError("MCU_E_ONNX_INVALID", `Gather index ${i} is out of range for axis of size ${dim}`, {
        node,
      });
    }
    return k;
  });
  const outer = numElements(data.shape.slice(0, axis));
  const inner = numElements(data.shape.slice(axis + 1));
  const shape = [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)];
  const count = numElements(shape);
  checkConstSize(count, node);
  const out = sameKind(data.data, count);
  const src = data.data as Elements;
  const dst = out as Elements;
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (const k of idx) {
      const base = (a * dim + k) * inner;
      for (let j = 0; j < inner; j++) dst[o++] = src[base + j]!;
    }
  }
  return { dtype: data.dtype, shape, data: out };
}

/** ONNX Concat of constants along `axis`. */
export function concatConst(parts: readonly ConstTensor[], axisAttr: number, node: string): ConstTensor {
  const first = parts[0]!;
  const rank = first.shape.length;
  const axis = axisOf(axisAttr, rank, node);
  for (const p of parts) {
    if (p.shape.length !== rank || p.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
      throw new McuError(
        "MCU_E_SHAPE",
        `Concat inputs [${first.shape.join(",")}] and [${p.shape.join(",")}] differ`,
        { node },
      );
    }
    if (p.dtype !== first.dtype)
      throw new McuError("MCU_E_ONNX_INVALID", "Concat inputs have different types", { node });
  }
  const total = parts.reduce((s, p) => s + p.shape[axis]!, 0);
  const shape = first.shape.map((d, i) => (i === axis ? total : d));
  const count = numElements(shape);
  checkConstSize(count, node);
  const outer = numElements(first.shape.slice(0, axis));
  const inner = numElements(first.shape.slice(axis + 1));
  const out = sameKind(first.data, count);
  const dst = out as Elements;
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (const p of parts) {
      const run = p.shape[axis]! * inner;
      const src = p.data as Elements;
      for (let j = 0; j < run; j++) dst[o++] = src[a * run + j]!;
    }
  }
  return { dtype: first.dtype, shape, data: out };
}

/** One axis of an ONNX Slice after clamping (opset 10+ semantics). */
export interface SliceAxis {
  readonly start: number;
  readonly end: number;
  readonly step: number;
  readonly size: number;
}

/**
 * Resolves ONNX Slice `starts/ends/axes/steps` against a shape: negative values count from the
 * end; starts clamp to [0, dim] ([0, dim−1] for negative steps), ends to [0, dim] ([−1, dim−1]).
 */
export function resolveSlice(
  shape: readonly number[],
  starts: readonly number[],
  ends: readonly number[],
  axesIn: readonly number[] | undefined,
  stepsIn: readonly number[] | undefined,
  node: string,
): SliceAxis[] {
  const rank = shape.length;
  const axes = (axesIn ?? starts.map((_, i) => i)).map((a) => axisOf(a, rank, node));
  const steps = stepsIn ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    throw new McuError("MCU_E_ONNX_INVALID", "Slice starts, ends, axes and steps differ in length", { node });
  }
  if (new Set(axes).size !== axes.length)
    throw new McuError("MCU_E_ONNX_INVALID", "Slice axes repeat", { node });
  const out: SliceAxis[] = shape.map((d) => ({ start: 0, end: d, step: 1, size: d }));
  axes.forEach((axis, i) => {
    const dim = shape[axis]!;
    const step = steps[i]!;
    if (step === 0 || !Number.isFinite(step))
      throw new McuError("MCU_E_ONNX_INVALID", "Slice step must not be 0", { node });
    let s = starts[i]!;
    let e = ends[i]!;
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    if (step > 0) {
      s = Math.min(Math.max(s, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
    } else {
      s = Math.min(Math.max(s, 0), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
    }
    const size = Math.max(0, Math.ceil((e - s) / step));
    out[axis] = { start: s, end: e, step, size };
  });
  return out;
}

/** Copies a resolved slice out of a constant. */
export function sliceConst(t: ConstTensor, axes: readonly SliceAxis[], node: string): ConstTensor {
  const shape = axes.map((a) => a.size);
  const count = numElements(shape);
  checkConstSize(count, node);
  const rank = shape.length;
  const strides = new Array<number>(rank);
  let acc = 1;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= t.shape[i]!;
  }
  const out = sameKind(t.data, count);
  const src = t.data as Elements;
  const dst = out as Elements;
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < count; o++) {
    let off = 0;
    for (let a = 0; a < rank; a++) off += (axes[a]!.start + idx[a]! * axes[a]!.step) * strides[a]!;
    dst[o] = src[off]!;
    for (let a = rank - 1; a >= 0; a--) {
      idx[a]!++;
      if (idx[a]! < shape[a]!) break;
      idx[a] = 0;
    }
  }
  return { dtype: t.dtype, shape, data: out };
}

/** ONNX Transpose of a constant (default: reverse the axes). */
export function transposeConst(t: ConstTensor, perm: readonly number[]): ConstTensor {
  return { dtype: t.dtype, shape: perm.map((p) => t.shape[p]!), data: transposeData(t.data, t.shape, perm) };
}

/** A valid permutation of `rank` axes, or MCU_E_ONNX_ATTR. */
export function checkPerm(perm: readonly number[], rank: number, node: string): number[] {
  const ok =
    perm.length === rank &&
    new Set(perm).size === rank &&
    perm.every((p) => Number.isInteger(p) && p >= 0 && p < rank);
  if (!ok)
    throw new McuError("MCU_E_ONNX_ATTR", `perm [${perm.join(",")}] is not a permutation of ${rank} axes`, {
      node,
    });
  return [...perm];
}

/**
 * The target shape of ONNX Reshape: 0 copies the input dimension (unless allowzero), −1 is
 * inferred.
 */
export function reshapeTarget(
  inShape: readonly number[],
  target: readonly number[],
  allowZero: boolean,
  node: string,
): number[] {
  const total = numElements(inShape);
  const dims = target.map((d, i) => (d === 0 && !allowZero ? (inShape[i] ?? Number.NaN) : d));
  const unknown = dims.filter((d) => d === -1).length;
  const known = dims.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const bad = unknown > 1 || dims.some((d) => !Number.isSafeInteger(d) || d < -1);
  const out = dims.map((d) => (d === -1 ? (known === 0 ? Number.NaN : total / known) : d));
  if (bad || out.some((d) => !Number.isSafeInteger(d)) || numElements(out) !== total) {
    throw new McuError("MCU_E_SHAPE", `cannot reshape [${inShape.join(",")}] to [${target.join(",")}]`, {
      node,
    });
  }
  return out;
}

/** The shape after ONNX Unsqueeze inserts size-1 axes at `axes` (of the output rank). */
export function unsqueezeShape(shape: readonly number[], axes: readonly number[], node: string): number[] {
  const rank = shape.length + axes.length;
  const set = new Set(axes.map((a) => axisOf(a, rank, node)));
  if (set.size !== axes.length) throw new McuError("MCU_E_ONNX_ATTR", "Unsqueeze axes repeat", { node });
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(set.has(i) ? 1 : shape[k++]!);
  return out;
}

/** The shape after ONNX Squeeze removes `axes` (all size-1 axes when absent). */
export function squeezeShape(
  shape: readonly number[],
  axes: readonly number[] | undefined,
  node: string,
): number[] {
  if (axes === undefined || axes.length === 0) return shape.filter((d) => d !== 1);
  const set = new Set(axes.map((a) => axisOf(a, shape.length, node)));
  for (const a of set) {
    if (shape[a] !== 1)
      throw new McuError("MCU_E_SHAPE", `cannot squeeze axis ${a} of [${shape.join(",")}]`, { node });
  }
  return shape.filter((_, i) => !set.has(i));
}

/** ONNX Range: start, start + delta, ... up to (excluding) limit. */
export function rangeConst(
  start: ConstTensor,
  limit: ConstTensor,
  delta: ConstTensor,
  node: string,
): ConstTensor {
  const s = Number((start.data as Elements)[0]);
  const l = Number((limit.data as Elements)[0]);
  const d = Number((delta.data as Elements)[0]);
  if (d === 0 || !Number.isFinite(s) || !Number.isFinite(l) || !Number.isFinite(d)) {
    throw new McuError("MCU_E_ONNX_INVALID", "Range needs finite start, limit and a non-zero delta", {
      node,
    });
  }
  const n = Math.max(Math.ceil((l - s) / d), 0);
  checkConstSize(n, node);
  const values = new Array<number>(n);
  for (let i = 0; i < n; i++) values[i] = s + i * d;
  return makeConst(start.dtype, [n], values);
}

/** Round half to even (ONNX QuantizeLinear's rounding). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Which parameter index each element of a tensor uses, for per-tensor or per-axis parameters. */
function paramIndex(
  shape: readonly number[],
  count: number,
  axis: number | undefined,
): (i: number) => number {
  if (count === 1 || axis === undefined) return () => 0;
  const inner = numElements(shape.slice(axis + 1));
  const dim = shape[axis]!;
  return (i) => Math.floor(i / inner) % dim;
}

/** ONNX QuantizeLinear on a constant: saturate(round_half_even(x / scale) + zero_point). */
export function quantizeConst(
  x: ConstTensor,
  scale: readonly number[],
  zeroPoint: readonly number[],
  axis: number | undefined,
  dtype: DType,
  range: { readonly min: number; readonly max: number },
): ConstTensor {
  const out = allocate(dtype, x.data.length);
  const at = paramIndex(x.shape, scale.length, axis);
  const src = x.data as Elements;
  for (let i = 0; i < src.length; i++) {
    const k = at(i);
    const v = roundHalfEven(Math.fround(Number(src[i]!) / scale[k]!)) + zeroPoint[k]!;
    (out as Elements)[i] = Math.min(Math.max(v, range.min), range.max);
  }
  return { dtype, shape: x.shape, data: out };
}

/** ONNX DequantizeLinear on a constant, in float32 as onnxruntime computes it: float(x − zp) · scale. */
export function dequantizeConst(
  x: ConstTensor,
  scale: readonly number[],
  zeroPoint: readonly number[],
  axis: number | undefined,
): ConstTensor {
  const out = new Float32Array(x.data.length);
  const at = paramIndex(x.shape, scale.length, axis);
  const src = x.data as Elements;
  for (let i = 0; i < src.length; i++) {
    const k = at(i);
    out[i] = Math.fround(Math.fround(Number(src[i]!) - zeroPoint[k]!) * Math.fround(scale[k]!));
  }
  return { dtype: "float32", shape: x.shape, data: out };
}
