/**
 * The cluster.conv2d C kernels against the TS kernels (themselves tested against naive
 * definitions): random layers of every shape, stride, dilation, padding, group count, codebook
 * size, transform mode and storage format, all four variants, in one generated program per
 * numeric kind. Int8: the same bytes; float32: within 1e-5 of each output's row scale. Host C is
 * built with ASan + UBSan; the int8 program also runs on a Cortex-M4 under QEMU.
 */

import codegenPlugin, { cTarget, prepareC } from "@mcu/codegen-c";
import {
  corePlugin,
  createInterpreter,
  createRegistry,
  type Graph,
  graphBuilder,
  type TensorData,
} from "@mcu/tensor";
import fc from "fast-check";
import { quantizeScales } from "../kernel-clustering.js";
import { createClusterPlugin } from "../plugin.js";
import { roundToFloat16 } from "../scale-formats.js";
import { randomInt8 } from "../testing/int8-layer.js";
import { layerSpec, randomClusterData } from "../testing/random-layer.js";

const registry = createRegistry([corePlugin, codegenPlugin, createClusterPlugin()]);
const specs = fc.sample(layerSpec, { seed: 97, numRuns: 24 });
const ALGORITHMS = ["add-then-conv", "decode-then-conv"] as const;
const SCALES = ["float32", "fp16", "log8"] as const;
const CODEBOOKS = ["float32", "fp16"] as const;

function attrsOf(spec: (typeof specs)[number], algorithm: string) {
  return {
    strides: spec.strides,
    dilations: spec.dilations,
    padding: spec.padding,
    pads: spec.pads,
    groups: spec.groups,
    fusedActivation: spec.act,
    algorithm,
  };
}

/** Every spec as one float32 cluster.conv2d in one graph (inputs and outputs in spec order). */
function floatGraph(): { graph: Graph; samples: TensorData[][] } {
  const b = graphBuilder(registry);
  const outs: string[] = [];
  const inputs: Float32Array[] = [];
  // The first two 3x3 layers share one binary16 codebook (emitted once).
  const [first, second] = specs.filter((s) => s.kh === 3 && s.kw === 3);
  let sharedCb = "";
  specs.forEach((spec, j) => {
    const d = randomClusterData(spec);
    const isShared = spec === first || spec === second;
    const scaleFormat = SCALES[j % 3]!;
    const codebookFormat = isShared ? "fp16" : CODEBOOKS[j % 2]!;
    const codebook = codebookFormat === "fp16" ? d.codebook.map(roundToFloat16) : d.codebook;
    const x = b.input(`x${j}`, [spec.n, spec.h, spec.w, spec.inPerGroup * spec.groups]);
    if (spec === first) sharedCb = b.constant(`cb${j}`, codebook, [spec.k, spec.kh, spec.kw]);
    const cb =
      spec === second
        ? sharedCb
        : spec === first
          ? sharedCb
          : b.constant(`cb${j}`, codebook, [spec.k, spec.kh, spec.kw]);
    const indices = spec === second ? d.indices.map((v) => v % first!.k) : d.indices;
    const y = b.op(
      "cluster.conv2d",
      [
        x,
        cb,
        b.constant(`idx${j}`, indices, [spec.outC, spec.inPerGroup]),
        b.constant(`s${j}`, quantizeScales(d.scales, scaleFormat), [spec.outC, spec.inPerGroup]),
        spec.tic ? b.constant(`t${j}`, d.transforms, [spec.outC, spec.inPerGroup]) : undefined,
        spec.bias ? b.constant(`b${j}`, d.bias, [spec.outC]) : undefined,
      ],
      { ...attrsOf(spec, ALGORITHMS[j % 2]!), scaleFormat, codebookFormat, codebookOwner: spec !== second },
    );
    outs.push(y);
    inputs.push(d.x);
  });
  const graph = b.output(...outs).build();
  return { graph, samples: [inputs, inputs.map((x) => x.map((v) => -v))] };
}

/** Every spec as one int8 cluster.conv2d in one graph. */
function int8Graph(): { graph: Graph; samples: TensorData[][] } {
  const b = graphBuilder(registry);
  const outs: string[] = [];
  const inputs: Int8Array[] = [];
  specs.forEach((spec, j) => {
    const d = randomInt8(spec);
    const x = b.input(`x${j}`, [spec.n, spec.h, spec.w, spec.inPerGroup * spec.groups], "int8", {
      scale: [d.sx],
      zeroPoint: [d.zx],
    });
    const y = b.op(
      "cluster.conv2d",
      [
        x,
        b.constant(`cb${j}`, d.codebook, [spec.k, spec.kh, spec.kw]),
        b.constant(`idx${j}`, d.indices, [spec.outC, spec.inPerGroup]),
        b.constant(`s${j}`, d.factors, [spec.outC, spec.inPerGroup], {
          quant: { scale: d.sw, zeroPoint: d.sw.map(() => 0), axis: 0 },
        }),
        spec.tic ? b.constant(`t${j}`, d.transforms, [spec.outC, spec.inPerGroup]) : undefined,
        spec.bias ? b.constant(`b${j}`, d.bias, [spec.outC]) : undefined,
      ],
      { ...attrsOf(spec, ALGORITHMS[j % 2]!), scaleFormat: "int8", codebookFormat: "int8" },
      { outputs: [{ dtype: "int8", quant: { scale: [d.sy], zeroPoint: [d.zy] } }] },
    );
    outs.push(y);
    inputs.push(d.x);
  });
  const second = inputs.map((x) => x.map((v) => (v === -128 ? 127 : -v)));
  return { graph: b.output(...outs).build(), samples: [inputs, second] };
}

function interpret(graph: Graph, samples: TensorData[][]): TensorData[][] {
  const it = createInterpreter(graph, { registry });
  return samples.map((s) => it.invoke(s).map((v) => v.data));
}

describe("cluster.conv2d C kernels", () => {
  it("float32: every variant and storage format agrees with the TS kernels (host, ASan + UBSan)", async () => {
    const { graph, samples } = floatGraph();
    const expected = interpret(graph, samples);
    const m = await prepareC(graph, registry, cTarget("host"), { sanitize: true });
    expect(new Set(m.generated.layers.map((l) => l.variant))).toEqual(
      new Set(["cluster/float32-add-then-conv", "cluster/float32-decode-then-conv"]),
    );
    // Every scale format is exercised, and one binary16 codebook is shared by two layers and declared once.
    expect(new Set(graph.nodes.map((n) => n.attrs.scaleFormat))).toEqual(new Set(SCALES));
    expect(graph.nodes.filter((n) => n.attrs.codebookOwner === false)).toHaveLength(1);
    expect(m.generated.source.match(/static const uint16_t mcu_cluster_cb_/g)?.length).toBe(
      new Set(graph.nodes.filter((n) => n.attrs.codebookFormat === "fp16").map((n) => n.inputs[1])).size,
    );
    const actual = await m.invokeBatch(samples);
    actual.forEach((outs, s) => {
      outs.forEach((o, k) => {
        const ref = expected[s]![k] as Float32Array;
        const got = o as Float32Array;
        const scale = Math.max(1, ...Array.from(ref, Math.abs));
        for (let i = 0; i < ref.length; i++)
          expect(Math.abs(got[i]! - ref[i]!)).toBeLessThanOrEqual(1e-5 * scale);
      });
    });
  });

  describe("int8: the same bytes as the TS kernels", () => {
    const { graph, samples } = int8Graph();
    const expected = interpret(graph, samples);
    it.each([
      ["host (ASan + UBSan)", "host"],
      ["Cortex-M4 under QEMU", "cortex-m4"],
    ])("%s", async (_name, target) => {
      const m = await prepareC(graph, registry, cTarget(target), target === "host" ? { sanitize: true } : {});
      expect(new Set(m.generated.layers.map((l) => l.variant))).toEqual(
        new Set(["cluster/int8-add-then-conv", "cluster/int8-decode-then-conv"]),
      );
      const actual = await m.invokeBatch(samples);
      actual.forEach((outs, s) => {
        outs.forEach((o, k) => {
          expect(Array.from(o as Int8Array)).toEqual(Array.from(expected[s]![k] as Int8Array));
        });
      });
    });
  });
});

describe("cluster.conv2d C kernels, one variant per program", () => {
  // -Wall -Wextra -Werror: a program with one variant must not carry another variant's unused helpers.
  it.each([
    ["float32", "add-then-conv"],
    ["float32", "decode-then-conv"],
    ["int8", "add-then-conv"],
    ["int8", "decode-then-conv"],
  ])("%s %s compiles warning-free and runs", async (kind, algorithm) => {
    const { graph, samples } = kind === "int8" ? int8Graph() : floatGraph();
    const only = createRegistry([corePlugin, codegenPlugin, createClusterPlugin()]);
    const b = graphBuilder(only);
    const node = graph.nodes[2]!;
    const t = (id: string) => graph.tensors.get(id)!;
    const x = t(node.inputs[0]!);
    const xi = b.input("x", x.shape, x.dtype, x.quant);
    const consts = node.inputs.slice(1).map((id) =>
      id === ""
        ? undefined
        : b.constant(id, t(id).data!, t(id).shape, {
            dtype: t(id).dtype,
            ...(t(id).quant ? { quant: t(id).quant! } : {}),
          }),
    );
    const y = t(node.outputs[0]!);
    const out = b.op(
      "cluster.conv2d",
      [xi, ...consts],
      { ...node.attrs, algorithm, codebookOwner: true },
      {
        outputs: [{ dtype: y.dtype, ...(y.quant ? { quant: y.quant } : {}) }],
      },
    );
    const g = b.output(out).build();
    const m = await prepareC(g, only, cTarget("host"), {});
    expect(m.generated.layers.map((l) => l.variant)).toEqual([`cluster/${kind}-${algorithm}`]);
    const input = [samples[0]![2]!];
    const [got] = await m.invokeBatch([input]);
    const want = createInterpreter(g, { registry: only }).invoke(input)[0]!.data;
    if (kind === "int8") expect(Array.from(got![0] as Int8Array)).toEqual(Array.from(want as Int8Array));
    else {
      const scale = Math.max(1, ...Array.from(want as Float32Array, Math.abs));
      (want as Float32Array).forEach((v, i) => {
        expect(Math.abs((got![0] as Float32Array)[i]! - v)).toBeLessThanOrEqual(1e-5 * scale);
      });
    }
  });
});
