/**
 * In-place patches of .tflite files made with the `flatbuffers` runtime, independently of
 * @mcu's own reader and writer; every other byte is unchanged. Test-only.
 *
 * LiteRT.js cannot run tensors whose shape_signature has a dynamic (−1) dimension (it has no
 * resize API), so the oracle runs a copy of the model with those −1s set to 1 — the batch the
 * `shape` field already records.
 */
import { ByteBuffer } from "flatbuffers";

/** vtable offset of field `slot` (FlatBuffers: 4 + 2·slot). */
const field = (slot: number): number => 4 + 2 * slot;

/** A copy of a .tflite file whose shape_signature entries −1 are 1. */
export function withStaticBatch(model: Uint8Array): Uint8Array {
  const bytes = model.slice();
  const bb = new ByteBuffer(bytes);
  const root = bb.readInt32(0);
  const subgraphs = bb.__offset(root, field(2)); // Model.subgraphs
  if (subgraphs === 0) return bytes;
  const sgVec = bb.__vector(root + subgraphs);
  for (let s = 0; s < bb.__vector_len(root + subgraphs); s++) {
    const sg = bb.__indirect(sgVec + 4 * s);
    const tensors = bb.__offset(sg, field(0)); // SubGraph.tensors
    if (tensors === 0) continue;
    const tVec = bb.__vector(sg + tensors);
    for (let t = 0; t < bb.__vector_len(sg + tensors); t++) {
      const tensor = bb.__indirect(tVec + 4 * t);
      const sig = bb.__offset(tensor, field(7)); // Tensor.shape_signature
      if (sig === 0) continue;
      const start = bb.__vector(tensor + sig);
      for (let i = 0; i < bb.__vector_len(tensor + sig); i++) {
        if (bb.readInt32(start + 4 * i) === -1) bb.writeInt32(start + 4 * i, 1);
      }
    }
  }
  return bytes;
}

/** The table of element `i` of the table vector in field `slot` of `table`. */
function element(bb: ByteBuffer, table: number, slot: number, i: number): number {
  const off = bb.__offset(table, field(slot));
  if (off === 0 || i >= bb.__vector_len(table + off)) throw new Error(`no element ${i} in slot ${slot}`);
  return bb.__indirect(bb.__vector(table + off) + 4 * i);
}

/** The position of a stored scalar field (throws when the file omits it). */
function scalarAt(bb: ByteBuffer, table: number, slot: number): number {
  const off = bb.__offset(table, field(slot));
  if (off === 0) throw new Error(`field ${slot} is not stored`);
  return table + off;
}

/** A copy whose operator_codes[i] says builtin `code` (both the deprecated byte and builtin_code). */
export function withOpcode(model: Uint8Array, i: number, code: number): Uint8Array {
  const bytes = model.slice();
  const bb = new ByteBuffer(bytes);
  const opcode = element(bb, bb.readInt32(0), 1, i);
  bb.writeInt8(scalarAt(bb, opcode, 0), Math.min(code, 127));
  if (bb.__offset(opcode, field(3)) !== 0) bb.writeInt32(scalarAt(bb, opcode, 3), code);
  return bytes;
}

/** A copy whose subgraphs[0].tensors[t] refers to buffer `buffer`. */
export function withTensorBuffer(model: Uint8Array, t: number, buffer: number): Uint8Array {
  const bytes = model.slice();
  const bb = new ByteBuffer(bytes);
  const tensor = element(bb, element(bb, bb.readInt32(0), 2, 0), 0, t);
  bb.writeInt32(scalarAt(bb, tensor, 2), buffer);
  return bytes;
}
