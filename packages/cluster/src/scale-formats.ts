/**
 * Storage formats of the per-kernel scales and of the codebook values:
 * - `fp16`: IEEE 754 binary16, round to nearest even (what a C `uint16_t` holds and decodes);
 * - `log8`: one signed byte per scale, logarithmic: code c ∈ [−127, 127], |c| = 127 − e,
 *   s = sign(c) · smax · 2^(−e/16) with smax = max |s| of the layer (stored once as float32);
 *   c = 0 is the scale 0. Steps of 2^(1/16) (±2.2 %) over 126/16 ≈ 7.9 octaves below smax.
 *
 * The IR holds the decoded values (float32 numbers exactly representable in the format); the C
 * generator re-encodes them, and `encode(decode(c)) = c` is tested.
 */
import { McuError } from "@mcu/tensor";

const F32 = new Float32Array(1);

/** Rounds half to even (for values whose fraction is exactly .5). */
function roundHalfEven(y: number): number {
  const f = Math.floor(y);
  const d = y - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** The binary16 bits nearest to x (round to nearest even; overflow to ±infinity). */
export function float16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00; // 65520 = max (65504) + half a step rounds to infinity
  if (a < 2 ** -14) return sign | roundHalfEven(a * 2 ** 24); // subnormal (1024 becomes the first normal)
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  let q = roundHalfEven((a / 2 ** e - 1) * 1024);
  if (q === 1024) {
    q = 0;
    e++;
  }
  return sign | ((e + 15) << 10) | q;
}

/** The value of binary16 bits. */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const q = bits & 0x3ff;
  if (e === 0) return sign * q * 2 ** -24;
  if (e === 31) return q === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + q / 1024) * 2 ** (e - 15);
}

/** x rounded to the nearest binary16 value (as a number). */
export function roundToFloat16(x: number): number {
  return float16Value(float16Bits(x));
}

/** float32(2^(−j/16)) for j = 0…15: the mantissas of the log8 format. */
export const LOG8_MANTISSAS: Float32Array = Float32Array.from({ length: 16 }, (_, j) => 2 ** (-j / 16));

/** The float32 value of a log8 code with the layer's largest magnitude `smax` (a float32). */
export function log8Value(code: number, smax: number): number {
  if (code === 0) return 0;
  const e = 127 - Math.abs(code);
  // Two float32 products, as the C decoder computes them: smax·m (rounded), then an exact 2^−q.
  F32[0] = smax * LOG8_MANTISSAS[e & 15]!;
  F32[0] = F32[0]! * 2 ** -(e >> 4);
  return code < 0 ? -F32[0]! : F32[0]!;
}

/** The log8 code nearest to s (in the logarithmic sense), for the layer maximum smax. */
export function log8Code(s: number, smax: number): number {
  if (s === 0 || smax === 0) return 0;
  const e = Math.round(16 * Math.log2(smax / Math.abs(s)));
  const m = 127 - Math.min(126, Math.max(0, e));
  return s < 0 ? -m : m;
}

/** The layer maximum of a log8 tensor: float32(max |s|). */
export function log8Max(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  return Math.fround(m);
}

/** The log8 codes of decoded scales; `MCU_E_CLUSTER_DATA` if a value is not a log8 value. */
export function encodeLog8(values: ArrayLike<number>, smax = log8Max(values)): Int8Array {
  const out = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = log8Code(values[i]!, smax);
    if (log8Value(c, smax) !== values[i])
      throw new McuError(
        "MCU_E_CLUSTER_DATA",
        `scale ${values[i]} is not a log8 value (largest magnitude ${smax})`,
      );
    out[i] = c;
  }
  return out;
}

/** The binary16 bits of values that must be exact binary16 numbers (else `MCU_E_CLUSTER_DATA`). */
export function encodeFloat16(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const b = float16Bits(values[i]!);
    if (float16Value(b) !== values[i])
      throw new McuError("MCU_E_CLUSTER_DATA", `value ${values[i]} is not a binary16 number`);
    out[i] = b;
  }
  return out;
}
