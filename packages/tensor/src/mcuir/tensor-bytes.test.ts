import fc from "fast-check";
import { allocateData, DTYPES, type DType, type TensorData } from "../dtype.js";
import { McuError } from "../errors.js";
import { decodeTensorData, encodeTensorData } from "./tensor-bytes.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("encodeTensorData: hand-derived little-endian bytes", () => {
  it.each<[DType, TensorData, string]>([
    ["float32", Float32Array.of(1, -2), "0000803f000000c0"], // IEEE 754: 1 = 0x3f800000, -2 = 0xc0000000
    ["int32", Int32Array.of(1, -2), "01000000feffffff"],
    ["int16", Int16Array.of(0x1234, -2), "3412feff"],
    ["int8", Int8Array.of(-128, 127), "807f"],
    ["uint8", Uint8Array.of(0, 255), "00ff"],
    ["bool", Uint8Array.of(1, 0), "0100"],
    ["int64", BigInt64Array.of(-1n, 0x0102030405060708n), "ffffffffffffffff0807060504030201"],
    ["bit", Uint32Array.of(0x80000001), "01000080"],
    // int4: element 2k low nibble, 2k+1 high nibble; 1|-1→0xf1, -8|7→0x78, 3 then a zero pad nibble.
    ["int4", Int8Array.of(1, -1, -8, 7, 3), "f17803"],
  ])("%s", (dtype, data, want) => {
    expect(hex(encodeTensorData(dtype, data, "t"))).toBe(want);
  });

  it("refuses int4 values outside -8..7", () => {
    expect(() => encodeTensorData("int4", Int8Array.of(0, 8), "w")).toThrow(
      expect.objectContaining({ code: "MCU_E_MCUIR_INVALID", tensor: "w" }),
    );
    expect(() => encodeTensorData("int4", Int8Array.of(-9), "w")).toThrow(McuError);
  });
});

describe("decodeTensorData", () => {
  it("unpacks int4 with sign extension", () => {
    expect(decodeTensorData("int4", [5], Uint8Array.of(0xf1, 0x78, 0x03), "t")).toEqual(
      Int8Array.of(1, -1, -8, 7, 3),
    );
  });

  it("refuses a non-zero int4 padding nibble and a wrong byte count", () => {
    expect(() => decodeTensorData("int4", [3], Uint8Array.of(0x00, 0x10), "t")).toThrow(
      expect.objectContaining({ code: "MCU_E_MCUIR_INVALID" }),
    );
    expect(() => decodeTensorData("float32", [2], new Uint8Array(7), "t")).toThrow(
      expect.objectContaining({ code: "MCU_E_MCUIR_INVALID" }),
    );
    // bit [2, 33]: two rows of two words = 16 bytes.
    expect(() => decodeTensorData("bit", [2, 33], new Uint8Array(12), "t")).toThrow(McuError);
    expect(decodeTensorData("bit", [2, 33], new Uint8Array(16), "t")).toEqual(new Uint32Array(4));
  });

  it("refuses a huge claimed shape without allocating for it", () => {
    expect(() => decodeTensorData("float32", [2 ** 26, 2 ** 26], new Uint8Array(4), "t")).toThrow(McuError);
  });

  it("round-trips every dtype; values read back through an independent DataView reader", () => {
    const dtypeShape = fc.tuple(
      fc.constantFrom(...DTYPES),
      fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 3 }),
    );
    fc.assert(
      fc.property(dtypeShape, fc.integer({ min: 0, max: 2 ** 31 - 1 }), ([dtype, shape], seed) => {
        const data = allocateData(dtype, shape);
        // Deterministic pseudo-random fill (xorshift32), int4 within its range.
        let s = seed | 1;
        const bytes = new Uint8Array(data.buffer);
        for (let i = 0; i < bytes.length; i++) {
          s ^= s << 13;
          s ^= s >>> 17;
          s ^= s << 5;
          bytes[i] = s & 0xff;
        }
        if (dtype === "int4")
          for (let i = 0; i < data.length; i++) data[i] = ((data[i] as number) << 28) >> 28;
        const file = encodeTensorData(dtype, data, "t");
        const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
        const read = (i: number): number | bigint => {
          switch (dtype) {
            case "float32":
              return dv.getFloat32(i * 4, true);
            case "int32":
              return dv.getInt32(i * 4, true);
            case "int16":
              return dv.getInt16(i * 2, true);
            case "bit":
              return dv.getUint32(i * 4, true);
            case "int64":
              return dv.getBigInt64(i * 8, true);
            case "int4":
              return ((dv.getUint8(i >> 1) >> ((i & 1) * 4)) << 28) >> 28;
            case "int8":
              return dv.getInt8(i);
            default:
              return dv.getUint8(i);
          }
        };
        let mismatches = 0;
        for (let i = 0; i < data.length; i++) {
          const v = data[i]!;
          const r = read(i);
          if (!(Object.is(r, v) || (typeof v === "number" && Number.isNaN(v) && Number.isNaN(r))))
            mismatches++;
        }
        expect(mismatches).toBe(0);
        const back = decodeTensorData(dtype, shape, Uint8Array.from(file), "t");
        expect(back.constructor).toBe(data.constructor);
        expect(hex(new Uint8Array(back.buffer, back.byteOffset, back.byteLength))).toBe(hex(bytes));
      }),
      { seed: 20240611, numRuns: 300 },
    );
  });
});
