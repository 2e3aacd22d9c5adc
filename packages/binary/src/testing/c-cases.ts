/**
 * Test support for the C kernels (not exported): one graph of many independent random cases of
 * every binary op — so that one compilation checks many shapes — and helpers to run it as C and
 * with the TS interpreter.
 */
import { type CPreparedModel, codegenPlugin, cTarget, prepareC } from "@mcu/codegen-c";
import {
  corePlugin,
  createInterpreter,
  createRegistry,
  type Graph,
  graphBuilder,
  numElements,
  quantParams,
  type Registry,
  type TensorData,
  type TensorInfo,
  window2d,
} from "@mcu/tensor";
import { packSigns } from "../bits.js";
import { type BinaryPluginOptions, createBinaryPlugin } from "../plugin.js";
import { rng } from "./helpers.js";

/** Core + codegen + binary (with the given C options). */
export function cRegistry(options: BinaryPluginOptions = {}): Registry {
  return createRegistry([corePlugin, codegenPlugin, createBinaryPlugin(options)]);
}

/** A graph of independent cases and a way to draw input samples. */
export interface CaseGraph {
  readonly graph: Graph;
  readonly cases: readonly string[];
  sample(seed: number): TensorData[];
}

const signs = (n: number, r: () => number): number[] => Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1));

/** Random input data for a graph input. */
function randomInput(t: TensorInfo, r: () => number): TensorData {
  const n = numElements(t.shape);
  if (t.dtype === "bit") return packSigns(signs(n, r), t.shape);
  if (t.dtype === "int8") return Int8Array.from({ length: n }, () => Math.floor(r() * 256) - 128);
  if (t.dtype === "int32") return Int32Array.from({ length: n }, () => Math.floor(r() * 21) - 10);
  // Float inputs: some exact zeros, some negative zeros, the rest in [−1, 1).
  return Float32Array.from({ length: n }, () => {
    const u = r();
    return u < 0.05 ? 0 : u < 0.08 ? -0 : r() * 2 - 1;
  });
}

/** `count` random cases of every binary op. */
export function binaryCases(registry: Registry, seed: number, count: number): CaseGraph {
  const r = rng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const b = graphBuilder(registry);
  const cases: string[] = [];
  const window = () => {
    for (;;) {
      const h = int(3, 9);
      const w = int(3, 9);
      const k = int(1, 3);
      const stride = int(1, 2);
      const dilation = pick([1, 1, 2]);
      const padding = pick(["SAME", "VALID", "EXPLICIT"] as const);
      const pads = [int(0, 2), int(0, 2), int(0, 2), int(0, 2)];
      const pool = pick([[], [], [2, 2], [3, 2]]);
      const poolStride = int(1, 2);
      try {
        const win = window2d(h, w, k, k, [stride, stride], [dilation, dilation], padding, pads);
        if (pool.length === 2 && (win.outH < pool[0]! || win.outW < pool[1]!)) continue;
      } catch {
        continue;
      }
      return {
        h,
        w,
        k,
        attrs: {
          strides: [stride, stride],
          dilations: [dilation, dilation],
          padding,
          pads,
          pool,
          poolStrides: pool.length === 2 ? [poolStride, poolStride] : [],
        },
      };
    }
  };
  for (let i = 0; i < count; i++) {
    const kind = pick([
      "bconv",
      "bconv",
      "bconv",
      "iconv",
      "fc",
      "fc",
      "sign",
      "pow2conv",
      "pow2fc",
      "chain",
    ] as const);
    const o = pick([1, 5, 32, 33, 40]);
    if (kind === "bconv" || kind === "chain") {
      const { h, w, k, attrs } = window();
      const c = pick([1, 3, 31, 32, 33, 64, 70]);
      const output = pick(["int32", "float32", "bit"] as const);
      const padValue = pick(["zero", "one"] as const);
      const x =
        kind === "chain"
          ? b.op("binary.sign", [b.input(`x${i}`, [1, h, w, c])])
          : b.input(`x${i}`, [int(1, 2), h, w, c], "bit");
      const wt = b.constant(`w${i}`, packSigns(signs(o * k * k * c, r), [o, k, k, c]), [o, k, k, c], {
        dtype: "bit",
      });
      const n = k * k * c;
      const epi =
        output === "float32"
          ? [
              pick([
                undefined,
                b.constant(
                  `s${i}`,
                  Float32Array.from({ length: o }, () => r() * 0.2 - 0.05),
                  [o],
                ),
              ]),
              pick([
                undefined,
                b.constant(
                  `b${i}`,
                  Float32Array.from({ length: o }, () => r() * 8 - 4),
                  [o],
                ),
              ]),
            ]
          : output === "bit"
            ? [
                undefined,
                undefined,
                b.constant(
                  `t${i}`,
                  Int32Array.from({ length: o }, () => int(-n - 1, n + 1)),
                  [o],
                ),
                pick([undefined, b.constant(`f${i}`, packSigns(signs(o, r), [o]), [o], { dtype: "bit" })]),
              ]
            : [];
      b.output(b.op("binary.conv2d", [x, wt, ...epi], { ...attrs, padValue, output }, { name: `case${i}` }));
      cases.push(`${kind} ${i}: ${h}x${w}x${c} k${k} → ${o} ${JSON.stringify(attrs)} ${padValue} ${output}`);
    } else if (kind === "iconv") {
      const { h, w, k, attrs } = window();
      const c = pick([1, 2, 3, 33]);
      const bitWeights = r() < 0.4;
      const output = pick(["float32", "bit"] as const);
      const x = b.input(`x${i}`, [1, h, w, c]);
      const wt = bitWeights
        ? b.constant(`w${i}`, packSigns(signs(o * k * k * c, r), [o, k, k, c]), [o, k, k, c], {
            dtype: "bit",
          })
        : b.constant(
            `w${i}`,
            Float32Array.from({ length: o * k * k * c }, () => r() * 2 - 1),
            [o, k, k, c],
          );
      const epi =
        output === "bit"
          ? [
              undefined,
              undefined,
              b.constant(
                `t${i}`,
                Float32Array.from({ length: o }, () => pick([0, -0, r() - 0.5, Number.POSITIVE_INFINITY])),
                [o],
              ),
              b.constant(`f${i}`, packSigns(signs(o, r), [o]), [o], { dtype: "bit" }),
            ]
          : [
              b.constant(
                `s${i}`,
                Float32Array.from({ length: o }, () => r()),
                [o],
              ),
              undefined,
            ];
      b.output(b.op("binary.input_conv2d", [x, wt, ...epi], { ...attrs, output }, { name: `case${i}` }));
      cases.push(
        `${kind} ${i}: ${h}x${w}x${c} k${k} → ${o} ${JSON.stringify(attrs)} ${bitWeights ? "bit" : "float"} weights, ${output}`,
      );
    } else if (kind === "fc") {
      const features = pick([[7], [32], [33], [100], [3, 3, 40], [7, 7, 64]]);
      const f = numElements(features);
      const output = pick(["int32", "float32", "bit"] as const);
      const x = b.input(`x${i}`, [int(1, 3), ...features], "bit");
      const wt = b.constant(`w${i}`, packSigns(signs(o * f, r), [o, ...features]), [o, ...features], {
        dtype: "bit",
      });
      const epi =
        output === "float32"
          ? [
              b.constant(
                `s${i}`,
                Float32Array.from({ length: o }, () => r() * 0.1),
                [o],
              ),
              b.constant(
                `b${i}`,
                Float32Array.from({ length: o }, () => r() - 0.5),
                [o],
              ),
            ]
          : output === "bit"
            ? [
                undefined,
                undefined,
                b.constant(
                  `t${i}`,
                  Int32Array.from({ length: o }, () => int(-f, f)),
                  [o],
                ),
              ]
            : [];
      b.output(b.op("binary.fully_connected", [x, wt, ...epi], { output }, { name: `case${i}` }));
      cases.push(`${kind} ${i}: [${features}] → ${o} ${output}`);
    } else if (kind === "sign") {
      const shape = pick([
        [1, 5],
        [2, 33],
        [1, 4, 4, 64],
        [3, 70],
      ]);
      const dtype = pick(["float32", "int32"] as const);
      b.output(b.op("binary.sign", [b.input(`x${i}`, shape, dtype)], {}, { name: `case${i}` }));
      cases.push(`${kind} ${i}: ${dtype}[${shape}]`);
    } else {
      const zp = int(-128, 127);
      const sx = 0.01 + r() * 0.1;
      const act = pick(["NONE", "RELU", "RELU6"] as const);
      if (kind === "pow2conv") {
        const { h, w, k, attrs } = window();
        const c = int(1, 9);
        const x = b.input(`x${i}`, [1, h, w, c], "int8", quantParams(sx, zp));
        const codes = Int8Array.from({ length: o * k * k * c }, () => int(-8, 7));
        const { pool: _p, poolStrides: _s, ...convAttrs } = attrs;
        b.output(
          b.op(
            "binary.pow2_conv2d",
            [
              x,
              b.constant(`w${i}`, codes, [o, k, k, c], { dtype: "int4" }),
              b.constant(
                `s${i}`,
                Float32Array.from({ length: o }, () => 0.001 + r() * 0.05),
                [o],
              ),
              b.constant(
                `b${i}`,
                Float32Array.from({ length: o }, () => r() - 0.5),
                [o],
              ),
            ],
            { ...convAttrs, fusedActivation: act },
            { name: `case${i}` },
          ),
        );
        cases.push(`${kind} ${i}: ${h}x${w}x${c} k${k} → ${o} ${act}`);
      } else {
        const f = int(1, 300);
        const x = b.input(`x${i}`, [int(1, 2), f], "int8", quantParams(sx, zp));
        const codes = Int8Array.from({ length: o * f }, () => int(-8, 7));
        b.output(
          b.op(
            "binary.pow2_fully_connected",
            [
              x,
              b.constant(`w${i}`, codes, [o, f], { dtype: "int4" }),
              b.constant(
                `s${i}`,
                Float32Array.from({ length: o }, () => 0.001 + r() * 0.01),
                [o],
              ),
            ],
            { fusedActivation: act },
            { name: `case${i}` },
          ),
        );
        cases.push(`${kind} ${i}: ${f} → ${o} ${act}`);
      }
    }
  }
  const graph = b.build();
  return {
    graph,
    cases,
    sample: (s) => {
      const rs = rng(seed * 1000 + s);
      return graph.inputs.map((id) => randomInput(graph.tensors.get(id)!, rs));
    },
  };
}

/** The TS interpreter's outputs for each sample. */
export function interpretAll(
  graph: Graph,
  registry: Registry,
  samples: readonly TensorData[][],
): TensorData[][] {
  const it = createInterpreter(graph, { registry });
  return samples.map((s) => it.invoke(s).map((v) => v.data));
}

/** Indices (sample · outputs + output) where the bytes differ. */
export function byteMismatches(a: readonly TensorData[][], b: readonly TensorData[][]): number[] {
  const bad: number[] = [];
  a.forEach((outs, s) => {
    outs.forEach((x, k) => {
      const y = b[s]?.[k];
      const xb = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
      const yb = y === undefined ? new Uint8Array(0) : new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
      if (xb.length !== yb.length || xb.some((v, i) => v !== yb[i])) bad.push(s * outs.length + k);
    });
  });
  return bad;
}

/** The graph as C on a target (the host build with ASan + UBSan). */
export function prepareOn(
  graph: Graph,
  registry: Registry,
  target: string,
  options: Record<string, unknown> = {},
): Promise<CPreparedModel> {
  const t = cTarget(target);
  return prepareC(graph, registry, t, { ...(t.kind === "host" ? { sanitize: true } : {}), ...options });
}
