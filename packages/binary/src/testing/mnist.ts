/** The MNIST fixtures: the 1996 test digits, their labels, and onnxruntime's logits of a model. */
import { readNpy, type TensorData } from "@mcu/tensor";
import { readFixture } from "@mcu/testing";

/** The test digits as model inputs (float32 [1,1,28,28], pixel / 255), and their labels. */
export function mnistTestSet(): { readonly inputs: Float32Array[]; readonly labels: number[] } {
  const digits = readNpy(readFixture("mnist", "test-digits.npy"));
  const labels = readNpy(readFixture("pytorch-mnist", "test_labels.npy"));
  const pixels = digits.data as Uint8Array;
  const n = digits.shape[0]!;
  const inputs = Array.from({ length: n }, (_, i) =>
    Float32Array.from(pixels.subarray(i * 784, (i + 1) * 784), (p) => p / 255),
  );
  return { inputs, labels: Array.from(labels.data as TensorData, Number) };
}

/** Calibration digits (train split) as model inputs. */
export function mnistCalibration(count: number): Float32Array[] {
  const digits = readNpy(readFixture("mnist", "calib-digits.npy"));
  const pixels = digits.data as Uint8Array;
  const n = Math.min(count, digits.shape[0]!);
  return Array.from({ length: n }, (_, i) =>
    Float32Array.from(pixels.subarray(i * 784, (i + 1) * 784), (p) => p / 255),
  );
}

/** onnxruntime's logits of a pytorch-mnist model, one row of 10 per test digit. */
export function ortLogits(model: string): Float32Array[] {
  const t = readNpy(readFixture("pytorch-mnist", `${model}.test_logits_all.npy`));
  const d = t.data as Float32Array;
  return Array.from({ length: t.shape[0]! }, (_, i) => d.subarray(i * 10, (i + 1) * 10));
}

/** Index of the largest value (the first one on ties). */
export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}
