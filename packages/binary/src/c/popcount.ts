/**
 * Popcount for the C kernels. Cortex-M0+/M3/M4/M7/M33 have no population-count instruction
 * (Armv7-M and Armv8-M Mainline lack CNT; only Advanced SIMD has VCNT), so the count is software:
 *
 * - `swar` (default): SWAR to byte counts (Hacker's Delight §5-1), byte counts of up to 31 words
 *   summed before one horizontal add — about 10 instructions per 32-bit word on Thumb-2, whose
 *   shifted-operand AND/ADD fold the shifts;
 * - `swar-mul`: the classic full SWAR per word, horizontal sum by a multiply by 0x01010101;
 * - `table`: four lookups in a 256-entry byte table (256 B of flash);
 * - `builtin`: `__builtin_popcount` (a POPCNT instruction where the host compiler may use one,
 *   libgcc's `__popcountsi2` on Cortex-M).
 *
 * bench/binary-mnist.bench.ts measures all four on Cortex-M4 under QEMU.
 */
import type { CSupportCode } from "@mcu/codegen-c";

/** The popcount implementations the C kernels can use. */
export const POPCOUNT_KINDS = ["swar", "swar-mul", "table", "builtin"] as const;
export type PopcountKind = (typeof POPCOUNT_KINDS)[number];

const header = `/* Popcount building blocks: MCU_BIN_ACC_WORD(acc, v) adds word v's bits to a partial
   accumulator, MCU_BIN_ACC_FINISH(acc) turns it into a count; at most MCU_BIN_ACC_LIMIT words per
   accumulator; MCU_BIN_MASKS declares what MCU_BIN_ACC_WORD needs (once per function). MCU_BIN_XOR_POPCOUNT(res, a, b, n) sets res to the set bits of a[i] ^ b[i], i < n. */`;

const LOOP = `
#define MCU_BIN_XOR_POPCOUNT(res, a, b, n)                                     \\
  do {                                                                         \\
    const uint32_t *a_ = (a), *b_ = (b);                                       \\
    int32_t n_ = (n);                                                          \\
    uint32_t t_ = 0u;                                                          \\
    while (n_ > 0) {                                                           \\
      int32_t m_ = n_ < MCU_BIN_ACC_LIMIT ? n_ : MCU_BIN_ACC_LIMIT;            \\
      uint32_t acc_ = 0u;                                                      \\
      n_ -= m_;                                                                \\
      for (; m_ >= 2; m_ -= 2) {                                               \\
        const uint32_t v0_ = a_[0] ^ b_[0], v1_ = a_[1] ^ b_[1];               \\
        MCU_BIN_ACC_WORD(acc_, v0_);                                           \\
        MCU_BIN_ACC_WORD(acc_, v1_);                                           \\
        a_ += 2;                                                               \\
        b_ += 2;                                                               \\
      }                                                                        \\
      if (m_ != 0) {                                                           \\
        const uint32_t v_ = *a_++ ^ *b_++;                                     \\
        MCU_BIN_ACC_WORD(acc_, v_);                                            \\
      }                                                                        \\
      t_ += MCU_BIN_ACC_FINISH(acc_);                                          \\
    }                                                                          \\
    (res) = t_;                                                                \\
  } while (0)

/* The same over (a[i] ^ b[i]) & m[i]: the border positions of a zero-padded convolution, where
   m is all ones on the taps inside the image and zero outside. */
#define MCU_BIN_XOR_AND_POPCOUNT(res, a, b, m, n)                              \\
  do {                                                                         \\
    const uint32_t *a_ = (a), *b_ = (b), *k_ = (m);                            \\
    int32_t n_ = (n);                                                          \\
    uint32_t t_ = 0u;                                                          \\
    while (n_ > 0) {                                                           \\
      int32_t m_ = n_ < MCU_BIN_ACC_LIMIT ? n_ : MCU_BIN_ACC_LIMIT;            \\
      uint32_t acc_ = 0u;                                                      \\
      n_ -= m_;                                                                \\
      for (; m_ > 0; m_--) {                                                   \\
        const uint32_t v_ = (*a_++ ^ *b_++) & *k_++;                           \\
        MCU_BIN_ACC_WORD(acc_, v_);                                            \\
      }                                                                        \\
      t_ += MCU_BIN_ACC_FINISH(acc_);                                          \\
    }                                                                          \\
    (res) = t_;                                                                \\
  } while (0)`;

/* SWAR to byte counts (each <= 8), summed over up to 31 words before the horizontal add. */
const SWAR = `${header}
/* The masks live in registers (read once through volatile, so the compiler cannot fold them into
   immediates): Thumb-2 then does "(v >> 1) & m1" in one AND with a shifted operand. */
static uint32_t mcu_bin_mask(int32_t i) {
  static const volatile uint32_t m[3] = {0x55555555u, 0x33333333u, 0x0F0F0F0Fu};
  return m[i];
}
#define MCU_BIN_MASKS const uint32_t m1_ = mcu_bin_mask(0), m2_ = mcu_bin_mask(1), m4_ = mcu_bin_mask(2)
#define MCU_BIN_ACC_LIMIT 31
#define MCU_BIN_ACC_WORD(acc, v)                                \\
  do {                                                          \\
    uint32_t w_ = (v) - (((v) >> 1) & m1_);                     \\
    w_ = (w_ & m2_) + ((w_ >> 2) & m2_);                        \\
    (acc) += (w_ + (w_ >> 4)) & m4_;                            \\
  } while (0)
#define MCU_BIN_ACC_FINISH(acc) mcu_bin_bytesum(acc)
static uint32_t mcu_bin_bytesum(uint32_t acc) {
  acc = (acc & 0x00FF00FFu) + ((acc >> 8) & 0x00FF00FFu);
  return (acc + (acc >> 16)) & 0xFFFFu;
}`;

/* Full SWAR per word, horizontal sum by a multiply (Hacker's Delight fig. 5-2). */
const SWAR_MUL = `${header}
#define MCU_BIN_MASKS const uint32_t m1_ = 0u; (void)m1_
#define MCU_BIN_ACC_LIMIT 0x7FFFFFFF
#define MCU_BIN_ACC_WORD(acc, v)                                \\
  do {                                                          \\
    uint32_t w_ = (v) - (((v) >> 1) & 0x55555555u);             \\
    w_ = (w_ & 0x33333333u) + ((w_ >> 2) & 0x33333333u);        \\
    w_ = (w_ + (w_ >> 4)) & 0x0F0F0F0Fu;                        \\
    (acc) += (w_ * 0x01010101u) >> 24;                          \\
  } while (0)
#define MCU_BIN_ACC_FINISH(acc) (acc)`;

function tableCode(): string {
  const t = Array.from({ length: 256 }, (_, i) => {
    let n = 0;
    for (let b = i; b !== 0; b >>= 1) n += b & 1;
    return n;
  });
  const rows: string[] = [];
  for (let i = 0; i < 256; i += 32) rows.push(`  ${t.slice(i, i + 32).join(", ")}`);
  return `${header}
#define MCU_BIN_MASKS const uint32_t m1_ = 0u; (void)m1_
static const uint8_t mcu_bin_popcount8[256] = {
${rows.join(",\n")}
};
#define MCU_BIN_ACC_LIMIT 0x7FFFFFFF
#define MCU_BIN_ACC_WORD(acc, v)                                                         \\
  (acc) += (uint32_t)mcu_bin_popcount8[(v) & 0xFFu] + mcu_bin_popcount8[((v) >> 8) & 0xFFu] + \\
           mcu_bin_popcount8[((v) >> 16) & 0xFFu] + mcu_bin_popcount8[(v) >> 24]
#define MCU_BIN_ACC_FINISH(acc) (acc)`;
}

const BUILTIN = `${header}
#define MCU_BIN_MASKS const uint32_t m1_ = 0u; (void)m1_
#define MCU_BIN_ACC_LIMIT 0x7FFFFFFF
#define MCU_BIN_ACC_WORD(acc, v) (acc) += (uint32_t)__builtin_popcount(v)
#define MCU_BIN_ACC_FINISH(acc) (acc)`;

/** The support code of one popcount implementation (every binary C kernel of a plugin uses the same). */
export function popcountSupport(kind: PopcountKind): CSupportCode {
  const body =
    kind === "swar" ? SWAR : kind === "swar-mul" ? SWAR_MUL : kind === "table" ? tableCode() : BUILTIN;
  return { id: "binary/popcount", code: body + LOOP };
}
