/**
 * IR node → TFLite operator, the inverse of op-import.ts: attributes that TFLite passes as
 * constant tensors become new int32 constants named `<node>/<what>`, so that importing the
 * written file gives back the same graph.
 */
import {
  axisWindow,
  type DType,
  type FusedActivation,
  type Node,
  normalizeAxis,
  type QuantParams,
  type TensorInfo,
} from "@mcu/tensor";
import type { OptionValue, OptionValues } from "./model.js";
import { ENUMS } from "./schema.generated.js";

/** A constant the exporter adds (an attribute TFLite holds as a tensor). */
export interface SyntheticTensor {
  readonly suffix: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data?: readonly number[];
  readonly quant?: QuantParams;
  /** Use exactly this name (made unique) instead of `<node>/<suffix>`. */
  readonly name?: string;
}

/** An operand of an exported operator: a graph tensor id, "" (absent), or a new constant. */
export type Operand = string | SyntheticTensor;

/** The TFLite operator an IR node becomes. */
export interface ExportedOp {
  readonly builtin: string;
  readonly customCode?: string;
  readonly inputs: readonly Operand[];
  readonly optionsTable?: string;
  readonly options?: OptionValues;
  readonly customOptions?: Uint8Array;
  /** TFLite `intermediates` (the LSTM's), as new tensors. */
  readonly intermediates?: readonly SyntheticTensor[];
}

/** What an exporter sees of one node. */
export interface ExportContext {
  readonly node: Node;
  /** Input `i`'s tensor (undefined when absent). */
  input(i: number): TensorInfo | undefined;
  output(i: number): TensorInfo;
  /** Stops exporting this node: TFLite cannot express it. */
  unsupported(reason: string): never;
}

type Exporter = (ctx: ExportContext) => ExportedOp;

const ACTIVATION_CODE: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(ENUMS.ActivationFunctionType!).map(([code, name]) => [name, Number(code)]),
);

const activation = (a: unknown): number => ACTIVATION_CODE[a as FusedActivation] ?? 0;
const ints = (v: unknown): readonly number[] => v as readonly number[];
const inputIds = (ctx: ExportContext, count: number): string[] =>
  Array.from({ length: count }, (_, i) => ctx.node.inputs[i] ?? "");

function int32Const(
  suffix: string,
  values: readonly number[],
  shape: readonly number[] = [values.length],
): SyntheticTensor {
  return { suffix, dtype: "int32", shape, data: values };
}

/**
 * TFLite's SAME/VALID for a window whose attributes may say EXPLICIT (ONNX): explicit pads
 * that equal what SAME or VALID computes are written as that; others cannot be.
 */
function windowPadding(ctx: ExportContext, kernel: readonly number[], dilations: readonly number[]): number {
  const { padding, pads, strides } = ctx.node.attrs as {
    padding: string;
    pads: readonly number[];
    strides: readonly number[];
  };
  if (padding === "SAME") return 0;
  if (padding === "VALID") return 1;
  const x = ctx.input(0)!.shape;
  const [top = 0, bottom = 0, left = 0, right = 0] = pads;
  if (top === 0 && bottom === 0 && left === 0 && right === 0) return 1;
  const h = axisWindow(x[1]!, kernel[0]!, strides[0]!, dilations[0]!, "SAME");
  const w = axisWindow(x[2]!, kernel[1]!, strides[1]!, dilations[1]!, "SAME");
  if (h.padBefore === top && h.padAfter === bottom && w.padBefore === left && w.padAfter === right) return 0;
  return ctx.unsupported(`explicit pads [${pads.join(",")}] that are neither SAME nor VALID`);
}

function conv(builtin: "CONV_2D" | "DEPTHWISE_CONV_2D"): Exporter {
  return (ctx) => {
    const a = ctx.node.attrs;
    const w = ctx.input(1)!.shape;
    const dil = ints(a.dilations);
    const options: Record<string, OptionValue> = {
      padding: windowPadding(ctx, [w[1]!, w[2]!], dil),
      stride_w: ints(a.strides)[1]!,
      stride_h: ints(a.strides)[0]!,
      fused_activation_function: activation(a.fusedActivation),
      dilation_w_factor: dil[1]!,
      dilation_h_factor: dil[0]!,
    };
    if (builtin === "DEPTHWISE_CONV_2D") options.depth_multiplier = a.depthMultiplier as number;
    return {
      builtin,
      inputs: inputIds(ctx, 3),
      optionsTable: builtin === "CONV_2D" ? "Conv2DOptions" : "DepthwiseConv2DOptions",
      options,
    };
  };
}

function pool(builtin: string): Exporter {
  return (ctx) => {
    const a = ctx.node.attrs;
    const filter = ints(a.filter);
    const explicit = a.padding === "EXPLICIT" && ints(a.pads).some((p) => p !== 0);
    if (a.countIncludePad === true && explicit) ctx.unsupported("averaging over padding (count_include_pad)");
    return {
      builtin,
      inputs: inputIds(ctx, 1),
      optionsTable: "Pool2DOptions",
      options: {
        padding: windowPadding(ctx, filter, [1, 1]),
        stride_w: ints(a.strides)[1]!,
        stride_h: ints(a.strides)[0]!,
        filter_width: filter[1]!,
        filter_height: filter[0]!,
        fused_activation_function: activation(a.fusedActivation),
      },
    };
  };
}

function binary(builtin: string, optionsTable: string | undefined, fused: boolean, pot = false): Exporter {
  return (ctx) => {
    const a = ctx.node.attrs;
    if (!fused && a.fusedActivation !== undefined && a.fusedActivation !== "NONE") {
      ctx.unsupported(`a fused ${String(a.fusedActivation)}`);
    }
    const options: Record<string, OptionValue> = {};
    if (fused) options.fused_activation_function = activation(a.fusedActivation);
    if (pot) options.pot_scale_int16 = a.potScaleInt16 !== false;
    return {
      builtin,
      inputs: inputIds(ctx, 2),
      ...(optionsTable !== undefined ? { optionsTable, options } : {}),
    };
  };
}

function unary(builtin: string, optionsTable?: string): Exporter {
  return (ctx) => ({
    builtin,
    inputs: inputIds(ctx, 1),
    ...(optionsTable !== undefined ? { optionsTable, options: {} } : {}),
  });
}

function lastAxis(ctx: ExportContext): void {
  const rank = ctx.input(0)!.shape.length;
  if (normalizeAxis(ctx.node.attrs.axis as number, rank, ctx.node.name) !== rank - 1) {
    ctx.unsupported("an axis other than the last");
  }
}

/** The quantized (or float) constant that holds a real padding value in x's type. */
function padValue(x: TensorInfo, value: number): SyntheticTensor {
  const q = x.quant;
  const stored = q === undefined ? value : Math.round(value / q.scale[0]!) + q.zeroPoint[0]!;
  return {
    suffix: "constant_values",
    dtype: x.dtype,
    shape: [],
    data: [stored],
    ...(q !== undefined ? { quant: { scale: [q.scale[0]!], zeroPoint: [q.zeroPoint[0]!] } } : {}),
  };
}

function reshape(ctx: ExportContext, shape: readonly number[]): ExportedOp {
  return {
    builtin: "RESHAPE",
    inputs: [ctx.node.inputs[0]!, int32Const("shape", shape)],
    optionsTable: "ReshapeOptions",
    options: { new_shape: shape },
  };
}

/** Every IR op @mcu writes to TFLite. */
export const EXPORTERS: Readonly<Record<string, Exporter>> = {
  "core.conv2d": conv("CONV_2D"),
  "core.depthwise_conv2d": conv("DEPTHWISE_CONV_2D"),
  "core.transpose_conv2d": (ctx) => {
    const a = ctx.node.attrs;
    if (ints(a.outputPadding).some((p) => p !== 0) && ints(a.outputShape).length !== 4) {
      ctx.unsupported("output padding without an output shape");
    }
    if (a.padding === "EXPLICIT" && ints(a.pads).some((p) => p !== 0)) ctx.unsupported("explicit pads");
    if (ints(a.dilations).some((d) => d !== 1)) ctx.unsupported("dilation");
    const runtimeShape = ctx.node.inputs[3];
    const outputShape: Operand =
      runtimeShape !== undefined && runtimeShape !== ""
        ? runtimeShape
        : int32Const("output_shape", ctx.output(0).shape);
    const bias = ctx.node.inputs[2] ?? "";
    return {
      builtin: "TRANSPOSE_CONV",
      inputs: [outputShape, ctx.node.inputs[1]!, ctx.node.inputs[0]!, ...(bias !== "" ? [bias] : [])],
      optionsTable: "TransposeConvOptions",
      options: {
        padding: a.padding === "SAME" ? 0 : 1,
        stride_w: ints(a.strides)[1]!,
        stride_h: ints(a.strides)[0]!,
        fused_activation_function: activation(a.fusedActivation),
      },
    };
  },
  "core.fully_connected": (ctx) => ({
    builtin: "FULLY_CONNECTED",
    inputs: inputIds(ctx, 3),
    optionsTable: "FullyConnectedOptions",
    options: {
      fused_activation_function: activation(ctx.node.attrs.fusedActivation),
      keep_num_dims: ctx.node.attrs.keepNumDims === true,
    },
  }),
  "core.batch_matmul": (ctx) => ({
    builtin: "BATCH_MATMUL",
    inputs: inputIds(ctx, 2),
    optionsTable: "BatchMatMulOptions",
    options: { adj_x: ctx.node.attrs.transposeA === true, adj_y: ctx.node.attrs.transposeB === true },
  }),
  "core.matmul": (ctx) => EXPORTERS["core.batch_matmul"]!(ctx),
  "core.avg_pool2d": pool("AVERAGE_POOL_2D"),
  "core.max_pool2d": pool("MAX_POOL_2D"),
  "core.mean": (ctx) => ({
    builtin: "MEAN",
    inputs: [ctx.node.inputs[0]!, int32Const("axis", ints(ctx.node.attrs.axes))],
    optionsTable: "ReducerOptions",
    options: { keep_dims: ctx.node.attrs.keepDims === true },
  }),
  "core.add": binary("ADD", "AddOptions", true, true),
  "core.sub": binary("SUB", "SubOptions", true, true),
  "core.mul": binary("MUL", "MulOptions", true),
  "core.div": binary("DIV", "DivOptions", true),
  "core.maximum": binary("MAXIMUM", undefined, false),
  "core.minimum": binary("MINIMUM", undefined, false),
  "core.relu": unary("RELU"),
  "core.relu6": unary("RELU6"),
  "core.tanh": unary("TANH"),
  "core.logistic": unary("LOGISTIC"),
  "core.hard_swish": unary("HARD_SWISH"),
  "core.sign": unary("SIGN"),
  "core.clip": (ctx) => {
    const { min, max } = ctx.node.attrs as { min: number; max: number };
    if (min === -1 && max === 1) return unary("RELU_N1_TO_1")(ctx);
    if (min === 0 && max === 1) return unary("RELU_0_TO_1")(ctx);
    if (min === 0 && max === 6) return unary("RELU6")(ctx);
    if (min === 0 && max === Number.POSITIVE_INFINITY) return unary("RELU")(ctx);
    return ctx.unsupported(`clipping to [${min}, ${max}]`);
  },
  "core.leaky_relu": (ctx) => ({
    builtin: "LEAKY_RELU",
    inputs: inputIds(ctx, 1),
    optionsTable: "LeakyReluOptions",
    options: { alpha: ctx.node.attrs.alpha as number },
  }),
  "core.softmax": (ctx) => {
    lastAxis(ctx);
    return {
      builtin: "SOFTMAX",
      inputs: inputIds(ctx, 1),
      optionsTable: "SoftmaxOptions",
      options: { beta: ctx.node.attrs.beta as number },
    };
  },
  "core.log_softmax": (ctx) => {
    lastAxis(ctx);
    return unary("LOG_SOFTMAX")(ctx);
  },
  "core.quantize": unary("QUANTIZE"),
  "core.dequantize": unary("DEQUANTIZE"),
  "core.cast": unary("CAST"),
  "core.reshape": (ctx) => reshape(ctx, ints(ctx.node.attrs.shape)),
  "core.flatten": (ctx) => reshape(ctx, ctx.output(0).shape),
  "core.squeeze": (ctx) => ({
    builtin: "SQUEEZE",
    inputs: inputIds(ctx, 1),
    optionsTable: "SqueezeOptions",
    options: { squeeze_dims: ints(ctx.node.attrs.axes) },
  }),
  "core.expand_dims": (ctx) => ({
    builtin: "EXPAND_DIMS",
    inputs: [ctx.node.inputs[0]!, int32Const("axis", [ctx.node.attrs.axis as number])],
    optionsTable: "ExpandDimsOptions",
    options: {},
  }),
  "core.transpose": (ctx) => ({
    builtin: "TRANSPOSE",
    inputs: [ctx.node.inputs[0]!, int32Const("perm", ints(ctx.node.attrs.perm))],
    optionsTable: "TransposeOptions",
    options: {},
  }),
  "core.concat": (ctx) => ({
    builtin: "CONCATENATION",
    inputs: [...ctx.node.inputs],
    optionsTable: "ConcatenationOptions",
    options: {
      axis: ctx.node.attrs.axis as number,
      fused_activation_function: activation(ctx.node.attrs.fusedActivation),
    },
  }),
  "core.pad": (ctx) => {
    const a = ctx.node.attrs;
    const x = ctx.input(0)!;
    const paddings = int32Const("paddings", ints(a.paddings), [x.shape.length, 2]);
    if (a.mode === "reflect") {
      return {
        builtin: "MIRROR_PAD",
        inputs: [x.name, paddings],
        optionsTable: "MirrorPadOptions",
        options: { mode: 0 },
      };
    }
    if (a.mode !== "constant") ctx.unsupported(`${String(a.mode)} padding`);
    if (a.value === 0)
      return { builtin: "PAD", inputs: [x.name, paddings], optionsTable: "PadOptions", options: {} };
    return {
      builtin: "PADV2",
      inputs: [x.name, paddings, padValue(x, a.value as number)],
      optionsTable: "PadV2Options",
      options: {},
    };
  },
  "core.slice": (ctx) => ({
    builtin: "SLICE",
    inputs: [
      ctx.node.inputs[0]!,
      int32Const("begin", ints(ctx.node.attrs.begin)),
      int32Const("size", ints(ctx.node.attrs.size)),
    ],
    optionsTable: "SliceOptions",
    options: {},
  }),
  "core.strided_slice": (ctx) => {
    const a = ctx.node.attrs;
    return {
      builtin: "STRIDED_SLICE",
      inputs: [
        ctx.node.inputs[0]!,
        int32Const("begin", ints(a.begin)),
        int32Const("end", ints(a.end)),
        int32Const("strides", ints(a.strides)),
      ],
      optionsTable: "StridedSliceOptions",
      options: {
        begin_mask: a.beginMask as number,
        end_mask: a.endMask as number,
        ellipsis_mask: a.ellipsisMask as number,
        new_axis_mask: a.newAxisMask as number,
        shrink_axis_mask: a.shrinkAxisMask as number,
        offset: a.offset === true,
      },
    };
  },
  "core.svdf": (ctx) => ({
    builtin: "SVDF",
    inputs: inputIds(ctx, 5),
    optionsTable: "SVDFOptions",
    options: {
      rank: ctx.node.attrs.rank as number,
      fused_activation_function: activation(ctx.node.attrs.fusedActivation),
      asymmetric_quantize_inputs: ctx.node.attrs.asymmetricQuantizeInputs === true,
    },
  }),
  "core.unidirectional_sequence_lstm": (ctx) => {
    const a = ctx.node.attrs;
    const names = a.intermediateNames as readonly string[];
    const dtypes = a.intermediateDtypes as readonly string[];
    const scales = a.intermediateScales as readonly number[];
    const zeros = a.intermediateZeroPoints as readonly number[];
    const intermediates = names.map(
      (name, i): SyntheticTensor => ({
        suffix: `intermediate${i}`,
        name,
        dtype: (dtypes[i] ?? "float32") as DType,
        shape: [0],
        ...((scales[i] ?? 0) > 0 ? { quant: { scale: [scales[i]!], zeroPoint: [zeros[i] ?? 0] } } : {}),
      }),
    );
    return {
      builtin: "UNIDIRECTIONAL_SEQUENCE_LSTM",
      inputs: inputIds(ctx, ctx.node.inputs.length <= 20 ? 20 : 24),
      optionsTable: "UnidirectionalSequenceLSTMOptions",
      options: {
        fused_activation_function: activation(a.fusedActivation),
        cell_clip: a.cellClip as number,
        proj_clip: a.projClip as number,
        time_major: a.timeMajor === true,
        asymmetric_quantize_inputs: a.asymmetricQuantizeInputs === true,
        diagonal_recurrent_tensors: a.diagonalRecurrentTensors === true,
      },
      ...(intermediates.length > 0 ? { intermediates } : {}),
    };
  },
  "core.custom": (ctx) => {
    const a = ctx.node.attrs;
    if (a.format !== "flexbuffers" && a.format !== "")
      ctx.unsupported(`custom options in format "${String(a.format)}"`);
    const options = a.options as Uint8Array;
    return {
      builtin: "CUSTOM",
      customCode: a.customCode as string,
      inputs: [...ctx.node.inputs],
      ...(options.length > 0 ? { customOptions: options } : {}),
    };
  },
};
