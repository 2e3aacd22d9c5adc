/** Test-only: onnxruntime-node (a root devDependency) as the oracle for ONNX models. */
import * as ort from "onnxruntime-node";

/** Runs an ONNX model once on float32 inputs (given in the graph's input order) and returns its outputs. */
export async function runOnnxRuntime(
  model: Uint8Array,
  inputs: readonly { readonly data: Float32Array; readonly dims: readonly number[] }[],
): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    session.inputNames.forEach((name, i) => {
      // A plain array: under jest, a typed array from the test's realm fails onnxruntime's instanceof check.
      feeds[name] = new ort.Tensor("float32", Array.from(inputs[i]!.data), [...inputs[i]!.dims]);
    });
    const out = await session.run(feeds);
    return session.outputNames.map((name) => Float32Array.from(out[name]!.data as Float32Array));
  } finally {
    await session.release();
  }
}
