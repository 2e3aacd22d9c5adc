/**
 * Float interpreter throughput: MAC/s of the TypeScript float32 kernels on conv-heavy graphs,
 * measured end to end through createInterpreter().invoke() (kernel selection and buffers
 * prepared once, as `mcu run` does).
 */
import {
  corePlugin,
  createInterpreter,
  createRegistry,
  type Graph,
  graphBuilder,
  graphMacs,
  type Registry,
} from "@mcu/tensor";
import type { BenchResult } from "../tools/bench/types.js";

/** A deterministic pseudo-random float array in [-0.5, 0.5). */
function randomFloats(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = (s >>> 0) / 4294967296 - 0.5;
  }
  return out;
}

interface Case {
  readonly name: string;
  readonly graph: Graph;
}

function convStack(registry: Registry): Case {
  // A VGG-like stack: 3 conv blocks (3x3 SAME, relu) with max pools, on a 64x64x16 input.
  const b = graphBuilder(registry);
  let x = b.input("x", [1, 64, 64, 16]);
  let c = 16;
  let seed = 1;
  for (const [out, pool] of [
    [32, false],
    [32, true],
    [64, false],
    [64, true],
    [128, false],
  ] as const) {
    const w = b.constant(`w${seed}`, randomFloats(out * 9 * c, seed++), [out, 3, 3, c]);
    const bias = b.constant(`b${seed}`, randomFloats(out, seed++), [out]);
    x = b.op("core.conv2d", [x, w, bias], { padding: "SAME", fusedActivation: "RELU" });
    if (pool) x = b.op("core.max_pool2d", [x], { filter: [2, 2], strides: [2, 2] });
    c = out;
  }
  b.output(x);
  return { name: "vgg-like conv stack 64x64x16", graph: b.build() };
}

function dwSeparable(registry: Registry): Case {
  // MobileNet-style depthwise-separable blocks on 48x48x32.
  const b = graphBuilder(registry);
  let x = b.input("x", [1, 48, 48, 32]);
  let c = 32;
  let seed = 100;
  for (const out of [64, 64, 128]) {
    const dw = b.constant(`dw${seed}`, randomFloats(9 * c, seed++), [1, 3, 3, c]);
    x = b.op("core.depthwise_conv2d", [x, dw], { padding: "SAME", fusedActivation: "RELU6" });
    const pw = b.constant(`pw${seed}`, randomFloats(out * c, seed++), [out, 1, 1, c]);
    x = b.op("core.conv2d", [x, pw], { fusedActivation: "RELU6" });
    c = out;
  }
  b.output(x);
  return { name: "depthwise-separable blocks 48x48x32", graph: b.build() };
}

export default async function bench(): Promise<BenchResult> {
  const registry = createRegistry([corePlugin]);
  const rows = [convStack(registry), dwSeparable(registry)].map(({ name, graph }) => {
    const interp = createInterpreter(graph, { registry });
    const input = randomFloats(
      graph.tensors.get(graph.inputs[0]!)!.shape.reduce((a, b) => a * b, 1),
      7,
    );
    interp.invoke([input]); // warm-up (JIT)
    const runs: number[] = [];
    const deadline = performance.now() + 3000;
    while (runs.length < 3 || performance.now() < deadline) {
      const t0 = performance.now();
      interp.invoke([input]);
      runs.push(performance.now() - t0);
    }
    runs.sort((a, b) => a - b);
    const median = runs[Math.floor(runs.length / 2)]!;
    const macs = graphMacs(graph, registry);
    return {
      graph: name,
      MMACs: (macs / 1e6).toFixed(1),
      runs: runs.length,
      "median ms": median.toFixed(1),
      "GMAC/s": (macs / (median / 1000) / 1e9).toFixed(2),
    };
  });
  return {
    title: "Float interpreter throughput (@mcu/tensor)",
    description:
      "MAC/s of the float32 reference kernels through `createInterpreter().invoke()`, one thread, median of repeated runs over ≥3 s after one warm-up run. MACs from the op contracts' `macs()`.",
    rows,
  };
}
