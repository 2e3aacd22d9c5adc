/**
 * Lookup tables against their definitions: int8 tables entry by entry against
 * round(f(s_in·(q − z_in)) / s_out) + z_out computed in double (skipping entries within 1e-6
 * of a rounding tie, where float32 and double may legitimately round apart), int16 tables
 * through the interpolating lookup against the real function over every int16 input.
 */
import {
  genLutInt16,
  lutLookupInt16,
  lutLookupInt8,
  lutPopulateInt16,
  lutPopulateInt8,
  SIGMOID_TABLE_UINT16,
} from "./lut.js";

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

describe("lutPopulateInt8", () => {
  it("maps every int8 input to the rounded, clamped function value", () => {
    const cases = [
      { si: 0.05, zi: 3, so: 1 / 256, zo: -128, fn: sigmoid },
      { si: 0.1, zi: -7, so: 1 / 128, zo: 0, fn: Math.tanh },
      { si: 0.02, zi: 0, so: 0.03, zo: -20, fn: (x: number) => (x * Math.min(6, Math.max(0, x + 3))) / 6 },
    ];
    for (const { si, zi, so, zo, fn } of cases) {
      const lut = lutPopulateInt8(si, zi, so, zo, fn) as Int8Array;
      let checked = 0;
      for (let q = -128; q <= 127; q++) {
        const exact = fn(Math.fround(si) * (q - zi)) / Math.fround(so);
        if (Math.abs(exact - Math.floor(exact) - 0.5) < 1e-6) continue;
        const want = Math.max(-128, Math.min(127, Math.round(exact) + zo));
        expect(lutLookupInt8(q, lut)).toBe(want);
        checked++;
      }
      expect(checked).toBeGreaterThan(240);
    }
  });

  it("indexes an int8 table by the uint8 bit pattern, and builds uint8 tables", () => {
    const lut = lutPopulateInt8(1, 0, 1, 0, (x) => x) as Int8Array;
    expect(lut[0]).toBe(0);
    expect(lut[127]).toBe(127);
    expect(lut[128]).toBe(-128);
    expect(lut[255]).toBe(-1);
    const u = lutPopulateInt8(1, 128, 1, 128, (x) => -x, "uint8");
    expect(u).toBeInstanceOf(Uint8Array);
    expect(lutLookupInt8(128, u)).toBe(128);
    expect(lutLookupInt8(200, u)).toBe(56);
  });
});

describe("int16 tables with interpolation", () => {
  it("LUTPopulate<int16> + LUTLookup reproduce tanh within 8 LSB over every int16 input (512 linear segments over [−8, 8])", () => {
    const si = 8 / 32768;
    const so = 1 / 32768;
    const lut = lutPopulateInt16(si, 0, so, 0, Math.tanh);
    expect(lut.length).toBe(513);
    let worst = 0;
    for (let q = -32768; q <= 32767; q++) {
      const want = Math.max(-32768, Math.min(32767, Math.tanh(q * si) / so));
      worst = Math.max(worst, Math.abs(lutLookupInt16(q, lut) - want));
    }
    expect(worst).toBeLessThanOrEqual(8);
  });

  it("gen_lut(exp, −10, 0, −1, 1) — TFLM's softmax table — reproduces exp within 2 LSB of Q0.15", () => {
    const lut = genLutInt16(Math.exp, -10, 0, -1, 1);
    expect(lut[512]).toBe(32767); // exp(0) · 32768 clamps to the int16 maximum
    let worst = 0;
    for (let q = -32768; q <= 32767; q++) {
      const x = -10 + ((q + 32768) * 10) / 65536;
      worst = Math.max(worst, Math.abs(lutLookupInt16(q, lut) - Math.min(32767, Math.exp(x) * 32768)));
    }
    expect(worst).toBeLessThanOrEqual(2);
  });
});

describe("SIGMOID_TABLE_UINT16", () => {
  it("holds sigmoid(i/24) in unsigned Q0.16 to within 1.5 units, increasing", () => {
    expect(SIGMOID_TABLE_UINT16.length).toBe(256);
    expect(SIGMOID_TABLE_UINT16[0]).toBe(32768);
    for (let i = 0; i < 256; i++) {
      expect(Math.abs(SIGMOID_TABLE_UINT16[i]! - 65536 * sigmoid(i / 24))).toBeLessThanOrEqual(1.5);
      if (i > 0) expect(SIGMOID_TABLE_UINT16[i]!).toBeGreaterThanOrEqual(SIGMOID_TABLE_UINT16[i - 1]!);
    }
  });
});
