/**
 * Float32 reference kernels of the element-wise ops: binary ops with NumPy broadcasting and
 * a fused activation, and the unary activations.
 */
import { numElements } from "../dtype.js";
import type { Attrs } from "../attrs.js";
import { defineKernel, type KernelDef } from "../kernel.js";
import type { OpContract } from "../op.js";
import { activationRange, type FusedActivation } from "../ops/activation.js";
import {
  addOp,
  clipOp,
  divOp,
  hardSwishOp,
  leakyReluOp,
  logisticOp,
  maximumOp,
  minimumOp,
  mulOp,
  relu6Op,
  reluOp,
  signOp,
  subOp,
  tanhOp,
} from "../ops/elementwise.js";
import { broadcastStrides } from "../ops/shape-utils.js";
import { allFloat32 } from "./common.js";

type BinaryFn = (a: number, b: number) => number;

/**
 * How a binary kernel walks its operands, chosen once in prepare(): equal shapes and a scalar
 * side read linearly; a vector along the last axis (per-channel bias, scale) reads modulo its
 * length; anything else walks the output with broadcast strides.
 */
type BinaryPlan =
  | { readonly kind: "same" }
  | { readonly kind: "scalarA" }
  | { readonly kind: "scalarB" }
  | { readonly kind: "channelA"; readonly channels: number }
  | { readonly kind: "channelB"; readonly channels: number }
  | {
      readonly kind: "general";
      readonly shape: readonly number[];
      readonly aStrides: Int32Array;
      readonly bStrides: Int32Array;
      readonly counter: Int32Array;
    };

/** True if `v` is [..., 1, 1, C] with C the last axis of `out` (and rank ≤ out's rank). */
function isLastAxisVector(v: readonly number[], out: readonly number[]): boolean {
  if (v.length === 0 || v.length > out.length) return false;
  const c = v[v.length - 1]!;
  if (c !== out[out.length - 1]) return false;
  return v.slice(0, -1).every((d) => d === 1);
}

function planBinary(a: readonly number[], b: readonly number[], out: readonly number[]): BinaryPlan {
  const na = numElements(a);
  const nb = numElements(b);
  const n = numElements(out);
  // An operand with as many elements as the output is not broadcast along any axis (each of
  // its axes is 1 or the output's size, and a 1 would leave it fewer elements), so its flat
  // layout is the output's, whatever leading 1s its shape has or lacks.
  if (na === n && nb === n) return { kind: "same" };
  if (nb === 1 && na === n) return { kind: "scalarB" };
  if (na === 1 && nb === n) return { kind: "scalarA" };
  if (na === n && isLastAxisVector(b, out)) return { kind: "channelB", channels: nb };
  if (nb === n && isLastAxisVector(a, out)) return { kind: "channelA", channels: na };
  const rank = out.length;
  return {
    kind: "general",
    shape: out,
    aStrides: Int32Array.from(broadcastStrides(a, rank)),
    bStrides: Int32Array.from(broadcastStrides(b, rank)),
    counter: new Int32Array(rank),
  };
}

/** Applies `fn` over broadcast operands into `y` (values still unrounded doubles). */
function runBinary(plan: BinaryPlan, fn: BinaryFn, a: Float32Array, b: Float32Array, y: Float32Array): void {
  const n = y.length;
  switch (plan.kind) {
    case "same":
      for (let i = 0; i < n; i++) y[i] = fn(a[i]!, b[i]!);
      return;
    case "scalarB": {
      const s = b[0]!;
      for (let i = 0; i < n; i++) y[i] = fn(a[i]!, s);
      return;
    }
    case "scalarA": {
      const s = a[0]!;
      for (let i = 0; i < n; i++) y[i] = fn(s, b[i]!);
      return;
    }
    case "channelB": {
      const c = plan.channels;
      for (let i = 0; i < n; i += c) for (let j = 0; j < c; j++) y[i + j] = fn(a[i + j]!, b[j]!);
      return;
    }
    case "channelA": {
      const c = plan.channels;
      for (let i = 0; i < n; i += c) for (let j = 0; j < c; j++) y[i + j] = fn(a[j]!, b[i + j]!);
      return;
    }
    case "general":
      broadcastWalk(plan, fn, a, b, y);
      return;
  }
}

/** The odometer walk over the output: innermost axis in a tight loop, outer axes by counter. */
function broadcastWalk(
  plan: Extract<BinaryPlan, { kind: "general" }>,
  fn: BinaryFn,
  a: Float32Array,
  b: Float32Array,
  y: Float32Array,
): void {
  const { shape, aStrides, bStrides, counter } = plan;
  const n = y.length;
  if (n === 0) return;
  const rank = shape.length;
  if (rank === 0) {
    y[0] = fn(a[0]!, b[0]!);
    return;
  }
  const inner = shape[rank - 1]!;
  const sa = aStrides[rank - 1]!;
  const sb = bStrides[rank - 1]!;
  counter.fill(0);
  let ao = 0;
  let bo = 0;
  for (let o = 0; o < n; o += inner) {
    for (let j = 0; j < inner; j++) y[o + j] = fn(a[ao + j * sa]!, b[bo + j * sb]!);
    // Advance the outer axes (rank − 2 down to 0), carrying like an odometer.
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]! += 1;
      ao += aStrides[d]!;
      bo += bStrides[d]!;
      if (counter[d]! < shape[d]!) break;
      ao -= aStrides[d]! * shape[d]!;
      bo -= bStrides[d]! * shape[d]!;
      counter[d] = 0;
    }
  }
}

/** Applies a fused activation in place to values already rounded to float32. */
function applyFused(y: Float32Array, act: FusedActivation): void {
  if (act === "NONE") return;
  if (act === "TANH") {
    for (let i = 0; i < y.length; i++) y[i] = Math.tanh(y[i]!);
    return;
  }
  const { min, max } = activationRange(act);
  // Comparisons (not Math.min/max) so that NaN passes through, as in applyActivation.
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    y[i] = v < min ? min : v > max ? max : v;
  }
}

function binaryKernel(op: typeof addOp, fn: BinaryFn): KernelDef {
  return defineKernel(op, {
    name: "core/float32",
    supports: allFloat32,
    prepare(ctx) {
      const [a, b] = ctx.inputs;
      const plan = planBinary(a!.shape, b!.shape, ctx.outputs[0]!.shape);
      const act = ctx.attrs.fusedActivation;
      return ({ inputs: [av, bv], outputs: [yv] }) => {
        const y = yv!.data as Float32Array;
        runBinary(plan, fn, av!.data as Float32Array, bv!.data as Float32Array, y);
        applyFused(y, act);
      };
    },
  });
}

function unaryKernel(op: OpContract, makeFn: (attrs: Attrs) => (x: number) => number): KernelDef {
  return defineKernel(op, {
    name: "core/float32",
    supports: allFloat32,
    prepare(ctx) {
      const fn = makeFn(ctx.attrs);
      return ({ inputs: [xv], outputs: [yv] }) => {
        const x = xv!.data as Float32Array;
        const y = yv!.data as Float32Array;
        for (let i = 0; i < x.length; i++) y[i] = fn(x[i]!);
      };
    },
  });
}

// Maximum and minimum propagate NaN (IEEE 754-2019 maximum/minimum, like Math.max/min).
const binaryKernels = [
  binaryKernel(addOp, (a, b) => a + b),
  binaryKernel(subOp, (a, b) => a - b),
  binaryKernel(mulOp, (a, b) => a * b),
  binaryKernel(divOp, (a, b) => a / b),
  binaryKernel(maximumOp, Math.max),
  binaryKernel(minimumOp, Math.min),
];

// Comparisons rather than Math.max/min keep NaN as NaN and follow each contract's formula.
const unaryKernels = [
  unaryKernel(reluOp, () => (x) => (x < 0 ? 0 : x)),
  unaryKernel(relu6Op, () => (x) => (x < 0 ? 0 : x > 6 ? 6 : x)),
  unaryKernel(leakyReluOp, (attrs) => {
    const alpha = attrs.alpha as number;
    return (x) => (x >= 0 ? x : alpha * x);
  }),
  // The two branches avoid exp overflow: for x < 0, 1/(1+e^−x) = e^x/(1+e^x).
  unaryKernel(logisticOp, () => (x) => {
    if (x >= 0) return 1 / (1 + Math.exp(-x));
    const e = Math.exp(x);
    return e / (1 + e);
  }),
  unaryKernel(tanhOp, () => Math.tanh),
  unaryKernel(hardSwishOp, () => (x) => {
    const r = x + 3;
    return (x * (r < 0 ? 0 : r > 6 ? 6 : r)) / 6;
  }),
  unaryKernel(clipOp, (attrs) => {
    const lo = attrs.min as number;
    const hi = attrs.max as number;
    // min(max(x, lo), hi) literally: with lo > hi every value becomes hi (as ONNX Clip).
    return (x) => {
      const v = x < lo ? lo : x;
      return v > hi ? hi : v;
    };
  }),
  // sign(±0) = 0 and sign(NaN) = NaN (ONNX Sign).
  unaryKernel(signOp, () => (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : Number.NaN)),
];

/** Float32 kernels of the binary element-wise ops and the unary activations. */
export const elementwiseKernels: readonly KernelDef[] = [...binaryKernels, ...unaryKernels];
