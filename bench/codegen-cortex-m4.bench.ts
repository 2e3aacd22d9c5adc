/**
 * Generated C on a Cortex-M4 under QEMU (mps2-an386, -icount shift=0, SysTick): instructions per
 * inference, arena bytes and code/weight sizes of the int8 fixture models, next to TensorFlow Lite
 * Micro + CMSIS-NN measured the same way (the figures of the codegen issue), and the portable C
 * vs DSP path per kernel from per-layer profiles.
 */
import { readFileSync } from "node:fs";
import { type CPreparedModel, codegenPlugin, cTarget, findTool, prepareC, runProcess } from "@mcu/codegen-c";
import onnxPlugin from "@mcu/onnx-io";
import { quantPlugin } from "@mcu/quant";
import { corePlugin, createRegistry, type Graph, numElements, type TensorData } from "@mcu/tensor";
import { fixturePath } from "@mcu/testing";
import tflitePlugin from "@mcu/tflite-io";
import type { BenchResult } from "../tools/bench/types.js";

const registry = createRegistry([corePlugin, tflitePlugin, onnxPlugin, quantPlugin, codegenPlugin]);

/** TFLM + CMSIS-NN and TFLM reference kernels on the same QEMU setup (issue table); arena on M4. */
const TFLM: Readonly<Record<string, { cmsis: number; reference: number; arena: number }>> = {
  person_detect: { cmsis: 22_929_280, reference: 95_688_640, arena: 82_308 },
  kws_ref_model: { cmsis: 7_699_800, reference: 43_042_400, arena: 22_820 },
  pretrainedResnet_quant: { cmsis: 29_863_840, reference: 107_386_560, arena: 54_996 },
  micro_speech_quantized: { cmsis: 1_495_040, reference: 9_309_680, arena: 6_836 },
  hello_world_int8: { cmsis: 3_640, reference: 5_360, arena: 772 },
};

const MODELS = [
  "tflite-micro/person_detect.tflite",
  "mlcommons-tiny/kws_ref_model.tflite",
  "mlcommons-tiny/pretrainedResnet_quant.tflite",
  "tflite-micro/micro_speech_quantized.tflite",
  "tflite-micro/hello_world_int8.tflite",
  "mlcommons-tiny/model_ToyCar_quant_fullint.tflite",
  "pytorch-mnist/mnist_cnn_qdq_ort.onnx",
];

function load(file: string): Graph {
  const path = fixturePath(...file.split("/"));
  return registry.formatFor(path).read!(new Uint8Array(readFileSync(path)), { registry });
}

/** One deterministic input per graph input (integers over their range, floats in [−1, 1)). */
function sample(graph: Graph): TensorData[] {
  let s = 12345;
  const next = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s >>> 8;
  };
  return graph.inputs.map((id) => {
    const t = graph.tensors.get(id)!;
    const n = numElements(t.shape);
    if (t.dtype === "int8") return Int8Array.from({ length: n }, () => (next() & 255) - 128);
    if (t.dtype === "int16") return Int16Array.from({ length: n }, () => (next() & 65535) - 32768);
    return Float32Array.from({ length: n }, () => (next() % 2000) / 1000 - 1);
  });
}

/** Bytes of code (.text*) and of constants (.rodata*) of an object file, from `size -A`. */
async function codeAndConstants(object: string): Promise<{ code: number; constants: number }> {
  const r = await runProcess(findTool("arm-none-eabi-size"), ["-A", object]);
  let code = 0;
  let constants = 0;
  for (const line of r.stdout.split("\n")) {
    const m = /^(\.\S+)\s+(\d+)\s+\d+/.exec(line.trim());
    if (m === null) continue;
    if (m[1]!.startsWith(".text")) code += Number(m[2]);
    else if (m[1]!.startsWith(".rodata")) constants += Number(m[2]);
  }
  return { code, constants };
}

async function run(graph: Graph, name: string, options: Record<string, unknown>): Promise<CPreparedModel> {
  const m = await prepareC(graph, registry, cTarget("cortex-m4"), { name, ...options });
  await m.invoke(sample(graph));
  return m;
}

const fmt = (n: number): string => n.toLocaleString("en-US");
const ratio = (a: number, b: number): string => (a / b).toFixed(2);

export default async function bench(): Promise<BenchResult> {
  const rows: Record<string, string | number>[] = [];
  const perKernel = new Map<string, { dsp: number; portable: number; macs: number }>();
  for (const file of MODELS) {
    const name = file.replace(/^.*\//, "").replace(/\.[a-z]+$/, "");
    const graph = load(file);
    const dsp = await run(graph, name, {});
    const portable = await run(graph, name, { dsp: false });
    const s = dsp.stats();
    const sizes = await codeAndConstants(dsp.program.modelObject);
    const tflm = TFLM[name];
    rows.push({
      model: name,
      "instructions (DSP)": fmt(s.instructions!),
      "instructions (portable C)": fmt(portable.stats().instructions!),
      "TFLM+CMSIS-NN": tflm !== undefined ? fmt(tflm.cmsis) : "—",
      "ours / TFLM+CMSIS": tflm !== undefined ? ratio(s.instructions!, tflm.cmsis) : "—",
      "TFLM reference": tflm !== undefined ? fmt(tflm.reference) : "—",
      "arena B": fmt(s.arenaBytes),
      "TFLM arena B": tflm !== undefined ? fmt(tflm.arena) : "—",
      "model text B": fmt(s.text),
      "of which code B": fmt(sizes.code),
      "weights+tables B": fmt(sizes.constants),
      "data B": s.data,
      "bss B": fmt(s.bss),
      "ELF text B": fmt(s.elf.text),
    });
    // Per-kernel figures from per-layer profiles of both paths.
    if (tflm !== undefined && name !== "hello_world_int8") {
      const [pd, pp] = await Promise.all([
        run(graph, name, { profile: true }),
        run(graph, name, { profile: true, dsp: false }),
      ]);
      const dl = pd.stats().layers ?? [];
      const pl = pp.stats().layers ?? [];
      dl.forEach((l, i) => {
        const node = graph.nodes[l.index]!;
        const op = registry.op(node.op);
        const macs = op.macs({
          node: node.name,
          attrs: node.attrs as never,
          inputs: node.inputs.map((t) => (t === "" ? undefined : graph.tensors.get(t))),
          outputs: node.outputs.map((t) => graph.tensors.get(t)!),
        });
        const key = `${name} ${l.op}`;
        const e = perKernel.get(key) ?? { dsp: 0, portable: 0, macs: 0 };
        e.dsp += l.elapsed;
        e.portable += pl[i]?.elapsed ?? 0;
        e.macs += macs;
        perKernel.set(key, e);
      });
    }
  }
  const kernelRows = [...perKernel]
    .filter(([, e]) => e.dsp > 1000)
    .map(
      ([k, e]) =>
        `| ${k} | ${fmt(e.macs)} | ${fmt(e.portable)} | ${fmt(e.dsp)} | ${ratio(e.portable, e.dsp)}× | ${e.macs > 0 ? (e.dsp / e.macs).toFixed(2) : "—"} |`,
    );
  return {
    title: "Generated C on Cortex-M4 (QEMU mps2-an386)",
    description:
      "One inference of each int8 fixture model as generated C (@mcu/codegen-c with @mcu/quant's C kernels), " +
      "arm-none-eabi-gcc -O2 for Cortex-M4, run under qemu-system-arm -M mps2-an386 -icount shift=0; instructions from " +
      "SysTick (40 instructions per tick, calibrated by the harness), around mcu_<name>_invoke only. DSP = the Armv7E-M " +
      "path (SXTB16/SMLAD multiply-accumulates, the one-multiply SMMLAR requantization, assembly inner loops for the " +
      "gemm and depthwise taps); portable C = the same model generated with --no-dsp. Sizes from arm-none-eabi-size on the " +
      "model's object file (code + weights + tables, no harness or libc; bss = the arena) and on the whole ELF (newlib " +
      "with semihosting included). TFLM columns: TFLite Micro measured the same way (QEMU mps2-an386, -icount shift=0, " +
      "SysTick; CMSIS-NN kernels at -O2), figures given in the codegen issue. Our goal: ≤ 0.7× the TFLM+CMSIS-NN " +
      "instructions, a smaller arena, far smaller code (TFLM's runtime with int8 CMSIS-NN kernels is ~52 KB for " +
      "person_detect).",
    rows,
    notes: [
      "Per kernel (sum over a model's layers of one op; per-layer profile builds, whose hooks add a few instructions per layer):",
      "",
      "| model / op | MACs | portable C instr | DSP instr | DSP speed-up | DSP instr / MAC |",
      "|---|---:|---:|---:|---:|---:|",
      ...kernelRows,
    ].join("\n"),
  };
}
