/**
 * Test and bench support (not exported, not built): a calibration sweep — one graph of
 * independent single-layer cases (each reads its own input and is an output of its own) whose
 * geometries span what the fixture models do not: kernels from 1×1 to 10×8, one input channel
 * with long windows, K not a multiple of 4, odd channel counts, strides, fully connected layers
 * from K = 1 to 1000, pooling windows from 2×2 to global, and the data-movement and float
 * kernels. One build per core measures every case (per-layer profile), so the per-layer cost
 * coefficients are pinned by designed data instead of the few geometries the models share.
 */
import { type Graph, graphBuilder, type QuantParams, type Registry } from "@mcu/tensor";

/** Deterministic numbers in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s ^ (s >>> 15)) >>> 0) / 4294967296;
  };
}

const q = (scale: number, zeroPoint = 0): QuantParams => ({ scale: [scale], zeroPoint: [zeroPoint] });

/** The sweep graph (int8 cases, a few float32 and data-movement cases). */
export function layerSweepGraph(registry: Registry): Graph {
  const r = lcg(20261126);
  const b = graphBuilder(registry);
  let k = 0;
  const i8 = (n: number) => Int8Array.from({ length: n }, () => Math.floor(r() * 256) - 128);
  const input = (shape: number[], dtype: "int8" | "float32" = "int8") =>
    b.input(`x${k}`, shape, dtype, dtype === "int8" ? q(0.05, -3) : undefined);
  const out = { dtype: "int8" as const, quant: q(0.1, 5) };
  // Activations cycle through: none, RELU6 over the full int8 range (scale 6/255, zero point
  // −128: nothing to clamp), and RELU clamping at the zero point — the kernels store a clamped
  // output with a few more instructions.
  const activation = () =>
    [
      { fusedActivation: "NONE", out },
      { fusedActivation: "RELU6", out: { dtype: "int8" as const, quant: q(6 / 255, -128) } },
      { fusedActivation: "RELU", out },
    ][k % 3]!;
  const perChannel = (n: number): QuantParams => ({
    scale: Array.from({ length: n }, () => 0.004 + 0.01 * r()),
    zeroPoint: new Array<number>(n).fill(0),
    axis: 0,
  });
  const bias = (n: number) =>
    b.constant(
      `b${k}`,
      Int32Array.from({ length: n }, () => Math.floor(r() * 4000) - 2000),
      [n],
      {
        dtype: "int32",
      },
    );

  const conv = (
    h: number,
    w: number,
    cin: number,
    cout: number,
    kh: number,
    kw: number,
    stride = 1,
    padding: "SAME" | "VALID" = "SAME",
  ) => {
    const x = input([1, h, w, cin]);
    const wt = b.constant(`w${k}`, i8(cout * kh * kw * cin), [cout, kh, kw, cin], {
      dtype: "int8",
      quant: perChannel(cout),
    });
    const a = activation();
    b.output(
      b.op(
        "core.conv2d",
        [x, wt, bias(cout)],
        { strides: [stride, stride], padding, fusedActivation: a.fusedActivation },
        { outputs: [a.out] },
      ),
    );
    k++;
  };
  const depthwise = (h: number, w: number, cin: number, mult: number, kh: number, kw: number, stride = 1) => {
    const x = input([1, h, w, cin]);
    const c = cin * mult;
    const wt = b.constant(`w${k}`, i8(kh * kw * c), [1, kh, kw, c], {
      dtype: "int8",
      quant: { ...perChannel(c), axis: 3 },
    });
    const a = activation();
    b.output(
      b.op(
        "core.depthwise_conv2d",
        [x, wt, bias(c)],
        {
          strides: [stride, stride],
          padding: "SAME",
          depthMultiplier: mult,
          fusedActivation: a.fusedActivation,
        },
        { outputs: [a.out] },
      ),
    );
    k++;
  };
  const dense = (rows: number, inF: number, outF: number) => {
    const x = input([rows, inF]);
    const wt = b.constant(`w${k}`, i8(outF * inF), [outF, inF], { dtype: "int8", quant: perChannel(outF) });
    const a = activation();
    b.output(
      b.op(
        "core.fully_connected",
        [x, wt, bias(outF)],
        { fusedActivation: a.fusedActivation },
        { outputs: [a.out] },
      ),
    );
    k++;
  };
  const pool = (
    op: "core.avg_pool2d" | "core.max_pool2d",
    h: number,
    w: number,
    c: number,
    f: number,
    s: number,
  ) => {
    const x = input([1, h, w, c]);
    b.output(
      b.op(
        op,
        [x],
        { filter: [f, f], strides: [s, s], padding: "VALID" },
        { outputs: [{ dtype: "int8", quant: q(0.05, -3) }] },
      ),
    );
    k++;
  };
  const unary = (
    op: string,
    shape: number[],
    attrs: Record<string, unknown>,
    o: { dtype: "int8"; quant: QuantParams } | null,
    dtype: "int8" | "float32" = "int8",
  ) => {
    const x = input(shape, dtype);
    b.output(b.op(op, [x], attrs as never, o === null ? {} : { outputs: [o] }));
    k++;
  };
  const add = (shape: number[]) => {
    const x = input(shape);
    const y = b.input(`y${k}`, shape, "int8", q(0.04, 7));
    const a = activation();
    b.output(b.op("core.add", [x, y], { fusedActivation: a.fusedActivation }, { outputs: [a.out] }));
    k++;
  };

  // Views (aliased reshapes: no code) measure the profiling hooks' own instructions.
  for (const shape of [
    [1, 4, 4, 8],
    [2, 64],
  ]) {
    b.output(
      b.op(
        "core.reshape",
        [input(shape)],
        { shape: [shape.reduce((a, d) => a * d, 1)] },
        { outputs: [{ dtype: "int8", quant: q(0.05, -3) }] },
      ),
    );
    k++;
  }
  // Convolutions: 1×1 (direct when K % 4 == 0), 3×3, 5×5, strided, one input channel with long windows.
  conv(8, 8, 8, 8, 1, 1);
  conv(8, 8, 16, 32, 1, 1);
  conv(6, 6, 64, 64, 1, 1);
  conv(4, 4, 128, 40, 1, 1);
  conv(10, 10, 4, 12, 1, 1);
  conv(8, 8, 12, 7, 1, 1);
  conv(8, 8, 6, 8, 1, 1);
  conv(8, 8, 16, 32, 1, 1, 2);
  conv(16, 16, 3, 8, 3, 3);
  conv(12, 12, 8, 16, 3, 3);
  conv(8, 8, 16, 16, 3, 3);
  conv(6, 6, 32, 32, 3, 3);
  conv(5, 5, 64, 24, 3, 3);
  conv(14, 14, 1, 8, 3, 3);
  conv(16, 16, 8, 16, 3, 3, 2);
  conv(12, 12, 16, 24, 3, 3, 2);
  conv(12, 12, 1, 8, 5, 5);
  conv(10, 10, 4, 8, 5, 5);
  conv(25, 20, 1, 8, 10, 8, 2);
  conv(20, 10, 1, 16, 4, 10, 2);
  conv(1, 32, 8, 16, 1, 3);
  conv(48, 48, 8, 16, 1, 1);
  conv(16, 16, 1, 8, 3, 3, 1, "VALID");
  conv(49, 40, 1, 8, 10, 8, 2, "VALID");
  conv(20, 20, 1, 8, 1, 8, 1, "VALID");
  conv(20, 20, 1, 8, 8, 1, 1, "VALID");
  conv(12, 12, 8, 16, 3, 3, 1, "VALID");
  conv(8, 8, 32, 16, 3, 3, 1, "VALID");
  conv(6, 6, 128, 128, 1, 1);
  conv(32, 32, 16, 16, 3, 3);
  // Depthwise: multiplier 1 (3×3, 5×5, strided, channel counts not a multiple of 4), one input channel, multiplier 2.
  depthwise(16, 16, 8, 1, 3, 3);
  depthwise(8, 8, 32, 1, 3, 3);
  depthwise(6, 6, 64, 1, 3, 3);
  depthwise(10, 5, 64, 1, 3, 3);
  depthwise(16, 16, 16, 1, 3, 3, 2);
  depthwise(8, 8, 16, 1, 5, 5);
  depthwise(8, 8, 6, 1, 3, 3);
  depthwise(8, 8, 13, 1, 3, 3);
  depthwise(24, 24, 1, 8, 3, 3, 2);
  depthwise(20, 16, 1, 4, 8, 6, 2);
  depthwise(8, 8, 8, 2, 3, 3);
  depthwise(48, 48, 8, 1, 3, 3);
  depthwise(6, 6, 128, 1, 3, 3);
  depthwise(3, 3, 256, 1, 3, 3, 2);
  // Fully connected.
  dense(1, 1, 16);
  dense(1, 16, 16);
  dense(1, 64, 10);
  dense(1, 128, 128);
  dense(1, 640, 128);
  dense(1, 250, 30);
  dense(1, 1000, 4);
  dense(1, 7, 5);
  dense(2, 32, 8);
  // Pooling, reductions, element-wise, softmax.
  pool("core.avg_pool2d", 16, 16, 8, 2, 2);
  pool("core.avg_pool2d", 8, 8, 16, 3, 1);
  pool("core.avg_pool2d", 6, 6, 64, 6, 6);
  pool("core.avg_pool2d", 25, 5, 64, 5, 5);
  pool("core.max_pool2d", 28, 28, 8, 2, 2);
  pool("core.max_pool2d", 14, 14, 16, 3, 2);
  unary("core.mean", [1, 7, 7, 64], { axes: [1, 2], keepDims: false }, { dtype: "int8", quant: q(0.02, 1) });
  unary("core.mean", [1, 5, 5, 32], { axes: [1, 2], keepDims: true }, { dtype: "int8", quant: q(0.02, 1) });
  add([1, 16, 16, 16]);
  add([1, 8, 8, 32]);
  unary("core.softmax", [1, 10], { beta: 1 }, { dtype: "int8", quant: q(1 / 256, -128) });
  unary("core.softmax", [1, 100], { beta: 1 }, { dtype: "int8", quant: q(1 / 256, -128) });
  unary("core.softmax", [4, 50], { beta: 1 }, { dtype: "int8", quant: q(1 / 256, -128) });
  // Float ↔ int8 at the model boundary.
  unary("core.quantize", [1, 784], {}, { dtype: "int8", quant: q(0.02, -10) }, "float32");
  unary("core.quantize", [1, 100], {}, { dtype: "int8", quant: q(0.02, -10) }, "float32");
  unary("core.dequantize", [1, 640], {}, null);
  unary("core.dequantize", [1, 10], {}, null);
  // Data movement (codegen-c's any-dtype kernels): the output keeps the input's quantization.
  const same = { dtype: "int8" as const, quant: q(0.05, -3) };
  unary("core.transpose", [1, 8, 8, 16], { perm: [0, 3, 1, 2] }, same);
  unary("core.pad", [1, 8, 8, 16], { paddings: [0, 0, 1, 1, 1, 1, 0, 0] }, same);
  unary(
    "core.strided_slice",
    [1, 16, 16, 8],
    { begin: [0, 0, 0, 0], end: [1, 16, 16, 8], strides: [1, 2, 2, 1] },
    same,
  );
  // Float32 layers (codegen-c's float kernels).
  const fconv = (h: number, c: number, o: number, k: number, depthwise: boolean) => {
    const x = input([1, h, h, c], "float32");
    const shape = depthwise ? [1, k, k, c] : [o, k, k, c];
    const wt = b.constant(
      `w${k}_${h}_${c}_${o}_${depthwise}`,
      Float32Array.from({ length: shape.reduce((a, d) => a * d, 1) }, () => r() - 0.5),
      shape,
    );
    b.output(
      b.op(depthwise ? "core.depthwise_conv2d" : "core.conv2d", [x, wt], {
        padding: "SAME",
        fusedActivation: "RELU",
        ...(depthwise ? { depthMultiplier: 1 } : {}),
      }),
    );
    k++;
  };
  fconv(8, 8, 8, 3, false);
  fconv(8, 16, 16, 1, false);
  fconv(10, 16, 16, 3, true);
  for (const [inF, outF] of [
    [64, 10],
    [256, 32],
  ] as const) {
    const x = input([1, inF], "float32");
    const wt = b.constant(
      `fw${k}`,
      Float32Array.from({ length: inF * outF }, () => r() - 0.5),
      [outF, inF],
    );
    b.output(b.op("core.fully_connected", [x, wt]));
    k++;
  }
  b.output(b.op("core.avg_pool2d", [input([1, 8, 8, 16], "float32")], { filter: [2, 2], strides: [2, 2] }));
  k++;
  b.output(b.op("core.add", [input([1, 8, 8, 16], "float32"), b.input(`fy${k}`, [1, 8, 8, 16])]));
  k++;
  b.output(b.op("core.softmax", [input([1, 100], "float32")], { beta: 1 }));
  k++;
  return b.build();
}

/**
 * Single-convolution graphs: a kernel that only one layer calls is specialized by the compiler for
 * that layer's constant geometry (IPA constant propagation), which makes its im2col cheaper; these
 * calibrate that case (the sweep's kernels are all shared).
 */
export function soloSweepGraphs(registry: Registry): { name: string; graph: Graph }[] {
  const r = lcg(7);
  const one = (
    name: string,
    h: number,
    w: number,
    cin: number,
    cout: number,
    kh: number,
    kw: number,
    stride: number,
    padding: "SAME" | "VALID" = "SAME",
  ) => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, h, w, cin], "int8", q(0.05, -3));
    const n = cout * kh * kw * cin;
    const wt = b.constant(
      "w",
      Int8Array.from({ length: n }, () => Math.floor(r() * 256) - 128),
      [cout, kh, kw, cin],
      {
        dtype: "int8",
        quant: {
          scale: Array.from({ length: cout }, () => 0.004 + 0.01 * r()),
          zeroPoint: new Array<number>(cout).fill(0),
          axis: 0,
        },
      },
    );
    const bias = b.constant(
      "b",
      Int32Array.from({ length: cout }, () => Math.floor(r() * 4000) - 2000),
      [cout],
      {
        dtype: "int32",
      },
    );
    b.output(
      b.op(
        "core.conv2d",
        [x, wt, bias],
        { strides: [stride, stride], padding, fusedActivation: "RELU6" },
        { outputs: [{ dtype: "int8", quant: q(6 / 255, -128) }] },
      ),
    );
    return { name, graph: b.build() };
  };
  return [
    one("solo-1ch-10x8", 40, 32, 1, 8, 10, 8, 2),
    // A keyword-spotting front end: 49 frames of 40 features.
    one("solo-1ch-10x8-kws", 49, 40, 1, 8, 10, 8, 2),
    one("solo-1ch-10x8-valid", 49, 40, 1, 8, 10, 8, 2, "VALID"),
    one("solo-8ch-3x3-valid", 12, 12, 8, 16, 3, 3, 1, "VALID"),
    one("solo-1ch-3x3", 20, 20, 1, 8, 3, 3, 1),
    one("solo-8ch-3x3", 12, 12, 8, 16, 3, 3, 1),
    one("solo-3ch-5x5", 16, 16, 3, 8, 5, 5, 2),
  ];
}

/**
 * Graphs without layers: an input copied to an output through an aliased reshape, small and large.
 * A whole-inference count of these is invoke alone (the copies in and out, the call).
 */
export function invokeSweepGraphs(registry: Registry): { name: string; graph: Graph }[] {
  return [16, 4096].map((n) => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, n], "int8", q(0.05, -3));
    b.output(b.op("core.reshape", [x], { shape: [n] }, { outputs: [{ dtype: "int8", quant: q(0.05, -3) }] }));
    return { name: `invoke-${n}`, graph: b.build() };
  });
}
