/**
 * C kernels of the element-wise ops of one 8-bit input — logistic, tanh, relu, relu6, leaky_relu,
 * hard_swish and the integer QUANTIZE (requantize) from int8/uint8 — as one 256-entry lookup table
 * per node. An int8 (or uint8) input has only 256 values, so the generator runs the TS kernel's
 * own function (runLogistic, runTanh, runRelu, runLeakyRelu, runHardSwish, runRequantize, with
 * the parameters their prepare functions compute) on all of them, and the C reads the table:
 * identical bytes by construction, 1–2 KB of flash per node, about four instructions per element.
 */
import type { CEmitContext, CKernelContext, CKernelDef, CSupportCode } from "@mcu/codegen-c";
import {
  hardSwishOp,
  leakyReluOp,
  logisticOp,
  numElements,
  quantizeOp,
  relu6Op,
  reluOp,
  type TensorInfo,
  tanhOp,
} from "@mcu/tensor";
import {
  prepareHardSwishParams,
  prepareLeakyReluParams,
  prepareReluParams,
  runHardSwish,
  runLeakyRelu,
  runRelu,
} from "../kernels/activations.js";
import type { IntArray } from "../kernels/common.js";
import { prepareLogisticTanhParams, runLogistic, runTanh } from "../kernels/logistic-tanh.js";
import type { QuantKernelOptions } from "../kernels/options.js";
import { prepareRequantizeParams, runRequantize } from "../kernels/requantize.js";
import { isPerTensor } from "../quant-info.js";
import { INT8_C } from "./conv.js";
import { INT16X8_C } from "./int16x8.js";

/** y = f(x) for 8-bit x through the table; out: uint8_t (any 8-bit output) or int16_t. */
function lutSupport(out: "uint8_t" | "int16_t"): CSupportCode {
  const sfx = out === "uint8_t" ? "8" : "16";
  return {
    id: `quant/lut8-${sfx}`,
    code: `
/* y[i] = lut[byte of x[i]]: an element-wise function of an 8-bit input, tabulated at generation time. */
static void mcu_q_lut8_${sfx}(const uint8_t *x, ${out} *y, int32_t n, const ${out} *lut) {
  int32_t i;
  for (i = 0; i < n; i++) y[i] = lut[x[i]];
}`,
  };
}

/** The 256 input values in byte order: byte b holds b (uint8) or b − 256·[b ≥ 128] (int8). */
function allValues(dtype: string): Int8Array | Uint8Array {
  const bytes = Uint8Array.from({ length: 256 }, (_, b) => b);
  return dtype === "int8" ? new Int8Array(bytes.buffer) : bytes;
}

type Tabulate = (
  x: TensorInfo,
  y: TensorInfo,
  attrs: Record<string, unknown>,
  values: IntArray,
  out: IntArray,
) => void;

/** Builds a table kernel for one op from its TS prepare-and-run. */
function lutKernel(
  op: { readonly name: string },
  inputs: readonly string[],
  outputs: readonly string[],
  tabulate: Tabulate,
): CKernelDef {
  return {
    op: op.name,
    variant: outputs.includes("int16") ? INT16X8_C : INT8_C,
    supports: (ctx: CKernelContext) => {
      const [x] = ctx.inputs;
      const y = ctx.outputs[0];
      return (
        isPerTensor(x, inputs as never) &&
        isPerTensor(y, outputs as never) &&
        inputs.includes(x!.dtype) &&
        outputs.includes(y!.dtype)
      );
    },
    emit: (ctx: CEmitContext) => {
      const x = ctx.inputs[0]!;
      const y = ctx.outputs[0]!;
      const values = allValues(x.dtype);
      const out =
        y.dtype === "int16"
          ? new Int16Array(256)
          : y.dtype === "uint8"
            ? new Uint8Array(256)
            : new Int8Array(256);
      tabulate(x, y, ctx.attrs, values, out);
      const wide = y.dtype === "int16";
      const table = wide
        ? ctx.constArray("lut", "int16_t", out)
        : ctx.constArray("lut", "uint8_t", new Uint8Array(out.buffer, out.byteOffset, 256));
      const n = numElements(x.shape);
      return {
        support: [lutSupport(wide ? "int16_t" : "uint8_t")],
        code: `mcu_q_lut8_${wide ? "16" : "8"}((const uint8_t *)(const void *)${ctx.input(0)}, (${wide ? "int16_t" : "uint8_t"} *)(void *)${ctx.output(0)}, ${n}, ${table});`,
      };
    },
  };
}

/** The table C kernels of the 8-bit element-wise ops. */
export function lutCKernels(options?: QuantKernelOptions): CKernelDef[] {
  const int8 = ["int8"];
  const requantize: Tabulate = (x, y, _a, v, out) =>
    runRequantize(prepareRequantizeParams(x, y, options), v, out);
  return [
    lutKernel(logisticOp, int8, int8, (x, _y, _a, v, out) =>
      runLogistic(prepareLogisticTanhParams(x, false, options), v, out),
    ),
    lutKernel(tanhOp, int8, int8, (x, _y, _a, v, out) =>
      runTanh(prepareLogisticTanhParams(x, true, options), v, out),
    ),
    lutKernel(reluOp, int8, int8, (x, y, _a, v, out) =>
      runRelu(prepareReluParams(x, y, Number.POSITIVE_INFINITY, options), v, out),
    ),
    lutKernel(relu6Op, int8, int8, (x, y, _a, v, out) =>
      runRelu(prepareReluParams(x, y, 6, options), v, out),
    ),
    lutKernel(leakyReluOp, int8, int8, (x, y, a, v, out) =>
      runLeakyRelu(prepareLeakyReluParams(x, y, a.alpha as number, options), v, out),
    ),
    lutKernel(hardSwishOp, int8, int8, (x, y, _a, v, out) =>
      runHardSwish(prepareHardSwishParams(x, y), v, out),
    ),
    lutKernel(quantizeOp, ["int8", "uint8"], ["int8", "uint8"], requantize),
    lutKernel(quantizeOp, ["int8", "uint8"], ["int16"], requantize),
  ];
}
