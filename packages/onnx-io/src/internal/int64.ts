/**
 * protobufjs reads int64 fields as `Long` objects when the `long` package is installed (it is a
 * dependency of protobufjs 8) and as numbers otherwise; these helpers accept both.
 */
import { McuError } from "@mcu/tensor";

/** An int64 as protobufjs hands it over. */
export type Int64Like = number | { toNumber(): number };

/** The int64 as a JS number (exact up to 2^53; larger magnitudes are approximated). */
export function int64ToNumber(v: Int64Like | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === "number" ? v : v.toNumber();
}

/** A dimension or count: a safe non-negative integer, or `MCU_E_ONNX_INVALID`. */
export function toDim(v: Int64Like, what: string, where: { node?: string; tensor?: string } = {}): number {
  const n = int64ToNumber(v);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new McuError("MCU_E_ONNX_INVALID", `${what} has an invalid dimension ${n}`, where);
  }
  return n;
}
