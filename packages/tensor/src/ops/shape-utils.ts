/** Shape helpers shared by op contracts and kernels. */
import { McuError } from "../errors.js";
import { formatShape } from "../tensor-info.js";

function where(node: string | undefined): { node?: string } {
  return node !== undefined ? { node } : {};
}

/** NumPy broadcasting of two shapes, or `MCU_E_SHAPE`. */
export function broadcastShapes(a: readonly number[], b: readonly number[], node?: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new McuError("MCU_E_SHAPE", `shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast`, where(node));
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Resolves a possibly negative axis against a rank, or `MCU_E_ATTR`. */
export function normalizeAxis(axis: number, rank: number, node?: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) {
    throw new McuError("MCU_E_ATTR", `axis ${axis} is out of range for rank ${rank}`, where(node));
  }
  return a;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/**
 * Strides for reading an input of shape `inShape` while walking a broadcast output of
 * rank `rank`: 0 where the input is broadcast.
 */
export function broadcastStrides(inShape: readonly number[], rank: number): number[] {
  const own = stridesOf(inShape);
  const out = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const o = rank - inShape.length + i;
    out[o] = inShape[i] === 1 ? 0 : own[i]!;
  }
  return out;
}

/** Throws `MCU_E_SHAPE` unless the tensor has the given rank. */
export function expectRank(shape: readonly number[], rank: number, what: string, node?: string): void {
  if (shape.length !== rank) {
    throw new McuError("MCU_E_SHAPE", `${what} must have rank ${rank}, got ${formatShape(shape)}`, where(node));
  }
}

/** Throws `MCU_E_SHAPE` with a message when `ok` is false. */
export function expectShape(ok: boolean, message: string, node?: string): void {
  if (!ok) throw new McuError("MCU_E_SHAPE", message, where(node));
}
