import { corePlugin, createInterpreter, createRegistry, type Graph, graphBuilder } from "@mcu/tensor";
import fc from "fast-check";
import { clusterPlugin } from "../plugin.js";
import {
  activate,
  type LayerSpec,
  layerSpec,
  naiveConv,
  naiveDecode,
  randomClusterData,
} from "../testing/random-layer.js";

const registry = createRegistry([corePlugin, clusterPlugin]);

function build(spec: LayerSpec, d: ReturnType<typeof randomClusterData>, algorithm: string): Graph {
  const b = graphBuilder(registry);
  const x = b.input("x", [spec.n, spec.h, spec.w, spec.inPerGroup * spec.groups]);
  const cb = b.constant("codebook", d.codebook, [spec.k, spec.kh, spec.kw]);
  const idx = b.constant("indices", d.indices, [spec.outC, spec.inPerGroup]);
  const sc = b.constant("scales", d.scales, [spec.outC, spec.inPerGroup]);
  const tr = spec.tic ? b.constant("transforms", d.transforms, [spec.outC, spec.inPerGroup]) : undefined;
  const bias = spec.bias ? b.constant("bias", d.bias, [spec.outC]) : undefined;
  const y = b.op("cluster.conv2d", [x, cb, idx, sc, tr, bias], {
    strides: spec.strides,
    dilations: spec.dilations,
    padding: spec.padding,
    pads: spec.pads,
    groups: spec.groups,
    fusedActivation: spec.act,
    algorithm,
  });
  return b.output(y).build();
}

function run(g: Graph, x: Float32Array): { y: Float32Array; kernel: string } {
  const it = createInterpreter(g, { registry });
  return { y: it.invoke([x])[0]!.data as Float32Array, kernel: it.kernelNames[0]! };
}

describe("cluster.conv2d float32 kernels", () => {
  it("decode-then-conv equals the convolution of the decoded kernels, and add-then-conv equals decode-then-conv within 1e-5 (property)", () => {
    fc.assert(
      fc.property(layerSpec, (spec) => {
        const d = randomClusterData(spec);
        const ref = naiveConv(spec, d.x, naiveDecode(spec, d), spec.bias ? d.bias : undefined).map((v) =>
          activate(v, spec.act),
        );
        const dec = run(build(spec, d, "decode-then-conv"), d.x);
        const add = run(build(spec, d, "add-then-conv"), d.x);
        expect(dec.kernel).toBe("cluster/float32-decode-then-conv");
        expect(add.kernel).toBe("cluster/float32-add-then-conv");
        let scale = 1;
        for (const v of ref) scale = Math.max(scale, Math.abs(v));
        for (let i = 0; i < ref.length; i++) {
          // Decoded weights are rounded to float32 like the C decoder: relative 2^-24 per weight.
          expect(Math.abs(dec.y[i]! - ref[i]!)).toBeLessThanOrEqual(1e-5 * scale);
          expect(Math.abs(add.y[i]! - dec.y[i]!)).toBeLessThanOrEqual(
            1e-5 * Math.max(Math.abs(dec.y[i]!), scale),
          );
        }
      }),
      { seed: 11, numRuns: 150 },
    );
  });

  it("counts add-then-conv MACs from the groups of each output channel", () => {
    // 2 output channels, 3 input channels, 3x3 kernels, SAME on 4x4, no transforms.
    // Channel 0: indices [0,0,1] → groups {0,1} (sum of 2 planes) and {2}; channel 1: [2,2,2] → one group of 3.
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 4, 4, 3]);
    const y = b.op(
      "cluster.conv2d",
      [
        x,
        b.constant("cb", new Float32Array(27), [3, 3, 3]),
        b.constant("idx", new Uint8Array([0, 0, 1, 2, 2, 2]), [2, 3]),
        b.constant("s", new Float32Array(6), [2, 3]),
      ],
      { padding: "SAME" },
    );
    const g = b.output(y).build();
    const node = g.nodes[0]!;
    const ctx = {
      node: node.name,
      inputs: node.inputs.map((id) => g.tensors.get(id)),
      outputs: [g.tensors.get(y)!],
      attrs: node.attrs,
    };
    const op = registry.op("cluster.conv2d");
    // groups: (2 members: 2·16 sums + 9·16), (1 member: 9·16), (3 members: 3·16 + 9·16)
    expect(op.macs(ctx as never)).toBe(2 * 16 + 9 * 16 + 9 * 16 + 3 * 16 + 9 * 16);
    expect(op.macs({ ...ctx, attrs: { ...node.attrs, algorithm: "decode-then-conv" } } as never)).toBe(
      16 * 2 * 9 * 3,
    );
  });
});
