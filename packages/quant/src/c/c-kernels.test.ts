/**
 * The integer C kernels produce exactly the bytes of the TS kernels (themselves tested against
 * naive definitions and TFLite Micro's golden outputs) on random cases of every kind: conv2d
 * (groups, dilation, strides, SAME/VALID/EXPLICIT, per-channel and per-tensor weights, fused
 * activations), depthwise (multipliers 1–3, one input channel, channels not a multiple of four),
 * fully_connected, pooling, ADD/SUB with broadcasting (int8 and int16) and softmax (more kinds in
 * c-kernels-dsp.test.ts and c-kernels-more.test.ts). Each path is run: portable C and the DSP path
 * on the host (gcc with ASan + UBSan; SXTB16/SMLAD emulated in C), and both on a Cortex-M4 under
 * QEMU (the DSP path with the real instructions).
 */
import { byteMismatches, cTestRegistry, interpretAll, prepareOn, quantCases } from "./test-graphs.js";

const registry = cTestRegistry();
const KINDS = [
  ["conv2d", ["conv"]],
  ["depthwise_conv2d", ["depthwise"]],
  ["fully_connected", ["fc"]],
  ["pooling, add/sub, mean, softmax", ["pool", "add", "mean", "softmax"]],
] as const;

/** Kinds whose every layer the DSP kernels must take on a DSP target (none here). */
const ALL_DSP: readonly string[] = [];
/** Kinds with some layer on a DSP kernel on a DSP target. */
const SOME_DSP: readonly string[] = ["conv", "depthwise", "fc", "pool"];

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
