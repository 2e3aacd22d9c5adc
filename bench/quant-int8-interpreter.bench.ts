/**
 * Integer interpreter throughput: MAC/s of @mcu/quant's int8 kernels on real int8 models
 * (person_detect, kws_ref_model), end to end through createInterpreter().invoke() as `mcu run`
 * does, on the TFLM golden inputs.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import quantPlugin from "@mcu/quant";
import {
  corePlugin,
  createInterpreter,
  createRegistry,
  type Graph,
  type Registry,
  type TensorData,
} from "@mcu/tensor";
import { readTflite } from "@mcu/tflite-io";
import type { BenchResult } from "../tools/bench/types.js";

const fixtures = resolve(import.meta.dirname, "..", "fixtures");

function totalMacs(graph: Graph, registry: Registry): number {
  let macs = 0;
  for (const n of graph.nodes) {
    const op = registry.op(n.op);
    const inputs = n.inputs.map((id) => (id === "" ? undefined : graph.tensors.get(id)));
    const outputs = n.outputs.map((id) => graph.tensors.get(id)!);
    macs += op.macs({ node: n.name, inputs, outputs, attrs: n.attrs as never });
  }
  return macs;
}

function bytes(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(join(fixtures, ...parts)));
}

export default async function bench(): Promise<BenchResult> {
  const registry = createRegistry([corePlugin, quantPlugin]);
  const models = [
    {
      name: "person_detect (96x96x1, MobileNet-v1 0.25)",
      file: ["tflite-micro", "person_detect.tflite"],
      input: ["tflm-golden", "person_detect", "person.input.bin"],
    },
    {
      name: "kws_ref_model (MLPerf Tiny DS-CNN)",
      file: ["mlcommons-tiny", "kws_ref_model.tflite"],
      input: ["tflm-golden", "kws_ref_model", "seed0.input.bin"],
    },
  ];
  const rows = models.map(({ name, file, input }) => {
    const graph = readTflite(bytes(...file), { registry });
    const interp = createInterpreter(graph, { registry });
    const raw = bytes(...input);
    const x: TensorData = new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    interp.invoke([x]); // warm-up (JIT)
    // Wall-clock and CPU time of each run: the machine may be shared, and CPU time (user +
    // system of this process) is what the kernels themselves cost.
    const wall: number[] = [];
    const cpu: number[] = [];
    const deadline = performance.now() + 4000;
    while (wall.length < 5 || performance.now() < deadline) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      interp.invoke([x]);
      wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    const median = (v: number[]): number => v.sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
    const medianWall = median(wall);
    const medianCpu = median(cpu);
    const macs = totalMacs(graph, registry);
    const integerNodes = interp.kernelNames.filter((k) => k.startsWith("quant/")).length;
    return {
      model: name,
      nodes: `${interp.kernelNames.length} (${integerNodes} quant/*)`,
      MMACs: (macs / 1e6).toFixed(2),
      runs: wall.length,
      "median wall ms": medianWall.toFixed(2),
      "median CPU ms": medianCpu.toFixed(2),
      "MMAC/s (CPU)": (macs / (medianCpu / 1000) / 1e6).toFixed(0),
    };
  });
  return {
    title: "Integer interpreter throughput (@mcu/quant, int8)",
    description:
      "MAC/s of @mcu/quant's int8 kernels (bit-exact with TFLite Micro's reference kernels) through `createInterpreter().invoke()` on real int8 models, one thread, median of repeated runs over ≥4 s after one warm-up run (wall-clock, and CPU time of the process, from which MAC/s is computed: robust on a shared machine); input: the TFLM golden input of each model. MACs from the op contracts' `macs()`.",
    rows,
  };
}
