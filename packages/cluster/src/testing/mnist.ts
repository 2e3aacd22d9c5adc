/** The MNIST fixtures as model inputs, for tests only. */
import { readNpy } from "@mcu/tensor";
import { readFixture } from "@mcu/testing";

/** The 1996 test digits, uint8 [1996, 28, 28] (fixtures/mnist/test-digits.npy). */
export function testDigits(): Uint8Array {
  return readNpy(readFixture("mnist", "test-digits.npy")).data as Uint8Array;
}

/** The 200 calibration digits from the train split, uint8 [200, 28, 28]. */
export function calibrationDigits(): Uint8Array {
  return readNpy(readFixture("mnist", "calib-digits.npy")).data as Uint8Array;
}

/** Model input of digit i: pixel / 255 as float32 NCHW [1,1,28,28]. */
export function digitInput(digits: Uint8Array, i: number): Float32Array {
  return Float32Array.from(digits.subarray(i * 784, i * 784 + 784), (v) => v / 255);
}

/** The labels of the 1996 test digits, uint8 [1996] (fixtures/mnist/test-labels.npy). */
export function testLabels(): Uint8Array {
  return readNpy(readFixture("mnist", "test-labels.npy")).data as Uint8Array;
}
