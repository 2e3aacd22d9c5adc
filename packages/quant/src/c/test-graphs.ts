/**
 * Test support for the integer C kernels (not exported): random quantized graphs of
 * independent cases — one input and one output each — so that one compilation checks many
 * shapes, and helpers to run a graph as C and with the TS interpreter.
 */
import {
  C_TARGETS,
  type CPreparedModel,
  type CTarget,
  codegenPlugin,
  cTarget,
  prepareC,
} from "@mcu/codegen-c";
import {
  corePlugin,
  createInterpreter,
  createRegistry,
  type DType,
  type Graph,
  graphBuilder,
  numElements,
  type QuantParams,
  type Registry,
  type TensorData,
} from "@mcu/tensor";
import { quantPlugin } from "../plugin.js";

/** A registry with the core, quant and codegen plugins. */
export function cTestRegistry(): Registry {
  return createRegistry([corePlugin, quantPlugin, codegenPlugin]);
}

/** The host, with the DSP kernels selected: their SXTB16/SMLAD arithmetic runs emulated in C. */
export const HOST_DSP_EMULATED: CTarget = { ...C_TARGETS.host!, name: "host-dsp-emulated", dsp: true };

/** A target by name, `host-dsp-emulated` included. */
export function testTarget(name: string): CTarget {
  return name === HOST_DSP_EMULATED.name ? HOST_DSP_EMULATED : cTarget(name);
}

/** Deterministic uniform numbers in [0, 1) (a 32-bit LCG mixed by xorshift). */
export function lcg(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    let x = s;
    x ^= x >>> 15;
    return (x >>> 0) / 4294967296;
  };
}

const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const scale = (r: () => number, lo: number, hi: number): number => Math.fround(lo * (hi / lo) ** r());
const qp = (s: number, z = 0): QuantParams => ({ scale: [s], zeroPoint: [z] });

/** Random values of an integer dtype over its whole range. */
export function randomTensor(dtype: DType, n: number, r: () => number): TensorData {
  if (dtype === "int16") return Int16Array.from({ length: n }, () => int(r, -32768, 32767));
  if (dtype === "int8") return Int8Array.from({ length: n }, () => int(r, -128, 127));
  if (dtype === "uint8") return Uint8Array.from({ length: n }, () => int(r, 0, 255));
  if (dtype === "float32") return Float32Array.from({ length: n }, () => r() * 2 - 1);
  return Int32Array.from({ length: n }, () => int(r, -1000, 1000));
}

/** A graph of independent cases, and one sample of inputs. */
export interface CaseGraph {
  readonly graph: Graph;
  readonly cases: readonly string[];
  sample(seed: number): TensorData[];
}

/**
 * Case kinds. `dwdsp` and `convdsp` draw the shapes the DSP kernels specialize for (depthwise with
 * channels a multiple of four, 3x3 windows, borders, strides, dilations, wide rows past LDR's
 * immediate offsets; 1x1 and 3x3 convolutions with more channels); `edge` draws requantizations at
 * the limits of the DSP path's fast form (left shifts, output zero points at ±128, biases near the
 * int32 bound — some taken by the portable kernel instead); `adddsp` draws int8 ADD/SUB of operands
 * of one shape (the DSP kernel's case); `conv16` int16x8 conv2d, depthwise_conv2d and fully_connected
 * (int64 and int32 biases); `tconv` transpose_conv2d, int8 and int16x8; `elem` the 8-bit element-wise
 * ops (logistic, tanh, relu, relu6, leaky_relu, hard_swish, integer quantize).
 */
type Kind =
  | "conv"
  | "depthwise"
  | "fc"
  | "pool"
  | "add"
  | "mean"
  | "softmax"
  | "dwdsp"
  | "convdsp"
  | "edge"
  | "adddsp"
  | "conv16"
  | "tconv"
  | "elem";

/** Random int8 (and int16 pool/add) cases of the given kinds. */
export function quantCases(
  registry: Registry,
  seed: number,
  kinds: readonly Kind[],
  count: number,
): CaseGraph {
  const r = lcg(seed);
  const b = graphBuilder(registry);
  const cases: string[] = [];
  const inputs: { dtype: DType; shape: number[] }[] = [];
  const ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"] as const;
  for (let k = 0; k < count; k++) {
    const kind = kinds[k % kinds.length]!;
    const desc: Record<string, unknown> = { kind };
    const input = (shape: number[], dtype: DType, quant: QuantParams) => {
      inputs.push({ dtype, shape });
      return b.input(`x${k}`, shape, dtype, quant);
    };
    const zx = int(r, -30, 30);
    const zy = int(r, -30, 30);
    const sx = scale(r, 0.005, 0.1);
    const sy = scale(r, 0.02, 0.5);
    const act = pick(r, ACTS);
    let y: string;
    if (
      kind === "conv" ||
      kind === "depthwise" ||
      kind === "dwdsp" ||
      kind === "convdsp" ||
      kind === "edge"
    ) {
      const depthwise = kind === "depthwise" || kind === "dwdsp";
      const dsp = kind === "dwdsp" || kind === "convdsp";
      const edge = kind === "edge";
      const groups = depthwise || dsp || edge ? 1 : pick(r, [1, 1, 1, 2, 3]);
      // One dwdsp case in eight has rows so wide that the window spans more than 4095 bytes.
      const wide = kind === "dwdsp" && r() < 0.125;
      const ic =
        kind === "dwdsp"
          ? wide
            ? 64
            : pick(r, [4, 8, 8, 12, 16, 32])
          : depthwise
            ? pick(r, [1, 1, 3, 4, 5, 8, 12])
            : kind === "convdsp"
              ? pick(r, [1, 3, 4, 8, 16, 24, 32])
              : edge
                ? pick(r, [4, 8])
                : groups * int(r, 1, 9);
      const mult = kind === "depthwise" ? pick(r, [1, 1, 1, 2, 3]) : 1;
      const oc = depthwise ? ic * mult : dsp ? int(r, 1, 21) : edge ? int(r, 1, 6) : groups * int(r, 1, 9);
      const square = dsp && r() < 0.7;
      const kh = square ? (r() < 0.2 && kind === "convdsp" ? 1 : 3) : edge ? 1 : int(r, 1, 3);
      const kw = square ? kh : edge ? 1 : int(r, 1, kind === "dwdsp" ? 5 : 3);
      const dil = pick(r, [1, 1, 2]);
      const stride = int(r, 1, 2);
      const padding = pick(r, ["SAME", "VALID", "EXPLICIT"] as const);
      const pads = [int(r, 0, 2), int(r, 0, 2), int(r, 0, 2), int(r, 0, 2)];
      const h = Math.max(int(r, 1, dsp ? 12 : 9), (kh - 1) * dil + 1);
      const w = Math.max(wide ? 40 : int(r, 1, dsp ? 12 : 9), (kw - 1) * dil + 1);
      const batches = pick(r, [1, 1, 2]);
      const zEdge = edge ? pick(r, [-128, 127, 0]) : zy;
      const x = input([batches, h, w, ic], "int8", qp(sx, zx));
      const perChannel = r() < 0.7;
      // edge: effective scales from ×4 (a left shift) down to ×2^-30 (a right shift of 31 or more).
      const edgeScale = () => pick(r, [4, 1.5, 2 ** -20, 2 ** -29, 0.3]) * (sy / sx);
      const sw = Array.from({ length: perChannel ? oc : 1 }, () =>
        edge ? Math.fround(edgeScale()) : scale(r, 0.002, 0.05),
      );
      const wShape = depthwise ? [1, kh, kw, oc] : [oc, kh, kw, ic / groups];
      const wq: QuantParams = perChannel
        ? { scale: sw, zeroPoint: sw.map(() => 0), axis: depthwise ? 3 : 0 }
        : qp(sw[0]!);
      const wt = b.constant(`w${k}`, randomTensor("int8", numElements(wShape), r), wShape, {
        dtype: "int8",
        quant: wq,
      });
      // edge: biases up to ±(2^31 − 2^20), past what the fast requantization can prove exact.
      const biasValue = () =>
        edge ? pick(r, [1, -1]) * pick(r, [0, 2 ** 29, 2 ** 30, 2 ** 31 - 2 ** 20]) : int(r, -20000, 20000);
      const bias =
        r() < 0.8 || edge
          ? b.constant(`b${k}`, Int32Array.from({ length: oc }, biasValue), [oc], { dtype: "int32" })
          : undefined;
      const attrs = {
        strides: [stride, stride],
        dilations: [dil, dil],
        padding,
        pads,
        fusedActivation: act,
        ...(depthwise ? { depthMultiplier: mult } : { groups }),
      };
      y = b.op(depthwise ? "core.depthwise_conv2d" : "core.conv2d", [x, wt, bias], attrs, {
        outputs: [{ dtype: "int8", quant: qp(sy, zEdge) }],
      });
      Object.assign(desc, { ic, oc, kh, kw, dil, stride, padding, groups, mult, h, w, batches, perChannel });
    } else if (kind === "conv16" || kind === "tconv") {
      const int16 = kind === "conv16" || r() < 0.5;
      const dtype = int16 ? "int16" : "int8";
      const op =
        kind === "tconv"
          ? "core.transpose_conv2d"
          : pick(r, ["core.conv2d", "core.depthwise_conv2d", "core.fully_connected"] as const);
      const zin = int16 ? 0 : zx;
      const zout = int16 ? 0 : zy;
      const sx16 = int16 ? sx / 64 : sx;
      const sy16 = int16 ? sy / 64 : sy;
      const groups = op === "core.conv2d" ? pick(r, [1, 1, 2]) : 1;
      const ic = op === "core.depthwise_conv2d" ? int(r, 1, 6) : groups * int(r, 1, 6);
      const mult = op === "core.depthwise_conv2d" ? pick(r, [1, 2]) : 1;
      const oc = op === "core.depthwise_conv2d" ? ic * mult : groups * int(r, 1, 6);
      const fc = op === "core.fully_connected";
      const kh = fc ? 1 : int(r, 1, 3);
      const kw = fc ? 1 : int(r, 1, 3);
      const stride = int(r, 1, 2);
      const dil = kind === "tconv" ? 1 : pick(r, [1, 1, 2]);
      const h = fc ? int(r, 1, 3) : Math.max(int(r, 1, 6), (kh - 1) * dil + 1);
      const w = fc ? ic : Math.max(int(r, 1, 6), (kw - 1) * dil + 1);
      const x = input(fc ? [h, w] : [1, h, w, ic], dtype, qp(sx16, zin));
      const perChannel = !fc && r() < 0.7;
      const sw = Array.from({ length: perChannel ? oc : 1 }, () => scale(r, 0.002, 0.05));
      const wShape =
        op === "core.depthwise_conv2d"
          ? [1, kh, kw, oc]
          : fc
            ? [oc, ic]
            : [oc, kh, kw, op === "core.conv2d" ? ic / groups : ic];
      const wq: QuantParams = perChannel
        ? { scale: sw, zeroPoint: sw.map(() => 0), axis: op === "core.depthwise_conv2d" ? 3 : 0 }
        : qp(sw[0]!);
      const wt = b.constant(`w${k}`, randomTensor("int8", numElements(wShape), r), wShape, {
        dtype: "int8",
        quant: wq,
      });
      const bias64 = int16 && (kind === "tconv" || r() < 0.7);
      const bias =
        r() < 0.85
          ? bias64
            ? b.constant(
                `b${k}`,
                BigInt64Array.from({ length: oc }, () => BigInt(int(r, -2000000, 2000000))),
                [oc],
                { dtype: "int64" },
              )
            : b.constant(
                `b${k}`,
                Int32Array.from({ length: oc }, () => int(r, -20000, 20000)),
                [oc],
                {
                  dtype: "int32",
                },
              )
          : undefined;
      const window = {
        strides: [stride, stride],
        dilations: [dil, dil],
        padding: pick(r, ["SAME", "VALID"] as const),
        pads: [0, 0, 0, 0],
      };
      const attrs =
        op === "core.fully_connected"
          ? { fusedActivation: act }
          : op === "core.transpose_conv2d"
            ? window
            : {
                ...window,
                fusedActivation: act,
                ...(op === "core.depthwise_conv2d" ? { depthMultiplier: mult } : { groups }),
              };
      y = b.op(op, [x, wt, bias], attrs, { outputs: [{ dtype, quant: qp(sy16, zout) }] });
      Object.assign(desc, { op, dtype, ic, oc, kh, kw, stride, dil, h, w, groups, mult, bias64, perChannel });
    } else if (kind === "elem") {
      const op = pick(r, [
        "core.logistic",
        "core.tanh",
        "core.relu",
        "core.relu6",
        "core.leaky_relu",
        "core.hard_swish",
        "core.quantize",
      ] as const);
      const shape = [int(r, 1, 3), int(r, 1, 40)];
      const inDtype = op === "core.quantize" && r() < 0.3 ? "uint8" : "int8";
      const x = input(shape, inDtype, qp(sx * 8, inDtype === "uint8" ? zx + 128 : zx));
      const outDtype =
        op !== "core.quantize"
          ? "int8"
          : inDtype === "uint8"
            ? "int8"
            : pick(r, ["int8", "uint8", "int16"] as const);
      // TFLite's fixed output quantization of logistic (1/256, −128) and tanh (1/128, 0); others random.
      const yq =
        op === "core.logistic"
          ? qp(1 / 256, -128)
          : op === "core.tanh"
            ? qp(1 / 128, 0)
            : qp(sy / 4, outDtype === "uint8" ? zy + 128 : outDtype === "int16" ? 0 : zy);
      const attrs = op === "core.leaky_relu" ? { alpha: pick(r, [0.1, 0.2, 0.01, 0.3]) } : {};
      y = b.op(op, [x], attrs, { outputs: [{ dtype: outDtype, quant: yq }] });
      Object.assign(desc, { op, shape, inDtype, outDtype });
    } else if (kind === "fc") {
      const rows = int(r, 1, 3);
      const inF = int(r, 1, 40);
      const outF = int(r, 1, 9);
      const x = input([rows, inF], "int8", qp(sx, zx));
      const perChannel = r() < 0.5;
      const sw = Array.from({ length: perChannel ? outF : 1 }, () => scale(r, 0.002, 0.05));
      const wq: QuantParams = perChannel ? { scale: sw, zeroPoint: sw.map(() => 0), axis: 0 } : qp(sw[0]!);
      const wt = b.constant(`w${k}`, randomTensor("int8", outF * inF, r), [outF, inF], {
        dtype: "int8",
        quant: wq,
      });
      const bias =
        r() < 0.8
          ? b.constant(
              `b${k}`,
              Int32Array.from({ length: outF }, () => int(r, -20000, 20000)),
              [outF],
              { dtype: "int32" },
            )
          : undefined;
      y = b.op(
        "core.fully_connected",
        [x, wt, bias],
        { fusedActivation: act },
        {
          outputs: [{ dtype: "int8", quant: qp(sy, zy) }],
        },
      );
      Object.assign(desc, { rows, inF, outF, perChannel });
    } else if (kind === "pool") {
      const dtype = pick(r, ["int8", "int8", "int16"] as const);
      const q = qp(sx, dtype === "int16" ? 0 : zx);
      const shape = [pick(r, [1, 2]), int(r, 2, 7), int(r, 2, 7), int(r, 1, 9)];
      const x = input(shape, dtype, q);
      const f = int(r, 1, Math.min(3, shape[1]!, shape[2]!));
      const avg = r() < 0.5;
      y = b.op(
        avg ? "core.avg_pool2d" : "core.max_pool2d",
        [x],
        {
          filter: [f, f],
          strides: [int(r, 1, 2), int(r, 1, 2)],
          padding: pick(r, ["SAME", "VALID"] as const),
          fusedActivation: act,
        },
        { outputs: [{ dtype, quant: q }] },
      );
      Object.assign(desc, { dtype, shape, f, avg });
    } else if (kind === "mean") {
      const dtype = pick(r, ["int8", "int8", "int16"] as const);
      const z = (v: number) => (dtype === "int16" ? 0 : v);
      const shape = Array.from({ length: int(r, 1, 4) }, () => int(r, 1, 6));
      const axes = shape.map((_, i) => i).filter(() => r() < 0.6);
      if (axes.length === 0) axes.push(shape.length - 1);
      const x = input(shape, dtype, qp(sx, z(zx)));
      y = b.op(
        "core.mean",
        [x],
        { axes, keepDims: r() < 0.5 },
        { outputs: [{ dtype, quant: qp(sy / 4, z(zy)) }] },
      );
      Object.assign(desc, { dtype, shape, axes });
    } else if (kind === "add" || kind === "adddsp") {
      const dtype = kind === "adddsp" ? "int8" : pick(r, ["int8", "int8", "int16"] as const);
      const z = (v: number) => (dtype === "int16" ? 0 : v);
      const shape = Array.from({ length: int(r, 1, 4) }, () => int(r, 1, 5));
      const other =
        kind === "adddsp" ? shape : shape.slice(int(r, 0, shape.length - 1)).map((d) => (r() < 0.3 ? 1 : d));
      const x = input(shape, dtype, qp(sx, z(zx)));
      const c = b.constant(`c${k}`, randomTensor(dtype, numElements(other), r), other, {
        dtype,
        quant: qp(scale(r, 0.005, 0.1), z(int(r, -30, 30))),
      });
      const swap = r() < 0.5;
      const sub = r() < 0.4;
      y = b.op(
        sub ? "core.sub" : "core.add",
        swap ? [c, x] : [x, c],
        { fusedActivation: act },
        {
          outputs: [{ dtype, quant: qp(sy, z(zy)) }],
        },
      );
      Object.assign(desc, { dtype, shape, other, swap, sub });
    } else {
      const out16 = r() < 0.3;
      const shape = [int(r, 1, 3), int(r, 1, 20)];
      const x = input(shape, "int8", qp(scale(r, 0.01, 0.3), zx));
      y = b.op(
        "core.softmax",
        [x],
        { beta: pick(r, [1, 1, 0.5]) },
        {
          outputs: [{ dtype: out16 ? "int16" : "int8", quant: out16 ? qp(1 / 32768, 0) : qp(1 / 256, -128) }],
        },
      );
      Object.assign(desc, { shape, out16 });
    }
    b.output(y);
    cases.push(JSON.stringify(desc));
  }
  const graph = b.build();
  return {
    graph,
    cases,
    sample: (s) => {
      const rs = lcg(s * 7919 + seed);
      return inputs.map((t) => randomTensor(t.dtype, numElements(t.shape), rs));
    },
  };
}

/** Outputs of the TS interpreter for each sample. */
export function interpretAll(
  graph: Graph,
  registry: Registry,
  samples: readonly TensorData[][],
): TensorData[][] {
  const it = createInterpreter(graph, { registry });
  return samples.map((s) => it.invoke(s).map((v) => v.data));
}

/** Indices (sample·outputs + output) where the two runs differ in any byte. */
export function byteMismatches(a: readonly TensorData[][], b: readonly TensorData[][]): number[] {
  const bad: number[] = [];
  a.forEach((outs, s) => {
    outs.forEach((x, k) => {
      const y = b[s]?.[k];
      const xb = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
      const yb = y === undefined ? new Uint8Array(0) : new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
      if (xb.length !== yb.length || xb.some((v, i) => v !== yb[i])) bad.push(s * outs.length + k);
    });
  });
  return bad;
}

/** Prepares a graph as C on a target (name or `host-dsp-emulated`). */
export function prepareOn(
  graph: Graph,
  registry: Registry,
  target: string,
  options: Record<string, unknown> = {},
): Promise<CPreparedModel> {
  const t = testTarget(target);
  return prepareC(graph, registry, t, { ...(t.kind === "host" ? { sanitize: true } : {}), ...options });
}
