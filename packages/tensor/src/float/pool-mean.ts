/** Float32 reference kernel of core.mean. */
import { numElements } from "../dtype.js";
import { defineKernel } from "../kernel.js";
import { meanOp } from "../ops/pool.js";
import { normalizeAxis, stridesOf } from "../ops/shape-utils.js";
import { allFloat32 } from "./common.js";

/**
 * core.mean on float32 (TFLite MEAN, ONNX ReduceMean): the mean of x over `axes`, any set of
 * axes, with or without `keepDims` (which only changes the output shape, not its order). An
 * empty `axes` list reduces nothing. Sums are accumulated in double precision; the input is
 * walked in memory order with an odometer over all axes but the last, whose row is added
 * with a single stride.
 */
export const meanFloat32 = defineKernel(meanOp, {
  name: "core/float32",
  supports: allFloat32,
  prepare({ node, attrs, inputs }) {
    const shape = inputs[0]!.shape;
    const rank = shape.length;
    const reduced = new Set(attrs.axes.map((a) => normalizeAxis(a, rank, node.name)));
    const keptShape = shape.map((d, i) => (reduced.has(i) ? 1 : d));
    const keptStrides = stridesOf(keptShape);
    // Output stride of each input axis: 0 along reduced axes.
    const outStride = Int32Array.from(shape, (_, i) => (reduced.has(i) ? 0 : keptStrides[i]!));
    let count = 1;
    for (const a of reduced) count *= shape[a]!;
    const outSize = numElements(keptShape);
    const acc = new Float64Array(outSize);
    const last = rank === 0 ? 1 : shape[rank - 1]!;
    const lastStride = rank === 0 ? 0 : outStride[rank - 1]!;
    const rows = last === 0 ? 0 : numElements(shape) / last;
    const index = new Int32Array(Math.max(rank - 1, 0));
    return ({ inputs: [xv], outputs: [yv] }) => {
      const x = xv!.data as Float32Array;
      const y = yv!.data as Float32Array;
      acc.fill(0);
      index.fill(0);
      let xi = 0;
      let base = 0;
      for (let r = 0; r < rows; r++) {
        if (lastStride === 0) {
          let s = 0;
          for (let j = 0; j < last; j++) s += x[xi + j]!;
          acc[base]! += s;
        } else {
          for (let j = 0; j < last; j++) acc[base + j * lastStride]! += x[xi + j]!;
        }
        xi += last;
        // Advance the odometer over the leading axes, keeping `base` = Σ index·outStride.
        for (let a = rank - 2; a >= 0; a--) {
          base += outStride[a]!;
          if (++index[a]! < shape[a]!) break;
          base -= index[a]! * outStride[a]!;
          index[a] = 0;
        }
      }
      for (let i = 0; i < outSize; i++) y[i] = acc[i]! / count;
    };
  },
});
