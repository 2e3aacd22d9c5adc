/**
 * Integer SVDF against a naive definition written here (memory as a per-filter FIFO, TFLM's
 * requantization), over several invocations so the state carries over, with int8 and int16 state.
 */
import { corePlugin, createInterpreter, createRegistry, graphBuilder } from "@mcu/tensor";
import { clamp, naiveRequant, randomInts, rng } from "../../test/naive.js";
import { quantPlugin } from "../plugin.js";

const registry = createRegistry([corePlugin, quantPlugin]);

describe("svdf", () => {
  it.each([["int8"], ["int16"]] as const)(
    "%s state: equals the naive FIFO definition over 4 steps",
    (stateType) => {
      const r = rng(stateType === "int8" ? 31 : 32);
      const [batch, inputSize, rank, units, memory] = [2, 6, 2, 3, 4];
      const filters = rank * units;
      const [sx, swf, swt, ss, sy] = [0.05, 0.01, stateType === "int8" ? 0.02 : 0.0005, 0.03, 0.07].map(
        Math.fround,
      ) as [number, number, number, number, number];
      const [zx, zy] = [3, -5];
      const [smin, smax] = stateType === "int8" ? [-128, 127] : [-32768, 32767];
      const wf = randomInts(r, filters * inputSize, -127, 127);
      const wt = randomInts(
        r,
        filters * memory,
        stateType === "int8" ? -127 : -3000,
        stateType === "int8" ? 127 : 3000,
      );
      const bias = randomInts(r, units, -2000, 2000);
      const g = graphBuilder(registry);
      const x = g.input("x", [batch, inputSize], "int8", { scale: [sx], zeroPoint: [zx] });
      const state = g.constant(
        "state",
        stateType === "int8"
          ? new Int8Array(batch * memory * filters)
          : new Int16Array(batch * memory * filters),
        [batch, memory * filters],
        { quant: { scale: [ss], zeroPoint: [0] } },
      );
      const y = g.op(
        "core.svdf",
        [
          x,
          g.constant("wf", Int8Array.from(wf), [filters, inputSize], {
            quant: { scale: [swf], zeroPoint: [0] },
          }),
          g.constant(
            "wt",
            stateType === "int8" ? Int8Array.from(wt) : Int16Array.from(wt),
            [filters, memory],
            {
              quant: { scale: [swt], zeroPoint: [0] },
            },
          ),
          g.constant("b", Int32Array.from(bias), [units]),
          state,
        ],
        { rank },
        { outputs: [{ dtype: "int8", quant: { scale: [sy], zeroPoint: [zy] } }] },
      );
      g.output(y);
      const built = g.build();
      // The state is a variable tensor of the graph (TFLite's is_variable).
      const tensors = new Map(built.tensors);
      tensors.set("state", { ...tensors.get("state")!, variable: true });
      const graph = { ...built, tensors };
      const interp = createInterpreter(graph, { registry });
      expect(interp.kernelNames).toEqual(["quant/int8"]);

      // Naive model: per batch and filter, a FIFO of the last `memory` projections.
      const fifo = Array.from({ length: batch * filters }, () => new Array<number>(memory).fill(0));
      const s1 = Math.fround(Math.fround(sx * swf) / ss);
      const s2 = Math.fround(Math.fround(ss * swt) / sy);
      for (let step = 0; step < 4; step++) {
        const input = randomInts(r, batch * inputSize, -128, 127);
        const [out] = interp.invoke([Int8Array.from(input)]);
        const want: number[] = [];
        for (let b = 0; b < batch; b++) {
          for (let f = 0; f < filters; f++) {
            let dot = 0;
            for (let i = 0; i < inputSize; i++)
              dot += wf[f * inputSize + i]! * (input[b * inputSize + i]! - zx);
            const q = fifo[b * filters + f]!;
            q.shift();
            q.push(clamp(naiveRequant(dot, s1), smin, smax));
          }
          for (let u = 0; u < units; u++) {
            let acc = bias[u]!;
            for (let k = 0; k < rank; k++) {
              const f = u * rank + k;
              const q = fifo[b * filters + f]!;
              for (let m = 0; m < memory; m++) acc += wt[f * memory + m]! * q[m]!;
            }
            want.push(clamp(naiveRequant(acc, s2) + zy, -128, 127));
          }
        }
        expect(Array.from(out!.data as Int8Array)).toEqual(want);
      }
    },
  );
});
