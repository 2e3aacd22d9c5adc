/**
 * Structural properties of the integer LSTM (its arithmetic is proven exact by the dtln golden):
 * a sequence run equals the same steps run one invocation at a time with the state carried over;
 * time-major input gives the batch-first result transposed; states reset to their zero points.
 */
import {
  corePlugin,
  createInterpreter,
  createRegistry,
  type Graph,
  graphBuilder,
  type TensorInfo,
} from "@mcu/tensor";
import { randomInts, rng } from "../../test/naive.js";
import { quantPlugin } from "../plugin.js";

const registry = createRegistry([corePlugin, quantPlugin]);
const [IN, UNITS] = [5, 4];

function lstmGraph(shape: readonly number[], timeMajor: boolean, seed: number): Graph {
  const r = rng(seed);
  const g = graphBuilder(registry);
  const batch = timeMajor ? shape[1]! : shape[0]!;
  const x = g.input("x", shape, "int8", { scale: [0.05], zeroPoint: [-3] });
  const w = (name: string, cols: number, scale: number) =>
    g.constant(name, Int8Array.from(randomInts(r, UNITS * cols, -127, 127)), [UNITS, cols], {
      quant: { scale: [scale], zeroPoint: [0] },
    });
  const b = (name: string) => g.constant(name, Int32Array.from(randomInts(r, UNITS, -3000, 3000)), [UNITS]);
  const inputs: (string | undefined)[] = [
    x,
    w("wi", IN, 0.02),
    w("wf", IN, 0.021),
    w("wc", IN, 0.019),
    w("wo", IN, 0.022),
    w("ri", UNITS, 0.03),
    w("rf", UNITS, 0.031),
    w("rc", UNITS, 0.029),
    w("ro", UNITS, 0.032),
    undefined,
    undefined,
    undefined,
    b("bi"),
    b("bf"),
    b("bc"),
    b("bo"),
    undefined,
    undefined,
    g.constant("h", new Int8Array(batch * UNITS), [batch, UNITS], {
      quant: { scale: [0.008], zeroPoint: [5] },
    }),
    g.constant("c", new Int16Array(batch * UNITS), [batch, UNITS], {
      quant: { scale: [2 ** -11], zeroPoint: [0] },
    }),
    undefined,
    undefined,
    undefined,
    undefined,
  ];
  const y = g.op(
    "core.unidirectional_sequence_lstm",
    inputs,
    { timeMajor, cellClip: 3 },
    {
      outputs: [{ dtype: "int8", quant: { scale: [0.008], zeroPoint: [5] } }],
    },
  );
  g.output(y);
  const built = g.build();
  // The states are variable tensors without initial data (as in .tflite files).
  const tensors = new Map<string, TensorInfo>(built.tensors);
  for (const id of ["h", "c"]) {
    const { data: _data, ...rest } = tensors.get(id)!;
    tensors.set(id, { ...rest, variable: true });
  }
  return { ...built, tensors };
}

describe("unidirectional_sequence_lstm (int8)", () => {
  it("a 6-step sequence equals six 1-step invocations with the state carried over", () => {
    const r = rng(41);
    const x = randomInts(r, 6 * IN, -128, 127);
    const seq = createInterpreter(lstmGraph([1, 6, IN], false, 7), { registry });
    expect(seq.kernelNames).toEqual(["quant/int8"]);
    const [all] = seq.invoke([Int8Array.from(x)]);
    const step = createInterpreter(lstmGraph([1, 1, IN], false, 7), { registry });
    const outs: number[] = [];
    for (let t = 0; t < 6; t++)
      outs.push(...(step.invoke([Int8Array.from(x.slice(t * IN, (t + 1) * IN))])[0]!.data as Int8Array));
    expect(Array.from(all!.data as Int8Array)).toEqual(outs);
    // Not a constant output: the state matters.
    expect(new Set(outs).size).toBeGreaterThan(3);
  });

  it("time-major input gives the batch-first outputs transposed", () => {
    const r = rng(42);
    const [B, T] = [2, 3];
    const xb = randomInts(r, B * T * IN, -128, 127); // [B, T, IN]
    const xt = new Array<number>(xb.length);
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++)
        for (let i = 0; i < IN; i++) xt[(t * B + b) * IN + i] = xb[(b * T + t) * IN + i]!;
    const yb = createInterpreter(lstmGraph([B, T, IN], false, 9), { registry }).invoke([
      Int8Array.from(xb),
    ])[0]!.data as Int8Array;
    const yt = createInterpreter(lstmGraph([T, B, IN], true, 9), { registry }).invoke([
      Int8Array.from(xt),
    ])[0]!.data as Int8Array;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        for (let u = 0; u < UNITS; u++) expect(yt[(t * B + b) * UNITS + u]).toBe(yb[(b * T + t) * UNITS + u]);
      }
    }
  });

  it("resetState restores the hidden state to its zero point", () => {
    const r = rng(43);
    const x = Int8Array.from(randomInts(r, IN, -128, 127));
    const interp = createInterpreter(lstmGraph([1, 1, IN], false, 11), { registry });
    const first = Array.from(interp.invoke([x])[0]!.data as Int8Array);
    const second = Array.from(interp.invoke([x])[0]!.data as Int8Array);
    interp.resetState();
    expect(Array.from(interp.invoke([x])[0]!.data as Int8Array)).toEqual(first);
    expect(second).not.toEqual(first);
  });
});
