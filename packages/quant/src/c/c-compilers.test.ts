/**
 * The integer C kernels compile warning-free (-std=c99 -Wall -Wextra -Werror, -pedantic for the
 * model) with clang on the host and with arm-none-eabi-gcc for Cortex-M0+, M3, M7 and M33 (gcc
 * and Cortex-M4 builds are exercised by the run tests): every kind of random case, in both the
 * portable and the DSP variant, plus person_detect.
 */

import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  C_TARGETS,
  codegenPlugin,
  cortexMCompileFlags,
  findTool,
  generateProject,
  runProcess,
  WARNING_FLAGS,
  writeProject,
} from "@mcu/codegen-c";
import { corePlugin, createRegistry, type Graph, graphBuilder } from "@mcu/tensor";
import { fixturePath } from "@mcu/testing";
import tflitePlugin from "@mcu/tflite-io";
import { quantPlugin } from "../plugin.js";
import { HOST_DSP_EMULATED, quantCases } from "./test-graphs.js";

const registry = createRegistry([corePlugin, tflitePlugin, quantPlugin, codegenPlugin]);
const graphs: [string, Graph][] = [
  [
    "random conv/depthwise/fc/pool/add/softmax",
    quantCases(registry, 9, ["conv", "depthwise", "fc", "pool", "add", "softmax"], 36).graph,
  ],
  [
    "random DSP shapes, int16x8, transpose conv, element-wise",
    quantCases(registry, 11, ["dwdsp", "convdsp", "adddsp", "conv16", "tconv", "elem"], 30).graph,
  ],
  [
    "person_detect",
    tflitePlugin.formats![0]!.read!(
      new Uint8Array(readFileSync(fixturePath("tflite-micro", "person_detect.tflite"))),
      { registry },
    ),
  ],
];

/**
 * A graph of one int8 convolution. With a single caller GCC specializes the kernels for the
 * layer's constant descriptor, and once warned (-Wnonnull, -Wstringop-overflow) about the row
 * layout's patch code in clones for layers that never use it.
 */
function singleConv(h: number, cin: number, cout: number, k: number, stride: number, padding: string): Graph {
  const b = graphBuilder(registry);
  const x = b.input("x", [1, h, h, cin], "int8", { scale: [0.05], zeroPoint: [-3] });
  const n = cout * k * k * cin;
  const w = b.constant(
    "w",
    Int8Array.from({ length: n }, (_, i) => ((i * 37) % 255) - 127),
    [cout, k, k, cin],
    {
      dtype: "int8",
      quant: {
        scale: new Array<number>(cout).fill(0.01),
        zeroPoint: new Array<number>(cout).fill(0),
        axis: 0,
      },
    },
  );
  const bias = b.constant(
    "b",
    Int32Array.from({ length: cout }, (_, i) => 100 * i - 700),
    [cout],
  );
  const y = b.op(
    "core.conv2d",
    [x, w, bias],
    { strides: [stride, stride], padding },
    { outputs: [{ dtype: "int8", quant: { scale: [0.1], zeroPoint: [-128] } }] },
  );
  return b.output(y).build();
}

const singleConvs: [string, Graph][] = [
  ["one 3x3 conv over 8 channels, SAME", singleConv(12, 8, 16, 3, 1, "SAME")],
  ["one 3x3 conv over 8 channels, VALID", singleConv(12, 8, 16, 3, 1, "VALID")],
  ["one 5x5 stride-2 conv over 3 channels", singleConv(16, 3, 8, 5, 2, "SAME")],
];

describe("integer C kernels compile with -std=c99 -Wall -Wextra -Werror", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mcu-quant-cc-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const compile = async (
    cc: string,
    flags: readonly string[],
    graph: Graph,
    target: typeof HOST_DSP_EMULATED,
    sub: string,
  ) => {
    const d = join(dir, sub);
    await writeProject(generateProject(graph, { registry, name: "model", target }), d);
    const r = await runProcess(
      cc,
      [...WARNING_FLAGS, "-pedantic", ...flags, "-c", "model.c", "-o", "model.o"],
      { cwd: d },
    );
    return r.code === 0 ? "" : r.stderr;
  };

  it.each(graphs)("%s: clang on the host, portable and DSP-emulated variants", async (name, graph) => {
    const clang = findTool("clang");
    expect(await compile(clang, ["-O2"], graph, C_TARGETS.host!, `clang-${name.length}`)).toBe("");
    expect(await compile(clang, ["-O2"], graph, HOST_DSP_EMULATED, `clang-dsp-${name.length}`)).toBe("");
  });

  it.each(singleConvs)(
    "%s: arm-none-eabi-gcc for Cortex-M4, M7 and M33 (DSP kernels)",
    async (name, graph) => {
      const cc = findTool("arm-none-eabi-gcc");
      for (const t of ["cortex-m4", "cortex-m7", "cortex-m33"]) {
        const target = C_TARGETS[t]!;
        expect(
          await compile(cc, cortexMCompileFlags(target), graph, target, `${t}-solo-${name.length}`),
        ).toBe("");
      }
    },
  );

  it.each(graphs)("%s: arm-none-eabi-gcc for Cortex-M0+, M3, M7 and M33", async (name, graph) => {
    const cc = findTool("arm-none-eabi-gcc");
    for (const t of ["cortex-m0plus", "cortex-m3", "cortex-m7", "cortex-m33"]) {
      const target = C_TARGETS[t]!;
      expect(await compile(cc, cortexMCompileFlags(target), graph, target, `${t}-${name.length}`)).toBe("");
    }
  });
});
