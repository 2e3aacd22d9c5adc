import { corePlugin, createRegistry } from "@mcu/tensor";
import { readFixture } from "@mcu/testing";
import { readTflite } from "@mcu/tflite-io";
import { PARAMETERS, type Parameter, parameterFeatures } from "./calibration.js";
import {
  calibrateCodeSize,
  calibrateGenerated,
  CODE_GROUPS,
  codeSizeFeatures,
} from "./generated-calibration.js";
import { builtinLayers } from "./graph-layers.js";

const registry = createRegistry([corePlugin]);
const models = [
  ["tflite-micro", "person_detect.tflite"],
  ["mlcommons-tiny", "kws_ref_model.tflite"],
  ["mlcommons-tiny", "pretrainedResnet_quant.tflite"],
  ["tflite-micro", "micro_speech_quantized.tflite"],
  ["tflite-micro", "hello_world_int8.tflite"],
  ["mlcommons-tiny", "model_ToyCar_quant_fullint.tflite"],
].map(([dir, file]) => ({ model: file!, graph: readTflite(readFixture(dir!, file!)) }));

describe("calibrateGenerated (model a)", () => {
  it("recovers a known per-class instruction model from whole-model counts within 10%", () => {
    // A synthetic 'codegen-c' that is 0.7× TFLM per MAC and cheaper per layer: the counts it
    // would measure, computed independently from the same linear definition.
    const truth: Record<Parameter, number> = {
      convMac: 1.4,
      im2col: 1.5,
      depthwiseMac: 1.7,
      depthwiseMultMac: 3,
      denseMac: 1.0,
      requantOutput: 20,
      elementwiseOutput: 10,
      softmaxOutput: 50,
      poolElement: 1.5,
      reduceElement: 2,
      copyOutput: 1,
      recurrentMac: 2,
      layer: 120,
      invoke: 200,
    };
    const measurements = models.map((m) => {
      const x = parameterFeatures(builtinLayers(m.graph, registry));
      return { ...m, instructions: PARAMETERS.reduce((s, p, j) => s + x[j]! * truth[p], 0) };
    });
    const c = calibrateGenerated(registry, "cortex-m4", measurements);
    for (const r of c.instructionFit) expect(Math.abs(r.error)).toBeLessThan(0.1);
    // The dominant coefficients are identified by the data, not left at the TFLM prior.
    expect(c.theta.convMac).toBeCloseTo(1.4, 1);
  });
});

describe("calibrateCodeSize", () => {
  it("fits per-group implementation bytes so that every model's code size is reproduced", () => {
    const groupTruth = [1500, 900, 500, 300, 250, 600, 200, 150, 1200];
    const measurements = models.map((m) => {
      const x = codeSizeFeatures(m.graph, registry);
      const bytes =
        CODE_GROUPS.reduce((s, _g, j) => s + x[j]! * groupTruth[j]!, 0) + 48 * x[CODE_GROUPS.length]! + 400;
      return { ...m, codeBytes: bytes };
    });
    const fit = calibrateCodeSize(registry, measurements);
    for (const r of fit.fit) expect(Math.abs(r.error)).toBeLessThan(0.05);
  });
});
