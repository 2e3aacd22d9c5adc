/** The contract between the importer and the per-op handlers in ops/. */
import type { NodeContext } from "./node-context.js";

/**
 * How an op handler turns one ONNX node into IR nodes (or folds it into a constant).
 *
 * `int` marks ops that QDQ models may run as integer ops: `compute` ops produce their
 * QuantizeLinear's parameters (conv, dense, add), `movement` ops keep their input's
 * parameters (pooling, reshapes) and get a requantize when the QuantizeLinear differs.
 */
export interface OpHandler {
  readonly run: (ctx: NodeContext) => void;
  readonly int?: "compute" | "movement";
  /** True if this node can be emitted as an integer op (checked before `run` in integer mode). */
  readonly canInt?: (ctx: NodeContext) => boolean;
}

/** Handlers by ONNX op type. */
export type HandlerTable = Readonly<Record<string, OpHandler>>;
