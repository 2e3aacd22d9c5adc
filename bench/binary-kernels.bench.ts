/**
 * Calibration of @mcu/binary's cost model: layers of many shapes of every binary op as generated C
 * on a Cortex-M4 under QEMU (per-layer SysTick instruction counts), the work in each kernel's units
 * (`binaryCostFeatures`: popcount words, border words, channel·positions, gathered words, outputs,
 * MACs), a least-squares fit per op, and the committed coefficients (`BINARY_COST_COEFFICIENTS`)
 * next to the measurement.
 */
import {
  BINARY_COST_COEFFICIENTS,
  binaryCostFeatures,
  binaryInstructions,
  createBinaryPlugin,
  packSigns,
} from "@mcu/binary";
import { codegenPlugin, cTarget, prepareC } from "@mcu/codegen-c";
import { corePlugin, createRegistry, type Graph, graphBuilder, numElements, quantParams } from "@mcu/tensor";
import { Matrix, solve } from "ml-matrix";
import type { BenchResult } from "../tools/bench/types.js";

export default async function bench(): Promise<BenchResult> {
  const registry = createRegistry([corePlugin, codegenPlugin, createBinaryPlugin()]);
  const r = (() => {
    let s = 1;
    return () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 4294967296;
    };
  })();
  const signs = (n: number) => Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1));
  const b = graphBuilder(registry);
  let i = 0;
  for (const [h, c, o, k, pool, pad] of [
    [28, 32, 64, 3, 2, "SAME"],
    [14, 64, 64, 3, 2, "SAME"],
    [12, 32, 16, 3, 1, "SAME"],
    [10, 64, 32, 3, 1, "VALID"],
    [16, 96, 8, 3, 2, "SAME"],
    [8, 32, 40, 1, 1, "SAME"],
    [20, 16, 16, 5, 1, "SAME"],
    [6, 128, 64, 3, 1, "SAME"],
    [9, 32, 33, 3, 1, "VALID"],
    [15, 200, 10, 3, 1, "SAME"],
    [30, 8, 8, 3, 2, "VALID"],
    [7, 64, 128, 3, 1, "SAME"],
  ] as const) {
    const x = b.input(`x${i}`, [1, h, h, c], "bit");
    const w = b.constant(`w${i}`, packSigns(signs(o * k * k * c), [o, k, k, c]), [o, k, k, c], {
      dtype: "bit",
    });
    const t = b.constant(`t${i}`, new Int32Array(o), [o]);
    b.output(
      b.op(
        "binary.conv2d",
        [x, w, "", "", t],
        { padding: pad, pool: pool === 2 ? [2, 2] : [], output: "bit" },
        { name: `bconv${i}` },
      ),
    );
    i++;
  }
  for (const [h, c, o, k, pool] of [
    [28, 1, 32, 3, 1],
    [28, 1, 16, 3, 2],
    [14, 3, 16, 3, 1],
    [10, 8, 8, 3, 1],
    [16, 1, 32, 5, 1],
    [20, 2, 24, 3, 2],
    [12, 16, 4, 3, 1],
  ] as const) {
    const x = b.input(`x${i}`, [1, h, h, c]);
    const w = b.constant(
      `w${i}`,
      Float32Array.from({ length: o * k * k * c }, () => r() - 0.5),
      [o, k, k, c],
    );
    const t = b.constant(`t${i}`, new Float32Array(o), [o]);
    b.output(
      b.op(
        "binary.input_conv2d",
        [x, w, "", "", t],
        { padding: "SAME", pool: pool === 2 ? [2, 2] : [], output: "bit" },
        { name: `iconv${i}` },
      ),
    );
    i++;
  }
  for (const [f, o] of [
    [3136, 10],
    [1024, 64],
    [256, 256],
    [100, 10],
    [4096, 32],
    [64, 500],
  ] as const) {
    const x = b.input(`x${i}`, [1, f], "bit");
    const w = b.constant(`w${i}`, packSigns(signs(o * f), [o, f]), [o, f], { dtype: "bit" });
    b.output(
      b.op(
        "binary.fully_connected",
        [x, w, b.constant(`s${i}`, new Float32Array(o).fill(1), [o])],
        { output: "float32" },
        { name: `fc${i}` },
      ),
    );
    i++;
  }
  for (const n of [1000, 5000, 25088, 64]) {
    b.output(b.op("binary.sign", [b.input(`x${i}`, [1, n])], {}, { name: `sign${i}` }));
    i++;
  }
  for (const [h, c, o, k] of [
    [14, 8, 16, 3],
    [7, 16, 32, 3],
    [10, 4, 8, 3],
    [12, 1, 8, 3],
    [6, 32, 16, 1],
    [9, 3, 5, 5],
  ] as const) {
    const x = b.input(`x${i}`, [1, h, h, c], "int8", quantParams(0.1, -3));
    const codes = Int8Array.from({ length: o * k * k * c }, () => Math.floor(r() * 15) - 7);
    b.output(
      b.op(
        "binary.pow2_conv2d",
        [
          x,
          b.constant(`w${i}`, codes, [o, k, k, c], { dtype: "int4" }),
          b.constant(`s${i}`, new Float32Array(o).fill(0.01), [o]),
        ],
        { padding: "SAME" },
        { name: `p2c${i}` },
      ),
    );
    i++;
  }
  for (const [f, o] of [
    [1568, 10],
    [512, 64],
    [100, 100],
    [20, 300],
  ] as const) {
    const x = b.input(`x${i}`, [1, f], "int8", quantParams(0.1, 5));
    const codes = Int8Array.from({ length: o * f }, () => Math.floor(r() * 15) - 7);
    b.output(
      b.op(
        "binary.pow2_fully_connected",
        [
          x,
          b.constant(`w${i}`, codes, [o, f], { dtype: "int4" }),
          b.constant(`s${i}`, new Float32Array(o).fill(0.01), [o]),
        ],
        {},
        { name: `p2f${i}` },
      ),
    );
    i++;
  }
  const g: Graph = b.build();
  const m = await prepareC(g, registry, cTarget("cortex-m4"), { profile: true });
  await m.invoke(
    g.inputs.map((id) => {
      const t = g.tensors.get(id)!;
      const n = numElements(t.shape);
      if (t.dtype === "bit") return packSigns(signs(n), t.shape);
      if (t.dtype === "int8") return Int8Array.from({ length: n }, () => Math.floor(r() * 256) - 128);
      return Float32Array.from({ length: n }, () => r() - 0.5);
    }),
  );
  const layers = m.stats().layers ?? [];
  const byOp = new Map<string, { name: string; f: Record<string, number>; y: number }[]>();
  for (const node of g.nodes) {
    const f = binaryCostFeatures({
      node,
      attrs: node.attrs,
      inputs: node.inputs.map((id) => (id === "" ? undefined : g.tensors.get(id))),
      outputs: node.outputs.map((id) => g.tensors.get(id)!),
    });
    const y = layers.find((l) => l.node === node.name)!.elapsed;
    const list = byOp.get(node.op) ?? [];
    list.push({ name: node.name, f, y });
    byOp.set(node.op, list);
  }
  const rows: Record<string, string | number>[] = [];
  const fits: string[] = [];
  for (const [op, rs] of byOp) {
    const names = Object.keys(rs[0]!.f);
    const beta = solve(
      new Matrix(rs.map((r) => names.map((n) => r.f[n]!))),
      Matrix.columnVector(rs.map((r) => r.y)),
      true,
    ).to1DArray();
    fits.push(
      `\`${op}\`: refit ${names.map((n, j) => `${n} ${beta[j]!.toFixed(2)}`).join(", ")}; committed ${names.map((n) => `${n} ${BINARY_COST_COEFFICIENTS[op]?.[n] ?? 0}`).join(", ")}.`,
    );
    for (const r of rs) {
      const model = binaryInstructions(op, r.f);
      rows.push({
        op,
        layer: r.name,
        features: names.map((n) => `${n} ${r.f[n]}`).join(", "),
        "measured instructions": r.y.toLocaleString("en-US"),
        "model (committed)": Math.round(model).toLocaleString("en-US"),
        error: `${((model / r.y - 1) * 100).toFixed(1)}%`,
      });
    }
  }
  return {
    title: "Binary kernels: cost model vs QEMU (Cortex-M4)",
    description:
      "Layers of every binary op (shapes in the code) compiled into one model (arm-none-eabi-gcc -O2, SWAR popcount) and run once under qemu-system-arm -M mps2-an386 -icount shift=0 with per-layer profiling; `measured` is the layer's SysTick instruction count, `model` the committed cost coefficients of @mcu/binary (what @mcu/hw-model's estimate uses) applied to the layer's work in kernel units.",
    rows,
    notes: fits.join("\n\n"),
  };
}
