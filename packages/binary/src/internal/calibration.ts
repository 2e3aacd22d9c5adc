/**
 * Statistics of layer inputs over calibration samples (the pipeline's `resources.calibration`),
 * gathered with interpreter hooks on the float graph.
 */
import { createInterpreter, type Graph, McuError, type PassContext } from "@mcu/tensor";

/** Per tensor: minimum, maximum and mean absolute value over every sample. */
export interface TensorStats {
  readonly min: number;
  readonly max: number;
  readonly meanAbs: number;
}

/** Statistics of the given tensors over the calibration samples, or undefined when there are none. */
export function tensorStats(
  graph: Graph,
  ctx: PassContext<unknown>,
  tensors: ReadonlySet<string>,
): Map<string, TensorStats> | undefined {
  const samples = ctx.resources.calibration;
  if (samples === undefined || samples.length === 0) return undefined;
  const acc = new Map<string, { min: number; max: number; sumAbs: number; n: number }>();
  const it = createInterpreter(graph, { registry: ctx.registry });
  const progress = ctx.progress("calibrating", samples.length);
  const record = (id: string, data: ArrayLike<number>): void => {
    if (!tensors.has(id)) return;
    const a = acc.get(id) ?? {
      min: Number.POSITIVE_INFINITY,
      max: Number.NEGATIVE_INFINITY,
      sumAbs: 0,
      n: 0,
    };
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v < a.min) a.min = v;
      if (v > a.max) a.max = v;
      a.sumAbs += Math.abs(v);
    }
    a.n += data.length;
    acc.set(id, a);
  };
  for (const s of samples) {
    if (s.length !== graph.inputs.length) {
      throw new McuError(
        "MCU_E_CALIBRATION",
        `a calibration sample has ${s.length} tensor(s), the model ${graph.inputs.length} input(s)`,
      );
    }
    graph.inputs.forEach((id, i) => {
      record(id, s[i] as ArrayLike<number>);
    });
    it.invoke(s, {
      afterNode: (e) => {
        for (const v of e.outputs) record(v.name, v.data as ArrayLike<number>);
      },
    });
    progress.tick();
  }
  progress.done();
  const out = new Map<string, TensorStats>();
  for (const [id, a] of acc) out.set(id, { min: a.min, max: a.max, meanAbs: a.n > 0 ? a.sumAbs / a.n : 0 });
  return out;
}
