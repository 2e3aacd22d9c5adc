/**
 * Flash of the C that @mcu/codegen-c generates, from the program the registry's C kernels describe
 * (generated-program.ts) and code sizes measured with arm-none-eabi-size on codegen-c builds.
 *
 * - Constants (exact, no calibration): every array a kernel declares with `constArray()` (its
 *   weights as stored: repacked words, folded biases, requantization tables), every constant tensor
 *   a kernel names through `input()`, initial values of state tensors, the kernels' descriptors
 *   (4 bytes per initializer value) and the model's input/output descriptors.
 * - Code (calibrated per core family): each piece of shared C code the program contains once, with
 *   its size fitted to the `.text` sections of the fixture builds (codegen-c compiles with
 *   -ffunction-sections, so `size -A` gives every function's bytes), or — for a piece no build
 *   contained — `bytesPerToken` × its C tokens; plus invoke's bytes per layer that runs code and a
 *   constant for invoke and reset.
 */
import type { Graph } from "@mcu/tensor";
import type { CSupportCodeView } from "./c-kernel-view.js";
import { cTokenCount, definesFunction, type GeneratedProgramView } from "./generated-program.js";
import { type FitRow, mapLinearFit } from "./map-fit.js";

/** Code sizes of generated C on one core family. */
export interface CodeSizeTable {
  /** Bytes per C token of a piece of support code that defines functions and has no fitted size. */
  readonly bytesPerToken: number;
  /** Fitted bytes of pieces of support code, by id. */
  readonly pieces: Readonly<Record<string, number>>;
  /** Bytes of invoke per layer that runs code (the call and its arguments). */
  readonly perLayer: number;
  /** Bytes of invoke per graph input and output (its copy in or out of the arena). */
  readonly perIoTensor: number;
  /** Bytes of invoke's prologue and of reset. */
  readonly base: number;
  /**
   * Per kernel class, the code of the C kernel that runs a layer of it (its pieces of support code):
   * what a layer costs in flash when the registry has no C kernels to ask (builtin cost fallback).
   */
  readonly classBytes?: Readonly<Partial<Record<string, number>>>;
}

/** The flash of a generated program, by part. */
export interface GeneratedFlash {
  /** Per node: its constant arrays and the constant tensors it is the first to name. */
  readonly nodeConstBytes: readonly number[];
  /** Per node: its descriptors. */
  readonly nodeDescriptorBytes: readonly number[];
  /** Initial values of state tensors. */
  readonly stateInitBytes: number;
  /** Input/output descriptors: 7 words, the shape and the name of each. */
  readonly ioDescriptorBytes: number;
  /** Shared code of the kernels, each piece once. */
  readonly kernelCodeBytes: number;
  /** Invoke's bytes per layer. */
  readonly layerCodeBytes: number;
  /** Invoke and reset around the layers (input/output copies, prologue). */
  readonly runtimeBytes: number;
  readonly totalBytes: number;
}

/** C tokens of a piece that compiles to code (macro- and type-only pieces expand in their users). */
export function pieceTokens(piece: CSupportCodeView): number {
  return definesFunction(piece.code) ? cTokenCount(piece.code) : 0;
}

/** Bytes of a piece of support code under a table (fitted, else per token). */
export function pieceBytes(table: CodeSizeTable, piece: CSupportCodeView): number {
  return table.pieces[piece.id] ?? table.bytesPerToken * pieceTokens(piece);
}

/**
 * Bytes of the model's input and output descriptors (`mcu_tensor_desc_t`: name, dtype, rank,
 * shape, bytes, scale, zero point — 7 words), each shape array (a word per dimension) and each
 * name string with its terminator.
 */
export function ioDescriptorBytes(graph: Graph): number {
  let bytes = 0;
  for (const id of [...graph.inputs, ...graph.outputs]) {
    const t = graph.tensors.get(id);
    bytes += 28 + 4 * Math.max(t?.shape.length ?? 1, 1) + new TextEncoder().encode(id).length + 1;
  }
  return bytes;
}

/** Layers that run code in invoke. */
export function codeLayers(program: GeneratedProgramView): number {
  return program.nodes.filter((n) => n.emitsCode).length;
}

/** The flash of a generated program under a code-size table. */
export function generatedFlash(
  table: CodeSizeTable,
  program: GeneratedProgramView,
  graph: Graph,
): GeneratedFlash {
  const nodeConstBytes = program.nodes.map((n) => n.constArrayBytes + n.constantTensorBytes);
  const nodeDescriptorBytes = program.nodes.map((n) => n.declarationBytes);
  let kernelCodeBytes = 0;
  for (const piece of program.support.values()) kernelCodeBytes += pieceBytes(table, piece);
  const layerCodeBytes = table.perLayer * codeLayers(program);
  const runtimeBytes = table.base + table.perIoTensor * (graph.inputs.length + graph.outputs.length);
  const io = ioDescriptorBytes(graph);
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    nodeConstBytes,
    nodeDescriptorBytes,
    stateInitBytes: program.variableInitBytes,
    ioDescriptorBytes: io,
    kernelCodeBytes,
    layerCodeBytes,
    runtimeBytes,
    totalBytes:
      sum(nodeConstBytes) +
      sum(nodeDescriptorBytes) +
      program.variableInitBytes +
      io +
      kernelCodeBytes +
      layerCodeBytes +
      runtimeBytes,
  };
}

/** A build's measured code: the bytes of every `.text` section of the model's object. */
export interface CodeSizeMeasurement {
  readonly model: string;
  readonly program: GeneratedProgramView;
  /** Graph inputs plus outputs. */
  readonly ioTensors: number;
  readonly codeBytes: number;
  /** Bytes of invoke and reset as compiled (with whatever kernel code the compiler inlined into them). */
  readonly invokeBytes?: number;
}

/** A fitted table and how it reproduces each build's code bytes. */
export interface CodeSizeFit {
  readonly table: CodeSizeTable;
  readonly fit: readonly { model: string; measured: number; predicted: number; error: number }[];
}

/** Names of the functions a piece of C defines. */
export function definedFunctions(code: string): string[] {
  const stripped = code.replace(/\/\*[\s\S]*?\*\//g, " ");
  return [...stripped.matchAll(/\bstatic\b[^;{}=]*?\b([A-Za-z_]\w*)\s*\([^;{}]*\)\s*\{/g)].map((m) => m[1]!);
}

/**
 * Fits a code-size table (see the file comment) in three steps: invoke's bytes per layer, per
 * input/output and its constant from invoke's measured size (a robust fit: a build whose invoke
 * holds an inlined kernel is an outlier there and is down-weighted); bytes per token over the rest
 * of the code; then one size per piece of support code (MAP: a piece's prior is its per-token size,
 * sd that size plus 64 bytes), so the pieces the builds pin down get their measured size and the
 * others stay near their token estimate. Bytes a compiler moves between functions by inlining stay
 * with the piece whose presence brings them.
 */
export function calibrateCodeSizes(measurements: readonly CodeSizeMeasurement[]): CodeSizeFit {
  const tokensOf = (p: GeneratedProgramView) =>
    [...p.support.values()].reduce((s, piece) => s + pieceTokens(piece), 0);
  const invokePriors = [
    { mean: 40, sd: 40 },
    { mean: 20, sd: 40 },
    { mean: 50, sd: 200 },
  ];
  let invokeRows: FitRow[] = measurements.flatMap((m) =>
    m.invokeBytes === undefined
      ? []
      : [{ x: [codeLayers(m.program), m.ioTensors, 1], y: m.invokeBytes, sd: 0.05 * m.invokeBytes + 16 }],
  );
  let invokeTheta = mapLinearFit(invokeRows, invokePriors).theta;
  // Huber-style reweighting: a row more than 2 sd off gets its sd scaled up to its residual / 2.
  for (let iter = 0; iter < 5; iter++) {
    invokeRows = invokeRows.map((r) => {
      const residual = Math.abs(r.x.reduce((s, v, j) => s + v * invokeTheta[j]!, 0) - r.y);
      const base = 0.05 * r.y + 16;
      return { ...r, sd: Math.max(base, residual / 2) };
    });
    invokeTheta = mapLinearFit(invokeRows, invokePriors).theta;
  }
  const [perLayer, perIoTensor, base] = invokeTheta as [number, number, number];
  const fixed = (m: CodeSizeMeasurement) =>
    base + perLayer * codeLayers(m.program) + perIoTensor * m.ioTensors;
  const [bytesPerToken] = mapLinearFit(
    measurements.map((m) => ({
      x: [tokensOf(m.program)],
      y: m.codeBytes - fixed(m),
      sd: 0.03 * m.codeBytes + 16,
    })),
    [{ mean: 1, sd: 10 }],
  ).theta as [number];
  const ids = [
    ...new Set(
      measurements.flatMap((m) =>
        [...m.program.support.values()].filter((p) => pieceTokens(p) > 0).map((p) => p.id),
      ),
    ),
  ].sort();
  const pieceOf = new Map<string, CSupportCodeView>();
  for (const m of measurements) for (const p of m.program.support.values()) pieceOf.set(p.id, p);
  const priors = ids.map((id) => {
    const mean = bytesPerToken * pieceTokens(pieceOf.get(id)!);
    return { mean, sd: mean + 64 };
  });
  const rows: FitRow[] = measurements.map((m) => ({
    x: ids.map((id) => (m.program.support.has(id) ? 1 : 0)),
    y: m.codeBytes - fixed(m),
    sd: 0.01 * m.codeBytes + 8,
  }));
  const { theta } = mapLinearFit(rows, priors);
  const pieces = Object.fromEntries(ids.map((id, j) => [id, theta[j]!]));
  const table: CodeSizeTable = { bytesPerToken, pieces, perLayer, perIoTensor, base };
  return {
    table,
    fit: measurements.map((m) => {
      let predicted = fixed(m);
      for (const p of m.program.support.values()) predicted += pieceBytes(table, p);
      return { model: m.model, measured: m.codeBytes, predicted, error: predicted / m.codeBytes - 1 };
    }),
  };
}
