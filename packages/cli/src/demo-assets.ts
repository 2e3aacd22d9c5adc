/**
 * The data `mcu demo` runs on, shipped in the package's `assets/` folder (see its README.md):
 * the mnist_cnn ONNX model, 200 calibration digits from the training split, and 100 test digits
 * (the first 10 of each class) with their labels. Digits are uint8 `[n,28,28]`; the model takes
 * float32 `[1,1,28,28]` = pixel / 255.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { McuError, readNpy, type TensorData } from "@mcu/tensor";

/** The assets folder (beside src/ and dist/ alike). */
export const DEMO_ASSETS_DIR: string = fileURLToPath(new URL("../assets/", import.meta.url));

/** The demo model's file name in the assets folder. */
export const DEMO_MODEL_FILE = "mnist_cnn.onnx";

/** The demo's model bytes, digits and labels. */
export interface DemoAssets {
  readonly modelFile: string;
  readonly model: Uint8Array;
  /** Calibration inputs: per sample, the model's one input (float32 `[1,1,28,28]`). */
  readonly calibration: TensorData[][];
  /** Test inputs, same form. */
  readonly test: TensorData[][];
  readonly labels: readonly number[];
}

async function readAsset(name: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(new URL(name, new URL("../assets/", import.meta.url)));
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    throw new McuError(
      "MCU_E_FILE",
      `the demo asset "${name}" is missing from ${DEMO_ASSETS_DIR} (a broken @mcu/cli install?)`,
      {},
      { cause: e },
    );
  }
}

/** uint8 digits `[n,28,28]` → one float32 `[1,1,28,28]` input per digit, pixel / 255. */
export function digitsToInputs(bytes: Uint8Array): TensorData[][] {
  const { data, shape } = readNpy(bytes);
  const pixels = (shape[1] ?? 0) * (shape[2] ?? 0);
  const n = shape[0] ?? 0;
  return Array.from({ length: n }, (_, i) => [
    Float32Array.from((data as Uint8Array).subarray(i * pixels, (i + 1) * pixels), (v) => v / 255),
  ]);
}

/** Reads the demo assets. */
export async function readDemoAssets(): Promise<DemoAssets> {
  const [model, calib, test, labels] = await Promise.all([
    readAsset(DEMO_MODEL_FILE),
    readAsset("calib-digits.npy"),
    readAsset("test-digits.npy"),
    readAsset("test-labels.npy"),
  ]);
  return {
    modelFile: DEMO_MODEL_FILE,
    model,
    calibration: digitsToInputs(calib),
    test: digitsToInputs(test),
    labels: Array.from(readNpy(labels).data as Uint8Array),
  };
}
