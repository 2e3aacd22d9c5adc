/**
 * TFLite builtin operator → IR node, one entry per builtin. Inputs that TFLite passes as
 * constant tensors but the IR holds as attributes (RESHAPE's shape, PAD's paddings, MEAN's
 * axis, ...) are read and "absorbed"; everything else keeps TFLite's meaning, since the IR's
 * layouts are TFLite's (NHWC activations, OHWI conv weights, 1HWC depthwise weights).
 * Option names and defaults: schema.fbs; operand orders: tensorflow/lite/kernels/*.cc.
 */
import { type Attrs, type DType, FUSED_ACTIVATIONS, type FusedActivation } from "@mcu/tensor";
import type { Operator, OptionValue } from "./model.js";
import { type OptionsTable, optionsTable } from "./options.js";
import { ENUMS } from "./schema.generated.js";

/** Thrown by an importer for a use of an op that @mcu cannot represent. */
export class UnsupportedUse extends Error {}

/** What an op importer sees of one operator. */
export interface ImportContext {
  readonly index: number;
  readonly builtin: string;
  readonly operator: Operator;
  /** Tensor index of input `pos` (−1 when absent or beyond the list). */
  input(pos: number): number;
  /** The IR dtype of input `pos` (undefined when absent or unsupported). */
  dtype(pos: number): DType | undefined;
  /** The recorded shape of input `pos` (undefined when absent). */
  shape(pos: number): readonly number[] | undefined;
  /** The recorded shape of output `pos`. */
  outputShape(pos: number): readonly number[];
  /** The IR dtype of output `pos`. */
  outputDtype(pos: number): DType | undefined;
  /** True if input `pos` holds constant data. */
  isConstant(pos: number): boolean;
  /** The values of a constant integer input (int32/int64), or UnsupportedUse. */
  constInts(pos: number, what: string): number[];
  /** The real value of a constant scalar input (dequantized when quantized). */
  constReal(pos: number, what: string): number;
  /** An option field (schema default when absent). */
  opt(field: string): OptionValue;
  /** Stops importing this operator: it uses a feature @mcu does not support. */
  unsupported(reason: string): never;
}

/** The IR node an importer makes: TFLite tensor indices (−1 absent) for its inputs. */
export interface ImportedNode {
  readonly op: string;
  readonly inputs: readonly number[];
  readonly attrs: Attrs;
  /** Constant inputs turned into attributes. */
  readonly absorbed?: readonly number[];
}

/** How one builtin imports. */
export interface OpImporter {
  /** The options table the builtin uses, if any. */
  readonly options?: string;
  readonly import: (ctx: ImportContext) => ImportedNode;
}

/** The options table of an importer (for the graph importer's type check). */
export function importerOptions(importer: OpImporter): OptionsTable | undefined {
  return importer.options === undefined ? undefined : optionsTable(importer.options);
}

const num = (ctx: ImportContext, field: string): number => Number(ctx.opt(field));
const bool = (ctx: ImportContext, field: string): boolean => ctx.opt(field) === true;

function activation(ctx: ImportContext, field = "fused_activation_function"): FusedActivation {
  const code = num(ctx, field);
  const name = ENUMS.ActivationFunctionType![code];
  if (name === undefined || !(FUSED_ACTIVATIONS as readonly string[]).includes(name)) {
    ctx.unsupported(`fused activation ${name ?? code}`);
  }
  return name as FusedActivation;
}

function padding(ctx: ImportContext): "SAME" | "VALID" {
  const code = num(ctx, "padding");
  if (code === 0) return "SAME";
  if (code === 1) return "VALID";
  return ctx.unsupported(`padding ${code}`);
}

/** The first `count` inputs, −1 for absent ones. */
function firstInputs(ctx: ImportContext, count: number): number[] {
  return Array.from({ length: count }, (_, i) => ctx.input(i));
}

function requireInputs(ctx: ImportContext, positions: readonly number[]): void {
  for (const p of positions) if (ctx.input(p) < 0) ctx.unsupported(`input ${p} is missing`);
}

function conv2d(ctx: ImportContext): ImportedNode {
  requireInputs(ctx, [0, 1]);
  const x = ctx.shape(0);
  const w = ctx.shape(1);
  // TFLite grouped convolution: the filter's input channels divide the input's (conv.cc).
  const groups =
    x !== undefined && w !== undefined && x.length === 4 && w.length === 4 && w[3]! > 0 ? x[3]! / w[3]! : 1;
  return {
    op: "core.conv2d",
    inputs: firstInputs(ctx, 3),
    attrs: {
      strides: [num(ctx, "stride_h"), num(ctx, "stride_w")],
      dilations: [num(ctx, "dilation_h_factor"), num(ctx, "dilation_w_factor")],
      padding: padding(ctx),
      fusedActivation: activation(ctx),
      groups: Number.isInteger(groups) && groups >= 1 ? groups : 1,
    },
  };
}

function depthwiseConv2d(ctx: ImportContext): ImportedNode {
  requireInputs(ctx, [0, 1]);
  const x = ctx.shape(0);
  const w = ctx.shape(1);
  // depth_multiplier is "redundant" (schema.fbs) and 0 in some files: derive it from shapes.
  const derived =
    x !== undefined && w !== undefined && x.length === 4 && w.length === 4 && x[3]! > 0 ? w[3]! / x[3]! : 0;
  const m = Number.isInteger(derived) && derived >= 1 ? derived : num(ctx, "depth_multiplier");
  return {
    op: "core.depthwise_conv2d",
    inputs: firstInputs(ctx, 3),
    attrs: {
      strides: [num(ctx, "stride_h"), num(ctx, "stride_w")],
      dilations: [num(ctx, "dilation_h_factor"), num(ctx, "dilation_w_factor")],
      padding: padding(ctx),
      fusedActivation: activation(ctx),
      depthMultiplier: m,
    },
  };
}

function pool(op: string): OpImporter {
  return {
    options: "Pool2DOptions",
    import: (ctx) => ({
      op,
      inputs: firstInputs(ctx, 1),
      attrs: {
        filter: [num(ctx, "filter_height"), num(ctx, "filter_width")],
        strides: [num(ctx, "stride_h"), num(ctx, "stride_w")],
        padding: padding(ctx),
        fusedActivation: activation(ctx),
      },
    }),
  };
}

function binary(op: string, options: string, fused: boolean, pot = false): OpImporter {
  return {
    options,
    import: (ctx) => ({
      op,
      inputs: firstInputs(ctx, 2),
      attrs: {
        ...(fused ? { fusedActivation: activation(ctx) } : {}),
        ...(pot ? { potScaleInt16: bool(ctx, "pot_scale_int16") } : {}),
      },
    }),
  };
}

function unary(op: string, attrs: Attrs = {}, options?: string): OpImporter {
  return {
    ...(options !== undefined ? { options } : {}),
    import: (ctx) => ({ op, inputs: firstInputs(ctx, 1), attrs }),
  };
}

/** A constant attribute input: its values and the input to absorb. */
function constantInput(
  ctx: ImportContext,
  pos: number,
  what: string,
): { values: number[]; absorbed: number } {
  if (ctx.input(pos) < 0) ctx.unsupported(`the ${what} input is missing`);
  return { values: ctx.constInts(pos, what), absorbed: ctx.input(pos) };
}

/** Row-major [rank, 2] paddings are already [before0, after0, before1, after1, ...]. */
function padImporter(constantValue: boolean): OpImporter {
  return {
    options: constantValue ? "PadV2Options" : "PadOptions",
    import(ctx) {
      const paddings = constantInput(ctx, 1, "paddings");
      const absorbed = [paddings.absorbed];
      let value = 0;
      if (constantValue && ctx.input(2) >= 0) {
        value = ctx.constReal(2, "constant_values");
        absorbed.push(ctx.input(2));
      }
      return {
        op: "core.pad",
        inputs: [ctx.input(0)],
        attrs: { paddings: paddings.values, mode: "constant", value },
        absorbed,
      };
    },
  };
}

function lstm(ctx: ImportContext): ImportedNode {
  const count = ctx.operator.inputs.length;
  if (count !== 20 && count !== 24) ctx.unsupported(`${count} inputs (expected 20 or 24)`);
  requireInputs(ctx, [0, 2, 3, 4, 6, 7, 8, 13, 14, 15, 18, 19]);
  return {
    op: "core.unidirectional_sequence_lstm",
    inputs: firstInputs(ctx, count),
    attrs: {
      fusedActivation: activation(ctx),
      cellClip: num(ctx, "cell_clip"),
      projClip: num(ctx, "proj_clip"),
      timeMajor: bool(ctx, "time_major"),
      asymmetricQuantizeInputs: bool(ctx, "asymmetric_quantize_inputs"),
      diagonalRecurrentTensors: bool(ctx, "diagonal_recurrent_tensors"),
    },
  };
}

/** Every builtin @mcu imports, by TFLite name. */
export const IMPORTERS: Readonly<Record<string, OpImporter>> = {
  CONV_2D: { options: "Conv2DOptions", import: conv2d },
  DEPTHWISE_CONV_2D: { options: "DepthwiseConv2DOptions", import: depthwiseConv2d },
  TRANSPOSE_CONV: {
    options: "TransposeConvOptions",
    import(ctx) {
      // Operands: output_shape, weights, input, bias? (transpose_conv.cc).
      requireInputs(ctx, [0, 1, 2]);
      const attrs = {
        strides: [num(ctx, "stride_h"), num(ctx, "stride_w")],
        padding: padding(ctx),
        fusedActivation: activation(ctx),
      };
      if (ctx.isConstant(0)) {
        const shape = constantInput(ctx, 0, "output_shape");
        return {
          op: "core.transpose_conv2d",
          inputs: [ctx.input(2), ctx.input(1), ctx.input(3)],
          attrs: { ...attrs, outputShape: shape.values },
          absorbed: [shape.absorbed],
        };
      }
      // A runtime output_shape (seanet): the static shape is the recorded output's.
      return {
        op: "core.transpose_conv2d",
        inputs: [ctx.input(2), ctx.input(1), ctx.input(3), ctx.input(0)],
        attrs: { ...attrs, outputShape: [...ctx.outputShape(0)] },
      };
    },
  },
  FULLY_CONNECTED: {
    options: "FullyConnectedOptions",
    import(ctx) {
      requireInputs(ctx, [0, 1]);
      if (num(ctx, "weights_format") !== 0) ctx.unsupported("shuffled weights");
      return {
        op: "core.fully_connected",
        inputs: firstInputs(ctx, 3),
        attrs: { fusedActivation: activation(ctx), keepNumDims: bool(ctx, "keep_num_dims") },
      };
    },
  },
  BATCH_MATMUL: {
    options: "BatchMatMulOptions",
    import: (ctx) => ({
      op: "core.batch_matmul",
      inputs: firstInputs(ctx, 2),
      attrs: { transposeA: bool(ctx, "adj_x"), transposeB: bool(ctx, "adj_y") },
    }),
  },
  AVERAGE_POOL_2D: pool("core.avg_pool2d"),
  MAX_POOL_2D: pool("core.max_pool2d"),
  MEAN: {
    options: "ReducerOptions",
    import(ctx) {
      const axes = constantInput(ctx, 1, "axis");
      return {
        op: "core.mean",
        inputs: [ctx.input(0)],
        attrs: { axes: axes.values, keepDims: bool(ctx, "keep_dims") },
        absorbed: [axes.absorbed],
      };
    },
  },
  ADD: binary("core.add", "AddOptions", true, true),
  SUB: binary("core.sub", "SubOptions", true, true),
  MUL: binary("core.mul", "MulOptions", true),
  DIV: binary("core.div", "DivOptions", true),
  MAXIMUM: binary("core.maximum", "MaximumMinimumOptions", false),
  MINIMUM: binary("core.minimum", "MaximumMinimumOptions", false),
  RELU: unary("core.relu"),
  RELU6: unary("core.relu6"),
  RELU_N1_TO_1: unary("core.clip", { min: -1, max: 1 }),
  RELU_0_TO_1: unary("core.clip", { min: 0, max: 1 }),
  TANH: unary("core.tanh"),
  LOGISTIC: unary("core.logistic"),
  HARD_SWISH: unary("core.hard_swish", {}, "HardSwishOptions"),
  SIGN: unary("core.sign", {}, "SignOptions"),
  LEAKY_RELU: {
    options: "LeakyReluOptions",
    import: (ctx) => ({
      op: "core.leaky_relu",
      inputs: firstInputs(ctx, 1),
      attrs: { alpha: num(ctx, "alpha") },
    }),
  },
  SOFTMAX: {
    options: "SoftmaxOptions",
    import: (ctx) => ({
      op: "core.softmax",
      inputs: firstInputs(ctx, 1),
      attrs: { beta: num(ctx, "beta"), axis: -1 },
    }),
  },
  LOG_SOFTMAX: unary("core.log_softmax", { axis: -1 }, "LogSoftmaxOptions"),
  QUANTIZE: unary("core.quantize", {}, "QuantizeOptions"),
  DEQUANTIZE: unary("core.dequantize", {}, "DequantizeOptions"),
  CAST: {
    options: "CastOptions",
    import(ctx) {
      const to = ctx.outputDtype(0);
      if (to === undefined) return ctx.unsupported("an output type @mcu lacks");
      return { op: "core.cast", inputs: firstInputs(ctx, 1), attrs: { to } };
    },
  },
  RESHAPE: {
    options: "ReshapeOptions",
    import(ctx) {
      // The shape comes from a constant second input, else new_shape, else the recorded output.
      if (ctx.input(1) >= 0 && ctx.isConstant(1)) {
        const shape = constantInput(ctx, 1, "shape");
        return {
          op: "core.reshape",
          inputs: [ctx.input(0)],
          attrs: { shape: shape.values },
          absorbed: [shape.absorbed],
        };
      }
      const newShape = ctx.opt("new_shape") as readonly number[];
      const shape = ctx.input(1) < 0 && newShape.length > 0 ? [...newShape] : [...ctx.outputShape(0)];
      return { op: "core.reshape", inputs: [ctx.input(0)], attrs: { shape } };
    },
  },
  SQUEEZE: {
    options: "SqueezeOptions",
    import: (ctx) => ({
      op: "core.squeeze",
      inputs: firstInputs(ctx, 1),
      attrs: { axes: [...(ctx.opt("squeeze_dims") as readonly number[])] },
    }),
  },
  EXPAND_DIMS: {
    options: "ExpandDimsOptions",
    import(ctx) {
      const axis = constantInput(ctx, 1, "axis");
      if (axis.values.length !== 1) ctx.unsupported(`an axis input of ${axis.values.length} values`);
      return {
        op: "core.expand_dims",
        inputs: [ctx.input(0)],
        attrs: { axis: axis.values[0]! },
        absorbed: [axis.absorbed],
      };
    },
  },
  TRANSPOSE: {
    options: "TransposeOptions",
    import(ctx) {
      const perm = constantInput(ctx, 1, "perm");
      return {
        op: "core.transpose",
        inputs: [ctx.input(0)],
        attrs: { perm: perm.values },
        absorbed: [perm.absorbed],
      };
    },
  },
  CONCATENATION: {
    options: "ConcatenationOptions",
    import: (ctx) => ({
      op: "core.concat",
      inputs: [...ctx.operator.inputs],
      attrs: { axis: num(ctx, "axis"), fusedActivation: activation(ctx) },
    }),
  },
  PAD: padImporter(false),
  PADV2: padImporter(true),
  MIRROR_PAD: {
    options: "MirrorPadOptions",
    import(ctx) {
      if (num(ctx, "mode") !== 0) ctx.unsupported("SYMMETRIC mode");
      const paddings = constantInput(ctx, 1, "paddings");
      return {
        op: "core.pad",
        inputs: [ctx.input(0)],
        attrs: { paddings: paddings.values, mode: "reflect" },
        absorbed: [paddings.absorbed],
      };
    },
  },
  SLICE: {
    options: "SliceOptions",
    import(ctx) {
      const begin = constantInput(ctx, 1, "begin");
      const size = constantInput(ctx, 2, "size");
      return {
        op: "core.slice",
        inputs: [ctx.input(0)],
        attrs: { begin: begin.values, size: size.values },
        absorbed: [begin.absorbed, size.absorbed],
      };
    },
  },
  STRIDED_SLICE: {
    options: "StridedSliceOptions",
    import(ctx) {
      const begin = constantInput(ctx, 1, "begin");
      const end = constantInput(ctx, 2, "end");
      const strides = ctx.input(3) >= 0 ? constantInput(ctx, 3, "strides") : undefined;
      return {
        op: "core.strided_slice",
        inputs: [ctx.input(0)],
        attrs: {
          begin: begin.values,
          end: end.values,
          strides: strides?.values ?? begin.values.map(() => 1),
          beginMask: num(ctx, "begin_mask"),
          endMask: num(ctx, "end_mask"),
          ellipsisMask: num(ctx, "ellipsis_mask"),
          newAxisMask: num(ctx, "new_axis_mask"),
          shrinkAxisMask: num(ctx, "shrink_axis_mask"),
          offset: bool(ctx, "offset"),
        },
        absorbed: [begin.absorbed, end.absorbed, ...(strides !== undefined ? [strides.absorbed] : [])],
      };
    },
  },
  SVDF: {
    options: "SVDFOptions",
    import(ctx) {
      requireInputs(ctx, [0, 1, 2, 4]);
      return {
        op: "core.svdf",
        inputs: firstInputs(ctx, 5),
        attrs: {
          rank: num(ctx, "rank"),
          fusedActivation: activation(ctx),
          asymmetricQuantizeInputs: bool(ctx, "asymmetric_quantize_inputs"),
        },
      };
    },
  },
  UNIDIRECTIONAL_SEQUENCE_LSTM: { options: "UnidirectionalSequenceLSTMOptions", import: lstm },
};
