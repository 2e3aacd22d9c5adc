/**
 * The generator's contract: the arena macro and the static arena equal the planner's peak,
 * constants are `const`, only the kernels a model uses are emitted, C kernels are chosen by
 * priority and supports() from the registry, scratch buffers are planned in the arena, and a
 * node without a C kernel is a clear McuError.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  definePlugin,
  graphBuilder,
  planArena,
  PLUGIN_API_VERSION,
  quantParams,
  reluOp,
  numElements,
} from "@mcu/tensor";
import { buildHost } from "./build.js";
import { type CKernelDef, defineCKernel } from "./contract.js";
import { generateC } from "./generate.js";
import { generateProject, writeProject } from "./project.js";
import { interpret, prepareFor, randomFloats, relativeError, testRegistry } from "./testing/compare.js";
import { findTool, runProcess } from "./toolchain.js";

const registry = testRegistry();

function smallCnn(reg = registry) {
  const b = graphBuilder(reg);
  const x = b.input("image in", [1, 6, 6, 2]);
  const w = b.constant("conv/weights:0", randomFloats(3 * 3 * 3 * 2, 1), [3, 3, 3, 2]);
  const c = b.op("core.conv2d", [x, w], { padding: "SAME", fusedActivation: "RELU" }, { name: "conv 1" });
  const p = b.op("core.avg_pool2d", [c], { filter: [2, 2], strides: [2, 2] });
  const r = b.op("core.reshape", [p], { shape: [1, 27] });
  const f = b.op("core.fully_connected", [r, b.constant("fc.w", randomFloats(4 * 27, 2), [4, 27])]);
  b.output(f);
  return b.build();
}

describe("generateC", () => {
  it("declares the arena as the planner's peak, and the static arena object has exactly that size", async () => {
    const graph = smallCnn();
    const g = generateC(graph, { registry, name: "tiny" });
    const peak = planArena(graph, registry).peakBytes;
    expect(peak).toBeGreaterThan(0);
    expect(g.arenaBytes).toBe(peak);
    expect(g.header).toContain(`#define MCU_TINY_ARENA_BYTES ${peak}u`);
    // The object file's arena symbol, as the compiler laid it out (nm --print-size), is the
    // peak rounded up to the union's 8-byte alignment.
    const built = await buildHost(generateProject(graph, { registry, name: "tiny" }));
    const nm = await runProcess(findTool("nm"), ["--print-size", built.modelObject]);
    const line = nm.stdout.split("\n").find((l) => l.endsWith(" mcu_tiny_arena_"));
    expect(line).toBeDefined();
    const size = Number.parseInt(line!.trim().split(/\s+/)[1]!, 16);
    expect(size).toBe(Math.ceil(peak / 8) * 8);
  });

  it("emits the API, const weights, and only the kernels the model uses (no <math.h> unless needed)", () => {
    const g = generateC(smallCnn(), { registry, name: "Tiny-CNN.tflite" });
    expect(g.name).toBe("tiny_cnn");
    expect(g.header).toContain("int mcu_tiny_cnn_invoke(const void *in[], void *out[]);");
    expect(g.header).toContain("extern const mcu_tensor_desc_t mcu_tiny_cnn_inputs[1];");
    expect(g.source).toMatch(/static const float t_conv_weights_0\[54\] = \{/);
    expect(g.source).toContain("static void mcu_conv2d_f32(");
    expect(g.source).toContain("static void mcu_avg_pool2d_f32(");
    expect(g.source).toContain("static void mcu_fully_connected_f32(");
    for (const absent of [
      "mcu_softmax_f32",
      "mcu_max_pool2d_f32",
      "mcu_depthwise_conv2d_f32",
      "mcu_copy_strided",
    ]) {
      expect(g.source).not.toContain(absent);
    }
    expect(g.source).not.toContain("#include <math.h>");
    expect(g.source).not.toMatch(/\b(malloc|calloc|free)\s*\(/);
    const withSoftmax = graphBuilder(registry);
    withSoftmax.output(withSoftmax.op("core.softmax", [withSoftmax.input("x", [1, 5])]));
    const s = generateC(withSoftmax.build(), { registry });
    expect(s.source).toContain("#include <math.h>");
    expect(s.usesMath).toBe(true);
    // The reshape shares its input's buffer: no code, a comment.
    expect(g.source).toContain("the output is a view of the input");
    expect(g.layers.map((l) => `${l.op}:${l.variant}`)).toEqual([
      "core.conv2d:core/float32",
      "core.avg_pool2d:core/float32",
      "core.reshape:core/any",
      "core.fully_connected:core/float32",
    ]);
  });

  it("describes inputs and outputs: dtype, shape, bytes, quantization", () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 4], "int8", quantParams(0.5, -3));
    b.output(b.op("core.dequantize", [x]));
    const g = generateC(b.build(), { registry, name: "io" });
    expect(g.inputs).toEqual([
      { name: "x", dtype: "int8", shape: [1, 4], bytes: 4, scale: 0.5, zeroPoint: -3 },
    ]);
    expect(g.outputs[0]).toMatchObject({ dtype: "float32", shape: [1, 4], bytes: 16 });
    expect(g.source).toContain('{"x", 4, 2, mcu_io_inputs_shape0_, 4u, 0.5f, -3},');
  });

  it("fails with MCU_E_NO_C_KERNEL when no C kernel supports a node", () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [2, 3], "int8");
    b.output(b.op("core.relu", [x], {}, { name: "int-relu" }));
    expect(() => generateC(b.build(), { registry })).toThrow(
      expect.objectContaining({ code: "MCU_E_NO_C_KERNEL", node: "int-relu" }),
    );
  });

  it("chooses C kernels from the registry by priority and supports(), ignoring bare contributions", async () => {
    // A plugin's higher-priority relu that accepts only 1-D tensors, plus a bare {op, variant}.
    const special: CKernelDef = defineCKernel(reluOp, {
      variant: "test/relu-1d",
      priority: 10,
      supports: (ctx) => ctx.inputs[0]!.dtype === "float32" && ctx.inputs[0]!.shape.length === 1,
      emit: (ctx) => ({
        code: `{ int32_t i; for (i = 0; i < ${numElements(ctx.inputs[0]!.shape)}; i++) ${ctx.output(0)}[i] = ${ctx.input(0)}[i] > 0.0f ? ${ctx.input(0)}[i] : 0.0f; }`,
      }),
    });
    const reg = testRegistry(
      definePlugin({
        name: "test-relu",
        apiVersion: PLUGIN_API_VERSION,
        cKernels: [special, { op: "core.relu", variant: "test/bare" }],
      }),
    );
    const b = graphBuilder(reg);
    const a = b.op("core.relu", [b.input("a", [5])]);
    const c = b.op("core.relu", [b.input("c", [1, 5])]);
    b.output(a, c);
    const graph = b.build();
    const g = generateC(graph, { registry: reg });
    expect(g.layers.map((l) => l.variant)).toEqual(["test/relu-1d", "core/float32"]);
    const inputs = [randomFloats(5, 1), randomFloats(5, 2)];
    const m = await prepareFor(graph, reg, "host");
    const out = await m.invoke(inputs);
    const [ref] = interpret(graph, reg, [inputs]);
    expect(relativeError(out[0]!, ref![0]!)).toBe(0);
    expect(relativeError(out[1]!, ref![1]!)).toBe(0);
  });

  it("plans scratch buffers in the arena, live only while their node runs", async () => {
    // A relu that stages its input through 64 bytes of scratch.
    const staged: CKernelDef = defineCKernel(reluOp, {
      variant: "test/staged",
      priority: 5,
      supports: (ctx) => ctx.inputs[0]!.dtype === "float32" && numElements(ctx.inputs[0]!.shape) <= 16,
      scratch: () => [{ name: "stage", bytes: 64 }],
      emit: (ctx) => {
        const n = numElements(ctx.inputs[0]!.shape);
        return {
          code: [
            `float *s = (float *)${ctx.scratch("stage")};`,
            "int32_t i;",
            `memcpy(s, ${ctx.input(0)}, ${n * 4}u);`,
            `for (i = 0; i < ${n}; i++) ${ctx.output(0)}[i] = s[i] > 0.0f ? s[i] : 0.0f;`,
          ].join("\n"),
        };
      },
    });
    const reg = testRegistry(
      definePlugin({ name: "test-scratch", apiVersion: PLUGIN_API_VERSION, cKernels: [staged] }),
    );
    const b = graphBuilder(reg);
    const x = b.input("x", [4, 4]);
    const r1 = b.op("core.relu", [x], {}, { name: "r1" });
    const r2 = b.op("core.relu", [b.op("core.add", [r1, x])], {}, { name: "r2" });
    b.output(r2);
    const graph = b.build();
    const g = generateC(graph, { registry: reg });
    const scratch = [...g.plan.offsets.keys()].filter((k) => k.includes("#scratch:"));
    expect(scratch).toEqual(["r1#scratch:stage", "r2#scratch:stage"]);
    expect(g.layers.map((l) => l.scratchBytes)).toEqual([64, 0, 64]);
    expect(g.arenaBytes).toBe(
      planArena(graph, reg, {
        extraBuffers: [
          { id: "r1#scratch:stage", bytes: 64, first: 0, last: 0 },
          { id: "r2#scratch:stage", bytes: 64, first: 2, last: 2 },
        ],
      }).peakBytes,
    );
    // Scratch of r1 never overlaps r1's input x or output r1.
    const o = g.plan.offsets;
    const overlaps = (a: number, an: number, c: number, cn: number) => a < c + cn && c < a + an;
    expect(overlaps(o.get("r1#scratch:stage")!, 64, o.get("x")!, 64)).toBe(false);
    expect(overlaps(o.get("r1#scratch:stage")!, 64, o.get(r1)!, 64)).toBe(false);
    const input = randomFloats(16, 9);
    const m = await prepareFor(graph, reg, "host", { sanitize: true });
    const [out] = await m.invoke([input]);
    expect(relativeError(out!, interpret(graph, reg, [[input]])[0]![0]!)).toBe(0);
  });

  it("writes a project whose C files and Makefile are all there", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mcu-project-"));
    try {
      const p = generateProject(smallCnn(), { registry, name: "tiny", target: "cortex-m4" });
      await writeProject(p, dir);
      expect([...p.files.keys()].sort()).toEqual([
        "Makefile",
        "main_cortex_m.c",
        "main_host.c",
        "mcu_startup.c",
        "mps2.ld",
        "mps2_an505.ld",
        "tiny.c",
        "tiny.h",
      ]);
      expect(p.files.get("Makefile")).toMatch(/^all: cortex-m4$/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
