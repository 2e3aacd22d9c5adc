/**
 * The symmetries of a kernel's window used by transform-invariant clustering (Son, Nah, Lee,
 * ECCV 2018, §3.3): the dihedral group of the square — identity, rotations by 90°, 180°, 270°,
 * the horizontal and vertical flips and the two diagonal flips — for square kernels; for a
 * rectangular kh×kw window only the four that map it onto itself (identity, 180° rotation and
 * the two axis flips).
 *
 * A transform is a permutation of the kh·kw taps of a row-major kernel: `T(K)[j] = K[perm[j]]`.
 */
import { McuError } from "@mcu/tensor";

/** Names of the transforms, in code order (the code is what a clustered kernel stores). */
export const TRANSFORM_NAMES = [
  "identity",
  "rot90",
  "rot180",
  "rot270",
  "flip-h",
  "flip-v",
  "transpose",
  "anti-transpose",
] as const;

/** The transforms of one window size, as tap permutations. */
export interface KernelTransforms {
  readonly kh: number;
  readonly kw: number;
  /** Number of transforms: 8 for square windows, 4 otherwise (1 when only the identity is used). */
  readonly count: number;
  /** The transform codes in use, in order (indices into {@link TRANSFORM_NAMES}). */
  readonly codes: readonly number[];
  /** perm[t·taps + j]: the source tap of tap j under transform t (t indexes `codes`). */
  readonly perm: Int32Array;
  /** inverse[t·taps + j]: the permutation undoing transform t. */
  readonly inverse: Int32Array;
}

/**
 * Source tap (row, column) of tap (r, c) under each transform of an n×n square:
 * T(K)[r][c] = K[source(r, c)]. rot90 turns the kernel clockwise.
 */
function squareSource(code: number, r: number, c: number, n: number): [number, number] {
  switch (code) {
    case 0:
      return [r, c];
    case 1:
      return [n - 1 - c, r];
    case 2:
      return [n - 1 - r, n - 1 - c];
    case 3:
      return [c, n - 1 - r];
    case 4:
      return [r, n - 1 - c];
    case 5:
      return [n - 1 - r, c];
    case 6:
      return [c, r];
    default:
      return [n - 1 - c, n - 1 - r];
  }
}

/** Source tap of a rectangular window (codes 0, 2, 4, 5 only). */
function rectSource(code: number, r: number, c: number, kh: number, kw: number): [number, number] {
  switch (code) {
    case 0:
      return [r, c];
    case 2:
      return [kh - 1 - r, kw - 1 - c];
    case 4:
      return [r, kw - 1 - c];
    default:
      return [kh - 1 - r, c];
  }
}

/**
 * The transforms of a kh×kw window: all 8 symmetries of the square when kh = kw, the 4 of the
 * rectangle otherwise; only the identity when `invariant` is false.
 */
export function kernelTransforms(kh: number, kw: number, invariant = true): KernelTransforms {
  if (!(Number.isInteger(kh) && Number.isInteger(kw) && kh >= 1 && kw >= 1)) {
    throw new McuError("MCU_E_CLUSTER_SHAPE", `a kernel window must be at least 1x1, got ${kh}x${kw}`);
  }
  const codes = !invariant ? [0] : kh === kw ? [0, 1, 2, 3, 4, 5, 6, 7] : [0, 2, 4, 5];
  const taps = kh * kw;
  const perm = new Int32Array(codes.length * taps);
  const inverse = new Int32Array(codes.length * taps);
  codes.forEach((code, t) => {
    for (let r = 0; r < kh; r++) {
      for (let c = 0; c < kw; c++) {
        const [sr, sc] = kh === kw ? squareSource(code, r, c, kh) : rectSource(code, r, c, kh, kw);
        const j = r * kw + c;
        const src = sr * kw + sc;
        perm[t * taps + j] = src;
        inverse[t * taps + src] = j;
      }
    }
  });
  return { kh, kw, count: codes.length, codes, perm, inverse };
}

/** Writes T_t(src) into dst (both `taps` long, starting at the given offsets). */
export function applyTransform(
  tr: KernelTransforms,
  t: number,
  src: ArrayLike<number>,
  srcOffset: number,
  dst: { [i: number]: number },
  dstOffset: number,
): void {
  const taps = tr.kh * tr.kw;
  const base = t * taps;
  for (let j = 0; j < taps; j++) dst[dstOffset + j] = src[srcOffset + tr.perm[base + j]!]!;
}

/** Writes T_t⁻¹(src) into dst: the kernel whose transform t is src. */
export function applyInverseTransform(
  tr: KernelTransforms,
  t: number,
  src: ArrayLike<number>,
  srcOffset: number,
  dst: { [i: number]: number },
  dstOffset: number,
): void {
  const taps = tr.kh * tr.kw;
  const base = t * taps;
  for (let j = 0; j < taps; j++) dst[dstOffset + j] = src[srcOffset + tr.inverse[base + j]!]!;
}
