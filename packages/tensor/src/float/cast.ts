/**
 * core.cast for unquantized tensors, with the semantics of TFLite's cast.cc (`static_cast`
 * element by element): float → integer truncates toward zero, integer → narrower integer
 * wraps modulo 2^bits (two's complement), anything → bool is `x != 0`, bool → number is 0/1.
 * Out-of-range float → integer is undefined in C++; here it truncates and wraps (NaN → 0),
 * which is what JavaScript's typed-array stores do.
 */
import type { DType, TensorData } from "../dtype.js";
import { defineKernel, type KernelDef } from "../kernel.js";
import { castOp } from "../ops/cast.js";
import type { TensorInfo } from "../tensor-info.js";

const CASTABLE: ReadonlySet<DType> = new Set<DType>([
  "float32",
  "int32",
  "int16",
  "int8",
  "uint8",
  "int64",
  "bool",
]);

function castable(t: TensorInfo | undefined): boolean {
  return t !== undefined && CASTABLE.has(t.dtype) && t.quant === undefined;
}

/** Writes `static_cast<to>(x[i])` for every element. */
function castInto(x: TensorData, from: DType, y: TensorData, to: DType): void {
  const n = x.length;
  if (from === "int64") {
    const src = x as BigInt64Array;
    if (to === "int64") (y as BigInt64Array).set(src);
    else if (to === "bool") for (let i = 0; i < n; i++) y[i] = src[i]! !== 0n ? 1 : 0;
    // Wrap to 32 bits first so that Number() stays exact; narrower stores wrap further.
    else if (to === "float32") for (let i = 0; i < n; i++) y[i] = Number(src[i]!);
    else for (let i = 0; i < n; i++) y[i] = Number(BigInt.asIntN(32, src[i]!));
    return;
  }
  const src = x as Exclude<TensorData, BigInt64Array>;
  if (to === "int64") {
    const dst = y as BigInt64Array;
    for (let i = 0; i < n; i++) {
      const v = Math.trunc(src[i]!);
      // Out of int64 range is undefined behaviour in C++: wrap (NaN and ±∞ give 0).
      dst[i] = Number.isFinite(v) ? BigInt.asIntN(64, BigInt(v)) : 0n;
    }
  } else if (to === "bool") {
    for (let i = 0; i < n; i++) y[i] = src[i] !== 0 ? 1 : 0;
  } else {
    // Typed-array stores implement static_cast: ToInt8/ToUint8/ToInt16/ToInt32 truncate and
    // wrap, Float32Array rounds to nearest.
    (y as Exclude<TensorData, BigInt64Array>).set(src);
  }
}

/** core.cast between float32, int32, int16, int8, uint8, int64 and bool (unquantized). */
const castAny = defineKernel(castOp, {
  name: "core/any",
  supports: ({ inputs: [x], outputs: [y] }) => castable(x) && castable(y),
  prepare({ inputs: [x], outputs: [y] }) {
    const from = x!.dtype;
    const to = y!.dtype;
    return ({ inputs: [xv], outputs: [yv] }) => castInto(xv!.data, from, yv!.data, to);
  },
});

/** The cast kernels. */
export const castKernels: readonly KernelDef[] = [castAny];
