/**
 * The demo model: a small MNIST-shaped CNN built with the graph builder (conv 3×3 → relu →
 * max pool → conv 3×3 → relu → max pool → fully connected → softmax) with weights from a
 * fixed-seed PRNG, and a deterministic input image. It stands in for the bundled real model
 * until the importers land.
 */
import { type Graph, graphBuilder, numElements, type Registry } from "@mcu/tensor";

/**
 * A small deterministic PRNG (mulberry32: a 32-bit state advanced by a Weyl sequence and
 * mixed by multiply-xorshift), so the demo prints the same numbers on every machine.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform weights in ±sqrt(6 / fanIn) (He et al. 2015 uniform initialization). */
function heUniform(random: () => number, shape: readonly number[], fanIn: number): Float32Array {
  const limit = Math.sqrt(6 / fanIn);
  return Float32Array.from({ length: numElements(shape) }, () => (random() * 2 - 1) * limit);
}

/** The demo CNN: input float32 [1,28,28,1] (NHWC), output softmax probabilities [1,10]. */
export function buildDemoCnn(registry: Registry, seed = 2024): Graph {
  const random = seededRandom(seed);
  const b = graphBuilder(registry);
  const image = b.input("image", [1, 28, 28, 1]);
  const conv = (name: string, x: string, inC: number, outC: number): string => {
    const w = b.constant(`${name}.weights`, heUniform(random, [outC, 3, 3, inC], 9 * inC), [outC, 3, 3, inC]);
    const bias = b.constant(
      `${name}.bias`,
      Float32Array.from({ length: outC }, () => (random() - 0.5) * 0.1),
      [outC],
    );
    return b.op("core.conv2d", [x, w, bias], {}, { name });
  };
  let h = conv("conv1", image, 1, 8); // [1,26,26,8]
  h = b.op("core.relu", [h], {}, { name: "relu1" });
  h = b.op("core.max_pool2d", [h], { filter: [2, 2], strides: [2, 2] }, { name: "pool1" }); // [1,13,13,8]
  h = conv("conv2", h, 8, 16); // [1,11,11,16]
  h = b.op("core.relu", [h], {}, { name: "relu2" });
  h = b.op("core.max_pool2d", [h], { filter: [2, 2], strides: [2, 2] }, { name: "pool2" }); // [1,5,5,16]
  const features = 5 * 5 * 16;
  const w = b.constant("fc.weights", heUniform(random, [10, features], features), [10, features]);
  const bias = b.constant("fc.bias", new Float32Array(10), [10]);
  h = b.op("core.fully_connected", [h, w, bias], {}, { name: "fc" }); // [1,10]
  const probs = b.op("core.softmax", [h], {}, { name: "probs" });
  return b.output(probs).meta("name", "demo-cnn").build();
}

/** A deterministic 28×28 input: a ring, like a handwritten zero, with values in [0, 1]. */
export function demoInput(): Float32Array {
  const img = new Float32Array(28 * 28);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const r = Math.hypot((y - 13.5) / 1.3, x - 13.5);
      img[y * 28 + x] = Math.max(0, 1 - Math.abs(r - 7) / 2.5);
    }
  }
  return img;
}
