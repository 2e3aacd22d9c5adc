/**
 * The post-training quantization passes: `quant/int8`, `quant/int16x8` and
 * `quant/int4-weights`. Each folds batch norms and fuses activations first (as the TFLite
 * converter does, so that a ReLU's clamp is the convolution's output range), calibrates on the
 * pipeline's calibration samples, then quantizes.
 */
import {
  attr,
  definePass,
  type Graph,
  McuError,
  normalizeAttrs,
  type PassContext,
  type PassDef,
} from "@mcu/tensor";
import { CALIBRATION_METHODS, calibrate } from "../calibration/calibrate.js";
import { type PtqScheme, quantizeGraph } from "./quantize-graph.js";

/** Options every PTQ pass takes. */
const ptqOptions = {
  calib: attr.enum(CALIBRATION_METHODS, "minmax", "activation range estimator"),
  percentile: attr.float(99.99, "calib=percentile: percent of |x| values inside the range"),
  averagingConstant: attr.float(0.01, "calib=moving-average: weight of each new sample"),
  bins: attr.int(2048, "calib=percentile|mse|kl: histogram bins per sign"),
  perChannel: attr.bool(true, "per-channel weight scales (false: one scale per weight tensor)"),
  fuse: attr.bool(true, "fold batch norms and fuse activations before calibrating"),
};

/** The core passes run before calibration when `fuse` is on. */
const PREPARE_PASSES = ["core/fold-batchnorm", "core/fuse-activation"] as const;

/** Folds batch norms and fuses activations with the registry's core passes. */
async function prepareFloatGraph(graph: Graph, ctx: PassContext<unknown>): Promise<Graph> {
  let g = graph;
  for (const name of PREPARE_PASSES) {
    const pass = ctx.registry.pass(name);
    const options = normalizeAttrs(pass.name, pass.options, {});
    g = await pass.run(g, { ...ctx, options } as PassContext<never>);
  }
  return g;
}

interface PtqPassSpec {
  readonly name: string;
  readonly description: string;
  readonly scheme: PtqScheme;
  /** The integer I/O option value (`int8` or `int16`). */
  readonly integerIo: "int8" | "int16";
}

function ptqPass(spec: PtqPassSpec): PassDef {
  return definePass({
    name: spec.name,
    description: spec.description,
    options: {
      ...ptqOptions,
      io: attr.enum(
        ["float", spec.integerIo],
        "float",
        `graph inputs and outputs: float32, or ${spec.integerIo}`,
      ),
    },
    async run(graph, ctx) {
      const samples = ctx.resources.calibration;
      if (samples === undefined || samples.length === 0) {
        throw new McuError(
          "MCU_E_CALIBRATION",
          `${spec.name} needs calibration samples (the CLI's --calib <file.npy>, or PipelineResources.calibration)`,
        );
      }
      const o = ctx.options;
      const prepared = o.fuse ? await prepareFloatGraph(graph, ctx) : graph;
      const ranges = calibrate(prepared, samples, {
        registry: ctx.registry,
        method: o.calib,
        percentile: o.percentile,
        averagingConstant: o.averagingConstant,
        bins: o.bins,
        dtype: spec.scheme.activations,
        progress: ctx.progress,
      });
      return quantizeGraph(prepared, ranges, {
        registry: ctx.registry,
        scheme: spec.scheme,
        io: o.io === "float" ? "float" : "integer",
        perChannel: o.perChannel,
        report: (note) => ctx.report(note),
      });
    },
  }) as unknown as PassDef;
}

/** `quant/int8`: int8 activations (asymmetric), int8 per-channel weights, int32 biases. */
export const int8Pass: PassDef = ptqPass({
  name: "quant/int8",
  description: "Post-training quantization to int8 (TFLite's int8 scheme): calibrate, then quantize.",
  scheme: { activations: "int8", weightBits: 8 },
  integerIo: "int8",
});

/** `quant/int16x8`: int16 activations (symmetric), int8 per-channel weights, int64 biases. */
export const int16x8Pass: PassDef = ptqPass({
  name: "quant/int16x8",
  description: "Post-training quantization to TFLite's 16x8 scheme: int16 activations, int8 weights.",
  scheme: { activations: "int16", weightBits: 8 },
  integerIo: "int16",
});

/** `quant/int4-weights`: int8 activations, int4 per-channel weights in [−7, 7], int32 biases. */
export const int4WeightsPass: PassDef = ptqPass({
  name: "quant/int4-weights",
  description: "Post-training quantization with int4 weights ([-7, 7], per channel) and int8 activations.",
  scheme: { activations: "int8", weightBits: 4 },
  integerIo: "int8",
});

/** Every PTQ pass. */
export const ptqPasses: readonly PassDef[] = [int8Pass, int16x8Pass, int4WeightsPass];
