/**
 * Data-movement kernels for every dtype ("core/any"): reshape, flatten, squeeze, expand_dims,
 * transpose and concat. Values are copied, never requantized, so they run only when inputs and
 * outputs share one dtype and identical quantization (`sameTypeMovement`).
 *
 * `bit` tensors are packed per row of their last axis (see `bitRowWords`), so their storage is
 * not a flat array of elements: they are moved element by element through bit accessors,
 * except where the row layout is unchanged (a reshape that keeps the last axis).
 */
import { bitRowWords, type TensorData } from "../dtype.js";
import { defineKernel, type KernelDef } from "../kernel.js";
import type { OpContract } from "../op.js";
import { activationRange, type FusedActivation } from "../ops/activation.js";
import { normalizeAxis, stridesOf } from "../ops/shape-utils.js";
import { concatOp, expandDimsOp, flattenOp, reshapeOp, squeezeOp, transposeOp } from "../ops/shape.js";
import { sameTypeMovement } from "./common.js";

/** Element access common to every typed array of one dtype (number or bigint elements). */
interface Indexed {
  [i: number]: number | bigint;
  readonly length: number;
}

/** The minimal typed-array surface used for run copies between arrays of one type. */
interface RunCopyable {
  set(src: RunCopyable, offset: number): void;
  subarray(begin: number, end: number): RunCopyable;
}

/** How to address element e of a packed `bit` tensor: last-axis length and words per row. */
interface BitLayout {
  readonly last: number;
  readonly words: number;
}

function bitLayout(shape: readonly number[]): BitLayout {
  return { last: shape.length === 0 ? 1 : shape[shape.length - 1]!, words: bitRowWords(shape) };
}

function bitGet(data: Uint32Array, l: BitLayout, e: number): number {
  const row = Math.floor(e / l.last);
  const col = e - row * l.last;
  return (data[row * l.words + (col >>> 5)]! >>> (col & 31)) & 1;
}

function bitSet(data: Uint32Array, l: BitLayout, e: number, v: number): void {
  const row = Math.floor(e / l.last);
  const col = e - row * l.last;
  const w = row * l.words + (col >>> 5);
  const mask = 1 << (col & 31);
  data[w] = v !== 0 ? data[w]! | mask : data[w]! & ~mask;
}

/** Copies `len` elements from src[s..] to dst[d..] (element indices, any dtype). */
function copyRun(
  src: TensorData,
  srcLayout: BitLayout | undefined,
  s: number,
  dst: TensorData,
  dstLayout: BitLayout | undefined,
  d: number,
  len: number,
): void {
  if (srcLayout !== undefined && dstLayout !== undefined) {
    for (let i = 0; i < len; i++)
      bitSet(dst as Uint32Array, dstLayout, d + i, bitGet(src as Uint32Array, srcLayout, s + i));
    return;
  }
  (dst as unknown as RunCopyable).set((src as unknown as RunCopyable).subarray(s, s + len), d);
}

/** Kernels that copy their input unchanged under a new shape. */
function reshapeLikeKernel(op: OpContract): KernelDef {
  return defineKernel(op, {
    name: "core/any",
    supports: sameTypeMovement,
    prepare({ inputs: [x], outputs: [y] }) {
      const count = x!.shape.reduce((p, d) => p * d, 1);
      // A bit tensor's storage is unchanged when its last axis is (rows stay rows).
      const repack = x!.dtype === "bit" && bitLayout(x!.shape).last !== bitLayout(y!.shape).last;
      if (!repack) {
        return ({ inputs: [xv], outputs: [yv] }) => {
          if (yv!.data !== xv!.data)
            (yv!.data as unknown as RunCopyable).set(xv!.data as unknown as RunCopyable, 0);
        };
      }
      const inL = bitLayout(x!.shape);
      const outL = bitLayout(y!.shape);
      return ({ inputs: [xv], outputs: [yv] }) => copyRun(xv!.data, inL, 0, yv!.data, outL, 0, count);
    },
  });
}

/**
 * core.transpose: y.shape[i] = x.shape[perm[i]]. The output is walked in order with an
 * odometer; the input offset moves by x's stride of axis perm[i] along output axis i.
 */
const transposeAny = defineKernel(transposeOp, {
  name: "core/any",
  supports: sameTypeMovement,
  prepare({ inputs: [x], outputs: [y], attrs }) {
    const outShape = y!.shape;
    const rank = outShape.length;
    const inStrides = stridesOf(x!.shape);
    const step = Int32Array.from(attrs.perm, (p) => inStrides[p]!);
    const counter = new Int32Array(rank);
    const total = outShape.reduce((p, d) => p * d, 1);
    const bits = x!.dtype === "bit";
    const inL = bitLayout(x!.shape);
    const outL = bitLayout(outShape);
    return ({ inputs: [xv], outputs: [yv] }) => {
      if (total === 0) return;
      if (rank === 0) {
        copyRun(xv!.data, bits ? inL : undefined, 0, yv!.data, bits ? outL : undefined, 0, 1);
        return;
      }
      const xd = xv!.data;
      const yd = yv!.data;
      const inner = outShape[rank - 1]!;
      const innerStep = step[rank - 1]!;
      counter.fill(0);
      let src = 0;
      for (let o = 0; o < total; o += inner) {
        if (bits) {
          for (let j = 0; j < inner; j++) {
            bitSet(yd as Uint32Array, outL, o + j, bitGet(xd as Uint32Array, inL, src + j * innerStep));
          }
        } else {
          const xi = xd as unknown as Indexed;
          const yi = yd as unknown as Indexed;
          for (let j = 0; j < inner; j++) yi[o + j] = xi[src + j * innerStep]!;
        }
        for (let d = rank - 2; d >= 0; d--) {
          counter[d]! += 1;
          src += step[d]!;
          if (counter[d]! < outShape[d]!) break;
          src -= step[d]! * outShape[d]!;
          counter[d] = 0;
        }
      }
    };
  },
});

/** Applies a fused activation in place to float32 values (the concat output). */
function applyFused(y: Float32Array, act: FusedActivation): void {
  if (act === "TANH") {
    for (let i = 0; i < y.length; i++) y[i] = Math.tanh(y[i]!);
    return;
  }
  const { min, max } = activationRange(act);
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    y[i] = v < min ? min : v > max ? max : v;
  }
}

/**
 * core.concat: the output is `outer` blocks; block k holds, input after input, each input's
 * k-th slab of shape[axis]·prod(shape[axis+1:]) elements. A fused activation is a real-valued
 * clamp, so it is applied only to float32 outputs; other dtypes require NONE.
 */
const concatAny = defineKernel(concatOp, {
  name: "core/any",
  supports: (ctx) =>
    sameTypeMovement(ctx) && (ctx.attrs.fusedActivation === "NONE" || ctx.outputs[0]!.dtype === "float32"),
  prepare({ inputs, outputs: [y], attrs }) {
    const shape = y!.shape;
    const axis = normalizeAxis(attrs.axis, shape.length);
    const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const slabs = Int32Array.from(inputs, (t) => t!.shape[axis]! * inner);
    const total = shape[axis]! * inner;
    const bits = y!.dtype === "bit";
    const layouts = inputs.map((t) => (bits ? bitLayout(t!.shape) : undefined));
    const outL = bits ? bitLayout(shape) : undefined;
    const act = attrs.fusedActivation;
    return ({ inputs: values, outputs: [yv] }) => {
      const yd = yv!.data;
      for (let k = 0; k < outer; k++) {
        let d = k * total;
        for (let j = 0; j < values.length; j++) {
          const len = slabs[j]!;
          copyRun(values[j]!.data, layouts[j], k * len, yd, outL, d, len);
          d += len;
        }
      }
      if (act !== "NONE") applyFused(yd as Float32Array, act);
    };
  },
});

/** Data-movement kernels ("core/any") for every dtype. */
export const movementKernels: readonly KernelDef[] = [
  reshapeLikeKernel(reshapeOp),
  reshapeLikeKernel(flattenOp),
  reshapeLikeKernel(squeezeOp),
  reshapeLikeKernel(expandDimsOp),
  transposeAny,
  concatAny,
];
