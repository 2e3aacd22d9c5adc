/**
 * mnist_bnn after the binary passes, as C on a Cortex-M4 under QEMU (mps2-an386): the same bytes
 * as the TS interpreter on the first 200 test digits, and the whole model within eBNN's budget —
 * arena plus a stack bound (the sum of every frame in the model, from gcc -fstack-usage) ≤ 16 KB
 * of RAM, weights, thresholds and scales ≤ 16 KB of flash.
 */
import { cTarget, prepareC } from "@mcu/codegen-c";
import { createInterpreter } from "@mcu/tensor";
import { binarizeBnn, bnnRegistry, importBnn } from "../testing/bnn.js";
import { cortexMFootprint } from "../testing/footprint.js";
import { mnistTestSet } from "../testing/mnist.js";

const registry = bnnRegistry();

it("runs byte-identically on a Cortex-M4 and fits 16 KB of RAM and 16 KB of flash", async () => {
  const { graph } = await binarizeBnn(registry, importBnn(registry));
  const inputs = mnistTestSet().inputs.slice(0, 200);
  const it = createInterpreter(graph, { registry });
  const expected = inputs.map((x) => it.invoke([x])[0]!.data as Float32Array);
  const m4 = await prepareC(graph, registry, cTarget("cortex-m4"));
  const outs = await m4.invokeBatch(inputs.map((x) => [x]));
  expect(outs.length).toBe(200);
  const differ = outs.filter(
    (o, i) => !Buffer.from((o[0] as Float32Array).buffer).equals(Buffer.from(expected[i]!.buffer)),
  );
  expect(differ.length).toBe(0);

  const fp = await cortexMFootprint(graph, registry, "cortex-m4");
  expect(fp.arenaBytes).toBe(m4.stats().arenaBytes);
  expect(fp.arenaBytes + fp.stackBytes).toBeLessThanOrEqual(16 * 1024);
  expect(fp.constantBytes).toBeLessThanOrEqual(16 * 1024);
  // Packed weights alone: 32·9 floats + 2304 + 4608 + 3920 bytes of bits; the rest is thresholds,
  // flips, scales and descriptors.
  expect(fp.constantBytes).toBeGreaterThan(1152 + 2304 + 4608 + 3920);
});
