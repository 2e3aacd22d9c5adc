/**
 * The pipeline `mcu compile` runs when the user gives none: int8 post-training quantization
 * when there are calibration samples (TFLite's int8 scheme: the smallest and fastest path on
 * every catalog core, and the one the DSP kernels accelerate), float32 otherwise (with a note
 * suggesting `--calib`), and nothing at all for a model that is already integer.
 */
import { cTarget } from "@mcu/codegen-c";
import { type Board, CORE_FAMILY_SPECS } from "@mcu/hw-model";
import type { Graph } from "@mcu/tensor";

/** The pipeline a compile runs, and why. */
export interface PipelineChoice {
  /** Pipeline text (`quant/int8`, `core/fold-batchnorm,core/fuse-activation`, or `""`). */
  readonly pipeline: string;
  /** `user`: given with `-p`; `default`: chosen by {@link choosePipeline}. */
  readonly source: "user" | "default";
  /** One sentence: why this pipeline. */
  readonly reason: string;
  /** Suggestions and caveats for the user (e.g. "give --calib for int8"). */
  readonly notes: readonly string[];
}

/** The float cleanup a TFLite converter also does: batch norms folded, activations fused. */
export const FLOAT_PIPELINE = "core/fold-batchnorm,core/fuse-activation";

/** The default with calibration samples. */
export const INT8_PIPELINE = "quant/int8";

/** True if some node computes in float32 (not just a float quantize at the input or dequantize at the output). */
export function hasFloatCompute(graph: Graph): boolean {
  const isFloat = (id: string): boolean => id !== "" && graph.tensors.get(id)?.dtype === "float32";
  return graph.nodes.some(
    (n) =>
      n.op !== "core.quantize" &&
      n.op !== "core.dequantize" &&
      n.outputs.some(isFloat) &&
      n.inputs.some(isFloat),
  );
}

/** Chooses the pipeline of a compile: the user's, or the default for this model, board and data. */
export function choosePipeline(
  graph: Graph,
  board: Board,
  options: { readonly pipeline?: string; readonly hasCalibration: boolean },
): PipelineChoice {
  if (options.pipeline !== undefined) {
    return { pipeline: options.pipeline.trim(), source: "user", reason: "given with -p", notes: [] };
  }
  const core = CORE_FAMILY_SPECS[board.core];
  if (!hasFloatCompute(graph)) {
    return {
      pipeline: "",
      source: "default",
      reason: "the model already computes in integers: compiled as it is",
      notes: options.hasCalibration ? ["the calibration samples serve as verification inputs only"] : [],
    };
  }
  if (options.hasCalibration) {
    return {
      pipeline: INT8_PIPELINE,
      source: "default",
      reason: `calibration samples given, so int8 post-training quantization, TFLite's int8 scheme${core.dsp ? `, which ${board.core} runs with its DSP extension (SMLAD)` : ""}`,
      notes: [],
    };
  }
  const notes = [
    "no calibration samples: the model stays float32; give --calib <samples.npy> (a few hundred typical inputs) for int8 post-training quantization — about 4× smaller weights and faster",
  ];
  if (cTarget(board.core).fpu === "none") {
    notes.push(`${board.id} (${board.core}) has no FPU: float32 runs in software emulation`);
  }
  return {
    pipeline: FLOAT_PIPELINE,
    source: "default",
    reason: "no calibration samples: float32, with batch norms folded and activations fused",
    notes,
  };
}
