/**
 * The int16x8 convolutions (conv2d with groups, depthwise with multipliers, fully_connected; int64
 * and int32 biases), transpose_conv2d (int8 and int16x8) and the 8-bit element-wise ops as tables
 * (logistic, tanh, relu, relu6, leaky_relu, hard_swish, integer quantize): byte-identical to the TS
 * kernels on the host (ASan + UBSan) and on a Cortex-M4 under QEMU.
 */
import { byteMismatches, cTestRegistry, interpretAll, prepareOn, quantCases } from "./test-graphs.js";

const registry = cTestRegistry();
const KINDS = [
  ["int16x8 conv2d, depthwise_conv2d, fully_connected", ["conv16"]],
  ["transpose_conv2d, int8 and int16x8", ["tconv"]],
  ["8-bit element-wise ops (tables)", ["elem"]],
] as const;

/** None of these ops has a DSP kernel: on a DSP target every layer must stay on portable C. */
const ALL_DSP: readonly string[] = [];
const SOME_DSP: readonly string[] = [];

const RUNS = [
  ["host, portable C", "host", {}],
  ["host, DSP path emulated", "host-dsp-emulated", {}],
  ["Cortex-M4 (QEMU), DSP path", "cortex-m4", {}],
  ["Cortex-M4 (QEMU), portable C", "cortex-m4", { dsp: false }],
] as const;

describe.each(KINDS)("%s in C is byte-identical to the TS kernels", (_name, kinds) => {
  const cases = quantCases(registry, 100 + kinds.length * 7 + kinds[0].length, kinds, 24);
  const samples = [1, 2, 3].map((s) => cases.sample(s));
  const expected = interpretAll(cases.graph, registry, samples);

  it.each(RUNS)("%s", async (_run, target, options) => {
    const m = await prepareOn(cases.graph, registry, target, options);
    if (target !== "host" && !("dsp" in options)) {
      const dsp = m.generated.layers.filter((l) => l.variant.includes("dsp")).length;
      const kind: string = kinds[0];
      if (ALL_DSP.includes(kind)) expect(dsp).toBe(cases.cases.length);
      else expect(dsp > 0).toBe(SOME_DSP.includes(kind));
      if (kind === "edge") expect(dsp).toBeLessThan(cases.cases.length);
    }
    const actual = await m.invokeBatch(samples);
    const bad = byteMismatches(actual, expected).map((i) => cases.cases[i % cases.cases.length]);
    expect(bad).toEqual([]);
  });
});
