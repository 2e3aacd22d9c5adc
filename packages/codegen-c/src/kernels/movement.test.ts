/**
 * Data movement (any dtype) and float ↔ integer conversion in C against the TS interpreter:
 * these copy or convert values, so the bytes must be identical. Host gcc with ASan + UBSan, and
 * Cortex-M4 under QEMU.
 */
import fc from "fast-check";
import { type DType, graphBuilder, numElements, quantParams, type TensorData } from "@mcu/tensor";
import {
  interpret,
  prepareFor,
  randomFloats,
  randomInts,
  sameBytes,
  testRegistry,
} from "../testing/compare.js";

const registry = testRegistry();

function data(dtype: DType, n: number, seed: number): TensorData {
  switch (dtype) {
    case "float32":
      return randomFloats(n, seed, 3);
    case "int8":
      return randomInts(Int8Array, n, seed, -128, 127);
    case "int16":
      return randomInts(Int16Array, n, seed, -32768, 32767);
    case "int64":
      return BigInt64Array.from(
        randomInts(Int32Array, n, seed, -2147483648, 2147483647),
        (v) => BigInt(v) * 3n,
      );
    default:
      return randomInts(Uint8Array, n, seed, 0, 255);
  }
}

const quantOf = (dtype: DType) =>
  dtype === "int8" || dtype === "int16" ? quantParams(0.05, dtype === "int8" ? -3 : 0) : undefined;

/** A graph of random movement cases over several dtypes. */
function movementGraph(seed: number) {
  const b = graphBuilder(registry);
  const inputs: TensorData[] = [];
  const cases: string[] = [];
  const arb = fc.record({
    op: fc.constantFrom("transpose", "concat", "pad", "slice", "strided_slice", "reshape", "squeeze"),
    dtype: fc.constantFrom<DType>("float32", "int8", "int16", "int64", "uint8"),
    shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
    perm: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
    axis: fc.nat(),
    pads: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 8, maxLength: 8 }),
    mode: fc.constantFrom("constant", "reflect", "edge"),
    value: fc.constantFrom(0, 0.7, -2),
    begin: fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 4, maxLength: 4 }),
    end: fc.array(fc.integer({ min: -5, max: 6 }), { minLength: 4, maxLength: 4 }),
    strides: fc.array(fc.constantFrom(1, 2, -1, -2), { minLength: 4, maxLength: 4 }),
    masks: fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 3, maxLength: 3 }),
  });
  fc.sample(arb, { seed, numRuns: 24 }).forEach((c, k) => {
    const rank = c.shape.length;
    const quant = quantOf(c.dtype);
    const x = b.input(`x${k}`, c.shape, c.dtype, quant);
    inputs.push(data(c.dtype, numElements(c.shape), seed * 100 + k));
    const q = quant !== undefined ? { outputs: [{ quant }] } : {};
    let y: string;
    switch (c.op) {
      case "transpose": {
        const perm = [...Array(rank).keys()].sort((p, q) => (c.perm[p]! % 7) - (c.perm[q]! % 7) || p - q);
        y = b.op("core.transpose", [x], { perm }, q);
        break;
      }
      case "concat": {
        const axis = c.axis % rank;
        const other = c.shape.map((d, i) => (i === axis ? (d % 3) + 1 : d));
        const o = b.constant(`c${k}`, data(c.dtype, numElements(other), k), other, {
          dtype: c.dtype,
          ...(quant !== undefined ? { quant } : {}),
        });
        y = b.op("core.concat", [o, x, x], { axis }, q);
        break;
      }
      case "pad": {
        const paddings = c.pads
          .slice(0, 2 * rank)
          .map((p, i) => (c.mode === "reflect" ? Math.min(p, c.shape[i >> 1]! - 1) : p));
        y = b.op("core.pad", [x], { paddings, mode: c.mode, value: c.value }, q);
        break;
      }
      case "slice": {
        const begin = c.shape.map((d, i) => Math.abs(c.begin[i]!) % d);
        const size = c.shape.map((d, i) =>
          c.end[i]! < 0 ? -1 : 1 + (Math.abs(c.end[i]!) % (d - begin[i]!)),
        );
        y = b.op("core.slice", [x], { begin, size }, q);
        break;
      }
      case "strided_slice": {
        const shrink = c.masks[2]! & 1;
        // A shrunk axis takes one index, which must exist.
        const begin = c.begin.slice(0, rank).map((v, i) => (i === 0 && shrink === 1 ? v % c.shape[0]! : v));
        y = b.op(
          "core.strided_slice",
          [x],
          {
            begin,
            end: c.end.slice(0, rank),
            strides: c.strides.slice(0, rank),
            beginMask: c.masks[0]! & ((1 << rank) - 1),
            endMask: c.masks[1]! & ((1 << rank) - 1),
            shrinkAxisMask: shrink,
          },
          q,
        );
        break;
      }
      case "reshape":
        y = b.op(
          "core.reshape",
          [b.op("core.transpose", [x], { perm: [...Array(rank).keys()].reverse() }, q)],
          { shape: [-1] },
          q,
        );
        break;
      default:
        y = b.op("core.squeeze", [b.op("core.expand_dims", [x], { axis: 0 }, q)], { axes: [0] }, q);
    }
    b.output(y);
    cases.push(JSON.stringify(c));
  });
  return { graph: b.build(), inputs, cases };
}

/** float32 → int8/int16/uint8/int32 quantize (per tensor and per axis) and back. */
function quantizeGraph() {
  const b = graphBuilder(registry);
  const inputs: TensorData[] = [];
  const configs: { dtype: DType; perAxis: boolean }[] = [];
  for (const dtype of ["int8", "int16", "uint8", "int32"] as DType[]) {
    for (const perAxis of [false, true]) configs.push({ dtype, perAxis });
  }
  configs.forEach((c, k) => {
    const shape = [2, 3, 5];
    const x = b.input(`x${k}`, shape);
    // Values on and near the rounding boundaries x = (n + 1/2) · scale, and far out of range.
    const v = randomFloats(30, k, 4);
    v[0] = 0.025;
    v[1] = -0.075;
    v[2] = 1e9;
    v[3] = -1e9;
    v[4] = Number.NaN;
    inputs.push(v);
    const quant = c.perAxis
      ? { scale: [0.05, 0.013, 0.2], zeroPoint: c.dtype === "uint8" ? [128, 100, 3] : [0, -1, 2], axis: 1 }
      : quantParams(0.05, c.dtype === "uint8" ? 128 : c.dtype === "int8" ? -5 : 0);
    const q = b.op("core.quantize", [x], {}, { outputs: [{ dtype: c.dtype, quant }] });
    b.output(q, b.op("core.dequantize", [q]));
  });
  return { graph: b.build(), inputs };
}

describe("data movement and quantize/dequantize in C are byte-identical to the TS interpreter", () => {
  const check = async (
    graph: ReturnType<typeof quantizeGraph>["graph"],
    inputs: TensorData[],
    target: string,
  ) => {
    const [expected] = interpret(graph, registry, [inputs]);
    const m = await prepareFor(graph, registry, target, target === "host" ? { sanitize: true } : {});
    const [actual] = await m.invokeBatch([inputs]);
    const wrong = actual!.map((o, k) => (sameBytes(o, expected![k]!) ? -1 : k)).filter((k) => k >= 0);
    expect(wrong).toEqual([]);
  };

  it("transpose, concat, pad (constant/reflect/edge), slice, strided_slice, reshape family: float32, int8, int16, int64, uint8", async () => {
    for (const seed of [3, 4]) {
      const g = movementGraph(seed);
      await check(g.graph, g.inputs, "host");
    }
    const g = movementGraph(5);
    await check(g.graph, g.inputs, "cortex-m4");
  });

  it("quantize float32 → int8/int16/uint8/int32 per tensor and per axis (rounding halves away, saturation, NaN) and dequantize back", async () => {
    const g = quantizeGraph();
    await check(g.graph, g.inputs, "host");
    await check(g.graph, g.inputs, "cortex-m4");
  });
});
