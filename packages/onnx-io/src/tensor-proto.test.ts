import { isMcuError } from "@mcu/tensor";
import { decodeTensorProto, MAX_CONST_ELEMENTS } from "./tensor-proto.js";

/** Little-endian bytes of 16-bit words. */
function u16(...words: number[]): Uint8Array {
  const b = new Uint8Array(words.length * 2);
  words.forEach((w, i) => {
    b[2 * i] = w & 0xff;
    b[2 * i + 1] = w >> 8;
  });
  return b;
}

/** A constant's values as a plain array (numbers or bigints). */
function values(t: { readonly data: unknown }): unknown[] {
  return Array.from(t.data as ArrayLike<unknown>);
}

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return isMcuError(e) ? e.code : `not an McuError: ${String(e)}`;
  }
  return "no error";
}

describe("decodeTensorProto", () => {
  it("reads float raw_data little-endian and the float_data field", () => {
    const raw = new Uint8Array(Float32Array.of(1.5, -2, 3.25).buffer);
    expect(values(decodeTensorProto({ dims: [3], dataType: 1, rawData: raw }))).toEqual([1.5, -2, 3.25]);
    const t = decodeTensorProto({ dims: [1, 2], dataType: 1, floatData: [0.5, 7] });
    expect(t).toMatchObject({ dtype: "float32", shape: [1, 2] });
    expect(values(t)).toEqual([0.5, 7]);
  });

  it("converts float16 and bfloat16 exactly (IEEE half: 0x3c00 = 1, 0xc000 = −2, 0x7bff = 65504, 0x0001 = 2^−24)", () => {
    const h = decodeTensorProto({ dims: [4], dataType: 10, rawData: u16(0x3c00, 0xc000, 0x7bff, 0x0001) });
    expect(values(h)).toEqual([1, -2, 65504, 2 ** -24]);
    // bfloat16 is the upper half of a float32: 0x3fc0 = 1.5, 0xc120 = −10.
    const b = decodeTensorProto({ dims: [2], dataType: 16, int32Data: [0x3fc0, 0xc120] });
    expect(values(b)).toEqual([1.5, -10]);
  });

  it("keeps int64 exact beyond 2^53 (as bigint)", () => {
    const big = 9223372036854775807n;
    const raw = new Uint8Array(BigInt64Array.of(big, -5n).buffer);
    expect(values(decodeTensorProto({ dims: [2], dataType: 7, rawData: raw }))).toEqual([big, -5n]);
  });

  it("unpacks int4 two per byte, low nibble first", () => {
    // 0x7f → 15 (−1), 7; 0x08 → −8, 0
    const t = decodeTensorProto({ dims: [3], dataType: 22, rawData: Uint8Array.of(0x7f, 0x08) });
    expect(t.dtype).toBe("int4");
    expect(values(t)).toEqual([-1, 7, -8]);
  });

  it("reads bool as 0/1 and int8 from int32_data", () => {
    expect(values(decodeTensorProto({ dims: [3], dataType: 9, rawData: Uint8Array.of(0, 2, 1) }))).toEqual([
      0, 1, 1,
    ]);
    expect(values(decodeTensorProto({ dims: [2], dataType: 3, int32Data: [-128, 127] }))).toEqual([
      -128, 127,
    ]);
  });

  it("rejects data that does not match the dims, before allocating", () => {
    expect(code(() => decodeTensorProto({ dims: [4], dataType: 1, rawData: new Uint8Array(12) }))).toBe(
      "MCU_E_ONNX_INVALID",
    );
    expect(code(() => decodeTensorProto({ dims: [2, 2], dataType: 1, floatData: [1, 2, 3] }))).toBe(
      "MCU_E_ONNX_INVALID",
    );
    expect(code(() => decodeTensorProto({ dims: [-1], dataType: 1 }))).toBe("MCU_E_ONNX_INVALID");
    expect(
      code(() =>
        decodeTensorProto({ dims: [MAX_CONST_ELEMENTS, 2], dataType: 1, rawData: new Uint8Array(4) }),
      ),
    ).toBe("MCU_E_ONNX_TOO_LARGE");
  });

  it("explains external data and unsupported element types", () => {
    const ext = {
      dims: [2],
      dataType: 1,
      dataLocation: 1,
      externalData: [{ key: "location", value: "w.bin" }],
    };
    expect(code(() => decodeTensorProto(ext))).toBe("MCU_E_ONNX_EXTERNAL_DATA");
    expect(code(() => decodeTensorProto({ dims: [1], dataType: 8, stringData: [Uint8Array.of(65)] }))).toBe(
      "MCU_E_ONNX_DTYPE",
    );
    expect(code(() => decodeTensorProto({ dims: [1], dataType: 17, rawData: Uint8Array.of(0) }))).toBe(
      "MCU_E_ONNX_DTYPE",
    );
  });
});
