/**
 * The DSP kernels on the shapes they specialize for — depthwise with channels a multiple of four,
 * 3x3 windows, borders, strides, dilations and rows past LDR's immediate offsets; 1x1 and 3x3
 * convolutions, few input channels; ADD/SUB of same-shape operands — and on requantizations at the
 * limits of their one-multiply form (left shifts, zero points of ±128, biases near the int32 bound,
 * some of which the portable kernel takes instead), in both rounding modes: byte-identical to the TS
 * kernels on the host (portable C, DSP arithmetic emulated; ASan + UBSan) and on a Cortex-M4 under
 * QEMU (DSP path with the real instructions and assembly, and portable C).
 */
import { codegenPlugin } from "@mcu/codegen-c";
import { corePlugin, createRegistry } from "@mcu/tensor";
import { createQuantPlugin } from "../plugin.js";
import { byteMismatches, cTestRegistry, interpretAll, prepareOn, quantCases } from "./test-graphs.js";

const registry = cTestRegistry();
const KINDS = [
  ["depthwise_conv2d, the DSP kernel's shapes", ["dwdsp"]],
  ["conv2d, the DSP kernel's shapes", ["convdsp"]],
  ["requantization at the fast form's limits", ["edge"]],
  ["add/sub, the DSP kernel's shapes", ["adddsp"]],
] as const;

/** Kinds whose every layer the DSP kernels must take on a DSP target. */
const ALL_DSP: readonly string[] = ["dwdsp", "convdsp", "adddsp"];
/** Kinds with some layer on a DSP kernel on a DSP target (and, for `edge`, some on portable C). */
const SOME_DSP: readonly string[] = ["edge"];

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

describe("with TFLITE_SINGLE_ROUNDING, the DSP kernels are byte-identical to the TS kernels", () => {
  // The TS kernels and the C kernels both built for single rounding (createQuantPlugin's option).
  const single = createRegistry([corePlugin, createQuantPlugin({ rounding: "single" }), codegenPlugin]);
  const cases = quantCases(single, 77, ["dwdsp", "convdsp", "adddsp", "fc", "edge"], 30);
  const samples = [1, 2].map((s) => cases.sample(s));
  const expected = interpretAll(cases.graph, single, samples);

  it.each(["host-dsp-emulated", "cortex-m4"])("%s", async (target) => {
    const m = await prepareOn(cases.graph, single, target);
    expect(m.generated.layers.filter((l) => l.variant.includes("dsp")).length).toBeGreaterThan(20);
    const bad = byteMismatches(await m.invokeBatch(samples), expected).map(
      (i) => cases.cases[i % cases.cases.length],
    );
    expect(bad).toEqual([]);
  });
});
