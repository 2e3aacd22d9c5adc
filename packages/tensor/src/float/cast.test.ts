import { graphBuilder } from "../builder.js";
import { corePlugin } from "../core-plugin.js";
import type { DType, TensorData } from "../dtype.js";
import { createInterpreter } from "../interpreter.js";
import { createRegistry } from "../registry.js";

const registry = createRegistry([corePlugin]);

function cast(from: DType, to: DType, data: TensorData): unknown[] {
  const g = graphBuilder(registry);
  g.output(g.op("core.cast", [g.input("x", [data.length], from)], { to }));
  return Array.from(createInterpreter(g.build(), { registry }).invoke([data])[0]!.data as ArrayLike<unknown>);
}

// Expected values are C++ static_cast results, worked out by hand.
describe("core.cast float kernel", () => {
  it("truncates float toward zero", () => {
    expect(cast("float32", "int32", Float32Array.from([2.7, -2.7, 0.5, -0.5, 1e3]))).toEqual([
      2, -2, 0, 0, 1000,
    ]);
  });

  it("wraps integers into narrower types modulo 2^bits", () => {
    expect(cast("int32", "int8", Int32Array.from([300, -129, 127]))).toEqual([44, 127, 127]);
    expect(cast("int16", "uint8", Int16Array.from([-1, 256, 255]))).toEqual([255, 0, 255]);
  });

  it("widens exactly and converts to float", () => {
    expect(cast("int16", "int32", Int16Array.from([-32768, 32767]))).toEqual([-32768, 32767]);
    expect(cast("int32", "float32", Int32Array.from([16777217, -3]))).toEqual([16777216, -3]);
  });

  it("maps to and from bool", () => {
    expect(cast("float32", "bool", Float32Array.from([0, -0.1, 3]))).toEqual([0, 1, 1]);
    expect(cast("bool", "float32", Uint8Array.from([1, 0]))).toEqual([1, 0]);
  });

  it("converts to and from int64", () => {
    expect(cast("float32", "int64", Float32Array.from([-3.9, 5.5]))).toEqual([-3n, 5n]);
    expect(cast("int64", "int32", BigInt64Array.from([2n ** 32n + 7n, -1n]))).toEqual([7, -1]);
    expect(cast("int64", "float32", BigInt64Array.from([-42n]))).toEqual([-42]);
  });
});
