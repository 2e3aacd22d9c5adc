import {
  decodeData,
  dtypeOfTensorType,
  encodeData,
  isReinterpretedType,
  tensorTypeCode,
} from "./tensor-types.js";

describe("tensor data", () => {
  it("packs int4 two per byte, the even element in the low nibble", () => {
    // [1, -2, 7, -8, 3] → 0xE1, 0x87, 0x03 (−2 = 0xE, −8 = 0x8).
    const packed = encodeData(Int8Array.from([1, -2, 7, -8, 3]), "int4", [5]);
    expect(Array.from(packed)).toEqual([0xe1, 0x87, 0x03]);
    expect(Array.from(decodeData(packed, "int4", [5]) as Int8Array)).toEqual([1, -2, 7, -8, 3]);
  });

  it("reads little-endian values from unaligned bytes without aliasing them", () => {
    const file = Uint8Array.from([0, 0x01, 0x00, 0x00, 0x80, 0xff, 0xff, 0xff, 0xff]);
    const view = file.subarray(1);
    const data = decodeData(view, "int32", [2]) as Int32Array;
    expect(Array.from(data)).toEqual([-2147483647, -1]);
    file[1] = 7;
    expect(data[0]).toBe(-2147483647);
  });

  it("holds UINT16/32/64 in the signed dtype of the same width", () => {
    expect(dtypeOfTensorType(tensorTypeCode("UINT32")!)).toBe("int32");
    expect(dtypeOfTensorType(tensorTypeCode("UINT64")!)).toBe("int64");
    expect(isReinterpretedType(tensorTypeCode("UINT16")!)).toBe(true);
    expect(isReinterpretedType(tensorTypeCode("INT16")!)).toBe(false);
    expect(dtypeOfTensorType(tensorTypeCode("FLOAT16")!)).toBeUndefined();
  });
});
