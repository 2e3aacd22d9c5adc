/** Runs a test model in onnxruntime and through readOnnx + the interpreter, and compares. Test-only. */
import { corePlugin, createRegistry, type Graph, runGraph } from "@mcu/tensor";
import { readOnnx } from "../read-onnx.js";
import { type OrtTensor, runOrt } from "./ort.js";

const registry = createRegistry([corePlugin]);

/** Our outputs and onnxruntime's for the same model and inputs. */
export interface Compared {
  readonly graph: Graph;
  readonly ours: readonly { readonly data: Float32Array; readonly shape: readonly number[] }[];
  readonly ort: readonly OrtTensor[];
  /** max |ours − ort| / max(1, |ort|) over every output element. */
  readonly worst: number;
}

/** Runs both and returns the worst error (outputs must agree in count and shape). */
export async function compareModel(model: Uint8Array, inputs: readonly OrtTensor[]): Promise<Compared> {
  const ort = await runOrt(model, inputs);
  const graph = readOnnx(model, { registry });
  const outs = runGraph(
    graph,
    inputs.map((t) => t.data),
    { registry },
  );
  const ours = outs.map((v) => ({ data: v.data as Float32Array, shape: v.shape }));
  let worst = 0;
  ours.forEach((o, k) => {
    const r = ort[k]!;
    if (o.shape.join() !== r.dims.join())
      throw new Error(`output ${k}: shape [${o.shape}] vs onnxruntime [${r.dims}]`);
    for (let i = 0; i < r.data.length; i++) {
      const d = Math.abs(o.data[i]! - r.data[i]!) / Math.max(1, Math.abs(r.data[i]!));
      if (!(d <= worst)) worst = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
    }
  });
  if (ours.length !== ort.length) throw new Error(`${ours.length} outputs vs onnxruntime's ${ort.length}`);
  return { graph, ours, ort, worst };
}
