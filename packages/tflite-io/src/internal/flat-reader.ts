/**
 * A bounds-checked FlatBuffers reader. The `flatbuffers` runtime trusts its input (an offset
 * past the end reads `undefined` as 0, a huge vector length loops for ever), so the TFLite
 * reader goes through this class instead: every offset and length is checked against the file
 * before it is read, vector lengths are capped by the bytes that remain, and a work budget
 * bounds the total number of elements decoded, so that shared or overlapping vectors in a
 * hostile file cannot multiply the work. Bad input only ever throws `McuError`.
 *
 * Layout rules (FlatBuffers "Internals" documentation): a table starts with an soffset
 * (int32) to its vtable, at table − soffset; a vtable is [vtable bytes: u16, table bytes: u16,
 * field offsets: u16...]; offset fields (strings, vectors, sub-tables) hold a uoffset (uint32)
 * relative to the field; a vector is a uint32 length followed by its elements.
 */
import { McuError } from "@mcu/tensor";

/** A validated table: its position, and its vtable's position and field count. */
export interface Table {
  readonly pos: number;
  readonly vtable: number;
  readonly slots: number;
  readonly size: number;
}

/** A validated vector: the position of its first element and its length. */
export interface Vector {
  readonly start: number;
  readonly length: number;
}

const SIZE: Readonly<Record<string, number>> = {
  bool: 1,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  int64: 8,
  uint64: 8,
  float64: 8,
};

/** Bytes per element of a scalar type name (`int32`, `float32`, ...). */
export function scalarSize(type: string): number {
  const s = SIZE[type];
  if (s === undefined) throw new McuError("MCU_E_TFLITE_INVALID", `unsupported scalar type ${type}`);
  return s;
}

const decoder = new TextDecoder("utf-8", { fatal: false });

/** Reads a FlatBuffer with a bounds check before every access. */
export class FlatReader {
  readonly length: number;
  private readonly view: DataView;
  /** Elements (and tables) that may still be decoded before the file is rejected. */
  private budget: number;

  constructor(readonly bytes: Uint8Array) {
    this.length = bytes.byteLength;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // A well-formed file stores every element it describes at least once, in at least one
    // byte; twice the size (plus slack for tiny files) is more than any real file needs.
    this.budget = 2 * this.length + 4096;
  }

  /** Throws unless [pos, pos + size) lies inside the file. */
  check(pos: number, size: number, what: string): void {
    if (!Number.isInteger(pos) || pos < 0 || size < 0 || pos + size > this.length) {
      throw new McuError(
        "MCU_E_TFLITE_TRUNCATED",
        `${what} at byte ${pos} (${size} bytes) lies outside the file (${this.length} bytes): the file is truncated or corrupt`,
      );
    }
  }

  /** Charges `n` decoded elements against the work budget. */
  spend(n: number, what: string): void {
    this.budget -= n;
    if (this.budget < 0) {
      throw new McuError(
        "MCU_E_TFLITE_INVALID",
        `${what}: the file references far more data than it holds (shared or overlapping vectors); it is corrupt`,
      );
    }
  }

  u8(pos: number, what = "byte"): number {
    this.check(pos, 1, what);
    return this.view.getUint8(pos);
  }
  i8(pos: number, what = "byte"): number {
    this.check(pos, 1, what);
    return this.view.getInt8(pos);
  }
  u16(pos: number, what = "uint16"): number {
    this.check(pos, 2, what);
    return this.view.getUint16(pos, true);
  }
  i16(pos: number, what = "int16"): number {
    this.check(pos, 2, what);
    return this.view.getInt16(pos, true);
  }
  i32(pos: number, what = "int32"): number {
    this.check(pos, 4, what);
    return this.view.getInt32(pos, true);
  }
  u32(pos: number, what = "uint32"): number {
    this.check(pos, 4, what);
    return this.view.getUint32(pos, true);
  }
  f32(pos: number, what = "float"): number {
    this.check(pos, 4, what);
    return this.view.getFloat32(pos, true);
  }
  f64(pos: number, what = "double"): number {
    this.check(pos, 8, what);
    return this.view.getFloat64(pos, true);
  }
  /** An int64 as a number (exact up to 2^53; beyond that the nearest double). */
  i64(pos: number, what = "int64"): number {
    this.check(pos, 8, what);
    return Number(this.view.getBigInt64(pos, true));
  }
  u64(pos: number, what = "uint64"): number {
    this.check(pos, 8, what);
    return Number(this.view.getBigUint64(pos, true));
  }

  /** Reads one scalar of a named type (`bool` reads as 0/1). */
  scalar(type: string, pos: number, what: string): number {
    switch (type) {
      case "bool":
      case "uint8":
        return this.u8(pos, what);
      case "int8":
        return this.i8(pos, what);
      case "int16":
        return this.i16(pos, what);
      case "uint16":
        return this.u16(pos, what);
      case "int32":
        return this.i32(pos, what);
      case "uint32":
        return this.u32(pos, what);
      case "float32":
        return this.f32(pos, what);
      case "float64":
        return this.f64(pos, what);
      case "int64":
        return this.i64(pos, what);
      case "uint64":
        return this.u64(pos, what);
      default:
        throw new McuError("MCU_E_TFLITE_INVALID", `unsupported scalar type ${type} (${what})`);
    }
  }

  /** The table whose position is `pos`, with its vtable validated. */
  table(pos: number, what: string): Table {
    this.spend(1, what);
    const soffset = this.i32(pos, what);
    const vtable = pos - soffset;
    const vtSize = this.u16(vtable, `${what} vtable`);
    const size = this.u16(vtable + 2, `${what} vtable`);
    if (vtSize < 4 || vtSize % 2 !== 0 || size < 4) {
      throw new McuError("MCU_E_TFLITE_INVALID", `${what} at byte ${pos} has a malformed vtable`);
    }
    this.check(vtable, vtSize, `${what} vtable`);
    this.check(pos, size, what);
    return { pos, vtable, slots: (vtSize - 4) / 2, size };
  }

  /** The root table (the uoffset at byte 0), after checking the 4-byte file identifier. */
  root(identifier: string): Table {
    if (this.length < 8) {
      throw new McuError(
        "MCU_E_TFLITE_TRUNCATED",
        `the file is ${this.length} bytes, too short for a TFLite model`,
      );
    }
    const id = String.fromCharCode(this.u8(4), this.u8(5), this.u8(6), this.u8(7));
    if (id !== identifier) {
      throw new McuError(
        "MCU_E_TFLITE_INVALID",
        `not a TFLite model: the file identifier is ${JSON.stringify(id)}, expected "${identifier}"`,
      );
    }
    return this.table(this.u32(0, "root offset"), "Model");
  }

  /** The absolute position of a field, or 0 when the table does not store it. */
  field(t: Table, slot: number, what: string): number {
    if (slot >= t.slots) return 0;
    const off = this.u16(t.vtable + 4 + 2 * slot, what);
    if (off === 0) return 0;
    if (off < 4 || off >= t.size) {
      throw new McuError("MCU_E_TFLITE_INVALID", `${what}: field offset ${off} lies outside its table`);
    }
    return t.pos + off;
  }

  /** A scalar field, or its default. */
  scalarField(t: Table, slot: number, type: string, dflt: number, what: string): number {
    const pos = this.field(t, slot, what);
    if (pos === 0) return dflt;
    this.check(pos, scalarSize(type), what);
    if (pos + scalarSize(type) > t.pos + t.size) {
      throw new McuError("MCU_E_TFLITE_INVALID", `${what}: field runs past the end of its table`);
    }
    return this.scalar(type, pos, what);
  }

  /** Follows the uoffset stored at `pos`. */
  private target(pos: number, what: string): number {
    const off = this.u32(pos, what);
    if (off === 0) throw new McuError("MCU_E_TFLITE_INVALID", `${what}: null offset`);
    const target = pos + off;
    this.check(target, 4, what);
    return target;
  }

  /** A sub-table field, or undefined when absent. */
  tableField(t: Table, slot: number, what: string): Table | undefined {
    const pos = this.field(t, slot, what);
    return pos === 0 ? undefined : this.table(this.target(pos, what), what);
  }

  /** A vector field (elements of `elemSize` bytes), or undefined when absent. */
  vectorField(t: Table, slot: number, elemSize: number, what: string): Vector | undefined {
    const pos = this.field(t, slot, what);
    return pos === 0 ? undefined : this.vectorAt(this.target(pos, what), elemSize, what);
  }

  /** The vector whose length prefix is at `pos`. */
  vectorAt(pos: number, elemSize: number, what: string): Vector {
    const length = this.u32(pos, `${what} length`);
    const start = pos + 4;
    // Caps the length by the bytes that remain before trusting it.
    if (length > (this.length - start) / elemSize) {
      throw new McuError(
        "MCU_E_TFLITE_TRUNCATED",
        `${what} claims ${length} elements of ${elemSize} bytes at byte ${start}, past the end of the file (${this.length} bytes)`,
      );
    }
    return { start, length };
  }

  /** A vector of scalars as numbers (charged against the work budget). */
  scalarVector(t: Table, slot: number, type: string, what: string): number[] | undefined {
    const size = scalarSize(type);
    const v = this.vectorField(t, slot, size, what);
    if (v === undefined) return undefined;
    this.spend(v.length, what);
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.scalar(type, v.start + i * size, what);
    return out;
  }

  /** A vector of tables (each validated), or undefined when absent. */
  tableVector(t: Table, slot: number, what: string): Table[] | undefined {
    const v = this.vectorField(t, slot, 4, what);
    if (v === undefined) return undefined;
    const out: Table[] = [];
    for (let i = 0; i < v.length; i++) {
      const at = v.start + 4 * i;
      out.push(this.table(this.target(at, `${what}[${i}]`), `${what}[${i}]`));
    }
    return out;
  }

  /** A string field (UTF-8; invalid sequences become U+FFFD), or undefined when absent. */
  stringField(t: Table, slot: number, what: string): string | undefined {
    const v = this.vectorField(t, slot, 1, what);
    if (v === undefined) return undefined;
    this.spend(v.length, what);
    return decoder.decode(this.bytes.subarray(v.start, v.start + v.length));
  }

  /** The bytes of a [ubyte] vector field as a view into the file (no copy), or undefined. */
  bytesField(t: Table, slot: number, what: string): Uint8Array | undefined {
    const v = this.vectorField(t, slot, 1, what);
    return v === undefined ? undefined : this.bytes.subarray(v.start, v.start + v.length);
  }
}
