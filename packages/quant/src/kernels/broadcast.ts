/** NumPy broadcasting of two operands onto an output, as flat index maps built once in prepare(). */
import { broadcastStrides } from "@mcu/tensor";

/** Source indices of each output element in both operands; absent when no broadcast is needed. */
export interface BroadcastMaps {
  readonly a: Int32Array | undefined;
  readonly b: Int32Array | undefined;
}

/** The flat index of each output element in an operand of shape `shape` (broadcast to `out`). */
export function broadcastIndex(shape: readonly number[], out: readonly number[]): Int32Array | undefined {
  const total = out.reduce((p, d) => p * d, 1);
  const size = shape.reduce((p, d) => p * d, 1);
  if (size === total) return undefined;
  const rank = out.length;
  const strides = broadcastStrides(shape, rank);
  const map = new Int32Array(total);
  const counter = new Int32Array(rank);
  let src = 0;
  for (let i = 0; i < total; i++) {
    map[i] = src;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]! += 1;
      src += strides[d]!;
      if (counter[d]! < out[d]!) break;
      src -= strides[d]! * out[d]!;
      counter[d] = 0;
    }
  }
  return map;
}

/** Index maps of both operands of a broadcasting binary op. */
export function broadcastMaps(
  a: readonly number[],
  b: readonly number[],
  out: readonly number[],
): BroadcastMaps {
  return { a: broadcastIndex(a, out), b: broadcastIndex(b, out) };
}
