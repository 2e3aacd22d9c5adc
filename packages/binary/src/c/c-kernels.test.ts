/**
 * The binary C kernels produce exactly the bytes of the TS kernels (themselves tested against
 * the float kernels of @mcu/tensor and naive definitions) on random cases of every op — binary
 * conv (zero and +1 padding, strides, dilation, fused max-pools, int32/float32/bit outputs,
 * channels around word boundaries), the first-layer float conv (float and ±1 weights, ±0 and ∞
 * thresholds), binary dense (any feature shape), sign (±0 inputs), pow2 conv and dense — on the
 * host under AddressSanitizer + UndefinedBehaviorSanitizer with every popcount, and on a
 * Cortex-M4 under QEMU.
 */
import { graphBuilder, numElements, quantParams, storageLength } from "@mcu/tensor";
import { packSigns } from "../bits.js";
import { binaryCases, byteMismatches, cRegistry, interpretAll, prepareOn } from "../testing/c-cases.js";

const RUNS = [
  ["host (ASan + UBSan), SWAR popcount", "host", "swar"],
  ["host (ASan + UBSan), table popcount", "host", "table"],
  ["host (ASan + UBSan), SWAR with multiply", "host", "swar-mul"],
  ["host (ASan + UBSan), __builtin_popcount", "host", "builtin"],
  ["Cortex-M4 (QEMU), SWAR popcount", "cortex-m4", "swar"],
  ["Cortex-M4 (QEMU), table popcount", "cortex-m4", "table"],
] as const;

describe("binary C kernels are byte-identical to the TS kernels", () => {
  const registry = cRegistry();
  const cases = binaryCases(registry, 4242, 60);
  const samples = [1, 2, 3].map((s) => cases.sample(s));
  const expected = interpretAll(cases.graph, registry, samples);

  it.each(RUNS)("%s", async (_name, target, popcount) => {
    const m = await prepareOn(cases.graph, cRegistry({ popcount }), target);
    const actual = await m.invokeBatch(samples);
    const bad = byteMismatches(actual, expected).map((i) => cases.cases[i % cases.cases.length]);
    expect(bad).toEqual([]);
  });
});

describe("each binary op alone compiles warning-free (-Wall -Wextra -Werror: no unused support code)", () => {
  const registry = cRegistry();
  const one = (build: (b: ReturnType<typeof graphBuilder>) => string) => {
    const b = graphBuilder(registry);
    b.output(build(b));
    return b.build();
  };
  const bits = (shape: number[]) => packSigns(new Array(shape.reduce((a, d) => a * d, 1)).fill(-1), shape);
  const graphs = {
    "binary.conv2d": one((b) =>
      b.op(
        "binary.conv2d",
        [
          b.input("x", [1, 4, 4, 8], "bit"),
          b.constant("w", bits([2, 3, 3, 8]), [2, 3, 3, 8], { dtype: "bit" }),
        ],
        { padding: "SAME" },
      ),
    ),
    "binary.input_conv2d": one((b) =>
      b.op(
        "binary.input_conv2d",
        [
          b.input("x", [1, 4, 4, 1]),
          b.constant("w", new Float32Array(18), [2, 3, 3, 1]),
          "",
          "",
          b.constant("t", new Float32Array(2), [2]),
        ] as never,
        { padding: "SAME" },
      ),
    ),
    "binary.fully_connected": one((b) =>
      b.op("binary.fully_connected", [
        b.input("x", [1, 40], "bit"),
        b.constant("w", bits([3, 40]), [3, 40], { dtype: "bit" }),
      ]),
    ),
    "binary.sign (int32)": one((b) => b.op("binary.sign", [b.input("x", [1, 9], "int32")])),
    "binary.pow2_conv2d": one((b) =>
      b.op("binary.pow2_conv2d", [
        b.input("x", [1, 3, 3, 2], "int8", quantParams(0.1, 0)),
        b.constant("w", new Int8Array(2 * 18).fill(3), [2, 3, 3, 2], { dtype: "int4" }),
        b.constant("s", new Float32Array(2).fill(1), [2]),
      ]),
    ),
    "binary.pow2_fully_connected": one((b) =>
      b.op("binary.pow2_fully_connected", [
        b.input("x", [1, 5], "int8", quantParams(0.1, 0)),
        b.constant("w", new Int8Array(10).fill(-2), [2, 5], { dtype: "int4" }),
        b.constant("s", new Float32Array(2).fill(1), [2]),
      ]),
    ),
  };
  it.each(Object.entries(graphs))("%s", async (_op, graph) => {
    const m = await prepareOn(graph, registry, "host", { sanitize: false });
    const sample = graph.inputs.map((id) => {
      const t = graph.tensors.get(id)!;
      const n = numElements(t.shape);
      if (t.dtype === "bit")
        return new Uint32Array(storageLength("bit", t.shape)).fill(
          0x5a5a5a5a & (t.shape.at(-1)! >= 32 ? -1 : (1 << t.shape.at(-1)!) - 1),
        );
      if (t.dtype === "int8") return new Int8Array(n).fill(3);
      if (t.dtype === "int32") return Int32Array.from({ length: n }, (_, i) => i - 4);
      return new Float32Array(n).fill(0.5);
    });
    expect(byteMismatches(await m.invokeBatch([sample]), interpretAll(graph, registry, [sample]))).toEqual(
      [],
    );
  });
});
