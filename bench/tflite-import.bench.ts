/**
 * .tflite import and export speed: `readTflite` (bounds-checked decode, constant data copied
 * once, IR graph built and verified) and `writeTflite` on person_detect.tflite and on the
 * largest fixture, pretrainedResnet_large_float.tflite (1.9 MB).
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { readTflite, writeTflite } from "@mcu/tflite-io";
import type { BenchResult } from "../tools/bench/types.js";

const fixtures = resolve(import.meta.dirname, "..", "fixtures");

/** Median milliseconds of `fn` over repeated runs for at least `ms` (after 10 warm-up runs). */
function median(fn: () => void, ms: number): { median: number; runs: number } {
  for (let i = 0; i < 10; i++) fn();
  const times: number[] = [];
  const deadline = performance.now() + ms;
  while (times.length < 20 || performance.now() < deadline) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, runs: times.length };
}

export default async function bench(): Promise<BenchResult> {
  const files = [
    ["tflite-micro", "person_detect.tflite"],
    ["mlcommons-tiny", "pretrainedResnet_large_float.tflite"],
  ];
  const rows = files.map((parts) => {
    const buf = readFileSync(join(fixtures, ...parts));
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    const graph = readTflite(bytes);
    const read = median(() => readTflite(bytes), 2000);
    const write = median(() => writeTflite(graph), 2000);
    const mb = bytes.length / 1e6;
    return {
      file: parts.join("/"),
      bytes: bytes.length,
      nodes: graph.nodes.length,
      tensors: graph.tensors.size,
      "read median ms": read.median.toFixed(3),
      "read MB/s": (mb / (read.median / 1000)).toFixed(0),
      "write median ms": write.median.toFixed(3),
      "write MB/s": (mb / (write.median / 1000)).toFixed(0),
      runs: `${read.runs} / ${write.runs}`,
    };
  });
  return {
    title: "TFLite import and export (@mcu/tflite-io)",
    description:
      "`readTflite` (bounds-checked flatbuffer decode, constant data copied once per buffer, IR graph built and verified) and `writeTflite` (IR → flatbuffer with `flatbuffers`' Builder), one thread, median over ≥2 s of repeated runs after 10 warm-up runs. MB/s is the file size divided by the median time.",
    rows,
  };
}
