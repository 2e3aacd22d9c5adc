/**
 * Gemm and MatMul. With constant weights both become core.fully_connected (weights [out, in],
 * alpha folded into the weights, beta·C into the bias); with two runtime operands they become
 * core.matmul / core.batch_matmul.
 *
 * After a flattened channels-last activation (layout `flat`), the weights' input axis is
 * permuted instead of transposing the activation back to ONNX order (what TFLite converters do).
 */
import type { QuantParams } from "@mcu/tensor";
import { broadcastTo, makeConst } from "../const-eval.js";
import { padRank, transposeData } from "../internal/ndarray.js";
import type { Layout } from "../layout.js";
import { type NodeContext, permuteFeatures } from "../node-context.js";
import type { HandlerTable } from "../op-handler.js";
import type { ConstTensor } from "../tensor-proto.js";
import type { OnnxQuant, RuntimeValue } from "../values.js";
import { integerBias } from "./conv.js";

/** Weights [N, K] in the IR's input order for an activation in `layout`. */
function weightsFor(w: ConstTensor, layout: Layout): ConstTensor {
  if (layout.kind !== "flat") return w;
  const [n] = w.shape as [number, number];
  return { ...w, data: permuteFeatures(w.data, layout.c, layout.s, n) };
}

/** The activation operand of a dense op: flat layouts are kept, everything else in ONNX order. */
function denseInput(ctx: NodeContext, i: number, k: number): RuntimeValue {
  const v = ctx.runtime(i, "any");
  if (v.layout.kind === "flat" && v.shape.length === 2 && v.shape[1] === k) return v;
  return ctx.toLayout(v, { kind: "onnx" });
}

function scaleConst(t: ConstTensor, f: number): ConstTensor {
  if (f === 1) return t;
  const data = new Float32Array(t.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.fround(Number(t.data[i]!) * f);
  return { dtype: "float32", shape: t.shape, data };
}

/** Per-output-channel parameters land on axis 0 of the [N, K] weights (canInt checked the ONNX axis). */
function denseQuant(q: OnnxQuant): QuantParams {
  if (q.scale.length === 1) return { scale: q.scale, zeroPoint: q.zeroPoint };
  return { scale: q.scale, zeroPoint: q.zeroPoint, axis: 0 };
}

/** Emits core.fully_connected(x, W[N,K], bias?) and returns its output id. */
function fullyConnected(
  ctx: NodeContext,
  x: RuntimeValue,
  w: ConstTensor,
  wKey: string,
  wQuant: QuantParams | undefined,
  bias: string | undefined,
  keepNumDims: boolean,
  outName: string,
  main = true,
): string {
  const wt = weightsFor(w, x.layout);
  const wName = ctx.inputs[1]!;
  const key = `fc:${wKey}:${x.layout.kind === "flat" ? `${x.layout.c}x${x.layout.s}` : "onnx"}`;
  const wId = ctx.irConstant(key, wName, wt, wQuant);
  const inputs = bias !== undefined ? [x.id, wId, bias] : [x.id, wId];
  const spec = ctx.intMode !== undefined ? ctx.outSpec(0) : { name: outName };
  const emit = main ? ctx.emit.bind(ctx) : ctx.emitAux.bind(ctx);
  return emit("core.fully_connected", inputs, { keepNumDims }, [{ ...spec, name: outName }])[0]!;
}

function gemmCanInt(ctx: NodeContext): boolean {
  const b = ctx.quantizedConstant(1);
  if (b === undefined || (b.t.dtype !== "int8" && b.t.dtype !== "uint8") || b.t.shape.length !== 2)
    return false;
  const transB = ctx.attrs.int("transB", 0) !== 0;
  if (b.quant.scale.length > 1 && b.quant.axis !== (transB ? 0 : 1)) return false;
  if (ctx.attrs.float("alpha", 1) !== 1 || ctx.attrs.int("transA", 0) !== 0) return false;
  if (ctx.has(2) && (ctx.attrs.float("beta", 1) !== 1 || !ctx.isConst(2))) return false;
  return ctx.isDequantized(0);
}

function gemm(ctx: NodeContext): void {
  const transA = ctx.attrs.int("transA", 0) !== 0;
  const transB = ctx.attrs.int("transB", 0) !== 0;
  const alpha = ctx.attrs.float("alpha", 1);
  const beta = ctx.attrs.float("beta", 1);
  const aShape = ctx.shape(0);
  const bShape = ctx.shape(1);
  if (aShape.length !== 2 || bShape.length !== 2) throw ctx.error("MCU_E_SHAPE", "Gemm needs rank-2 A and B");
  const m = transA ? aShape[1]! : aShape[0]!;
  const k = transA ? aShape[0]! : aShape[1]!;
  const n = transB ? bShape[0]! : bShape[1]!;
  if ((transB ? bShape[1] : bShape[0]) !== k) {
    throw ctx.error(
      "MCU_E_SHAPE",
      `Gemm inner dimensions differ: A [${aShape.join(",")}], B [${bShape.join(",")}]`,
    );
  }
  const out = ctx.outName(0);
  if (!ctx.isConst(1) || ctx.isConst(0)) {
    gemmRuntime(ctx, transA, transB, alpha, beta, m, n);
    return;
  }
  const int = ctx.intMode !== undefined ? ctx.quantizedConstant(1) : undefined;
  const b = int !== undefined ? int.t : ctx.constant(1, "B");
  const w = transB ? b : { ...b, shape: [n, k], data: transposeData(b.data, b.shape, [1, 0]) };
  let x = denseInput(ctx, 0, k);
  if (transA) x = transposeRuntime(ctx, ctx.toLayout(x, { kind: "onnx" }), [1, 0]);
  // C is broadcast to [M, N]; a per-column C is a bias, anything else an add after the product.
  let biasId: string | undefined;
  let addAfter: ConstTensor | undefined;
  if (ctx.has(2)) {
    if (int !== undefined) {
      const bias = integerBias(ctx, 2, n, x.quant!.scale[0]!, int.quant.scale)!;
      biasId = ctx.irConstant(`gemm-bias:${ctx.inputs[2]}:int`, ctx.inputs[2]!, bias.t, bias.quant);
    } else {
      const c = scaleConst(ctx.constant(2, "C"), beta);
      const cs = padRank(c.shape, 2);
      if (cs.length !== 2 || (cs[0] !== 1 && cs[0] !== m) || (cs[1] !== 1 && cs[1] !== n)) {
        throw ctx.error("MCU_E_SHAPE", `Gemm C [${c.shape.join(",")}] does not broadcast to [${m},${n}]`);
      }
      if (cs[0] === 1) biasId = bias1d(ctx, c, beta, n);
      else addAfter = { ...c, shape: cs };
    }
  }
  const wq = int !== undefined ? denseQuant(int.quant) : undefined;
  const wData = int !== undefined ? w : scaleConst(w, alpha);
  const fcName = addAfter !== undefined ? `${out}:product` : out;
  const y = fullyConnected(ctx, x, wData, `${ctx.inputs[1]}:${transB}:${alpha}`, wq, biasId, false, fcName);
  if (addAfter !== undefined) {
    const cId = ctx.irConstant(`gemm-c:${ctx.inputs[2]}:${beta}`, ctx.inputs[2]!, addAfter);
    const [z] = ctx.emitAux("core.add", [y, cId], {}, [{ name: out }]);
    ctx.setRuntime(0, z!, { kind: "onnx" });
    return;
  }
  ctx.setRuntime(0, y, { kind: "onnx" });
}

/** The bias as a [N] IR constant (C given as [N], [1,N] or a scalar). */
function bias1d(ctx: NodeContext, c: ConstTensor, beta: number, n: number): string {
  const flat = broadcastTo({ ...c, shape: padRank(c.shape, 2) }, [1, n], ctx.name);
  return ctx.irConstant(`gemm-bias1d:${ctx.inputs[2]}:${beta}`, ctx.inputs[2]!, { ...flat, shape: [n] });
}

function transposeRuntime(ctx: NodeContext, x: RuntimeValue, perm: number[]): RuntimeValue {
  const [id] = ctx.emitAux("core.transpose", [x.id], { perm }, [{ name: `${x.id}:T` }]);
  return { ...x, id: id!, shape: perm.map((p) => x.shape[p]!) };
}

/** Gemm with a runtime B (or a constant A): matmul, then alpha and beta·C element-wise. */
function gemmRuntime(
  ctx: NodeContext,
  transA: boolean,
  transB: boolean,
  alpha: number,
  beta: number,
  m: number,
  n: number,
): void {
  const a = ctx.runtime(0, "onnx");
  const b = ctx.runtime(1, "onnx");
  const out = ctx.outName(0);
  const last = !ctx.has(2) && alpha === 1;
  let [y] = ctx.emit("core.matmul", [a.id, b.id], { transposeA: transA, transposeB: transB }, [
    { name: last ? out : `${out}:product` },
  ]);
  if (alpha !== 1) {
    const s = ctx.irConstant(`alpha:${alpha}`, `${ctx.name}:alpha`, makeConst("float32", [], [alpha]));
    [y] = ctx.emitAux("core.mul", [y!, s], {}, [{ name: ctx.has(2) ? `${out}:scaled` : out }]);
  }
  if (ctx.has(2)) {
    const c = scaleConst(ctx.constant(2, "C"), beta);
    const cs = padRank(c.shape, 2);
    if (cs.length !== 2 || (cs[0] !== 1 && cs[0] !== m) || (cs[1] !== 1 && cs[1] !== n)) {
      throw ctx.error("MCU_E_SHAPE", `Gemm C [${c.shape.join(",")}] does not broadcast to [${m},${n}]`);
    }
    const cId = ctx.irConstant(`gemm-c:${ctx.inputs[2]}:${beta}`, ctx.inputs[2]!, { ...c, shape: cs });
    [y] = ctx.emitAux("core.add", [y!, cId], {}, [{ name: out }]);
  }
  ctx.setRuntime(0, y!, { kind: "onnx" });
}

function matmulCanInt(ctx: NodeContext): boolean {
  const b = ctx.quantizedConstant(1);
  if (b === undefined || (b.t.dtype !== "int8" && b.t.dtype !== "uint8") || b.t.shape.length !== 2)
    return false;
  if (b.quant.scale.length > 1 && b.quant.axis !== 1) return false;
  return ctx.isDequantized(0) && ctx.shape(0).length >= 2;
}

function matmul(ctx: NodeContext): void {
  const aShape = ctx.shape(0);
  const bShape = ctx.shape(1);
  const out = ctx.outName(0);
  if (ctx.isConst(0) && ctx.isConst(1)) throw ctx.unsupported("MatMul of two constants");
  if (ctx.isConst(1) && bShape.length <= 2 && aShape.length >= 1) {
    const int = ctx.intMode !== undefined ? ctx.quantizedConstant(1) : undefined;
    const b = int !== undefined ? int.t : ctx.constant(1, "B");
    const k = bShape[0]!;
    const n = bShape.length === 2 ? bShape[1]! : 1;
    if (aShape[aShape.length - 1] !== k) {
      throw ctx.error(
        "MCU_E_SHAPE",
        `MatMul inner dimensions differ: [${aShape.join(",")}] · [${bShape.join(",")}]`,
      );
    }
    const w: ConstTensor = {
      ...b,
      shape: [n, k],
      data: bShape.length === 2 ? transposeData(b.data, b.shape, [1, 0]) : b.data,
    };
    let x =
      aShape.length === 1
        ? reshapeRuntime(ctx, ctx.runtime(0, "onnx"), [1, k], `${ctx.inputs[0]}:row`)
        : denseInput(ctx, 0, k);
    if (x.layout.kind !== "flat" && x.layout.kind !== "onnx") x = ctx.toLayout(x, { kind: "onnx" });
    const squeeze = aShape.length === 1 || bShape.length === 1;
    const wq = int !== undefined ? denseQuant(int.quant) : undefined;
    const y = fullyConnected(
      ctx,
      x,
      w,
      `${ctx.inputs[1]}:mm`,
      wq,
      undefined,
      aShape.length > 2,
      squeeze ? `${out}:2d` : out,
    );
    if (!squeeze) {
      ctx.setRuntime(0, y, { kind: "onnx" });
      return;
    }
    const shape = [...aShape.slice(0, -1), ...(bShape.length === 2 ? [n] : [])];
    const z = reshapeRuntime(ctx, ctx.runtimeOf(y), shape, out);
    ctx.setRuntime(0, z.id, { kind: "onnx" });
    return;
  }
  // Two runtime operands (or a constant A): NumPy matmul, rank-1 operands promoted and squeezed.
  let a = ctx.runtime(0, "onnx");
  let b = ctx.runtime(1, "onnx");
  if (a.shape.length === 1) a = reshapeRuntime(ctx, a, [1, a.shape[0]!], `${a.id}:row`);
  if (b.shape.length === 1) b = reshapeRuntime(ctx, b, [b.shape[0]!, 1], `${b.id}:col`);
  const two = a.shape.length === 2 && b.shape.length === 2;
  const squeeze = aShape.length === 1 || bShape.length === 1;
  const [y] = ctx.emit(two ? "core.matmul" : "core.batch_matmul", [a.id, b.id], {}, [
    { name: squeeze ? `${out}:2d` : out },
  ]);
  if (!squeeze) {
    ctx.setRuntime(0, y!, { kind: "onnx" });
    return;
  }
  const yShape = ctx.runtimeOf(y!).shape;
  const shape = yShape.filter(
    (_, i) =>
      !(aShape.length === 1 && i === yShape.length - 2) && !(bShape.length === 1 && i === yShape.length - 1),
  );
  const z = reshapeRuntime(ctx, ctx.runtimeOf(y!), shape, out);
  ctx.setRuntime(0, z.id, { kind: "onnx" });
}

function reshapeRuntime(
  ctx: NodeContext,
  x: RuntimeValue,
  shape: readonly number[],
  name: string,
): RuntimeValue {
  const [id] = ctx.emitAux("core.reshape", [x.id], { shape: [...shape] }, [
    x.quant !== undefined ? { name, quant: x.quant } : { name },
  ]);
  return { ...x, id: id!, shape: [...shape] };
}

/** Dense handlers. */
export const denseHandlers: HandlerTable = {
  Gemm: { run: gemm, int: "compute", canInt: gemmCanInt },
  MatMul: { run: matmul, int: "compute", canInt: matmulCanInt },
};
