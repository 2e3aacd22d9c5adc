import { readFixture } from "@mcu/testing";
import { McuError } from "../errors.js";
import { readNpy, writeNpy } from "./npy.js";

// Every expected value below was written by hand from fixtures/npy/make_npy.py (the NumPy
// script that wrote the files) or read once with NumPy 2.4.6 from the pytorch-mnist files.

const npy = (name: string): Uint8Array => readFixture("npy", name);
const f32 = (xs: readonly number[]): number[] => xs.map((x) => Math.fround(x));
const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof McuError ? e.code : `not an McuError: ${String(e)}`;
  }
  return undefined;
};

/** A hand-assembled .npy file: magic, version, header length, header text, data. */
function handMade(header: string, data: Uint8Array, major = 1): Uint8Array {
  const head = new TextEncoder().encode(header);
  const lenBytes = major === 1 ? 2 : 4;
  const out = new Uint8Array(8 + lenBytes + head.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, head.length, true);
  else view.setUint32(8, head.length, true);
  out.set(head, 8 + lenBytes);
  out.set(data, 8 + lenBytes + head.length);
  return out;
}

describe("readNpy on NumPy-written files", () => {
  it("reads the 1996 int64 test labels of pytorch-mnist", () => {
    const labels = readNpy(readFixture("pytorch-mnist", "test_labels.npy"));
    expect(labels.dtype).toBe("int64");
    expect(labels.shape).toEqual([1996]);
    const data = labels.data as BigInt64Array;
    // The test split is grouped by digit; NumPy's bincount gave these class sizes.
    const counts = new Array<number>(10).fill(0);
    for (const v of data) counts[Number(v)]! += 1;
    expect(counts).toEqual([200, 225, 198, 206, 196, 172, 202, 214, 188, 195]);
    expect(data[0]).toBe(0n);
    expect(data[1995]).toBe(9n);
  });

  it("reads the labels as int32 on request", () => {
    const labels = readNpy(readFixture("pytorch-mnist", "test_labels.npy"), { wideIntegersAs: "int32" });
    expect(labels.dtype).toBe("int32");
    expect(labels.data).toBeInstanceOf(Int32Array);
    expect(labels.data[200]).toBe(1);
    expect(Array.from(labels.data as Int32Array).reduce((a, b) => a + b, 0)).toBe(8852);
  });

  it("reads onnxruntime's float32 [1996,1,10] logits of mnist_cnn", () => {
    const logits = readNpy(readFixture("pytorch-mnist", "mnist_cnn.test_logits_all.npy"));
    expect(logits.dtype).toBe("float32");
    expect(logits.shape).toEqual([1996, 1, 10]);
    const data = logits.data as Float32Array;
    expect(Array.from(data.subarray(0, 10))).toEqual(
      f32([
        12.390109062194824, -11.587196350097656, -0.5151175260543823, -8.574040412902832, -14.30477237701416,
        -6.319563865661621, -6.142855644226074, -5.225698471069336, -7.7810468673706055, -3.90281343460083,
      ]),
    );
    expect(Array.from(data.subarray(19950))).toEqual(
      f32([
        -5.643738269805908, -6.010542392730713, -3.0100488662719727, -2.0918641090393066, 0.14273446798324585,
        -3.7408366203308105, -9.393986701965332, 0.42123883962631226, -1.489749550819397, 5.448707103729248,
      ]),
    );
    // Top-1 against the labels: the README's onnxruntime accuracy 0.980962 is 1958 of 1996.
    const labels = readNpy(readFixture("pytorch-mnist", "test_labels.npy")).data as BigInt64Array;
    let correct = 0;
    for (let i = 0; i < 1996; i++) {
      let best = 0;
      for (let k = 1; k < 10; k++) if (data[i * 10 + k]! > data[i * 10 + best]!) best = k;
      if (BigInt(best) === labels[i]) correct += 1;
    }
    expect(correct).toBe(1958);
  });

  it.each([
    ["read_f4.npy", "float32", [2, 3], f32([1.5, -2.25, 0, 3.0e38, -1e-7, 7])],
    // float64 is rounded to float32.
    ["read_f8.npy", "float32", [4], f32([0.1, -2.5, 1e10, 1.0000000001])],
    ["read_i4.npy", "int32", [2, 2], [-2147483648, 2147483647, 0, -1]],
    ["read_i2.npy", "int16", [3], [-32768, 32767, -1]],
    ["read_i1.npy", "int8", [4], [-128, 127, 0, -1]],
    ["read_u1.npy", "uint8", [4], [0, 255, 1, 128]],
    ["read_b1.npy", "bool", [5], [1, 0, 1, 1, 0]],
    ["read_u2.npy", "int32", [3], [0, 65535, 1234]],
    ["read_scalar_f4.npy", "float32", [], [2.5]],
    ["read_empty_f4.npy", "float32", [0, 3], []],
    ["read_be_f4.npy", "float32", [2, 2], f32([1.5, -2.25, 1e-3, 65504])],
    ["read_be_f8.npy", "float32", [2], f32([0.1, -3])],
    ["read_be_i2.npy", "int16", [3], [-2, 258, 32767]],
    ["read_be_i4.npy", "int32", [2], [-2, 16909060]],
    ["read_fortran_f4.npy", "float32", [2, 3], [0, 1, 2, 3, 4, 5]],
    ["read_fortran_i4_3d.npy", "int32", [2, 3, 4], Array.from({ length: 24 }, (_, i) => i)],
    ["read_fortran_be_i2.npy", "int16", [3, 2], [0, 1, 2, 3, 4, 5]],
    ["read_v2_f4.npy", "float32", [2, 3], [1, 2, 3, 4, 5, 6]],
    ["read_v3_i2.npy", "int16", [3], [1, -2, 3]],
  ] as const)("%s → %s%j", (file, dtype, shape, values) => {
    const a = readNpy(npy(file));
    expect(a.dtype).toBe(dtype);
    expect(a.shape).toEqual(shape);
    expect(Array.from(a.data as Float32Array)).toEqual(values);
  });

  it("reads 64-bit and unsigned 32-bit integers exactly as int64", () => {
    expect(Array.from(readNpy(npy("read_i8.npy")).data as BigInt64Array)).toEqual([
      -3n,
      0n,
      2n ** 53n + 1n,
      -(2n ** 62n),
    ]);
    expect(Array.from(readNpy(npy("read_u8.npy")).data as BigInt64Array)).toEqual([0n, 7n, 123456789012n]);
    expect(Array.from(readNpy(npy("read_u4.npy")).data as BigInt64Array)).toEqual([0n, 4294967295n, 5n]);
    expect(Array.from(readNpy(npy("read_be_i8.npy")).data as BigInt64Array)).toEqual([
      -2n,
      72623859790382856n,
    ]);
  });

  it("narrows 64-bit integers to int32 on request, refusing values that do not fit", () => {
    const small = readNpy(npy("read_i8_small.npy"), { wideIntegersAs: "int32" });
    expect(small.dtype).toBe("int32");
    expect(small.shape).toEqual([2, 2]);
    expect(Array.from(small.data as Int32Array)).toEqual([-3, 0, 2147483647, -2147483648]);
    expect(codeOf(() => readNpy(npy("read_i8.npy"), { wideIntegersAs: "int32" }))).toBe("MCU_E_NPY");
    expect(codeOf(() => readNpy(npy("read_u4.npy"), { wideIntegersAs: "int32" }))).toBe("MCU_E_NPY");
  });

  it("does not alias the caller's buffer", () => {
    const bytes = npy("read_u1.npy");
    const a = readNpy(bytes);
    bytes[bytes.length - 1] = 7;
    expect(a.data[3]).toBe(128);
  });
});

describe("readNpy on malformed files", () => {
  const f4 = new Uint8Array(new Float32Array([1, 2]).buffer);
  it.each([
    ["wrong magic", () => new TextEncoder().encode("NUMPY is not here")],
    ["empty file", () => new Uint8Array(0)],
    ["unknown version", () => handMade("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", f4, 4)],
    ["truncated data", () => handMade("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n", f4)],
    ["trailing bytes", () => handMade("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", f4)],
    ["no newline", () => handMade("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", f4)],
    ["missing key", () => handMade("{'descr': '<f4', 'shape': (2,), }\n", f4)],
    ["extra key", () => handMade("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}\n", f4)],
    ["not a dict", () => handMade("[1, 2]\n", f4)],
    ["syntax error", () => handMade("{'descr': '<f4', 'fortran_order': False, 'shape': (2,) \n", f4)],
    ["complex dtype", () => handMade("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }\n", f4)],
    [
      "structured dtype",
      () => handMade("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }\n", f4),
    ],
    ["negative dim", () => handMade("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }\n", f4)],
    ["bad fortran flag", () => handMade("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }\n", f4)],
    ["header longer than file", () => handMade("{", new Uint8Array(0)).subarray(0, 10)],
  ])("%s → MCU_E_NPY", (_, make) => {
    expect(codeOf(() => readNpy(make()))).toBe("MCU_E_NPY");
  });

  it("accepts key order, double quotes and Python 2 long integers as older writers produced them", () => {
    const a = readNpy(handMade('{"shape": (2L,), "fortran_order": False, "descr": "<f4"}\n', f4));
    expect(a.shape).toEqual([2]);
    expect(Array.from(a.data as Float32Array)).toEqual([1, 2]);
  });
});

describe("writeNpy", () => {
  it.each([
    [
      "save_f4_2x3.npy",
      { dtype: "float32", shape: [2, 3], data: new Float32Array([1.5, -2.25, 0, 3.0e38, -1e-7, 7]) },
    ],
    [
      "save_i8_1996.npy",
      { dtype: "int64", shape: [1996], data: BigInt64Array.from({ length: 1996 }, (_, i) => BigInt(i % 10)) },
    ],
    [
      "save_i4.npy",
      { dtype: "int32", shape: [2, 2], data: new Int32Array([-2147483648, 2147483647, 0, -1]) },
    ],
    ["save_i2.npy", { dtype: "int16", shape: [3], data: new Int16Array([-32768, 32767, -1]) }],
    [
      "save_i1_1x1x28x28.npy",
      {
        dtype: "int8",
        shape: [1, 1, 28, 28],
        data: Int8Array.from({ length: 784 }, (_, i) => (i % 256) - 128),
      },
    ],
    ["save_u1.npy", { dtype: "uint8", shape: [4], data: new Uint8Array([0, 255, 1, 128]) }],
    ["save_b1.npy", { dtype: "bool", shape: [3], data: new Uint8Array([1, 0, 1]) }],
    ["save_scalar_f4.npy", { dtype: "float32", shape: [], data: new Float32Array([2.5]) }],
    ["save_empty_f4.npy", { dtype: "float32", shape: [0, 3], data: new Float32Array(0) }],
    [
      "save_f4_long_shape.npy",
      { dtype: "float32", shape: [...new Array<number>(13).fill(1), 200], data: new Float32Array(200) },
    ],
  ] as const)("is byte-identical to np.save: %s", (file, value) => {
    expect(Buffer.from(writeNpy(value))).toEqual(Buffer.from(npy(file)));
  });

  it("writes format 2.0 and 3.0 headers like numpy.lib.format.write_array", () => {
    const v2 = writeNpy(
      { dtype: "float32", shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
      { version: 2 },
    );
    expect(Buffer.from(v2)).toEqual(Buffer.from(npy("read_v2_f4.npy")));
    const v3 = writeNpy({ dtype: "int16", shape: [3], data: new Int16Array([1, -2, 3]) }, { version: 3 });
    expect(Buffer.from(v3)).toEqual(Buffer.from(npy("read_v3_i2.npy")));
  });

  it("writes int4 and bit tensors as int8 values", () => {
    const int4 = readNpy(writeNpy({ dtype: "int4", shape: [3], data: new Int8Array([-8, 7, 0]) }));
    expect(int4.dtype).toBe("int8");
    expect(Array.from(int4.data as Int8Array)).toEqual([-8, 7, 0]);
    // bit [2,3]: row 0 = (-1, +1, -1) → bits 0 and 2 set; row 1 = (+1, +1, -1) → bit 2 set.
    const bit = readNpy(writeNpy({ dtype: "bit", shape: [2, 3], data: new Uint32Array([0b101, 0b100]) }));
    expect(bit.shape).toEqual([2, 3]);
    expect(Array.from(bit.data as Int8Array)).toEqual([-1, 1, -1, 1, 1, -1]);
  });

  it("refuses data that does not match the dtype and shape", () => {
    expect(codeOf(() => writeNpy({ dtype: "float32", shape: [3], data: new Float32Array(2) }))).toBe(
      "MCU_E_NPY",
    );
    expect(codeOf(() => writeNpy({ dtype: "int32", shape: [2], data: new Float32Array(2) }))).toBe(
      "MCU_E_NPY",
    );
  });
});
