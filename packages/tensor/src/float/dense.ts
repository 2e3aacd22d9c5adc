/**
 * Float32 reference kernels of the dense ops: fully connected, matmul and batch matmul.
 * Products are accumulated in double precision and rounded to float32 once, on store; the
 * numerics contract (DESIGN.md) allows a different summation order than TFLite/ONNX Runtime.
 */
import { numElements } from "../dtype.js";
import { defineKernel, type KernelDef } from "../kernel.js";
import { activationRange } from "../ops/activation.js";
import { batchMatmulOp, fullyConnectedOp, matmulOp } from "../ops/dense.js";
import { broadcastStrides, stridesOf } from "../ops/shape-utils.js";
import { allFloat32 } from "./common.js";

/** How to read op(a) of a matmul as an [m, k] matrix and op(b) as [k, n]. */
interface MatmulLayout {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** Element (i, p) of op(a) is at aRow·i + aCol·p. */
  readonly aRow: number;
  readonly aCol: number;
  /** Element (p, j) of op(b) is at bRow·p + bCol·j. */
  readonly bRow: number;
  readonly bCol: number;
}

function matmulLayout(a: readonly number[], b: readonly number[], ta: boolean, tb: boolean): MatmulLayout {
  const ra = a.length;
  const rb = b.length;
  const aRows = a[ra - 2]!;
  const aCols = a[ra - 1]!;
  const bRows = b[rb - 2]!;
  const bCols = b[rb - 1]!;
  return {
    m: ta ? aCols : aRows,
    k: ta ? aRows : aCols,
    n: tb ? bRows : bCols,
    aRow: ta ? 1 : aCols,
    aCol: ta ? aCols : 1,
    bRow: tb ? 1 : bCols,
    bCol: tb ? bCols : 1,
  };
}

/** y[yOff + i·n + j] = Σ_p op(a)[i, p] · op(b)[p, j] for one matrix pair. */
function matmulInto(
  a: Float32Array,
  aOff: number,
  b: Float32Array,
  bOff: number,
  y: Float32Array,
  yOff: number,
  l: MatmulLayout,
): void {
  const { m, k, n, aRow, aCol, bRow, bCol } = l;
  for (let i = 0; i < m; i++) {
    const aBase = aOff + i * aRow;
    for (let j = 0; j < n; j++) {
      const bBase = bOff + j * bCol;
      let acc = 0;
      for (let p = 0; p < k; p++) acc += a[aBase + p * aCol]! * b[bBase + p * bRow]!;
      y[yOff + i * n + j] = acc;
    }
  }
}

/** core.fully_connected: y[r, o] = act(bias[o] + Σ_i x[r, i] · w[o, i]), x read as [numel/in, in]. */
const fullyConnectedFloat32 = defineKernel(fullyConnectedOp, {
  name: "core/float32",
  supports: allFloat32,
  prepare({ inputs: [, w], attrs }) {
    const [outFeatures, inFeatures] = w!.shape as [number, number];
    const { min, max } = activationRange(attrs.fusedActivation);
    const tanh = attrs.fusedActivation === "TANH";
    return ({ inputs: [xv, wv, bv], outputs: [yv] }) => {
      const x = xv!.data as Float32Array;
      const wd = wv!.data as Float32Array;
      const bias = bv?.data as Float32Array | undefined;
      const y = yv!.data as Float32Array;
      const rows = inFeatures === 0 ? 0 : x.length / inFeatures;
      for (let r = 0; r < rows; r++) {
        const xBase = r * inFeatures;
        for (let o = 0; o < outFeatures; o++) {
          const wBase = o * inFeatures;
          let acc = 0;
          for (let i = 0; i < inFeatures; i++) acc += x[xBase + i]! * wd[wBase + i]!;
          if (bias !== undefined) acc += bias[o]!;
          // Clamps whose bounds are float32 values commute with the float32 rounding; TANH
          // reads the rounded sum, as TFLite applies it to the float output.
          const v = tanh ? Math.tanh(Math.fround(acc)) : acc < min ? min : acc > max ? max : acc;
          y[r * outFeatures + o] = v;
        }
      }
    };
  },
});

/** core.matmul: y = op(a) · op(b) for rank-2 a and b. */
const matmulFloat32 = defineKernel(matmulOp, {
  name: "core/float32",
  supports: allFloat32,
  prepare({ inputs: [a, b], attrs }) {
    const layout = matmulLayout(a!.shape, b!.shape, attrs.transposeA, attrs.transposeB);
    return ({ inputs: [av, bv], outputs: [yv] }) => {
      matmulInto(
        av!.data as Float32Array,
        0,
        bv!.data as Float32Array,
        0,
        yv!.data as Float32Array,
        0,
        layout,
      );
    };
  },
});

/**
 * core.batch_matmul: one matmul per index of the broadcast batch axes. The offsets of each
 * batch's a and b matrices are precomputed (NumPy broadcasting, stride 0 on size-1 axes).
 */
const batchMatmulFloat32 = defineKernel(batchMatmulOp, {
  name: "core/float32",
  supports: allFloat32,
  prepare({ inputs: [a, b], outputs: [y], attrs }) {
    const layout = matmulLayout(a!.shape, b!.shape, attrs.transposeA, attrs.transposeB);
    const batchShape = y!.shape.slice(0, -2);
    const rank = batchShape.length;
    const aMat = a!.shape[a!.shape.length - 2]! * a!.shape[a!.shape.length - 1]!;
    const bMat = b!.shape[b!.shape.length - 2]! * b!.shape[b!.shape.length - 1]!;
    const aStrides = broadcastStrides(a!.shape.slice(0, -2), rank);
    const bStrides = broadcastStrides(b!.shape.slice(0, -2), rank);
    const outStrides = stridesOf(batchShape);
    const batches = numElements(batchShape);
    const aOffsets = new Int32Array(batches);
    const bOffsets = new Int32Array(batches);
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
      aOffsets[t] = ao * aMat;
      bOffsets[t] = bo * bMat;
    }
    const yMat = layout.m * layout.n;
    return ({ inputs: [av, bv], outputs: [yv] }) => {
      const ad = av!.data as Float32Array;
      const bd = bv!.data as Float32Array;
      const yd = yv!.data as Float32Array;
      for (let t = 0; t < batches; t++) matmulInto(ad, aOffsets[t]!, bd, bOffsets[t]!, yd, t * yMat, layout);
    };
  },
});

/** Float32 kernels of core.fully_connected, core.matmul and core.batch_matmul. */
export const denseKernels: readonly KernelDef[] = [fullyConnectedFloat32, matmulFloat32, batchMatmulFloat32];
