/**
 * EXPLICIT (ONNX-style) window pads rewritten into what TFLite holds: TFLite's CONV_2D,
 * DEPTHWISE_CONV_2D, the pools and TRANSPOSE_CONV know only SAME and VALID
 * (tensorflow/lite/kernels/padding.h), so other pads become a PAD/PADV2 before a VALID op.
 */
import {
  type Attrs,
  type DType,
  dtypeRange,
  type GraphEditor,
  type Node,
  type TensorInfo,
  transposeConvAxis,
  window2d,
} from "@mcu/tensor";

/** Reports a note about the rewrite (the pass's `ctx.report`). */
export type LegalizeReport = (d: { readonly node: string; readonly message: string }) => void;

const PADDED_WINDOW_OPS = new Set([
  "core.conv2d",
  "core.depthwise_conv2d",
  "core.max_pool2d",
  "core.avg_pool2d",
]);

/** Dtypes TFLite's PAD/PADV2 run on (tensorflow/lite/kernels/pad.cc). */
const PADDABLE: ReadonlySet<DType> = new Set<DType>(["float32", "int8", "uint8", "int16", "int32"]);

/** Rounds half away from zero (std::round), as the IR's pad kernel quantizes its value. */
const roundHalfAway = (v: number): number => (v < 0 ? -Math.round(-v) : Math.round(v));

/**
 * The real value to pad a max pool's input with so that padding never wins: −∞ for float32;
 * for an integer tensor the real value of the dtype's lowest stored value (−128 for int8),
 * chosen so that both the IR's pad kernel (round half away from zero) and the writer's PADV2
 * constant (Math.round) store exactly that lowest value. Undefined when no such value exists.
 */
export function lowestPadValue(x: TensorInfo): number | undefined {
  if (!PADDABLE.has(x.dtype)) return undefined;
  if (x.dtype === "float32") return x.quant === undefined ? Number.NEGATIVE_INFINITY : undefined;
  const { min } = dtypeRange(x.dtype);
  const q = x.quant;
  if (q === undefined) return min;
  if (q.scale.length !== 1 || q.zeroPoint.length !== 1) return undefined;
  const scale = q.scale[0]!;
  const zeroPoint = q.zeroPoint[0]!;
  const value = (min - zeroPoint) * scale;
  const exact =
    roundHalfAway(value / scale) + zeroPoint === min && Math.round(value / scale) + zeroPoint === min;
  return exact ? value : undefined;
}

const ints = (v: unknown): readonly number[] => v as readonly number[];
const samePads = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/** The [kh, kw] of a padded window op. */
function kernelOf(node: Node, editor: GraphEditor): readonly number[] {
  if (node.op === "core.max_pool2d" || node.op === "core.avg_pool2d") return ints(node.attrs.filter);
  const w = editor.tensor(node.inputs[1]!).shape;
  return [w[1]!, w[2]!];
}

/**
 * Adds `op` as a node that writes the existing tensor `output` (so graph outputs and readers
 * keep their tensor) instead of a new one.
 */
export function addNodeWriting(
  editor: GraphEditor,
  op: string,
  inputs: readonly string[],
  attrs: Attrs,
  output: string,
  name: string,
): void {
  editor.addNode(op, inputs, attrs, { name });
  const added = editor.currentNodes[editor.currentNodes.length - 1]!;
  editor.replaceNode(added.name, { ...added, outputs: [output] });
  editor.deleteTensors(added.outputs);
}

/** Rewrites one conv/depthwise/pool node with EXPLICIT padding; false when TFLite cannot hold it. */
function legalizeWindow(node: Node, editor: GraphEditor, report: LegalizeReport): boolean {
  const a = node.attrs;
  const pads = ints(a.pads);
  if (pads.some((p) => p < 0)) return false;
  const x = editor.tensor(node.inputs[0]!);
  const y = editor.tensor(node.outputs[0]!);
  const [kh, kw] = kernelOf(node, editor) as [number, number];
  const strides = ints(a.strides);
  const dilations = node.op.endsWith("pool2d") ? [1, 1] : ints(a.dilations);
  const includePad = node.op === "core.avg_pool2d" && a.countIncludePad === true;
  const described = `explicit pads [${pads.join(",")}]`;

  if (pads.every((p) => p === 0)) {
    editor.replaceNode(node.name, { ...node, attrs: { ...a, padding: "VALID" } });
    return true;
  }
  // TFLite's SAME: the pads TFLite computes (and the same output size). Not for an average
  // that counts the pads: TFLite's AVERAGE_POOL_2D divides by the in-bounds count only.
  const same = window2d(x.shape[1]!, x.shape[2]!, kh, kw, strides, dilations, "SAME", []);
  const sameSides = [same.padTop, same.padBottom, same.padLeft, same.padRight];
  if (!includePad && samePads(pads, sameSides) && same.outH === y.shape[1] && same.outW === y.shape[2]) {
    editor.replaceNode(node.name, { ...node, attrs: { ...a, padding: "SAME" } });
    return true;
  }

  // Otherwise PAD before a VALID window, padding with a value the window treats as absent:
  // real 0 for convolutions (the zero point when quantized) and for an average that counts
  // the pads; the lowest value for a max pool. An average that excludes the pads from its
  // divisor has no such value.
  let value: number | undefined;
  if (node.op === "core.max_pool2d") value = lowestPadValue(x);
  else if (node.op !== "core.avg_pool2d" || includePad) value = PADDABLE.has(x.dtype) ? 0 : undefined;
  if (value === undefined || (x.quant !== undefined && x.quant.scale.length !== 1)) return false;
  const [top, bottom, left, right] = pads as [number, number, number, number];
  const [padded] = editor.addNode(
    "core.pad",
    [x.name],
    { paddings: [0, 0, top, bottom, left, right, 0, 0], mode: "constant", value },
    {
      name: `${node.name}/pad`,
      ...(x.quant !== undefined ? { outputs: [{ dtype: x.dtype, quant: x.quant }] } : {}),
    },
  );
  editor.replaceNode(node.name, {
    ...node,
    inputs: [padded!, ...node.inputs.slice(1)],
    attrs: { ...a, padding: "VALID", pads: [0, 0, 0, 0] },
  });
  report({ node: node.name, message: `${described} → PAD (${value}) + VALID ${node.op}` });
  return true;
}

/**
 * Rewrites a transpose_conv2d with EXPLICIT pads. TFLite's TRANSPOSE_CONV takes an output shape
 * and SAME/VALID, and crops padBefore rows computed from that output as if it were the input of
 * the forward convolution (TransposeConv in tensorflow/lite/kernels/transpose_conv.cc). When
 * SAME or VALID crops exactly the explicit begin pads, that is the op; otherwise the VALID result
 * (nothing cropped) is followed by a SLICE of the explicit window, when the window lies inside it.
 */
function legalizeTransposeConv(node: Node, editor: GraphEditor, report: LegalizeReport): boolean {
  const a = node.attrs;
  const pads = ints(a.pads);
  const dilations = ints(a.dilations);
  if (pads.some((p) => p < 0) || dilations.some((d) => d !== 1)) return false;
  const x = editor.tensor(node.inputs[0]!);
  const w = editor.tensor(node.inputs[1]!).shape;
  const y = editor.tensor(node.outputs[0]!);
  const strides = ints(a.strides);
  const [top, , left] = pads as [number, number, number, number];
  const begin = (padding: "SAME" | "VALID") => [
    transposeConvAxis(x.shape[1]!, w[1]!, strides[0]!, 1, padding, 0, 0, 0, y.shape[1]).padBefore,
    transposeConvAxis(x.shape[2]!, w[2]!, strides[1]!, 1, padding, 0, 0, 0, y.shape[2]).padBefore,
  ];
  for (const padding of ["VALID", "SAME"] as const) {
    if (!samePads(begin(padding), [top, left])) continue;
    editor.replaceNode(node.name, {
      ...node,
      attrs: { ...a, padding, pads: [0, 0, 0, 0], outputPadding: [0, 0], outputShape: y.shape },
    });
    return true;
  }
  if (node.inputs[3] !== undefined && node.inputs[3] !== "") return false;
  const fullH = (x.shape[1]! - 1) * strides[0]! + w[1]!;
  const fullW = (x.shape[2]! - 1) * strides[1]! + w[2]!;
  if (top + y.shape[1]! > fullH || left + y.shape[2]! > fullW) return false;
  const fullShape = [y.shape[0]!, fullH, fullW, y.shape[3]!];
  const full = editor.addTensor({
    name: `${node.name}/valid`,
    shape: fullShape,
    dtype: y.dtype,
    ...(y.quant !== undefined ? { quant: y.quant } : {}),
  });
  editor.replaceNode(node.name, {
    ...node,
    outputs: [full],
    attrs: { ...a, padding: "VALID", pads: [0, 0, 0, 0], outputPadding: [0, 0], outputShape: fullShape },
  });
  addNodeWriting(
    editor,
    "core.slice",
    [full],
    { begin: [0, top, left, 0], size: [...y.shape] },
    y.name,
    `${node.name}/crop`,
  );
  report({
    node: node.name,
    message: `explicit pads [${pads.join(",")}] → VALID transpose_conv2d + SLICE`,
  });
  return true;
}

/**
 * Rewrites every EXPLICIT-padded window op among `nodes` (in the editor) into SAME, VALID or
 * PAD + VALID where TFLite can express it; the others stay for the writer to report.
 */
export function legalizePadding(nodes: readonly Node[], editor: GraphEditor, report: LegalizeReport): void {
  for (const node of nodes) {
    if (node.attrs.padding !== "EXPLICIT") continue;
    if (PADDED_WINDOW_OPS.has(node.op)) legalizeWindow(node, editor, report);
    else if (node.op === "core.transpose_conv2d") legalizeTransposeConv(node, editor, report);
  }
}
