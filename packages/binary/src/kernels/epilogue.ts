/**
 * The output stage shared by the binary kernels: one row of per-channel dot products (the
 * channels of one output pixel, or the outputs of one batch item) becomes int32 values, float32
 * values (scale·dot + bias, in float32 arithmetic), or bits (+1 iff s·dot ≥ threshold, s = −1
 * where the flip bit is set). The C kernels implement the same stage operation for operation.
 */
import { bitRowWords, InternalError, type TensorData, type TensorInfo } from "@mcu/tensor";
import type { OutputKind } from "../ops/shared.js";

/** A prepared output stage for rows of `channels` values. */
export interface Epilogue {
  readonly kind: OutputKind;
  readonly channels: number;
  /** Storage elements (values, or uint32 words for bits) one row takes in the output. */
  readonly rowStride: number;
  /** Writes row `row` of the output from `acc[0..channels)`. */
  write(out: TensorData, row: number, acc: Float64Array): void;
}

function floats(t: TensorInfo | undefined): Float32Array | undefined {
  if (t === undefined) return undefined;
  if (!(t.data instanceof Float32Array)) throw new InternalError(`${t.name} must be a float32 constant`);
  return t.data;
}

/**
 * The stage for a node whose epilogue inputs (scale, bias, threshold, flip) are at positions
 * 2–5. Float32 arithmetic is emulated with `Math.fround` after every operation, which gives
 * exactly the float32 result (double holds every product and sum of two floats to within one
 * rounding that `fround` then corrects: Figueroa, "When is double rounding innocuous?", 1995).
 */
export function prepareEpilogue(
  kind: OutputKind,
  inputs: readonly (TensorInfo | undefined)[],
  channels: number,
): Epilogue {
  const f = Math.fround;
  if (kind === "int32") {
    return {
      kind,
      channels,
      rowStride: channels,
      write(out, row, acc) {
        const y = out as Int32Array;
        const base = row * channels;
        for (let o = 0; o < channels; o++) y[base + o] = acc[o]!;
      },
    };
  }
  if (kind === "float32") {
    const scale = floats(inputs[2]);
    const bias = floats(inputs[3]);
    return {
      kind,
      channels,
      rowStride: channels,
      write(out, row, acc) {
        const y = out as Float32Array;
        const base = row * channels;
        for (let o = 0; o < channels; o++) {
          let v = f(acc[o]!);
          if (scale !== undefined) v = f(v * scale[o]!);
          if (bias !== undefined) v = f(v + bias[o]!);
          y[base + o] = v;
        }
      },
    };
  }
  const t = inputs[4];
  if (t?.data === undefined) throw new InternalError("a bit output needs a constant threshold");
  const threshold = Float64Array.from(t.data as Int32Array | Float32Array);
  const flipData = inputs[5]?.data as Uint32Array | undefined;
  const sign = new Float64Array(channels).fill(1);
  if (flipData !== undefined)
    for (let o = 0; o < channels; o++) if ((flipData[o >>> 5]! >>> (o & 31)) & 1) sign[o] = -1;
  const words = bitRowWords([channels]);
  return {
    kind,
    channels,
    rowStride: words,
    write(out, row, acc) {
      const y = out as Uint32Array;
      const base = row * words;
      for (let k = 0; k < words; k++) {
        let word = 0;
        const end = Math.min(32, channels - k * 32);
        for (let j = 0; j < end; j++) {
          const o = k * 32 + j;
          if (!(sign[o]! * acc[o]! >= threshold[o]!)) word |= 1 << j;
        }
        y[base + k] = word >>> 0;
      }
    },
  };
}
