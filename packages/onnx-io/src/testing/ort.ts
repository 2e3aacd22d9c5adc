/** onnxruntime-node as the oracle: runs a model's bytes on float inputs. Test-only. */
import * as ort from "onnxruntime-node";

/** An input or output tensor. */
export interface OrtTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** A session kept for many runs. */
export async function ortSession(model: Uint8Array, options: { readonly optimize?: boolean } = {}) {
  const session = await ort.InferenceSession.create(model, {
    graphOptimizationLevel: options.optimize === false ? "disabled" : "all",
    intraOpNumThreads: 1,
  });
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(inputs: readonly OrtTensor[]): Promise<OrtTensor[]> {
      const feeds: Record<string, ort.Tensor> = {};
      session.inputNames.forEach((name, i) => {
        // A plain array: under jest, typed arrays of the test's realm fail onnxruntime's instanceof check.
        feeds[name] = new ort.Tensor("float32", Array.from(inputs[i]!.data), [...inputs[i]!.dims]);
      });
      const out = await session.run(feeds);
      return session.outputNames.map((name) => ({
        data: Float32Array.from(out[name]!.data as Float32Array),
        dims: [...out[name]!.dims],
      }));
    },
    release: () => session.release(),
  };
}

/** Runs a model once in onnxruntime. */
export async function runOrt(model: Uint8Array, inputs: readonly OrtTensor[]): Promise<OrtTensor[]> {
  const s = await ortSession(model);
  try {
    return await s.run(inputs);
  } finally {
    await s.release();
  }
}
