/** Builds and runs one-node quantized graphs for the kernel tests. */
import {
  type Attrs,
  corePlugin,
  createInterpreter,
  createRegistry,
  type DType,
  type Graph,
  graphBuilder,
  type QuantParams,
  type Registry,
  type TensorData,
} from "@mcu/tensor";
import { quantPlugin } from "../src/plugin.js";

/** The registry the tests run on: core plus @mcu/quant. */
export const registry: Registry = createRegistry([corePlugin, quantPlugin]);

/** A graph input or constant of a one-node test graph. */
export interface TestTensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly quant?: QuantParams;
  /** Constant data; absent for a graph input (then `value` is its runtime data). */
  readonly data?: TensorData;
  readonly value?: TensorData;
}

/** Per-tensor quantization parameters. */
export function q(scale: number, zeroPoint = 0): QuantParams {
  return { scale: [scale], zeroPoint: [zeroPoint] };
}

/** Builds a graph with one node of `op` and runs it once; returns the output data and the kernel used. */
export function runOne(
  op: string,
  inputs: readonly (TestTensor | undefined)[],
  output: { readonly dtype: DType; readonly quant: QuantParams; readonly shape?: readonly number[] },
  attrs: Attrs = {},
): { data: TensorData; kernel: string; graph: Graph } {
  const b = graphBuilder(registry);
  const runtime: TensorData[] = [];
  const ids = inputs.map((t, i) => {
    if (t === undefined) return undefined;
    if (t.data !== undefined) {
      return b.constant(`c${i}`, t.data, t.shape, {
        dtype: t.dtype,
        ...(t.quant !== undefined ? { quant: t.quant } : {}),
      });
    }
    runtime.push(t.value!);
    return b.input(`x${i}`, t.shape, t.dtype, t.quant);
  });
  const y = b.op(op, ids, attrs, {
    outputs: [
      {
        dtype: output.dtype,
        quant: output.quant,
        ...(output.shape !== undefined ? { shape: output.shape } : {}),
      },
    ],
  });
  b.output(y);
  const graph = b.build();
  const interp = createInterpreter(graph, { registry });
  const [out] = interp.invoke(runtime);
  return { data: out!.data, kernel: interp.kernelNames[0]!, graph };
}
