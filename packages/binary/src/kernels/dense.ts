/** TS kernel of `binary.fully_connected`: dot = F − 2·popcount(x XOR w) over packed words. */
import { defineKernel, numElements, storageLength } from "@mcu/tensor";
import { popcount32 } from "../bits.js";
import { binaryFullyConnectedOp } from "../ops/dense.js";
import { signedView } from "./conv.js";
import { prepareEpilogue } from "./epilogue.js";

/** binary.fully_connected on bit input and weights. */
export const binaryFullyConnectedKernel = defineKernel(binaryFullyConnectedOp, {
  name: "binary/popcount",
  supports: ({ inputs: [x, w] }) => x?.dtype === "bit" && w?.dtype === "bit" && w.data !== undefined,
  prepare({ inputs, attrs }) {
    const x = inputs[0]!;
    const w = inputs[1]!;
    const features = x.shape.slice(1);
    const f = numElements(features);
    // Words of one batch item's features (rows of the last axis, each padded to whole words).
    const words = storageLength("bit", features);
    const outs = w.shape[0]!;
    const batches = x.shape[0]!;
    const wd = signedView(w.data as Uint32Array);
    const epi = prepareEpilogue(attrs.output, inputs, outs);
    const acc = new Float64Array(outs);
    return ({ inputs: [xv], outputs: [yv] }) => {
      const xd = signedView(xv!.data as Uint32Array);
      for (let b = 0; b < batches; b++) {
        const xb = b * words;
        for (let o = 0; o < outs; o++) {
          const wb = o * words;
          let ones = 0;
          for (let k = 0; k < words; k++) ones += popcount32(xd[xb + k]! ^ wd[wb + k]!);
          acc[o] = f - 2 * ones;
        }
        epi.write(yv!.data, b, acc);
      }
    };
  },
});
