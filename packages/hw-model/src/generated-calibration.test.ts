/**
 * The fitting code of latency model (a) and of the code sizes, on synthetic measurements made
 * from a known truth with the fixture models' own layers and C programs — so the fit must recover
 * what made them (the live checks against QEMU and arm-none-eabi-size are the generated-cortex-*
 * tests).
 */
import { cTargetOfFamily } from "./c-kernel-view.js";
import {
  calibrateGenerated,
  type GeneratedLayerMeasurement,
  type GeneratedModelMeasurement,
  predictGeneratedModel,
} from "./generated-calibration.js";
import {
  calibrateCodeSizes,
  codeLayers,
  type CodeSizeMeasurement,
  pieceTokens,
} from "./generated-code-size.js";
import { GENERATED_PARAMETERS, type GeneratedTheta, generatedLayerFeatures } from "./generated-features.js";
import { describeGeneratedProgram } from "./generated-program.js";
import { costContexts } from "./graph-layers.js";
import { generatedRegistry, loadGeneratedFixtures } from "./testing/generated-fixtures.js";

const registry = generatedRegistry();
let models: { name: string; graph: import("@mcu/tensor").Graph }[] = [];
beforeAll(async () => {
  models = await loadGeneratedFixtures(registry);
}, 120_000);

/** A made-up truth: every coefficient some positive value, the DSP path cheaper per MAC. */
function truth(): { dsp: GeneratedTheta; portable: GeneratedTheta } {
  const portable = Object.fromEntries(GENERATED_PARAMETERS.map((p, j) => [p, 1 + ((j * 7) % 13)])) as Record<
    string,
    number
  >;
  const dsp: Record<string, number> = {
    ...portable,
    gemmMac: 1.2,
    gemmMacClamp: 1.6,
    dwMac: 2.5,
    denseMac: 2,
  };
  portable.gemmMac = 3.2;
  portable.dwMac = 6;
  portable.denseMac = 4.4;
  portable.ioByte = 0.5;
  portable.invoke = 150;
  dsp.ioByte = 0.5;
  dsp.invoke = 150;
  return { dsp: dsp as GeneratedTheta, portable: portable as GeneratedTheta };
}

describe("calibrateGenerated (latency model a)", () => {
  it("recovers whole-model counts and the dominant coefficients from per-layer and whole-model counts", () => {
    const t = truth();
    const layers: GeneratedLayerMeasurement[] = [];
    const wholes: GeneratedModelMeasurement[] = [];
    // The DSP core's programs, and the portable ones of a core without DSP: both paths measured.
    for (const [m, target] of models.flatMap((x) => [
      [x, cTargetOfFamily("cortex-m4")] as const,
      [x, cTargetOfFamily("cortex-m0plus")] as const,
    ])) {
      const program = describeGeneratedProgram(m.graph, registry, target);
      const ctxs = costContexts(m.graph, registry);
      const ls = ctxs.flatMap((c, i) => {
        const f = generatedLayerFeatures(c, { soleUser: program.nodes[i]!.soleUser });
        return f === undefined ? [] : [{ features: f, dspPath: program.nodes[i]!.dspOnly }];
      });
      const ioBytes = 100 + m.name.length;
      const row = { layers: ls, ioBytes };
      // The naive definition: Σ_j feature_j · θ_j of the layer's path, plus the invoke terms.
      const count = (f: readonly number[], dsp: boolean) =>
        GENERATED_PARAMETERS.reduce(
          (s, p, j) => s + (p === "ioByte" || p === "invoke" ? 0 : f[j]! * (dsp ? t.dsp : t.portable)[p]),
          0,
        );
      for (const l of ls)
        if (l.features.some((v) => v !== 0))
          layers.push({ ...l, instructions: count(l.features, l.dspPath) });
      wholes.push({
        model: `${m.name}@${target.name}`,
        ...row,
        instructions:
          ls.reduce((s, l) => s + count(l.features, l.dspPath), 0) +
          t.portable.invoke +
          t.portable.ioByte * ioBytes,
      });
    }
    // Invoke alone (graphs without layers), small and large.
    const invokes = [16, 4096].map((ioBytes) => ({
      model: `invoke-${ioBytes}`,
      ioBytes,
      layers: 0,
      instructions: t.portable.invoke + t.portable.ioByte * ioBytes,
    }));
    const fit = calibrateGenerated({ layers, models: wholes, invokes });
    for (const r of fit.modelFit) expect([r.model, Math.abs(r.error) < 0.01]).toEqual([r.model, true]);
    expect(fit.dsp.gemmMac).toBeCloseTo(1.2, 1);
    expect(fit.portable.gemmMac).toBeCloseTo(3.2, 1);
    expect(predictGeneratedModel(fit, { layers: [], ioBytes: 1000 })).toBeCloseTo(150 + 500, -1);
    // No DSP kernel pools: the DSP coefficient is tied to the portable one.
    expect(fit.dsp.poolElement).toBeCloseTo(fit.portable.poolElement, 3);
  });
});

describe("calibrateCodeSizes", () => {
  it("reproduces every build's code from a known size per piece, per layer, per input/output and a constant", () => {
    const measurements: CodeSizeMeasurement[] = models.map((m) => {
      const program = describeGeneratedProgram(m.graph, registry, cTargetOfFamily("cortex-m4"));
      const io = m.graph.inputs.length + m.graph.outputs.length;
      // Truth: a piece is 0.8 bytes per token, give or take 20% by its id's length.
      let code = 60 + 36 * codeLayers(program) + 18 * io;
      for (const p of program.support.values()) code += pieceTokens(p) * 0.8 * (0.9 + (p.id.length % 5) / 20);
      return {
        model: m.name,
        program,
        ioTensors: io,
        codeBytes: code,
        invokeBytes: 60 + 36 * codeLayers(program) + 18 * io,
      };
    });
    const fit = calibrateCodeSizes(measurements);
    for (const r of fit.fit) expect([r.model, Math.abs(r.error) < 0.02]).toEqual([r.model, true]);
    expect(fit.table.perLayer).toBeCloseTo(36, 0);
    expect(fit.table.perIoTensor).toBeCloseTo(18, -1);
  });
});
