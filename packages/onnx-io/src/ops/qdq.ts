/**
 * QuantizeLinear and DequantizeLinear (QDQ format, as onnxruntime's quantize_static writes it).
 *
 * - DequantizeLinear of a constant is a constant that remembers its integer source, so integer
 *   ops can take the int8 weights and their (per-axis) parameters directly.
 * - DequantizeLinear of a quantized IR tensor is a "dq" value: integer ops read the integer
 *   tensor; float ops get a core.dequantize, emitted once.
 * - QuantizeLinear of a float tensor is a core.quantize. Around an op that the importer emits
 *   as an integer op, the QuantizeLinear is absorbed (see import-graph.ts).
 *
 * ONNX rounds half to even where TFLite's QUANTIZE (and core.quantize) rounds half away from
 * zero; the two differ only when x / scale lies exactly halfway between two integers.
 */
import { type DType, dtypeRange, McuError, type QuantParams } from "@mcu/tensor";
import { NodeAttributes } from "../attributes.js";
import { axisOf, constNumbers, dequantizeConst, quantizeConst } from "../const-eval.js";
import type { onnx } from "../generated/onnx.generated.js";
import type { NodeContext } from "../node-context.js";
import type { HandlerTable } from "../op-handler.js";
import { irDTypeOf } from "../tensor-proto.js";
import { sameQuantParams, type Value } from "../values.js";

/** Parameters of a QuantizeLinear/DequantizeLinear node. `quant.axis` is the ONNX axis. */
export interface QdqParams {
  readonly dtype: DType;
  readonly quant: QuantParams;
}

/** A node as the parameter reader needs it. */
export interface QdqNode {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly proto: onnx.NodeProto.$Properties;
}

const QUANT_DTYPES: ReadonlySet<DType> = new Set<DType>(["int8", "uint8", "int16", "int32", "int4"]);

/**
 * The dtype and parameters of a Q/DQ node when its scale and zero point are constants
 * (undefined otherwise). The integer dtype is the zero point's, else `output_dtype`
 * (opset 21), else uint8 (the ONNX default). Invalid parameters are an McuError.
 */
export function readQdqParams(
  node: QdqNode,
  get: (name: string) => Value | undefined,
  rank?: number,
): QdqParams | undefined {
  const attrs = new NodeAttributes(node.proto.attribute, node.name);
  const where = { node: node.name };
  const scaleV = get(node.inputs[1] ?? "");
  if (scaleV === undefined || scaleV.kind !== "const") return undefined;
  const zpName = node.inputs[2] ?? "";
  const zpV = zpName === "" ? undefined : get(zpName);
  if (zpName !== "" && (zpV === undefined || zpV.kind !== "const")) return undefined;
  if ((attrs.int("block_size", 0) ?? 0) !== 0) {
    throw new McuError(
      "MCU_E_UNSUPPORTED_OP",
      `${node.proto.opType}: blocked quantization (block_size) is not supported`,
      where,
    );
  }
  const scale = constNumbers(scaleV.t);
  let dtype: DType;
  let zeroPoint: number[];
  if (zpV !== undefined && zpV.kind === "const") {
    dtype = zpV.t.dtype;
    zeroPoint = constNumbers(zpV.t);
  } else {
    const code = attrs.int("output_dtype", 0) ?? 0;
    dtype = code === 0 ? "uint8" : irDTypeOf(code, where);
    zeroPoint = scale.map(() => 0);
  }
  if (!QUANT_DTYPES.has(dtype)) {
    throw new McuError("MCU_E_UNSUPPORTED_OP", `${node.proto.opType} to ${dtype} is not supported`, where);
  }
  if (scale.length === 0 || zeroPoint.length !== scale.length) {
    throw new McuError(
      "MCU_E_ONNX_INVALID",
      `${node.proto.opType} has ${scale.length} scales and ${zeroPoint.length} zero points`,
      where,
    );
  }
  if (!scale.every((s) => Number.isFinite(s) && s > 0)) {
    throw new McuError(
      "MCU_E_ONNX_INVALID",
      `${node.proto.opType} scales must be finite and positive`,
      where,
    );
  }
  if (scale.length === 1) return { dtype, quant: { scale, zeroPoint } };
  const axisAttr = attrs.int("axis", 1);
  const axis = rank !== undefined ? axisOf(axisAttr, rank, node.name) : axisAttr;
  return { dtype, quant: { scale, zeroPoint, axis } };
}

function params(ctx: NodeContext, rank: number): QdqParams {
  const p = readQdqParams(
    { name: ctx.name, inputs: ctx.inputs, proto: { opType: ctx.opType, attribute: attrProtos(ctx) } },
    (n) => (n === "" ? undefined : ctx.value(ctx.inputs.indexOf(n))),
    rank,
  );
  if (p === undefined) throw ctx.unsupported("a non-constant scale or zero point");
  return p;
}

/** The node's attribute protos (kept on the context for readQdqParams). */
function attrProtos(ctx: NodeContext): onnx.AttributeProto.$Properties[] {
  return ctx.attrs.protos();
}

function quantizeLinear(ctx: NodeContext): void {
  const x = ctx.value(0);
  const rank = x.kind === "const" ? x.t.shape.length : x.shape.length;
  const p = params(ctx, rank);
  if (x.kind === "const") {
    ctx.setConst(
      0,
      quantizeConst(x.t, p.quant.scale, p.quant.zeroPoint, p.quant.axis, p.dtype, dtypeRange(p.dtype)),
    );
    return;
  }
  if (p.quant.scale.length !== 1) throw ctx.unsupported("per-axis quantization of a non-constant tensor");
  if (x.kind === "dq" && x.src.dtype === p.dtype && sameQuantParams(x.src.quant, p.quant)) {
    // QuantizeLinear(DequantizeLinear(q)) with the same parameters is q itself.
    ctx.setValue(0, x.src);
    return;
  }
  const src = x.kind === "dq" ? x.src : x;
  if (x.kind === "runtime" && x.dtype !== "float32")
    throw ctx.unsupported(`QuantizeLinear of a ${x.dtype} tensor`);
  const [id] = ctx.emit("core.quantize", [src.id], {}, [
    { name: ctx.outName(0, src.layout), dtype: p.dtype, quant: p.quant },
  ]);
  ctx.setRuntime(0, id!, src.layout);
}

function dequantizeLinear(ctx: NodeContext): void {
  const x = ctx.value(0);
  const rank = x.kind === "const" ? x.t.shape.length : x.shape.length;
  const p = params(ctx, rank);
  if (x.kind === "const") {
    if (x.t.dtype === "float32" || x.t.dtype === "int64" || x.t.dtype === "bool") {
      throw ctx.error("MCU_E_ONNX_INVALID", `DequantizeLinear of a ${x.t.dtype} constant`);
    }
    const f = dequantizeConst(x.t, p.quant.scale, p.quant.zeroPoint, p.quant.axis);
    const quant = {
      scale: p.quant.scale,
      zeroPoint: p.quant.zeroPoint,
      ...(p.quant.axis !== undefined ? { axis: p.quant.axis } : {}),
    };
    ctx.setConst(0, f, { t: x.t, quant });
    return;
  }
  if (p.quant.scale.length !== 1) throw ctx.unsupported("per-axis DequantizeLinear of a non-constant tensor");
  if (x.kind !== "runtime" || x.quant === undefined) {
    throw ctx.unsupported("DequantizeLinear of a tensor that no QuantizeLinear produced");
  }
  if (x.dtype !== p.dtype || !sameQuantParams(x.quant, p.quant)) {
    throw ctx.unsupported("DequantizeLinear with parameters different from its QuantizeLinear's");
  }
  ctx.setValue(0, { kind: "dq", src: { ...x, quant: x.quant }, shape: x.shape, node: ctx.name });
}

/** The QDQ handlers. */
export const qdqHandlers: HandlerTable = {
  QuantizeLinear: { run: quantizeLinear },
  DequantizeLinear: { run: dequantizeLinear },
};
