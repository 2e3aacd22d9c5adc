/** TS kernel of `binary.sign`: packs x < 0 as set bits along the last axis. */
import { bitRowWords, defineKernel, numElements } from "@mcu/tensor";
import { binarySignOp } from "../ops/sign.js";

/** binary.sign on float32 or int32. */
export const binarySignKernel = defineKernel(binarySignOp, {
  name: "binary/any",
  supports: ({ inputs: [x] }) => x?.dtype === "float32" || x?.dtype === "int32",
  prepare({ inputs: [x] }) {
    const last = x!.shape[x!.shape.length - 1]!;
    const rows = last === 0 ? 0 : numElements(x!.shape) / last;
    const words = bitRowWords(x!.shape);
    return ({ inputs: [xv], outputs: [yv] }) => {
      const xd = xv!.data as Float32Array | Int32Array;
      const y = yv!.data as Uint32Array;
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < words; k++) {
          let word = 0;
          const base = r * last + k * 32;
          const end = Math.min(32, last - k * 32);
          for (let j = 0; j < end; j++) if (xd[base + j]! < 0) word |= 1 << j;
          y[r * words + k] = word >>> 0;
        }
      }
    };
  },
});
