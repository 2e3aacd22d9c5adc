/**
 * Mutation fuzzing of readOnnx, from a seeded generator. Two kinds of damage:
 * - bytes: truncations, random bytes, bit flips, varint-breaking bytes and block copies in
 *   the real files (what a damaged download looks like; mostly caught by the protobuf decoder);
 * - structure: the decoded model with one field changed (a dimension, an attribute value, an
 *   op type, an input name, a data type, the opset) and re-encoded, which reaches the importer.
 * Each case must read (a valid graph) or throw McuError, within a time bound. Test-only.
 */
import { corePlugin, createRegistry, isMcuError } from "@mcu/tensor";
import { onnx } from "../generated/onnx.generated.js";
import { readOnnx } from "../read-onnx.js";

/** mulberry32: a small seeded generator of floats in [0, 1). */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A byte-level mutation of `bytes`. */
export function mutateBytes(bytes: Uint8Array, rand: () => number): Uint8Array {
  const n = bytes.length;
  const pick = (max: number) => Math.floor(rand() * max);
  // Graph structure (nodes, opset, inputs) sits at both ends; weights fill the middle.
  const at = () =>
    rand() < 0.5 ? pick(n) : rand() < 0.5 ? pick(Math.min(n, 4096)) : n - 1 - pick(Math.min(n, 4096));
  const kind = pick(5);
  // Copies (a Node Buffer's slice() would be a view of the original).
  if (kind === 0) return new Uint8Array(bytes.subarray(0, pick(n)));
  const out = new Uint8Array(bytes);
  if (kind === 1) for (let k = 1 + pick(8); k > 0; k--) out[at()] = pick(256);
  else if (kind === 2) for (let k = 1 + pick(4); k > 0; k--) out[at()]! ^= 1 << pick(8);
  else if (kind === 3) {
    // Varint damage: a continuation byte (0xff/0x80) makes a length or tag run on.
    for (let k = 1 + pick(3); k > 0; k--) out[at()] = rand() < 0.5 ? 0xff : 0x80;
  } else {
    const len = 1 + pick(64);
    const from = pick(Math.max(1, n - len));
    out.copyWithin(at(), from, from + len);
  }
  return out;
}

const ODD_INTS = [-(2 ** 40), -1000, -2, -1, 0, 1, 2, 3, 7, 1000, 2 ** 31, 2 ** 40];
const OP_TYPES = [
  "Conv",
  "Gemm",
  "Relu",
  "Reshape",
  "Flatten",
  "MaxPool",
  "Concat",
  "Slice",
  "Pad",
  "Unknown",
  "",
];

/** A structure-level mutation: decode, change one to three fields, encode. */
export function mutateStructure(bytes: Uint8Array, rand: () => number): Uint8Array {
  const m = onnx.ModelProto.decode(bytes);
  for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) changeOneField(m, rand);
  return new Uint8Array(onnx.ModelProto.encode(m).finish());
}

function changeOneField(m: onnx.ModelProto, rand: () => number): void {
  const g = m.graph!;
  const pick = (max: number) => Math.floor(rand() * max);
  const odd = () => ODD_INTS[pick(ODD_INTS.length)]!;
  const nodes = g.node!;
  const kind = pick(9);
  const n = nodes[pick(nodes.length)];
  if (kind === 0 && n !== undefined && (n.attribute?.length ?? 0) > 0) {
    const a = n.attribute![pick(n.attribute!.length)]!;
    if ((a.ints?.length ?? 0) > 0) a.ints![pick(a.ints!.length)] = odd();
    else if (a.type === 2) a.i = odd();
    else if (a.type === 1) a.f = [Number.NaN, -1, 0, 1e30][pick(4)]!;
    else a.type = pick(15);
  } else if (kind === 1 && n !== undefined) {
    n.opType = OP_TYPES[pick(OP_TYPES.length)]!;
  } else if (kind === 2 && n !== undefined && (n.input?.length ?? 0) > 0) {
    const names = nodes.flatMap((x) => x.output ?? []);
    n.input![pick(n.input!.length)] = rand() < 0.3 ? "" : (names[pick(names.length)] ?? "nowhere");
  } else if (kind === 3 && (g.initializer?.length ?? 0) > 0) {
    const t = g.initializer![pick(g.initializer!.length)]!;
    if ((t.dims?.length ?? 0) > 0 && rand() < 0.6) t.dims![pick(t.dims!.length)] = odd();
    else t.dataType = pick(24);
  } else if (kind === 4 && (g.input?.length ?? 0) > 0) {
    const dims = g.input![0]!.type?.tensorType?.shape?.dim ?? [];
    if (dims.length > 0) dims[pick(dims.length)] = rand() < 0.5 ? { dimValue: odd() } : { dimParam: "N" };
  } else if (kind === 5 && (m.opsetImport?.length ?? 0) > 0) {
    m.opsetImport![0]!.version = [1, 6, 7, 10, 11, 12, 17, 21, 22, 99][pick(10)]!;
  } else if (kind === 6 && n !== undefined) {
    // Drop an output or an input.
    if ((n.output?.length ?? 0) > 0 && rand() < 0.5) n.output!.pop();
    else n.input?.pop();
  } else if (kind === 7 && nodes.length > 1) {
    // Swap two nodes (breaks topological order) or duplicate one (two producers).
    const i = pick(nodes.length);
    const j = pick(nodes.length);
    if (rand() < 0.5) [nodes[i], nodes[j]] = [nodes[j]!, nodes[i]!];
    else nodes.push(nodes[i]!);
  } else if ((g.initializer?.length ?? 0) > 0) {
    const t = g.initializer![pick(g.initializer!.length)]!;
    if (t.rawData && t.rawData.length > 0) t.rawData = t.rawData.subarray(0, pick(t.rawData.length));
    else t.externalData = [{ key: "location", value: "weights.bin" }];
  }
}

/** What a campaign found. */
export interface FuzzReport {
  readonly cases: number;
  readonly accepted: number;
  readonly codes: Readonly<Record<string, number>>;
  readonly failures: readonly string[];
  readonly slowestMs: number;
  readonly slowestCase: string;
}

/** Runs `cases` mutations over the files (round robin), half byte-level and half structural. */
export function fuzzReadOnnx(
  files: readonly (readonly [string, Uint8Array])[],
  seed: number,
  cases: number,
): FuzzReport {
  const registry = createRegistry([corePlugin]);
  const rand = seeded(seed);
  const codes: Record<string, number> = {};
  const failures: string[] = [];
  let accepted = 0;
  let slowestMs = 0;
  let slowestCase = "";
  for (let c = 0; c < cases; c++) {
    const [name, bytes] = files[c % files.length]!;
    const structural = c % 2 === 1;
    const input = structural ? mutateStructure(bytes, rand) : mutateBytes(bytes, rand);
    const t0 = process.cpuUsage();
    try {
      readOnnx(input, { registry });
      accepted++;
    } catch (e) {
      if (isMcuError(e)) codes[e.code] = (codes[e.code] ?? 0) + 1;
      else
        failures.push(
          `${name} case ${c} (${structural ? "structure" : "bytes"}): ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
        );
    }
    const dt = process.cpuUsage(t0);
    const ms = (dt.user + dt.system) / 1000;
    if (ms > slowestMs) {
      slowestMs = ms;
      slowestCase = `${name} case ${c}`;
    }
  }
  return { cases, accepted, codes, failures, slowestMs, slowestCase };
}
