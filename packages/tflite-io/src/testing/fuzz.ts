/**
 * Mutation fuzzing of the .tflite reader: random byte changes, aligned 32-bit overwrites
 * (which hit offsets, lengths and vtable entries), block copies and truncations of real files,
 * from a seeded generator. Each case must either read or throw `McuError` — never another
 * exception — within a time bound, and without allocating far beyond the file's size.
 * Shared by the test (fixed seed, 20,000 cases) and bench/tflite-fuzz.bench.ts (longer run).
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { isMcuError } from "@mcu/tensor";
import { readTflite } from "../read.js";
import { writeTflite } from "../write.js";
import { seededRandom } from "./compare.js";

/** The allocation a read may make per byte of file (the issue's bound). */
export const HEAP_ALLOWANCE_PER_BYTE = 4;

/** One fuzz campaign's findings. */
export interface FuzzReport {
  readonly cases: number;
  /** Cases that still read as a valid graph. */
  readonly accepted: number;
  /** McuError codes and how often each was thrown. */
  readonly codes: Readonly<Record<string, number>>;
  /** Anything that was not an McuError: file, case and message. */
  readonly failures: readonly string[];
  /** The slowest case (read, and write when it read), in CPU milliseconds, and which it was. */
  readonly slowestMs: number;
  readonly slowestCase: string;
  /** The slowest case in wall-clock milliseconds (machine load included). */
  readonly slowestWallMs: number;
  /** Largest typed-array (ArrayBuffer) growth during one read / file size, over the measured cases. */
  readonly worstAllocationRatio: number;
  /** The file and case of the largest allocation ratio, and the bytes it allocated. */
  readonly worstAllocation: string;
  /** Largest JS-heap growth during one read minus 4 × the file size (bytes). */
  readonly worstHeapBeyondAllowance: number;
  readonly measured: number;
}

/** Options of a fuzz campaign. */
export interface FuzzOptions {
  readonly seed: number;
  readonly cases: number;
  /** Measure allocation every `measureEvery` cases (forces a GC first). */
  readonly measureEvery: number;
}

let gcFn: ((options: { type: string }) => void) | undefined;
/**
 * V8's gc(), exposed at run time (the flag must be set before the context is made). A minor
 * (young-generation) collection is enough: it empties the nursery, so that no collection runs
 * during the measured read unless that read allocates megabytes.
 */
function minorGc(): void {
  if (gcFn === undefined) {
    setFlagsFromString("--expose-gc");
    gcFn = runInNewContext("gc") as (options: { type: string }) => void;
  }
  gcFn({ type: "minor" });
}

/** A mutated copy of `bytes` (one of five kinds of damage). */
export function mutate(bytes: Uint8Array, rand: () => number): Uint8Array {
  const n = bytes.length;
  const pick = (max: number) => Math.floor(rand() * max);
  // Flatbuffer structure (vtables, offsets, lengths) sits mostly outside the large weight
  // buffers; aim half the damage at the first and last 4 KiB.
  const position = () =>
    rand() < 0.5 ? pick(n) : rand() < 0.5 ? pick(Math.min(n, 4096)) : n - 1 - pick(Math.min(n, 4096));
  const kind = pick(5);
  if (kind === 0) return bytes.slice(0, pick(n));
  const out = bytes.slice();
  if (kind === 1) {
    for (let k = 1 + pick(8); k > 0; k--) out[position()] = pick(256);
  } else if (kind === 2) {
    for (let k = 1 + pick(4); k > 0; k--) out[position()]! ^= 1 << pick(8);
  } else if (kind === 3) {
    // An aligned int32: 0, −1, a huge value, or a small one (an offset or length that lies).
    const at = position() & ~3;
    const values = [0, 0xffffffff, 0x7fffffff, pick(n), pick(64), 0x10000 + pick(0x10000)];
    const v = values[pick(values.length)]!;
    for (let i = 0; i < 4 && at + i < n; i++) out[at + i] = (v >>> (8 * i)) & 255;
  } else {
    const from = position();
    const to = position();
    const len = Math.min(1 + pick(64), n - from, n - to);
    out.copyWithin(to, from, from + len);
  }
  return out;
}

/** Runs a campaign over the given files (name → bytes), cycling through them. */
export function fuzzReader(
  files: readonly (readonly [string, Uint8Array])[],
  options: FuzzOptions,
): FuzzReport {
  const rand = seededRandom(options.seed);
  const codes: Record<string, number> = {};
  const failures: string[] = [];
  let accepted = 0;
  let slowest = 0;
  let slowestCase = "";
  let slowestWall = 0;
  let worstRatio = 0;
  let worstAllocation = "";
  let measured = 0;
  let worstHeap = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < options.cases; k++) {
    const [name, original] = files[k % files.length]!;
    const bytes = mutate(original, rand);
    const measure = k % options.measureEvery === 0;
    if (measure) minorGc();
    const before = measure ? process.memoryUsage() : undefined;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let graph: ReturnType<typeof readTflite> | undefined;
    let error: unknown;
    try {
      graph = readTflite(bytes);
    } catch (e) {
      error = e;
    }
    if (before !== undefined) {
      // No collection since `before`: the growth is what this read allocated (kept or not).
      const after = process.memoryUsage();
      const buffers = after.arrayBuffers - before.arrayBuffers;
      const heap = after.heapUsed - before.heapUsed;
      measured++;
      const ratio = buffers / Math.max(bytes.length, 1);
      if (ratio > worstRatio) {
        worstRatio = ratio;
        worstAllocation = `${name} case ${k}: ${buffers} bytes of typed arrays for a ${bytes.length}-byte file`;
      }
      worstHeap = Math.max(worstHeap, heap - HEAP_ALLOWANCE_PER_BYTE * bytes.length);
    }
    try {
      if (error !== undefined) throw error;
      accepted++;
      // A mutated file that still reads must also write (or refuse with McuError).
      writeTflite(graph!);
    } catch (e) {
      if (isMcuError(e)) codes[e.code] = (codes[e.code] ?? 0) + 1;
      else failures.push(`${name} case ${k}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
    // CPU time, not wall time, decides "hang": other processes on the machine do not count.
    const cpu = process.cpuUsage(cpu0);
    const ms = (cpu.user + cpu.system) / 1000;
    if (ms > slowest) {
      slowest = ms;
      slowestCase = `${name} case ${k}`;
    }
    slowestWall = Math.max(slowestWall, performance.now() - t0);
  }
  return {
    cases: options.cases,
    accepted,
    codes,
    failures,
    slowestMs: slowest,
    slowestCase,
    slowestWallMs: slowestWall,
    worstAllocationRatio: worstRatio,
    worstAllocation,
    worstHeapBeyondAllowance: worstHeap,
    measured,
  };
}
