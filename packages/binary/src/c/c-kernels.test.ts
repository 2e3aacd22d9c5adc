/**
 * The binary C kernels produce exactly the bytes of the TS kernels (themselves tested against
 * the float kernels of @mcu/tensor and naive definitions) on random cases of every op — binary
 * conv (zero and +1 padding, strides, dilation, fused max-pools, int32/float32/bit outputs,
 * channels around word boundaries), the first-layer float conv (float and ±1 weights, ±0 and ∞
 * thresholds), binary dense (any feature shape), sign (±0 inputs), pow2 conv and dense — on the
 * host under AddressSanitizer + UndefinedBehaviorSanitizer with every popcount, and on a
 * Cortex-M4 under QEMU.
 */
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
