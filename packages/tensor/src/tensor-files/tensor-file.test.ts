import { readFixture } from "@mcu/testing";
import { McuError } from "../errors.js";
import { decodeTensorFile, encodeTensorFile, tensorFileKind } from "./tensor-file.js";

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof McuError ? e.code : `not an McuError: ${String(e)}`;
  }
  return undefined;
};

describe("tensor files by extension", () => {
  it("knows .npy and .csv (any case) and refuses the rest", () => {
    expect(tensorFileKind("a/b/x.NPY")).toBe("npy");
    expect(tensorFileKind("x.csv")).toBe("csv");
    expect(codeOf(() => tensorFileKind("x.npz"))).toBe("MCU_E_TENSOR_FILE");
    expect(
      codeOf(() => encodeTensorFile({ dtype: "int8", shape: [1], data: new Int8Array(1) }, "x.txt")),
    ).toBe("MCU_E_TENSOR_FILE");
  });

  it("reads int64 labels as int32 on request", () => {
    const v = decodeTensorFile(readFixture("pytorch-mnist", "test_labels.npy"), "labels.npy", {
      dtype: "int32",
    });
    expect(v.dtype).toBe("int32");
    expect(v.shape).toEqual([1996]);
  });

  it("accepts a float64 .npy for float32 and checks the shape", () => {
    const f8 = readFixture("npy", "read_f8.npy");
    expect(decodeTensorFile(f8, "x.npy", { dtype: "float32", shape: [4] }).dtype).toBe("float32");
    expect(codeOf(() => decodeTensorFile(f8, "x.npy", { dtype: "float32", shape: [2, 2] }))).toBe(
      "MCU_E_TENSOR_FILE",
    );
  });

  it("refuses lossy or meaningless dtype conversions", () => {
    expect(
      codeOf(() => decodeTensorFile(readFixture("npy", "read_i1.npy"), "x.npy", { dtype: "float32" })),
    ).toBe("MCU_E_TENSOR_FILE");
    expect(
      codeOf(() => decodeTensorFile(readFixture("npy", "read_f4.npy"), "x.npy", { dtype: "int8" })),
    ).toBe("MCU_E_TENSOR_FILE");
    expect(
      codeOf(() => decodeTensorFile(readFixture("npy", "read_i8.npy"), "x.npy", { dtype: "int32" })),
    ).toBe("MCU_E_NPY");
  });

  it("narrows int8 files to int4 when every value is in [-8, 7]", () => {
    const ok = encodeTensorFile({ dtype: "int8", shape: [3], data: new Int8Array([-8, 0, 7]) }, "x.npy");
    expect(Array.from(decodeTensorFile(ok, "x.npy", { dtype: "int4" }).data as Int8Array)).toEqual([
      -8, 0, 7,
    ]);
    const bad = encodeTensorFile({ dtype: "int8", shape: [1], data: new Int8Array([8]) }, "x.npy");
    expect(codeOf(() => decodeTensorFile(bad, "x.npy", { dtype: "int4" }))).toBe("MCU_E_TENSOR_FILE");
  });

  it("gives .csv values the expected dtype and shape", () => {
    const bytes = encodeTensorFile(
      { dtype: "int16", shape: [2, 2], data: new Int16Array([1, -2, 3, -4]) },
      "x.csv",
    );
    expect(new TextDecoder().decode(bytes)).toBe("1,-2\n3,-4\n");
    const v = decodeTensorFile(bytes, "x.csv", { dtype: "int16", shape: [4, 1] });
    expect(v.shape).toEqual([4, 1]);
    expect(Array.from(v.data as Int16Array)).toEqual([1, -2, 3, -4]);
    expect(decodeTensorFile(bytes, "x.csv").dtype).toBe("float32");
  });
});
