/**
 * Verification of generated C: the very sources `mcu compile` writes are built with the host C
 * compiler (the DSP intrinsics of Cortex-M kernels are emulated in C there) and run on a few
 * inputs, and every output is compared with the TS interpreter's.
 *
 * For a Cortex-M core that QEMU models, the same sources are also cross-compiled as the
 * Makefile builds them (the real DSP instructions and assembly included) and run under
 * qemu-system-arm on the same inputs, which also measures the instructions of one inference.
 *
 * Integer programs must match byte for byte (DESIGN.md's numerics contract: the TS kernels and
 * the generated C produce the same bytes). A program with float32 arithmetic is held to
 * @mcu/codegen-c's tested float contract instead: every float32 output value within 1e-5 of
 * the largest magnitude of that output tensor (summation order and contraction may differ).
 */
import {
  type BuiltProgram,
  buildCortexM,
  buildHost,
  findTool,
  type GeneratedProject,
  patternBytes,
  runHostBatch,
  runQemuBatch,
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

/** One engine's run of the verification inputs (`verify.host`, `verify.qemu` of report.json). */
export interface EngineVerification {
  /** `passed`, `failed`, or `skipped` (tool missing, no QEMU board with this core, not requested). */
  readonly status: "passed" | "failed" | "skipped";
  /** Why it was skipped, or where it failed. */
  readonly reason?: string;
  /** Samples whose every output byte was identical to the TS interpreter's. */
  readonly identicalSamples: number;
  /** Largest |C − TS| over all float32 output values (0 when identical). */
  readonly maxAbsDiff: number;
  readonly firstMismatch?: VerifyMismatch;
}

/** The host run: which compiler built it. */
export interface HostVerification extends EngineVerification {
  /** The host compiler, e.g. `gcc`. */
  readonly compiler?: string;
}

/** The QEMU run: the machine, and the instructions of one inference. */
export interface QemuVerification extends EngineVerification {
  /** The QEMU machine, e.g. `mps2-an386` (Cortex-M4). */
  readonly machine?: string;
  /** Instructions of one inference, the largest over the samples (SysTick under `-icount shift=0`). */
  readonly instructions?: number;
}

/** The outcome of a verification (the `verify` object of report.json). */
export interface Verification {
  /** `failed` if an engine disagreed with the TS interpreter, `passed` if one ran and none did, else `skipped`. */
  readonly status: "passed" | "failed" | "skipped";
  /** What failed, or why nothing ran. */
  readonly reason?: string;
  /** `exact`: every output byte; `tolerance`: float32 outputs within {@link FLOAT_TOLERANCE}. */
  readonly mode: "exact" | "tolerance";
  readonly inputs: VerifyInputs;
  /** Number of inputs run on each engine. */
  readonly samples: number;
  readonly tolerance?: number;
  /** The sources built with the host compiler (DSP instructions emulated in C). */
  readonly host: HostVerification;
  /** The Makefile's Cortex-M build of the same sources, run under qemu-system-arm. */
  readonly qemu: QemuVerification;
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

interface Comparison {
  readonly identicalSamples: number;
  readonly maxAbsDiff: number;
  readonly firstMismatch?: VerifyMismatch;
}

function compareAll(
  graph: Graph,
  mode: "exact" | "tolerance",
  outputs: readonly (readonly Uint8Array[])[],
  ts: readonly (readonly TensorData[])[],
): Comparison {
  let identicalSamples = 0;
  let maxAbsDiff = 0;
  let firstMismatch: VerifyMismatch | undefined;
  ts.forEach((want, s) => {
    const r = compare(graph, mode, s, outputs[s]!, want);
    if (r.identical) identicalSamples += 1;
    maxAbsDiff = Math.max(maxAbsDiff, r.maxAbsDiff);
    if (!r.ok && firstMismatch === undefined) firstMismatch = r.mismatch;
  });
  return { identicalSamples, maxAbsDiff, ...(firstMismatch !== undefined ? { firstMismatch } : {}) };
}

function describeMismatch(m: VerifyMismatch, where: string): string {
  return `${where}, sample ${m.sample}, output "${m.output}" [${m.index}]: C ${m.c}, TS ${m.ts}`;
}

function skipped(reason: string): EngineVerification {
  return { status: "skipped", reason, identicalSamples: 0, maxAbsDiff: 0 };
}

function outcome(c: Comparison, where: string): EngineVerification {
  return {
    status: c.firstMismatch === undefined ? "passed" : "failed",
    ...(c.firstMismatch !== undefined ? { reason: describeMismatch(c.firstMismatch, where) } : {}),
    ...c,
  };
}

/** Runs the project's Cortex-M build under QEMU on the samples and compares with `ts`; `skipped` without the tools. */
async function verifyOnQemu(
  graph: Graph,
  project: GeneratedProject,
  mode: "exact" | "tolerance",
  samples: readonly (readonly TensorData[])[],
  ts: () => readonly (readonly TensorData[])[],
): Promise<QemuVerification> {
  const target = project.model.target;
  const machine = target.qemuMachine;
  if (target.kind !== "cortex-m") return skipped(`${target.name} is not a Cortex-M target`);
  if (machine === undefined) return skipped(`QEMU models no board with a ${target.name}`);
  try {
    findTool("arm-none-eabi-gcc");
    findTool("qemu-system-arm");
  } catch (e) {
    if (!isMcuError(e)) throw e;
    return { ...skipped(e.message), machine };
  }
  let program: BuiltProgram;
  try {
    program = await buildCortexM(project, { fileIo: true });
  } catch (e) {
    // The model itself compiled for the core (measureTarget); the harness needs newlib as well.
    if (!isMcuError(e) || e.code !== "MCU_E_C_BUILD") throw e;
    const detail = e.message.split("\n").slice(1, 3).join(" ");
    return { ...skipped(`cannot link the QEMU harness: ${detail}`), machine };
  }
  const run = await runQemuBatch(
    program,
    project.model,
    samples.map((s) => s.map(tensorDataBytes)),
  );
  const instructions = run.instructions?.length ? Math.max(...run.instructions) : undefined;
  return {
    ...outcome(compareAll(graph, mode, run.outputs, ts()), `${target.name} under QEMU`),
    machine,
    ...(instructions !== undefined ? { instructions } : {}),
  };
}

/** Options of {@link verifyGeneratedC}. */
export interface VerifyOptions {
  /** Also run the Cortex-M build under QEMU when the tools are there (default true). */
  readonly qemu?: boolean;
}

/**
 * Builds the project's C with the host compiler (and, for a Cortex-M core QEMU models, with
 * arm-none-eabi-gcc for QEMU), runs it on `samples` and compares every output with the TS
 * interpreter. A missing tool gives `skipped`; a disagreement gives `failed` (the caller decides
 * how loudly to fail).
 */
export async function verifyGeneratedC(
  graph: Graph,
  project: GeneratedProject,
  registry: Registry,
  samples: readonly (readonly TensorData[])[],
  inputs: VerifyInputs,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const mode = verificationMode(graph, project);
  const base = {
    mode,
    inputs,
    samples: samples.length,
    ...(mode === "tolerance" ? { tolerance: FLOAT_TOLERANCE } : {}),
  };
  if (samples.length === 0) {
    const reason = "not requested (0 inputs)";
    return {
      verification: { ...base, status: "skipped", reason, host: skipped(reason), qemu: skipped(reason) },
    };
  }
  let expected: TensorData[][] | undefined;
  const ts = (): TensorData[][] => {
    if (expected === undefined) {
      const interpreter = createInterpreter(graph, { registry });
      expected = samples.map((sample) => interpreter.invoke(sample).map((v) => v.data));
    }
    return expected;
  };

  let host: HostVerification;
  let program: BuiltProgram | undefined;
  try {
    const compiler = findTool("cc");
    program = await buildHost(project, { cc: compiler });
    const run = await runHostBatch(
      program,
      project.model,
      samples.map((s) => s.map(tensorDataBytes)),
    );
    host = {
      ...outcome(compareAll(graph, mode, run.outputs, ts()), "host C"),
      compiler: compiler.replace(/^.*[\\/]/, ""),
    };
  } catch (e) {
    if (!isMcuError(e) || e.code !== "MCU_E_TOOLCHAIN") throw e;
    host = skipped(`no host C compiler (${e.message})`);
  }
  const qemu =
    options.qemu === false ? skipped("not requested") : await verifyOnQemu(graph, project, mode, samples, ts);

  const engines = [host, qemu];
  const failed = engines.find((v) => v.status === "failed");
  const status =
    failed !== undefined ? "failed" : engines.some((v) => v.status === "passed") ? "passed" : "skipped";
  const reason = failed?.reason ?? (status === "skipped" ? host.reason : undefined);
  const verification: Verification = {
    ...base,
    status,
    ...(reason !== undefined ? { reason } : {}),
    host,
    qemu,
  };
  return { verification, ...(program !== undefined ? { program } : {}) };
}
