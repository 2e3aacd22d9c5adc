/** The MNIST fixtures: test digits as model inputs, labels and onnxruntime's logits. Test-only. */
import { corePlugin, createInterpreter, createRegistry, type InterpreterHooks, readNpy } from "@mcu/tensor";
import { readFixture } from "@mcu/testing";
import { readOnnx } from "../read-onnx.js";

/** The 1996 test digits, uint8 [1996, 28, 28]. */
export function testDigits(): Uint8Array {
  const v = readNpy(readFixture("mnist", "test-digits.npy"));
  if (v.dtype !== "uint8" || v.shape.join() !== "1996,28,28") throw new Error("unexpected test-digits.npy");
  return v.data as Uint8Array;
}

/** The test labels, in the same order. */
export function testLabels(): number[] {
  return Array.from(readNpy(readFixture("mnist", "test-labels.npy")).data as Uint8Array);
}

/** Model input for digit i: pixel / 255 as float32, NCHW [1,1,28,28]. */
export function digitInput(digits: Uint8Array, i: number, out = new Float32Array(784)): Float32Array {
  for (let j = 0; j < 784; j++) out[j] = digits[i * 784 + j]! / 255;
  return out;
}

/** onnxruntime's logits for every test digit, float32 [1996, 1, 10]. */
export function ortLogits(model: string): Float32Array {
  const v = readNpy(readFixture("pytorch-mnist", `${model}.test_logits_all.npy`));
  if (v.dtype !== "float32" || v.shape.join() !== "1996,1,10")
    throw new Error(`unexpected logits of ${model}`);
  return v.data as Float32Array;
}

/** Index of the largest value (the first on ties, like NumPy's argmax). */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < row.length; k++) if (row[k]! > row[best]!) best = k;
  return best;
}

/**
 * The relative error we hold float results to: |a − b| / max(|b|, max-abs of b's row), i.e.
 * each logit is compared at the scale of its row (a logit near 0 next to logits of ±20 is
 * not held to 1e-4 of itself).
 */
export function rowRelativeError(ours: ArrayLike<number>, ref: ArrayLike<number>): number {
  let scale = 0;
  for (let k = 0; k < ref.length; k++) scale = Math.max(scale, Math.abs(ref[k]!));
  let worst = 0;
  for (let k = 0; k < ref.length; k++) {
    const d = Math.abs(ours[k]! - ref[k]!) / Math.max(Math.abs(ref[k]!), scale, Number.MIN_VALUE);
    if (d > worst) worst = d;
  }
  return worst;
}

/** How a model's outputs on the test set compare with onnxruntime's. */
export interface OrtComparison {
  /** The worst {@link rowRelativeError} over all digits. */
  readonly worst: number;
  /** Digits whose worst row error exceeds 1e-4. */
  readonly over: readonly number[];
  /** Digits our top-1 gets right, and onnxruntime's. */
  readonly ours: number;
  readonly ort: number;
  /** Digits where our top-1 equals onnxruntime's, and those where it does not. */
  readonly agree: number;
  readonly disagree: readonly number[];
}

/**
 * Runs a pytorch-mnist model through readOnnx and the interpreter (created once) on all 1996
 * test digits and compares with onnxruntime's logits. `hooks` see every node of every run.
 */
export function compareWithOrt(model: string, hooks?: (digit: number) => InterpreterHooks): OrtComparison {
  const registry = createRegistry([corePlugin]);
  const graph = readOnnx(readFixture("pytorch-mnist", `${model}.onnx`), { registry });
  const interpreter = createInterpreter(graph, { registry });
  const digits = testDigits();
  const labels = testLabels();
  const ref = ortLogits(model);
  const x = new Float32Array(784);
  let worst = 0;
  let ours = 0;
  let ort = 0;
  let agree = 0;
  const over: number[] = [];
  const disagree: number[] = [];
  for (let i = 0; i < 1996; i++) {
    const y = interpreter.invoke([digitInput(digits, i, x)], hooks?.(i))[0]!.data as Float32Array;
    const r = ref.subarray(i * 10, i * 10 + 10);
    const e = rowRelativeError(y, r);
    worst = Math.max(worst, e);
    if (e > 1e-4) over.push(i);
    const a = argmax(y);
    const b = argmax(r);
    if (a === labels[i]) ours++;
    if (b === labels[i]) ort++;
    if (a === b) agree++;
    else disagree.push(i);
  }
  return { worst, over, ours, ort, agree, disagree };
}
