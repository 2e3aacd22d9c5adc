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
import { corePlugin, createRegistry, type Graph } from "@mcu/tensor";
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

  it.each(graphs)("%s: arm-none-eabi-gcc for Cortex-M0+, M3, M7 and M33", async (name, graph) => {
    const cc = findTool("arm-none-eabi-gcc");
    for (const t of ["cortex-m0plus", "cortex-m3", "cortex-m7", "cortex-m33"]) {
      const target = C_TARGETS[t]!;
      expect(await compile(cc, cortexMCompileFlags(target), graph, target, `${t}-${name.length}`)).toBe("");
    }
  });
});
