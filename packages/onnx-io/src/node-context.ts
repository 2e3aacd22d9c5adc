/**
 * What an op handler sees of one ONNX node: its attributes and inputs as import-time values,
 * helpers to get IR tensors in the layout it needs, and `emit` to add IR nodes.
 */
import {
  type Attrs,
  type DType,
  type GraphBuilder,
  InternalError,
  McuError,
  type OutputSpec,
  type QuantParams,
  type TensorData,
} from "@mcu/tensor";
import type { NodeAttributes } from "./attributes.js";
import { constInts } from "./const-eval.js";
import {
  isIdentityPermutation,
  isReshapePermutation,
  padRank,
  permuteShape,
  transposeData,
} from "./internal/ndarray.js";
import {
  channelsLastFor,
  flatFeatureMap,
  irShapeOf,
  type Layout,
  layoutName,
  NHWC,
  NWC,
  ONNX_LAYOUT,
  onnxShapeOf,
  sameLayout,
} from "./layout.js";
import type { ConstTensor } from "./tensor-proto.js";
import type { ConstValue, DqValue, OnnxQuant, RuntimeValue, Value } from "./values.js";

/** Integer emission: the node's output is quantized with these parameters (from its QuantizeLinear). */
export interface IntMode {
  readonly dtype: DType;
  readonly quant: QuantParams;
  /** The name of the QuantizeLinear output the integer result stands for. */
  readonly outName: string;
}

/** Import-wide state a node context works on (implemented by the importer). */
export interface ImportState {
  readonly builder: GraphBuilder;
  readonly graphOutputs: ReadonlySet<string>;
  value(name: string): Value | undefined;
  setValue(name: string, v: Value): void;
  /** Cached IR constants by key, so a shared initializer becomes one IR tensor per transform. */
  readonly constCache: Map<string, string>;
  /** Cached layout conversions by `${id}|${layout}`. */
  readonly layoutCache: Map<string, RuntimeValue>;
}

/** The input of a node as a value, with its ONNX name. */
export interface NamedValue {
  readonly name: string;
  readonly value: Value;
}

/** A runtime value of a quantized IR tensor. */
export type QuantizedRuntime = RuntimeValue & { readonly quant: QuantParams };

/** Everything an op handler needs for one ONNX node. */
export class NodeContext {
  /** Set while the node is emitted as an integer op. */
  intMode: IntMode | undefined;
  private mainEmitted = false;

  constructor(
    private readonly state: ImportState,
    /** The IR name of the node (the ONNX name, or op type and index when the file has none). */
    readonly name: string,
    readonly opType: string,
    readonly inputs: readonly string[],
    readonly outputs: readonly string[],
    readonly attrs: NodeAttributes,
    /** The default-domain opset the model imports. */
    readonly opset: number,
  ) {}

  /** An McuError about this node. */
  error(code: string, message: string): McuError {
    return new McuError(code, `${this.opType}: ${message}`, { node: this.name });
  }

  /** An MCU_E_UNSUPPORTED_OP about a form of this op that is not supported. */
  unsupported(what: string): McuError {
    return this.error("MCU_E_UNSUPPORTED_OP", `${what} is not supported`);
  }

  /** True if input i is present (ONNX marks absent optional inputs with an empty name). */
  has(i: number): boolean {
    return (this.inputs[i] ?? "") !== "";
  }

  /** The value of input i; a missing required input is MCU_E_ONNX_INVALID. */
  value(i: number): Value {
    const name = this.inputs[i] ?? "";
    if (name === "") throw this.error("MCU_E_ONNX_INVALID", `input ${i} is missing`);
    const v = this.state.value(name);
    if (v === undefined) throw new InternalError(`value "${name}" of node "${this.name}" was not imported`);
    return v;
  }

  /** The ONNX shape of input i. */
  shape(i: number): readonly number[] {
    const v = this.value(i);
    return v.kind === "const" ? v.t.shape : v.shape;
  }

  /** True if input i is a constant. */
  isConst(i: number): boolean {
    return this.has(i) && this.value(i).kind === "const";
  }

  /** Input i as a constant (its float value when it is a dequantized constant). */
  constant(i: number, what: string): ConstTensor {
    const v = this.value(i);
    if (v.kind !== "const") throw this.unsupported(`a non-constant ${what}`);
    return v.t;
  }

  /** Input i as a constant when present. */
  optConstant(i: number, what: string): ConstTensor | undefined {
    return this.has(i) ? this.constant(i, what) : undefined;
  }

  /** Input i's integer source when it is DequantizeLinear of a constant. */
  quantizedConstant(i: number): ConstValue["q"] {
    if (!this.has(i)) return undefined;
    const v = this.value(i);
    return v.kind === "const" ? v.q : undefined;
  }

  /** Input i as integers (a constant int64/int32 input such as a shape or axes). */
  constInts(i: number, what: string): number[] {
    return constInts(this.constant(i, what));
  }

  /** Input i as a single number (a scalar constant). */
  constScalar(i: number, what: string): number {
    const t = this.constant(i, what);
    if (t.data.length !== 1) throw this.error("MCU_E_ONNX_INVALID", `${what} must be a single value`);
    return Number(t.data[0]!);
  }

  /**
   * Input i as an IR tensor. Constants become IR constants (ONNX layout); a dequantized value
   * is its integer tensor in integer mode, else a float core.dequantize of it. `want` picks
   * the layout: `onnx`, `channels-last` (nhwc for rank 4, nwc for rank 3) or `any`.
   */
  runtime(i: number, want: "any" | "onnx" | "channels-last" = "onnx"): RuntimeValue {
    const v = this.value(i);
    const rv = this.asRuntime(v, this.inputs[i]!);
    if (want === "any") return rv;
    if (want === "onnx") return this.toLayout(rv, ONNX_LAYOUT);
    const cl = channelsLastFor(rv.shape.length);
    if (cl === undefined) throw this.unsupported(`a rank-${rv.shape.length} input (expected rank 3 or 4)`);
    return this.toLayout(rv, cl);
  }

  /** True if input i is a dequantized runtime value (QDQ). */
  isDequantized(i: number): boolean {
    return this.has(i) && this.value(i).kind === "dq";
  }

  private asRuntime(v: Value, onnxName: string): RuntimeValue {
    if (v.kind === "runtime") return v;
    if (v.kind === "dq") return this.intMode !== undefined ? v.src : this.dequantized(v, onnxName);
    const id = this.irConstant(`c:${onnxName}`, onnxName, v.t);
    return { kind: "runtime", id, dtype: v.t.dtype, shape: v.t.shape, layout: ONNX_LAYOUT };
  }

  /** The float form of a dequantized value (a core.dequantize, emitted once). */
  dequantized(v: DqValue, onnxName: string, finalName?: string): RuntimeValue {
    if (v.float !== undefined) return v.float;
    const name = finalName !== undefined && v.src.layout.kind === "onnx" ? finalName : `${onnxName}:float`;
    // The file's DequantizeLinear node, emitted where a float consumer first needs it.
    const id = this.state.builder.opMulti(
      "core.dequantize",
      [v.src.id],
      {},
      {
        name: v.node,
        outputs: [{ name, dtype: "float32" }],
        sourceOp: "DequantizeLinear",
      },
    )[0]!;
    v.float = { kind: "runtime", id, dtype: "float32", shape: v.shape, layout: v.src.layout };
    return v.float;
  }

  /** An IR constant for constant data, created once per key. */
  irConstant(key: string, name: string, t: ConstTensor, quant?: QuantParams): string {
    const cached = this.state.constCache.get(key);
    if (cached !== undefined) return cached;
    const id = this.state.builder.constant(name, t.data, irConstShape(t), {
      dtype: t.dtype,
      ...(quant !== undefined ? { quant } : {}),
    });
    this.state.constCache.set(key, id);
    return id;
  }

  /** A constant, broadcast-aligned and rearranged to be combined element-wise with a value in `layout`. */
  constForLayout(t: ConstTensor, rank: number, layout: Layout): ConstTensor {
    if (layout.kind === "onnx") return t;
    if (layout.kind === "flat") {
      const shape = padRank(t.shape, 2);
      if (shape[1] === 1) return { ...t, shape };
      if (shape[1] !== layout.c * layout.s)
        throw new InternalError("flat constant with the wrong feature count");
      return { ...t, shape, data: permuteFeatures(t.data, layout.c, layout.s, shape[0]!) };
    }
    const shape = padRank(t.shape, rank);
    const perm = layout.kind === "nhwc" ? [0, 2, 3, 1] : [0, 2, 1];
    const data = transposeData(t.data, shape, perm);
    const moved = permuteShape(shape, perm);
    return {
      dtype: t.dtype,
      shape: layout.kind === "nwc" ? [moved[0]!, 1, moved[1]!, moved[2]!] : moved,
      data,
    };
  }

  /** A value converted to another layout (cached; constants are rearranged at import time). */
  toLayout(v: RuntimeValue, target: Layout, finalName?: string): RuntimeValue {
    if (sameLayout(v.layout, target) && finalName === undefined) return v;
    const key = `${v.id}|${layoutName(target)}`;
    const cached = finalName === undefined ? this.state.layoutCache.get(key) : undefined;
    if (cached !== undefined) return cached;
    const out = this.convert(v, target, finalName);
    if (finalName === undefined) this.state.layoutCache.set(key, out);
    return out;
  }

  private convert(v: RuntimeValue, target: Layout, finalName: string | undefined): RuntimeValue {
    const q = v.quant;
    const base = finalName ?? `${v.id}:${layoutName(target)}`;
    const make = (id: string, layout: Layout): RuntimeValue => ({
      kind: "runtime",
      id,
      dtype: v.dtype,
      shape: v.shape,
      layout,
      ...(q !== undefined ? { quant: q } : {}),
    });
    if (sameLayout(v.layout, target)) return v;
    if (v.layout.kind === "onnx") {
      if (target.kind === "nhwc") return make(this.permute(v.id, v.shape, [0, 2, 3, 1], base, q), NHWC);
      if (target.kind === "nwc") {
        const [n, c, l] = v.shape as [number, number, number];
        const mid = this.permute(v.id, v.shape, [0, 2, 1], `${base}:nlc`, q);
        return make(this.reshape(mid, [n, 1, l, c], base, q), NWC);
      }
      throw new InternalError(`no conversion from onnx to ${layoutName(target)}`);
    }
    if (target.kind !== "onnx") {
      // Between two non-ONNX layouts: through ONNX order.
      return this.toLayout(this.toLayout(v, ONNX_LAYOUT), target, finalName);
    }
    const irShape = irShapeOf(v.shape, v.layout);
    if (v.layout.kind === "nhwc")
      return make(this.permute(v.id, irShape, [0, 3, 1, 2], base, q), ONNX_LAYOUT);
    if (v.layout.kind === "nwc") {
      const [n, , l, c] = irShape as [number, number, number, number];
      const mid = this.reshape(v.id, [n, l, c], `${base}:nlc`, q);
      return make(this.permute(mid, [n, l, c], [0, 2, 1], base, q), ONNX_LAYOUT);
    }
    // flat: [N, S·C] → [N, S, C] → [N, C, S] → [N, C·S].
    const { c, s } = v.layout;
    const n = v.shape[0]!;
    const a = this.reshape(v.id, [n, s, c], `${base}:nsc`, q);
    const b = this.permute(a, [n, s, c], [0, 2, 1], `${base}:ncs`, q);
    return make(this.reshape(b, [n, c * s], base, q), ONNX_LAYOUT);
  }

  /** A transpose, or a reshape when only size-1 axes move; `id` itself for the identity. */
  private permute(
    id: string,
    shape: readonly number[],
    perm: readonly number[],
    name: string,
    q?: QuantParams,
  ): string {
    if (isIdentityPermutation(perm)) return id;
    if (isReshapePermutation(shape, perm)) return this.reshape(id, permuteShape(shape, perm), name, q);
    return this.emitAux("core.transpose", [id], { perm: [...perm] }, [outSpec(name, q)])[0]!;
  }

  /** A reshape, or `id` itself when the shape is already right. */
  private reshape(id: string, shape: readonly number[], name: string, q?: QuantParams): string {
    if (sameShapeAs(this.state.builder.info(id).shape, shape)) return id;
    return this.emitAux("core.reshape", [id], { shape: [...shape] }, [outSpec(name, q)])[0]!;
  }

  /** The IR name for ONNX output k held in `layout` (graph outputs keep their name for the ONNX-layout form). */
  outName(k: number, layout: Layout = ONNX_LAYOUT): string {
    const intName = k === 0 && this.intMode !== undefined ? this.intMode.outName : "";
    const name = intName !== "" ? intName : (this.outputs[k] ?? "");
    if (name === "") return `${this.name}:${k}`;
    return this.state.graphOutputs.has(name) && layout.kind !== "onnx"
      ? `${name}:${layoutName(layout)}`
      : name;
  }

  /** The output spec of output k: its name, and in integer mode its dtype and quantization. */
  outSpec(k: number, layout: Layout = ONNX_LAYOUT, quantFrom?: QuantizedRuntime): OutputSpec {
    const name = this.outName(k, layout);
    if (this.intMode === undefined) return { name };
    const q = quantFrom?.quant ?? this.intMode.quant;
    return { name, dtype: quantFrom?.dtype ?? this.intMode.dtype, quant: q };
  }

  /** Adds the IR node that carries this ONNX node's computation (its `sourceOp` is the ONNX op type). */
  emit(op: string, inputs: readonly string[], attrs: Attrs, outputs: readonly OutputSpec[]): string[] {
    const main = !this.mainEmitted;
    this.mainEmitted = true;
    return this.state.builder.opMulti(op, inputs, attrs, {
      name: this.name,
      outputs,
      ...(main ? { sourceOp: this.opType } : {}),
    });
  }

  /**
   * Adds a helper IR node (layout conversion, decomposition step). Its `sourceOp` is "": the
   * file has no such node, so `inspect`'s opCounts leave it out.
   */
  emitAux(op: string, inputs: readonly string[], attrs: Attrs, outputs: readonly OutputSpec[]): string[] {
    const name = `${this.name}/${op.slice(op.indexOf(".") + 1)}`;
    return this.state.builder.opMulti(op, inputs, attrs, { name, outputs, sourceOp: "" });
  }

  /** An IR tensor as a runtime value in a layout (ONNX shape derived from its IR shape). */
  runtimeOf(id: string, layout: Layout = ONNX_LAYOUT): RuntimeValue {
    const info = this.state.builder.info(id);
    return {
      kind: "runtime",
      id,
      dtype: info.dtype,
      shape: onnxShapeOf(info.shape, layout),
      layout,
      ...(info.quant !== undefined ? { quant: info.quant } : {}),
    };
  }

  /** Records ONNX output k as an IR tensor in a layout. */
  setRuntime(k: number, id: string, layout: Layout): RuntimeValue {
    const v = this.runtimeOf(id, layout);
    this.setValue(k, v);
    return v;
  }

  /** Records ONNX output k as any value. */
  setValue(k: number, v: Value): void {
    const name = this.outputs[k] ?? "";
    if (name !== "") this.state.setValue(name, v);
  }

  /** Records ONNX output k as a constant. */
  setConst(k: number, t: ConstTensor, q?: { t: ConstTensor; quant: OnnxQuant }): void {
    this.setValue(k, { kind: "const", t, ...(q !== undefined ? { q } : {}) });
  }

  /** True if ONNX output k is read by anything (a node or the graph outputs). */
  outputUsed(k: number, used: ReadonlySet<string>): boolean {
    const name = this.outputs[k] ?? "";
    return name !== "" && used.has(name);
  }

  /** The channels-last layout of a rank, or MCU_E_UNSUPPORTED_OP. */
  channelsLast(rank: number): Layout {
    const l = channelsLastFor(rank);
    if (l === undefined) throw this.unsupported(`a rank-${rank} input (1-D and 2-D only)`);
    return l;
  }
}

function outSpec(name: string, q: QuantParams | undefined): OutputSpec {
  return q !== undefined ? { name, quant: q } : { name };
}

function sameShapeAs(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** An IR constant's shape: a rank-0 ONNX scalar stays rank 0. */
function irConstShape(t: ConstTensor): number[] {
  return [...t.shape];
}

/** Rearranges the last axis of [rows, C·S] data from ONNX feature order to flat-layout order. */
export function permuteFeatures(data: TensorData, c: number, s: number, rows: number): TensorData {
  const map = flatFeatureMap(c, s);
  const k = c * s;
  const out = new (data.constructor as new (n: number) => TensorData)(data.length);
  const src = data as unknown as { [i: number]: number | bigint };
  const dst = out as unknown as { [i: number]: number | bigint };
  for (let r = 0; r < rows; r++) for (let j = 0; j < k; j++) dst[r * k + j] = src[r * k + map[j]!]!;
  return out;
}
