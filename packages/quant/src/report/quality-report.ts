/**
 * The quantization quality report: per-layer SQNR of a quantized graph against the float graph
 * it came from, and the top-1 agreement of their first outputs, over a set of samples.
 *
 * A quantized tensor is paired with the float tensor of the same name (post-training
 * quantization keeps activation names; see quantize-graph.ts), and its dequantized values
 * real = scale · (q − zero point) are compared with the float values:
 *   SQNR = 10 · log10(Σ f² / Σ (f − real)²)  dB, summed over every element of every sample.
 */
import {
  createInterpreter,
  type DType,
  type Graph,
  getTensor,
  numElements,
  type Progress,
  type Registry,
  type TensorData,
  type TensorInfo,
} from "@mcu/tensor";

/** The quality of one quantized layer output. */
export interface LayerQuality {
  /** The node of the quantized graph. */
  readonly node: string;
  readonly op: string;
  /** Its output tensor, named alike in both graphs. */
  readonly tensor: string;
  readonly dtype: DType;
  /** Signal-to-quantization-noise ratio in dB; null when the values are exactly equal. */
  readonly sqnrDb: number | null;
}

/** The quality of one graph output (dequantized when integer). */
export interface OutputQuality {
  readonly tensor: string;
  readonly sqnrDb: number | null;
}

/** The `--report` document, schema 1. */
export interface QualityReport {
  readonly schema: 1;
  /** Number of samples compared. */
  readonly samples: number;
  /** Integer layer outputs in graph order. */
  readonly layers: readonly LayerQuality[];
  readonly outputs: readonly OutputQuality[];
  /** Fraction of rows (samples × leading positions) of the first output whose top-1 class agrees. */
  readonly top1Agreement: number;
}

/** Options of {@link qualityReport}. */
export interface QualityReportOptions {
  readonly registry: Registry;
  readonly progress?: (label: string, total: number) => Progress;
}

interface Accumulator {
  signal: number;
  noise: number;
}

function sqnr(a: Accumulator): number | null {
  if (a.noise === 0) return null;
  return 10 * Math.log10(Math.max(a.signal, Number.MIN_VALUE) / a.noise);
}

/** Accumulates Σ f² and Σ (f − real)² of `q` (dequantized with `t`'s parameters) against `f`. */
function accumulate(acc: Accumulator, f: ArrayLike<number>, q: TensorData, t: TensorInfo): void {
  const scale = t.quant?.scale[0] ?? 1;
  const zp = t.quant?.zeroPoint[0] ?? 0;
  const integer = t.quant !== undefined && t.dtype !== "float32";
  const v = q as ArrayLike<number>;
  for (let i = 0; i < f.length; i++) {
    const real = integer ? scale * (v[i]! - zp) : v[i]!;
    const d = f[i]! - real;
    acc.signal += f[i]! * f[i]!;
    acc.noise += d * d;
  }
}

function argmaxRows(data: ArrayLike<number>, classes: number): Int32Array {
  const rows = classes === 0 ? 0 : data.length / classes;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (data[r * classes + k]! > data[r * classes + best]!) best = k;
    out[r] = best;
  }
  return out;
}

/** True for a per-tensor integer tensor whose float twin exists in `floatGraph` with as many elements. */
function comparable(t: TensorInfo, floatGraph: Graph): boolean {
  const f = floatGraph.tensors.get(t.name);
  return (
    f !== undefined &&
    f.dtype === "float32" &&
    f.data === undefined &&
    t.dtype !== "float32" &&
    t.quant !== undefined &&
    t.quant.scale.length === 1 &&
    numElements(f.shape) === numElements(t.shape)
  );
}

/**
 * Runs both graphs on every sample (one prepared interpreter each) and reports the SQNR of each
 * integer layer output and of each graph output, and the top-1 agreement of the first output.
 */
export function qualityReport(
  floatGraph: Graph,
  quantGraph: Graph,
  samples: readonly (readonly TensorData[])[],
  options: QualityReportOptions,
): QualityReport {
  const { registry } = options;
  const layers = quantGraph.nodes.flatMap((node) =>
    node.outputs
      .filter((id) => comparable(getTensor(quantGraph, id), floatGraph))
      .map((id) => ({ node, id, acc: { signal: 0, noise: 0 } })),
  );
  const wanted = new Set(layers.map((l) => l.id));
  const floatRun = createInterpreter(floatGraph, { registry });
  const quantRun = createInterpreter(quantGraph, { registry });
  const outputAcc = quantGraph.outputs.map(() => ({ signal: 0, noise: 0 }));
  const byId = new Map(layers.map((l) => [l.id, l]));
  const captured = new Map<string, Float32Array>();
  const progress = options.progress?.("quality report", samples.length);
  let rows = 0;
  let agreeing = 0;
  for (const sample of samples) {
    const floatOut = floatRun.invoke(sample, {
      afterNode: (e) => {
        e.node.outputs.forEach((id, k) => {
          if (wanted.has(id)) captured.set(id, (e.outputs[k]!.data as Float32Array).slice());
        });
      },
    });
    const quantOut = quantRun.invoke(sample, {
      afterNode: (e) => {
        e.node.outputs.forEach((id, k) => {
          const layer = byId.get(id);
          const f = captured.get(id);
          if (layer !== undefined && f !== undefined)
            accumulate(layer.acc, f, e.outputs[k]!.data, e.outputs[k]!);
        });
      },
    });
    quantOut.forEach((q, k) => {
      const f = floatOut[k];
      if (f !== undefined && f.data.length === q.data.length)
        accumulate(outputAcc[k]!, f.data as Float32Array, q.data, q);
    });
    const f0 = floatOut[0];
    const q0 = quantOut[0];
    if (f0 !== undefined && q0 !== undefined && f0.data.length === q0.data.length) {
      const classes = f0.shape.length === 0 ? 1 : f0.shape[f0.shape.length - 1]!;
      const a = argmaxRows(f0.data as ArrayLike<number>, classes);
      const b = argmaxRows(q0.data as ArrayLike<number>, classes);
      for (let r = 0; r < a.length; r++) if (a[r] === b[r]) agreeing++;
      rows += a.length;
    }
    progress?.tick();
  }
  progress?.done();
  return {
    schema: 1,
    samples: samples.length,
    layers: layers.map((l) => ({
      node: l.node.name,
      op: l.node.op,
      tensor: l.id,
      dtype: getTensor(quantGraph, l.id).dtype,
      sqnrDb: sqnr(l.acc),
    })),
    outputs: quantGraph.outputs.map((id, k) => ({ tensor: id, sqnrDb: sqnr(outputAcc[k]!) })),
    top1Agreement: rows === 0 ? 0 : agreeing / rows,
  };
}

/** The report as a text table (one line per layer, then the outputs and the agreement). */
export function formatQualityReport(report: QualityReport): string {
  const db = (v: number | null): string => (v === null ? "exact" : `${v.toFixed(1)} dB`);
  const lines = [`quality over ${report.samples} sample(s): SQNR of each quantized layer against float`];
  const width = Math.max(4, ...report.layers.map((l) => l.node.length));
  for (const l of report.layers)
    lines.push(`  ${l.node.padEnd(width)}  ${l.op.padEnd(22)} ${l.dtype.padEnd(6)} ${db(l.sqnrDb)}`);
  for (const o of report.outputs) lines.push(`output ${o.tensor}: ${db(o.sqnrDb)}`);
  lines.push(`top-1 agreement with float: ${(report.top1Agreement * 100).toFixed(2)}%`);
  return `${lines.join("\n")}\n`;
}
