/**
 * Lookup tables of TensorFlow Lite's integer kernels (tensorflow/lite/kernels/internal/common.h):
 * generation of 256-entry int8/uint8 tables and 513-entry interpolated int16 tables from a real
 * function, and the lookups. Generation mirrors TFLite's float32 arithmetic step by step
 * (Math.fround after every operation); the real function itself is evaluated in double and
 * rounded to float32 once, where TFLite calls a float function (e.g. expf), so a table entry can
 * differ from TFLite's only if the C library's float function is not correctly rounded at a
 * point where the result then rounds across an integer boundary.
 */
import { tfliteRound } from "./multiplier.js";

const f = Math.fround;

/** A real function sampled into a table: float32 in, float32 out. */
export type LutTransform = (x: number) => number;

/**
 * TFLite LUTPopulate for int8/uint8 (detail::LUTPopulateInt8): entry for input q is
 * clamp(int(round(transform(s_in·(q − z_in)) / s_out) + z_out)); the table is indexed by the
 * input's uint8 bit pattern (q & 0xff), as TFLite casts int8 to uint8 to index it.
 */
export function lutPopulateInt8(
  inputScale: number,
  inputZeroPoint: number,
  outputScale: number,
  outputZeroPoint: number,
  transform: LutTransform,
  dtype: "int8" | "uint8" = "int8",
): Int8Array | Uint8Array {
  const lut = dtype === "int8" ? new Int8Array(256) : new Uint8Array(256);
  const minval = dtype === "int8" ? -128 : 0;
  const maxval = dtype === "int8" ? 127 : 255;
  const inverseScale = f(1 / f(outputScale));
  for (let val = minval; val <= maxval; val++) {
    const dequantized = f(f(inputScale) * (val - inputZeroPoint));
    const transformed = f(transform(dequantized));
    const rescaled = tfliteRound(f(transformed * inverseScale));
    const quantized = Math.trunc(f(rescaled + outputZeroPoint));
    lut[val & 0xff] = Math.max(Math.min(maxval, quantized), minval);
  }
  return lut;
}

/** One 513-entry int16 table from float32 bounds (shared by LUTPopulateInt16 and gen_lut). */
function populateInt16(
  transform: LutTransform,
  inputMin: number,
  inputMax: number,
  outputScalingInv: number,
): Int16Array {
  const lut = new Int16Array(513);
  const T = (x: number): number => f(transform(x));
  const step = f(f(inputMax - inputMin) / 512);
  const halfStep = f(step / 2);
  const clamp = (v: number): number => Math.min(Math.max(v, -32768), 32767);
  for (let i = 0; i < 512; i++) {
    const x = f(inputMin + f(i * step));
    const val = T(x);
    const valMidpoint = T(f(x + halfStep));
    const valNext = T(f(inputMin + f((i + 1) * step)));
    const sampleVal = tfliteRound(f(val * outputScalingInv));
    const midpointInterpVal = tfliteRound(f(f(f(valNext * outputScalingInv) + sampleVal) / 2));
    const midpointVal = tfliteRound(f(valMidpoint * outputScalingInv));
    const midpointErr = f(midpointInterpVal - midpointVal);
    const bias = tfliteRound(f(midpointErr / 2));
    lut[i] = clamp(f(sampleVal - bias));
  }
  lut[512] = clamp(tfliteRound(f(T(inputMax) * outputScalingInv)));
  return lut;
}

/**
 * TFLite LUTPopulate for int16 (detail::LUTPopulateInt16<float>): 512 segments over the input
 * range of the int16 input's quantization, each entry the sample at the segment start corrected
 * by half the midpoint interpolation error, plus one entry for the last slope.
 */
export function lutPopulateInt16(
  inputScale: number,
  inputZeroPoint: number,
  outputScale: number,
  outputZeroPoint: number,
  transform: LutTransform,
): Int16Array {
  const si = f(inputScale);
  const so = f(outputScale);
  const inputMin = f(si * (-32768 - inputZeroPoint));
  const inputMax = f(si * (32767 - inputZeroPoint));
  const outputMin = f(so * (-32768 - outputZeroPoint));
  const outputMax = f(so * (32767 - outputZeroPoint));
  return populateInt16(transform, inputMin, inputMax, f(65536 / f(outputMax - outputMin)));
}

/**
 * TFLite Micro gen_lut<float, int16_t, int16_t>(func, input_min, input_max, output_min,
 * output_max) — the older generator TFLM's int16 SOFTMAX uses for its exp and 1/(1+x) tables.
 */
export function genLutInt16(
  transform: LutTransform,
  inputMin: number,
  inputMax: number,
  outputMin: number,
  outputMax: number,
): Int16Array {
  return populateInt16(transform, f(inputMin), f(inputMax), f(65536 / f(f(outputMax) - f(outputMin))));
}

/**
 * TFLite LUTLookup for int16 → int16: the top 9 bits of the input (+256) index the table, the
 * low 7 bits interpolate linearly to the next entry with rounding: base + ((slope·frac + 64) >> 7).
 */
export function lutLookupInt16(value: number, lut: Int16Array): number {
  const index = 256 + (value >> 7);
  const offset = value & 0x7f;
  const base = lut[index]!;
  const slope = lut[index + 1]! - base;
  return ((base + ((slope * offset + 64) >> 7)) << 16) >> 16;
}

/** TFLite LUTLookup for int8/uint8: the table is indexed by the value's uint8 bit pattern. */
export function lutLookupInt8(value: number, lut: Int8Array | Uint8Array): number {
  return lut[value & 0xff]!;
}

/**
 * sigmoid(i/24) for i = 0 … 255 in unsigned 0.16 fixed point: the table TFLite's int16 LOGISTIC
 * and TANH interpolate (sigmoid_table_uint16 in tensorflow/lite/kernels/internal/common.h,
 * Apache-2.0). The values are TFLite's data, not a formula: they do not all equal
 * round(65536·sigmoid(i/24)), so bit-exactness needs them verbatim.
 */
export const SIGMOID_TABLE_UINT16: Uint16Array = Uint16Array.from([
  32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064,
  42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464,
  50942, 51409, 51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503,
  56823, 57133, 57433, 57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370,
  60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666,
  62778, 62886, 62990, 63090, 63186, 63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968,
  64030, 64090, 64148, 64204, 64257, 64308, 64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687,
  64721, 64754, 64786, 64816, 64845, 64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
  65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258, 65269, 65280, 65291,
  65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367, 65374, 65381, 65387, 65393, 65399, 65404,
  65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465,
  65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498,
  65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513, 65514, 65515, 65516,
  65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524, 65525, 65525,
  65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530, 65530,
  65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
  65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
  65535,
]);
