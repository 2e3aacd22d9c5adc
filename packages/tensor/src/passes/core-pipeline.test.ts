import { graphBuilder } from "../builder.js";
import { corePlugin } from "../core-plugin.js";
import { runGraph } from "../interpreter.js";
import {
  irDumpInstrument,
  parsePipeline,
  resolvePipeline,
  runPipeline,
  timingInstrument,
} from "../pipeline.js";
import { createRegistry } from "../registry.js";
import { verify } from "../verify.js";

const registry = createRegistry([corePlugin]);

function ramp(n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (((i * 37) % 11) - 5) * scale);
}

describe("the core passes in a pipeline", () => {
  it("fold-batchnorm, fuse-activation, constant-folding, dce: same outputs, instrumented", async () => {
    const b = graphBuilder(registry);
    const x = b.input("x", [1, 4, 4, 3]);
    const w = b.constant("w", ramp(4 * 3 * 3 * 3, 0.05), [4, 3, 3, 3]);
    const conv = b.op("core.conv2d", [x, w], { padding: "SAME" }, { name: "conv" });
    const bn = b.op(
      "core.batch_norm",
      [
        conv,
        b.constant("gamma", new Float32Array([1, 0.5, 2, 1.5]), [4]),
        b.constant("beta", new Float32Array([0.1, -0.2, 0.3, 0]), [4]),
        b.constant("mean", new Float32Array([0.5, 0, -0.5, 1]), [4]),
        b.constant("var", new Float32Array([1, 2, 0.5, 4]), [4]),
      ],
      {},
      { name: "bn" },
    );
    const r = b.op("core.relu", [bn], {}, { name: "relu" });
    // A constant branch: scale = 2 · [0.5, 1, 1.5, 2], computed at compile time.
    const half = b.constant("half", new Float32Array([0.5, 1, 1.5, 2]), [4]);
    const two = b.constant("two", new Float32Array([2]), [1]);
    const scale = b.op("core.mul", [half, two], {}, { name: "scale" });
    const y = b.op("core.mul", [r, scale], {}, { name: "y" });
    b.op("core.tanh", [r], {}, { name: "unused" }); // dead
    b.output(y);
    const before = b.build();

    const timing = timingInstrument();
    const dumps: [string, string][] = [];
    const steps = resolvePipeline(
      registry,
      parsePipeline("core/fold-batchnorm,core/fuse-activation,core/constant-folding,core/dce"),
    );
    const { graph: after } = await runPipeline(before, steps, {
      registry,
      instruments: [timing, irDumpInstrument((label, text) => dumps.push([label, text]))],
    });
    verify(after, registry);

    expect(after.nodes.map((n) => `${n.name}:${n.op}:${String(n.attrs.fusedActivation)}`)).toEqual([
      "conv:core.conv2d:RELU",
      "y:core.mul:NONE",
    ]);
    expect(Array.from(after.tensors.get("scale")!.data as Float32Array)).toEqual([1, 2, 3, 4]);
    expect(after.tensors.has("gamma")).toBe(false);
    expect(after.tensors.has("unused")).toBe(false);

    expect(timing.timings.map((t) => [t.pass, t.changed])).toEqual([
      ["core/fold-batchnorm", true],
      ["core/fuse-activation", true],
      ["core/constant-folding", true],
      ["core/dce", true],
    ]);
    expect(dumps.map(([label]) => label)).toEqual([
      "00-input",
      "01-core_fold-batchnorm",
      "02-core_fuse-activation",
      "03-core_constant-folding",
      "04-core_dce",
    ]);
    expect(dumps[0]![1]).toContain("core.batch_norm");
    expect(dumps[1]![1]).not.toContain("core.batch_norm");
    expect(dumps[2]![1]).toContain("fusedActivation=RELU");
    expect(dumps[4]![1]).not.toContain("core.tanh");

    const input = ramp(48, 0.3);
    const want = runGraph(before, [input], { registry })[0]!.data as Float32Array;
    const got = runGraph(after, [input], { registry })[0]!.data as Float32Array;
    let worst = 0;
    want.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - got[i]!));
    });
    expect(worst).toBeLessThanOrEqual(1e-5);
  });
});
