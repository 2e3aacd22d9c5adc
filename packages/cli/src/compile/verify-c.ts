/**
 * Verification of generated C: the very sources `mcu compile` writes are built with the host C
 * compiler (the DSP intrinsics of Cortex-M kernels are emulated in C there) and run on a few
 * inputs, and every output is compared with the TS interpreter's.
 *
 * Integer programs must match byte for byte (DESIGN.md's numerics contract: the TS kernels and
 * the generated C produce the same bytes). A program with float32 arithmetic is held to
 * @mcu/codegen-c's tested float contract instead: every float32 output value within 1e-5 of
 * the largest magnitude of that output tensor (summation order and contraction may differ).
 */
import {
  type BuiltProgram,
  buildHost,
  findTool,
  type GeneratedProject,
  patternBytes,
  runHostBatch,
  tensorDataBytes,
} from "@mcu/codegen-c";
import {
  allocateData,
  createInterpreter,
  type Graph,
  getTensor,
  isMcuError,
  type Registry,
  type TensorData,
} from "@mcu/tensor";

/** Relative tolerance of float32 outputs (codegen-c's tested float contract). */
export const FLOAT_TOLERANCE = 1e-5;

/** Where the verification inputs came from. */
export type VerifyInputs = "calibration" | "random";

/** The first output value where C and TS disagree. */
export interface VerifyMismatch {
  readonly sample: number;
  readonly output: string;
  readonly index: number;
  readonly c: number;
  readonly ts: number;
}

/** The outcome of a verification (the `verify` object of report.json). */
export interface Verification {
  /** `passed`, `failed`, or `skipped` (no host C compiler). */
  readonly status: "passed" | "failed" | "skipped";
  /** Why it was skipped, or what failed. */
  readonly reason?: string;
  /** The host compiler that built the program. */
  readonly compiler?: string;
  /** `exact`: every output byte; `tolerance`: float32 outputs within {@link FLOAT_TOLERANCE}. */
  readonly mode: "exact" | "tolerance";
  readonly inputs: VerifyInputs;
  /** Number of inputs run. */
  readonly samples: number;
  /** Samples whose every output byte was identical. */
  readonly identicalSamples: number;
  /** Largest |C − TS| over all float32 output values (0 when identical). */
  readonly maxAbsDiff: number;
  readonly tolerance?: number;
  readonly firstMismatch?: VerifyMismatch;
}

/** A verification, and the host program when one was built (to run more inputs on). */
export interface VerifyResult {
  readonly verification: Verification;
  readonly program?: BuiltProgram;
}

const EXACT_OPS = new Set(["core.quantize", "core.dequantize"]);

/**
 * `exact` unless some layer computes in float32: a float32 input or output on a kernel other
 * than data movement (`core/any`), quantize or dequantize — all three byte-exact in C.
 */
export function verificationMode(graph: Graph, project: GeneratedProject): "exact" | "tolerance" {
  const isFloat = (id: string): boolean => id !== "" && graph.tensors.get(id)?.dtype === "float32";
  for (const layer of project.model.layers) {
    const node = graph.nodes[layer.index];
    if (node === undefined || layer.variant === "core/any" || EXACT_OPS.has(node.op)) continue;
    if (node.inputs.some(isFloat) || node.outputs.some(isFloat)) return "tolerance";
  }
  return "exact";
}

/**
 * `count` deterministic inputs over each graph input's dtype range (float32: uniform in
 * [−1, 1); integers: every byte uniform), from @mcu/codegen-c's `patternBytes`.
 */
export function randomInputs(graph: Graph, count: number): TensorData[][] {
  return Array.from({ length: count }, (_, s) =>
    graph.inputs.map((id, i) => {
      const t = getTensor(graph, id);
      const data = allocateData(t.dtype, t.shape);
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      bytes.set(patternBytes(t.dtype, bytes.length, 1000 * (s + 1) + i));
      return data;
    }),
  );
}

/** Index of the first differing element of two same-dtype outputs, by their bytes. */
function firstDifference(got: Uint8Array, want: Uint8Array, elementBytes: number): number {
  let i = 0;
  while (i < Math.min(got.length, want.length) && got[i] === want[i]) i++;
  return Math.floor(i / elementBytes);
}

function compare(
  graph: Graph,
  mode: "exact" | "tolerance",
  sample: number,
  c: readonly Uint8Array[],
  ts: readonly TensorData[],
): { identical: boolean; ok: boolean; maxAbsDiff: number; mismatch?: VerifyMismatch } {
  let identical = true;
  let ok = true;
  let maxAbsDiff = 0;
  let mismatch: VerifyMismatch | undefined;
  const fail = (m: VerifyMismatch): void => {
    ok = false;
    mismatch ??= m;
  };
  graph.outputs.forEach((id, o) => {
    const tsData = ts[o]!;
    const want = tensorDataBytes(tsData);
    const got = c[o]!;
    if (got.length === want.length && got.every((b, i) => b === want[i])) return;
    identical = false;
    const t = getTensor(graph, id);
    const elementBytes = tsData.BYTES_PER_ELEMENT;
    const Ctor = tsData.constructor as new (b: ArrayBuffer) => TensorData;
    const cData = new Ctor(got.slice(0, got.length - (got.length % elementBytes)).buffer);
    const value = (d: TensorData, i: number): number => Number(d[i] ?? Number.NaN);
    if (t.dtype === "float32" && got.length === want.length) {
      const a = cData as Float32Array;
      const b = tsData as Float32Array;
      let largest = 0;
      for (const v of b) largest = Math.max(largest, Math.abs(v));
      for (let i = 0; i < a.length; i++) {
        const d = Math.abs(a[i]! - b[i]!);
        if (Number.isNaN(a[i]!) && Number.isNaN(b[i]!)) continue;
        maxAbsDiff = Math.max(maxAbsDiff, Number.isNaN(d) ? Infinity : d);
        if (mode === "tolerance" && !(d <= FLOAT_TOLERANCE * largest)) {
          fail({ sample, output: id, index: i, c: a[i]!, ts: b[i]! });
        }
      }
      if (mode === "tolerance") return;
    }
    const i = firstDifference(got, want, elementBytes);
    fail({ sample, output: id, index: i, c: value(cData, i), ts: value(tsData, i) });
  });
  return { identical, ok, maxAbsDiff, ...(mismatch !== undefined ? { mismatch } : {}) };
}

/**
 * Builds the project's C with the host compiler, runs it on `samples` and compares every output
 * with the TS interpreter. A missing compiler gives `skipped`; a disagreement gives `failed`
 * (the caller decides how loudly to fail).
 */
export async function verifyGeneratedC(
  graph: Graph,
  project: GeneratedProject,
  registry: Registry,
  samples: readonly (readonly TensorData[])[],
  inputs: VerifyInputs,
): Promise<VerifyResult> {
  const mode = verificationMode(graph, project);
  const base = {
    mode,
    inputs,
    samples: samples.length,
    ...(mode === "tolerance" ? { tolerance: FLOAT_TOLERANCE } : {}),
  };
  if (samples.length === 0) {
    return {
      verification: {
        ...base,
        status: "skipped",
        reason: "not requested (0 inputs)",
        identicalSamples: 0,
        maxAbsDiff: 0,
      },
    };
  }
  let compiler: string;
  try {
    compiler = findTool("cc");
  } catch (e) {
    if (!isMcuError(e)) throw e;
    return {
      verification: {
        ...base,
        status: "skipped",
        reason: `no host C compiler (${e.message})`,
        identicalSamples: 0,
        maxAbsDiff: 0,
      },
    };
  }
  const program = await buildHost(project, { cc: compiler });
  const run = await runHostBatch(
    program,
    project.model,
    samples.map((s) => s.map(tensorDataBytes)),
  );
  const interpreter = createInterpreter(graph, { registry });
  let identicalSamples = 0;
  let maxAbsDiff = 0;
  let firstMismatch: VerifyMismatch | undefined;
  samples.forEach((sample, s) => {
    const ts = interpreter.invoke(sample).map((v) => v.data);
    const r = compare(graph, mode, s, run.outputs[s]!, ts);
    if (r.identical) identicalSamples += 1;
    maxAbsDiff = Math.max(maxAbsDiff, r.maxAbsDiff);
    if (!r.ok && firstMismatch === undefined) firstMismatch = r.mismatch;
  });
  const name = compiler.replace(/^.*[\\/]/, "");
  const verification: Verification = {
    ...base,
    status: firstMismatch === undefined ? "passed" : "failed",
    compiler: name,
    identicalSamples,
    maxAbsDiff,
    ...(firstMismatch !== undefined
      ? {
          firstMismatch,
          reason: `sample ${firstMismatch.sample}, output "${firstMismatch.output}" [${firstMismatch.index}]: C ${firstMismatch.c}, TS ${firstMismatch.ts}`,
        }
      : {}),
  };
  return { verification, program };
}
