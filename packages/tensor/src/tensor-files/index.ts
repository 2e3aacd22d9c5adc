/** Tensor files: NumPy `.npy` and flat `.csv`. */
export { formatFloat32, readCsv, writeCsv } from "./csv.js";
export { type ReadNpyOptions, readNpy, type WriteNpyOptions, writeNpy } from "./npy.js";
export {
  decodeTensorFile,
  encodeTensorFile,
  type TensorFileExpectation,
  type TensorFileKind,
  tensorFileKind,
} from "./tensor-file.js";
export type { TensorFileValue } from "./tensor-value.js";
