/**
 * The binary graph reproduces the float graph it came from: every bit of every binarized layer
 * equals the sign the imported float model computes (@mcu/tensor's float interpreter, itself
 * within 1.4e-6 of onnxruntime on this model), on the first 120 test digits — except where the
 * float value before a sign is exactly 0 (ONNX Sign gives 0, a bit cannot hold it), which is
 * counted. The logits agree to float rounding.
 */
import { createInterpreter, type TensorData } from "@mcu/tensor";
import { unpackSigns } from "../bits.js";
import { binarizeBnn, bnnRegistry, importBnn } from "../testing/bnn.js";
import { mnistTestSet } from "../testing/mnist.js";

const registry = bnnRegistry();

/** NHWC ±1 values of the float model's Sign outputs, by ONNX node name of the sign. */
const SIGNS = ["/2/Sign", "/6/Sign", "/10/Sign"];

it("every bit equals the float model's sign; the logits agree to rounding", async () => {
  const float = importBnn(registry);
  const { graph: binary } = await binarizeBnn(registry, float);
  const floatIt = createInterpreter(float, { registry });
  const binaryIt = createInterpreter(binary, { registry });
  const { inputs } = mnistTestSet();
  let mismatches = 0;
  let zeros = 0;
  let compared = 0;
  let worstLogit = 0;
  for (const x of inputs.slice(0, 120)) {
    const signs = new Map<string, Float32Array>();
    const [yf] = floatIt.invoke([x], {
      afterNode: (e) => {
        if (e.node.op === "core.sign") signs.set(e.node.name, (e.outputs[0]!.data as Float32Array).slice());
      },
    });
    const bits = new Map<string, Int8Array>();
    const [yb] = binaryIt.invoke([x], {
      afterNode: (e) => {
        const t = e.outputs[0]!;
        if (t.dtype === "bit") bits.set(t.name, unpackSigns(t.data as Uint32Array, t.shape));
      },
    });
    for (const s of SIGNS) {
      const f = signs.get(s)!;
      const b = bits.get(`${s}_output_0`) ?? bits.get(`${s}:bits`)!;
      expect(b.length).toBe(f.length);
      for (let i = 0; i < f.length; i++) {
        compared++;
        if (f[i] === 0) {
          zeros++;
          if (b[i] !== 1) mismatches++;
        } else if (f[i] !== b[i]) {
          mismatches++;
        }
      }
    }
    const a = yf!.data as TensorData;
    const c = yb!.data as TensorData;
    const scale = Math.max(...Array.from(a as Float32Array, Math.abs));
    for (let i = 0; i < a.length; i++)
      worstLogit = Math.max(worstLogit, Math.abs(Number(a[i]) - Number(c[i])) / scale);
  }
  expect(compared).toBe(120 * (28 * 28 * 32 + 14 * 14 * 64 + 7 * 7 * 64));
  expect(zeros).toBe(0); // no exact zero before a Sign on these digits
  expect(mismatches).toBe(0);
  expect(worstLogit).toBeLessThan(1e-5);
});
